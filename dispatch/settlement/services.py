"""Pricing a finished trip for its carrier, and finance marking what was paid.

The rule is the plan's: a vehicle (the depot's own, or one requisitioned in the emergency, compensated by the same
rule) earns its fixed fee per trip plus its rate per kilometre of the whole route; rail, air and an enterprise's
own delivery earn the mode's rate per tonne-kilometre carried.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from core import clock
from core.access import ensure_role
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import Role, User
from dispatch.fleet.models import TransportMode
from dispatch.fleet.queries import mode_params, planned_vehicle
from dispatch.settlement.models import RateBasis, SettlementLine, SettlementStatus
from dispatch.shipments.models import Shipment

CENT = Decimal("0.01")
MAX_REFERENCE = 80


def settle(shipment: Shipment) -> SettlementLine:
    """The settlement line of a delivered or turned-back shipment (in the caller's unit of work)."""
    existing = Session.scalar(select(SettlementLine).where(SettlementLine.shipment_id == shipment.id))
    if existing is not None:
        return existing
    basis, rate, fixed = _rate(shipment)
    amount = fixed + rate * (shipment.distance_km if basis == RateBasis.PER_KM else shipment.tonne_km)
    line = SettlementLine(shipment_id=shipment.id, carrier=shipment.carrier or "", mode=shipment.mode,
                          requisitioned=shipment.requisitioned_vehicle_id is not None,
                          distance_km=shipment.distance_km, tonne_km=shipment.tonne_km, rate_basis=basis, rate=rate,
                          fixed_fee=fixed, amount=amount.quantize(CENT))
    Session.add(line)
    return line


def _rate(shipment: Shipment) -> tuple[RateBasis, Decimal, Decimal]:
    vehicle = shipment.requisitioned_vehicle
    if vehicle is None and shipment.route is not None:
        vehicle = planned_vehicle(shipment.route.vehicle_type)
    if vehicle is not None:
        return RateBasis.PER_KM, Decimal(vehicle.cost_per_km), Decimal(vehicle.fixed_cost)
    stored = Session.get(TransportMode, shipment.mode)
    per_tkm = stored.cost_per_tkm if stored is not None else Decimal(str(mode_params()[shipment.mode.value]
                                                                         .cost_per_tkm))
    return RateBasis.PER_TKM, Decimal(per_tkm), Decimal("0")


@unit_of_work
def mark_paid(line_ids: list[int], actor: User, reference: str,
              paid_at: datetime | None = None) -> list[SettlementLine]:
    """Finance records that these lines were paid, with the payment's reference (voucher or transfer number)."""
    ensure_role(actor, Role.FINANCE, Role.ADMIN)
    reference = (reference or "").strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise DomainError(_("Give the payment's reference."),
                          {"reference": [_("Between 1 and %(limit)s characters.", limit=MAX_REFERENCE)]})
    if not reference.isprintable():  # a reference is one line of text; the database refuses NUL outright
        raise DomainError(_("Give the payment's reference."),
                          {"reference": [_("Letters, digits and punctuation on one line only.")]})
    paid_at = paid_at or clock.utcnow()
    if paid_at > clock.utcnow() + timedelta(minutes=5):
        raise DomainError(_("A payment cannot be recorded before it happens."), {"paid_at": [_("In the future.")]})
    lines = list(Session.scalars(select(SettlementLine).where(SettlementLine.id.in_(line_ids))
                                 .with_for_update().order_by(SettlementLine.id)))
    if not line_ids or len(lines) != len(set(line_ids)):
        raise NotFoundError(_("Some of those settlement lines do not exist."))
    already = [line for line in lines if line.status == SettlementStatus.PAID]
    if already:
        raise ConflictError(_("Waybill %(number)s is already paid.", number=already[0].shipment.number))
    for line in lines:
        line.status, line.paid_at, line.paid_by_id, line.payment_reference = (SettlementStatus.PAID, paid_at,
                                                                              actor.id, reference)
    return lines
