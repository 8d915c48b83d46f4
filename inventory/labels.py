"""What the pages call each enum value."""
from inventory.models import (DepotLevel, DepotStatus, FundingSource, ItemCategory, MovementKind, OperatorType,
                              Ownership, RegionLevel)

DEPOT_LEVEL_LABELS = {
    DepotLevel.CENTRAL: "Central",
    DepotLevel.PROVINCIAL: "Provincial",
    DepotLevel.MUNICIPAL: "Municipal",
    DepotLevel.COUNTY: "County",
    DepotLevel.TOWNSHIP: "Township",
}
OPERATOR_LABELS = {
    OperatorType.GOVERNMENT: "Government",
    OperatorType.ENTERPRISE: "Enterprise on the government's behalf",
    OperatorType.SOCIAL: "Social",
}
STATUS_LABELS = {DepotStatus.ACTIVE: "Active", DepotStatus.CLOSED: "Closed"}
CATEGORY_LABELS = {
    ItemCategory.LIVING: "Living",
    ItemCategory.FOOD_WATER: "Food and water",
    ItemCategory.FLOOD_CONTROL: "Flood control",
    ItemCategory.FIRE: "Fire",
    ItemCategory.MEDICAL: "Medical",
    ItemCategory.LIGHTING_POWER: "Lighting and power",
    ItemCategory.RESCUE_EQUIPMENT: "Rescue equipment",
}
REGION_LEVEL_LABELS = {RegionLevel.PROVINCE: "Province", RegionLevel.PREFECTURE: "Prefecture",
                       RegionLevel.COUNTY: "County"}
BASE_UNITS = ["piece", "set", "box", "bottle", "pack", "bag", "kg", "litre"]


def choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


# Stock pages (clerk forms, history, vouchers).

FUNDING_LABELS = {
    FundingSource.CENTRAL: "Central government",
    FundingSource.PROVINCIAL: "Provincial government",
    FundingSource.MUNICIPAL: "Municipal government",
    FundingSource.COUNTY: "County government",
    FundingSource.TOWNSHIP: "Township government",
    FundingSource.DONATION: "Donation",
}
OWNERSHIP_LABELS = {Ownership.GOVERNMENT: "Government stock", Ownership.AGREEMENT: "Held by an enterprise (agreement)"}
MOVEMENT_LABELS = {
    MovementKind.RECEIPT: "Receipt",
    MovementKind.ISSUE: "Issue",
    MovementKind.TRANSFER_OUT: "Transfer out",
    MovementKind.TRANSFER_IN: "Transfer in",
    MovementKind.COUNT_ADJUSTMENT: "Count adjustment",
    MovementKind.SCRAP: "Scrap",
    MovementKind.REVERSAL: "Reversal",
    MovementKind.ROTATION_OUT: "Rotation out",
    MovementKind.ROTATION_IN: "Rotation in",
    MovementKind.RETURN: "Return",
}
