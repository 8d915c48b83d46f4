"""Production-capacity reserve agreements (产能储备): keeping them, and what one can deliver once activated."""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import select

from core import clock
from core.access import ensure_role
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import Role, User
from inventory.agreements.models import (
    ActivationStatus,
    AgreementActivation,
    AgreementOutput,
    AgreementStatus,
    CapacityAgreement,
)
from inventory.network.models import Item, Region

AGREEMENT_FIELDS = ("enterprise_name", "contact_person", "phone", "latitude", "longitude", "item_id",
                    "daily_capacity", "lead_time_hours", "max_quantity", "unit_price", "valid_from", "valid_to",
                    "notes")
REQUIRED = ("enterprise_name", "item_id", "daily_capacity", "lead_time_hours", "max_quantity", "unit_price",
            "valid_from", "valid_to")


class AgreementLike(Protocol):
    daily_capacity: int
    lead_time_hours: int
    max_quantity: int
    valid_from: date
    valid_to: date
    status: str


def deliverable_by(agreement: AgreementLike, hours_after_activation: float, at: date | None = None) -> int:
    """Base units the agreement can have produced `hours_after_activation` hours after it is activated on `at`.

    Nothing until the lead time has passed, then the daily capacity pro rata per started hour (rounded down),
    never more than the agreed maximum; nothing at all when it is suspended or not valid on `at` (default: today).
    """
    at = at or clock.today()
    if str(agreement.status) != AgreementStatus.ACTIVE or not agreement.valid_from <= at <= agreement.valid_to:
        return 0
    producing = Fraction(hours_after_activation) - agreement.lead_time_hours
    if producing <= 0:
        return 0
    return min(agreement.max_quantity, math.floor(agreement.daily_capacity * producing / 24))


def check_terms(values: dict) -> dict[str, list[str]]:
    """Field errors in the agreement's own terms (no database needed)."""
    errors = {name: [_("Required.")] for name in REQUIRED if values.get(name) in (None, "")}
    if isinstance(values.get("enterprise_name"), str) and not values["enterprise_name"].strip():
        errors["enterprise_name"] = [_("Required.")]
    positive = {"daily_capacity": (1, _("Must be more than 0 per day.")), "max_quantity": (1, _("Must be at least 1.")),
                "lead_time_hours": (0, _("Cannot be negative.")), "unit_price": (0, _("Cannot be negative."))}
    for name, (least, message) in positive.items():
        if values.get(name) is not None and Decimal(values[name]) < least:
            errors[name] = [message]
    if values.get("valid_from") and values.get("valid_to") and values["valid_to"] <= values["valid_from"]:
        errors["valid_to"] = [_("Must be after the start date.")]
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        errors["longitude" if values.get("latitude") is not None else "latitude"] = [_("Give both coordinates.")]
    return errors


@unit_of_work
def create_agreement(data: dict, actor: User | None) -> CapacityAgreement:
    """Record a new agreement. `data` holds the fields and `region_code` (where the enterprise is)."""
    ensure_role(actor, Role.ADMIN)
    agreement = CapacityAgreement(status=AgreementStatus.ACTIVE)
    _apply(agreement, data)
    Session.add(agreement)
    return agreement


@unit_of_work
def update_agreement(agreement_id: int, changes: dict, actor: User | None) -> CapacityAgreement:
    """Change some fields; a `status` of suspended or active suspends or reactivates it in the same step."""
    ensure_role(actor, Role.ADMIN)
    agreement = get_agreement(agreement_id)
    status = changes.get("status")
    _apply(agreement, {name: value for name, value in changes.items() if name != "status"})
    if status is not None and AgreementStatus(status) != agreement.status:
        _set_status(agreement, AgreementStatus(status))
    return agreement


@unit_of_work
def suspend_agreement(agreement_id: int, actor: User | None) -> CapacityAgreement:
    ensure_role(actor, Role.ADMIN)
    agreement = get_agreement(agreement_id)
    if agreement.status == AgreementStatus.SUSPENDED:
        raise ConflictError(_("This agreement is already suspended."), {"status": [_("Already suspended.")]})
    _set_status(agreement, AgreementStatus.SUSPENDED)
    return agreement


@unit_of_work
def reactivate_agreement(agreement_id: int, actor: User | None) -> CapacityAgreement:
    ensure_role(actor, Role.ADMIN)
    agreement = get_agreement(agreement_id)
    if agreement.status == AgreementStatus.ACTIVE:
        raise ConflictError(_("This agreement is already active."), {"status": [_("Already active.")]})
    _set_status(agreement, AgreementStatus.ACTIVE)
    return agreement


def get_agreement(agreement_id: int) -> CapacityAgreement:
    agreement = Session.get(CapacityAgreement, agreement_id)
    if agreement is None:
        raise NotFoundError(_("No capacity agreement with id %(id)s.", id=agreement_id))
    return agreement


def _set_status(agreement: CapacityAgreement, status: AgreementStatus) -> None:
    if status == AgreementStatus.ACTIVE and clock.today() > agreement.valid_to:
        raise ConflictError(_("The agreement has expired; extend its validity before reactivating it."),
                            {"status": [_("Expired on %(date)s.", date=agreement.valid_to.isoformat())]})
    agreement.status = status


def _apply(agreement: CapacityAgreement, data: dict) -> None:
    """Check every rule first, then copy the fields: a refused change writes nothing."""
    values = {name: data[name] if name in data else getattr(agreement, name) for name in AGREEMENT_FIELDS}
    errors = check_terms(values)
    region = _region(data, agreement, errors)
    if "item_id" in data and data["item_id"] is not None and Session.get(Item, data["item_id"]) is None:
        errors["item_id"] = [_("No item has id %(id)s.", id=data["item_id"])]
    if errors:
        raise DomainError(_("The agreement has invalid fields."), errors)
    for name in AGREEMENT_FIELDS:
        if name in data:
            setattr(agreement, name, data[name].strip() if isinstance(data[name], str) else data[name])
    moved = region is not agreement.region and "latitude" not in data
    agreement.region = region
    if agreement.latitude is None or moved:  # without coordinates of its own it stands at its region's point
        agreement.latitude, agreement.longitude = region.latitude, region.longitude


def _region(data: dict, agreement: CapacityAgreement, errors: dict) -> Region | None:
    if "region_code" not in data:
        if agreement.region is None:
            errors["region_code"] = [_("Required.")]
        return agreement.region
    region = Session.scalar(select(Region).where(Region.code == data["region_code"]))
    if region is None:
        errors["region_code"] = [_("No region has code %(code)s.", code=data["region_code"])]
    return region


ACTIVATORS = (Role.ADMIN, Role.DISPATCHER)  # who calls on an enterprise's capacity
MAX_TEXT = 200


def output_schedule(agreement: CapacityAgreement, quantity: int, activated_at: datetime) -> list[dict]:
    """Expected output per local day: nothing until the lead time has passed, then the daily capacity (the first
    day's share pro rata from the hour output starts) until `quantity` is made."""
    start = activated_at + timedelta(hours=agreement.lead_time_hours)
    schedule, made, day = [], 0, clock.local_date(start)
    local = start.astimezone(clock.LOCAL_ZONE)
    first_hours = 24 - local.hour - local.minute / 60
    while made < quantity:
        share = agreement.daily_capacity if schedule else math.floor(agreement.daily_capacity * first_hours / 24)
        share = min(max(share, 1), quantity - made)
        schedule.append({"date": day.isoformat(), "quantity": share})
        made, day = made + share, day + timedelta(days=1)
    return schedule


def activate(agreement_id: int, quantity: int, actor: User, requested_for: str, plan_id: int | None = None,
             activated_at: datetime | None = None, note: str | None = None) -> AgreementActivation:
    """Call on the agreement for `quantity` (in the caller's unit of work): the order, its time and its schedule."""
    ensure_role(actor, *ACTIVATORS)
    agreement = get_agreement(agreement_id)
    activated_at = activated_at or clock.utcnow()
    if agreement.effective_status(clock.local_date(activated_at)) != "active":
        raise ConflictError(_("%(enterprise)s's agreement is not in force.", enterprise=agreement.enterprise_name),
                            {"agreement_id": [_("Not in force.")]})
    ordered = _ordered(agreement.id)
    if not 0 < quantity <= agreement.max_quantity - ordered:
        raise DomainError(_("The agreement obliges at most %(left)s more.", left=agreement.max_quantity - ordered),
                          {"quantity": [_("Between 1 and %(left)s.", left=max(agreement.max_quantity - ordered, 0))]})
    activation = AgreementActivation(
        agreement_id=agreement.id, quantity=quantity, activated_at=activated_at, activated_by_id=actor.id,
        first_output_at=activated_at + timedelta(hours=agreement.lead_time_hours),
        schedule=output_schedule(agreement, quantity, activated_at),
        requested_for=_text(requested_for, "requested_for"), plan_id=plan_id, note=_text(note, "note"))
    Session.add(activation)
    return activation


@unit_of_work
def activate_agreement(agreement_id: int, quantity: int, actor: User, requested_for: str,
                       note: str | None = None) -> AgreementActivation:
    """A dispatcher calls on an agreement outside a relief plan (the plan's approval activates its own)."""
    if not (requested_for or "").strip():
        raise DomainError(_("Say what the output is for."), {"requested_for": [_("Required.")]})
    return activate(agreement_id, quantity, actor, requested_for, note=note)


def record_output(activation: AgreementActivation, quantity: int, actor: User, received_at: datetime,
                  reference: str | None = None, note: str | None = None) -> AgreementOutput:
    """Output received against an activation (in the caller's unit of work); complete once all of it came."""
    if activation.status != ActivationStatus.PRODUCING:
        raise ConflictError(_("This activation is %(status)s.", status=activation.status.value))
    if not 0 < quantity <= activation.quantity - activation.received:
        left = activation.quantity - activation.received
        raise DomainError(_("More than was ordered."), {"quantity": [_("Between 1 and %(left)s.", left=left)]})
    output = AgreementOutput(activation=activation, quantity=quantity, received_at=received_at,
                             recorded_by_id=actor.id, reference=_text(reference, "reference"), note=_text(note, "note"))
    Session.add(output)
    Session.flush()
    if activation.received >= activation.quantity:
        activation.status, activation.closed_at = ActivationStatus.COMPLETED, received_at
    return output


@unit_of_work
def receive_output(activation_id: int, quantity: int, actor: User, received_at: datetime | None = None,
                   reference: str | None = None, note: str | None = None) -> AgreementOutput:
    """A receipt against an activation recorded by hand (output that came outside a relief shipment)."""
    ensure_role(actor, *ACTIVATORS)
    activation = get_activation(activation_id)
    received_at = received_at or clock.utcnow()
    if received_at > clock.utcnow() + timedelta(minutes=5) or received_at < activation.activated_at:
        raise DomainError(_("The output cannot come before the activation or in the future."),
                          {"received_at": [_("Between the activation and now.")]})
    return record_output(activation, quantity, actor, received_at, reference, note)


def withdraw(activation: AgreementActivation, when: datetime) -> None:
    """The order is withdrawn (its plan stopped): what came in stays recorded; nothing more is expected."""
    if activation.status == ActivationStatus.PRODUCING:
        activation.status, activation.closed_at = ActivationStatus.CANCELLED, when


def get_activation(activation_id: int) -> AgreementActivation:
    activation = Session.get(AgreementActivation, activation_id)
    if activation is None:
        raise NotFoundError(_("No activation %(id)s.", id=activation_id))
    return activation


def plan_activation(agreement_id: int, plan_id: int) -> AgreementActivation | None:
    return Session.scalar(select(AgreementActivation).where(AgreementActivation.agreement_id == agreement_id,
                                                            AgreementActivation.plan_id == plan_id))


def plan_activations(plan_id: int) -> list[AgreementActivation]:
    return list(Session.scalars(select(AgreementActivation).where(AgreementActivation.plan_id == plan_id)))


def _ordered(agreement_id: int) -> int:
    """What the agreement's activations still in force have ordered, less what cancelled ones never delivered."""
    activations = Session.scalars(select(AgreementActivation).where(AgreementActivation.agreement_id == agreement_id))
    return sum(a.quantity if a.status != ActivationStatus.CANCELLED else a.received for a in activations)


def _text(value: str | None, field: str) -> str | None:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise DomainError(_("Too long."), {field: [_("At most %(limit)s characters.", limit=MAX_TEXT)]})
    return value or None
