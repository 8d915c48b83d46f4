"""What the pages call each enum value (translated when shown)."""
from flask_babel import lazy_gettext as _l

from inventory.agreements.models import ActivationStatus
from inventory.approvals.queries import WaitingKind
from inventory.network.models import DepotLevel, DepotStatus, ItemCategory, OperatorType, RegionLevel
from inventory.rotation.models import RotationAction, RotationPlanStatus
from inventory.stock.models import (
    CountStatus,
    DiscrepancyStatus,
    FundingSource,
    MovementKind,
    Ownership,
    ScrapStatus,
    TransferStatus,
)

DEPOT_LEVEL_LABELS = {
    DepotLevel.CENTRAL: _l("Central"),
    DepotLevel.PROVINCIAL: _l("Provincial"),
    DepotLevel.MUNICIPAL: _l("Municipal"),
    DepotLevel.COUNTY: _l("County"),
    DepotLevel.TOWNSHIP: _l("Township"),
}
OPERATOR_LABELS = {
    OperatorType.GOVERNMENT: _l("Government"),
    OperatorType.ENTERPRISE: _l("Enterprise on the government's behalf"),
    OperatorType.SOCIAL: _l("Social"),
}
STATUS_LABELS = {DepotStatus.ACTIVE: _l("Active"), DepotStatus.CLOSED: _l("Closed")}
CATEGORY_LABELS = {
    ItemCategory.LIVING: _l("Living"),
    ItemCategory.FOOD_WATER: _l("Food and water"),
    ItemCategory.FLOOD_CONTROL: _l("Flood control"),
    ItemCategory.FIRE: _l("Fire"),
    ItemCategory.MEDICAL: _l("Medical"),
    ItemCategory.LIGHTING_POWER: _l("Lighting and power"),
    ItemCategory.RESCUE_EQUIPMENT: _l("Rescue equipment"),
}
REGION_LEVEL_LABELS = {RegionLevel.PROVINCE: _l("Province"), RegionLevel.PREFECTURE: _l("Prefecture"),
                       RegionLevel.COUNTY: _l("County")}
BASE_UNITS = ["piece", "set", "box", "bottle", "pack", "bag", "kg", "litre"]


def choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


# Stock pages (clerk forms, history, vouchers).

FUNDING_LABELS = {
    FundingSource.CENTRAL: _l("Central government"),
    FundingSource.PROVINCIAL: _l("Provincial government"),
    FundingSource.MUNICIPAL: _l("Municipal government"),
    FundingSource.COUNTY: _l("County government"),
    FundingSource.TOWNSHIP: _l("Township government"),
    FundingSource.DONATION: _l("Donation"),
}
OWNERSHIP_LABELS = {
    Ownership.GOVERNMENT: _l("Government stock"),
    Ownership.AGREEMENT: _l("Held by an enterprise (agreement)"),
}
MOVEMENT_LABELS = {
    MovementKind.RECEIPT: _l("Receipt"),
    MovementKind.ISSUE: _l("Issue"),
    MovementKind.TRANSFER_OUT: _l("Transfer out"),
    MovementKind.TRANSFER_IN: _l("Transfer in"),
    MovementKind.COUNT_ADJUSTMENT: _l("Count adjustment"),
    MovementKind.SCRAP: _l("Scrap"),
    MovementKind.REVERSAL: _l("Reversal"),
    MovementKind.ROTATION_OUT: _l("Rotation out"),
    MovementKind.ROTATION_IN: _l("Rotation in"),
    MovementKind.RETURN: _l("Return"),
    MovementKind.DISPATCH: _l("Relief dispatch"),
    MovementKind.TRANSIT: _l("In transit"),
    MovementKind.DELIVERY: _l("Delivered to an affected area"),
    MovementKind.LOSS: _l("Lost in transit"),
}

# Units as the stock pages show them: the catalog's base units and the pack units the seeded catalog uses.
UNIT_LABELS = {
    "piece": _l("piece"), "set": _l("set"), "box": _l("box"), "bottle": _l("bottle"), "pack": _l("pack"),
    "bag": _l("bag"), "kg": _l("kg"), "litre": _l("litre"),
    "bale": _l("bale"), "bundle": _l("bundle"), "carton": _l("carton"),
}


def unit_label(unit: str | None) -> str:
    """A unit in the reader's language when it is one we know; a pack unit someone named stays as named."""
    label = UNIT_LABELS.get(unit or "")
    return str(label) if label is not None else (unit or "")


TRANSFER_STATUS_LABELS = {
    TransferStatus.DRAFT: _l("draft"),
    TransferStatus.APPROVED: _l("approved"),
    TransferStatus.SHIPPED: _l("shipped"),
    TransferStatus.RECEIVED: _l("received"),
    TransferStatus.CANCELLED: _l("cancelled"),
}
COUNT_STATUS_LABELS = {CountStatus.OPEN: _l("open"), CountStatus.APPROVED: _l("approved"),
                       CountStatus.CANCELLED: _l("cancelled")}
SCRAP_STATUS_LABELS = {ScrapStatus.REQUESTED: _l("requested"), ScrapStatus.APPROVED: _l("approved"),
                       ScrapStatus.REJECTED: _l("rejected")}
DISCREPANCY_STATUS_LABELS = {DiscrepancyStatus.OPEN: _l("open"), DiscrepancyStatus.WRITTEN_OFF: _l("written off"),
                             DiscrepancyStatus.RECOVERED: _l("recovered")}


# Rotation pages and the finance reports.

ROTATION_PLAN_STATUS_LABELS = {
    RotationPlanStatus.DRAFT: _l("draft"),
    RotationPlanStatus.APPROVED: _l("approved"),
    RotationPlanStatus.PARTIALLY_EXECUTED: _l("partially executed"),
    RotationPlanStatus.EXECUTED: _l("executed"),
    RotationPlanStatus.CANCELLED: _l("cancelled"),
}
ROTATION_ACTION_LABELS = {
    RotationAction.SELL: _l("Sell"),
    RotationAction.HAND_OVER: _l("Hand over to a user unit"),
    RotationAction.DONATE: _l("Donate"),
    RotationAction.TRANSFER: _l("Transfer to another depot"),
    RotationAction.SCRAP: _l("Scrap"),
}
ACTIVATION_STATUS_LABELS = {ActivationStatus.PRODUCING: _l("producing"), ActivationStatus.COMPLETED: _l("all received"),
                            ActivationStatus.CANCELLED: _l("withdrawn")}

# The approvals inbox.

WAITING_KIND_LABELS = {
    WaitingKind.TRANSFER: _l("Transfer to approve"),
    WaitingKind.COUNT: _l("Count to approve"),
    WaitingKind.SCRAP: _l("Scrap request to decide"),
    WaitingKind.ROTATION_PLAN: _l("Rotation plan to approve"),
}

EXPIRY_BAND_LABELS = {
    "expired": _l("Expired"),
    "month": _l("Within 30 days"),
    "quarter": _l("31 to 90 days"),
    "half_year": _l("91 to 180 days"),
    "year": _l("181 days to a year"),
    "later": _l("Over a year"),
    "never": _l("Does not expire"),
}
