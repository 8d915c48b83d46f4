"""Shipments read for their pages, the waybill and the API."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from core import clock
from core.access import can_see
from core.db import Session
from core.errors import NotFoundError, PermissionDeniedError
from core.models import Role, User
from core.pagination import Page, paginate
from dispatch.incidents.models import AffectedArea
from dispatch.shipments.models import UNDER_WAY, Shipment, ShipmentLine, ShipmentStatus, ShipmentStop
from inventory.network.models import Depot, Region
from inventory.network.queries import region_code_prefix


def get_shipment(shipment_id: int, reader: User | None = None) -> Shipment:
    """One shipment whole; a clerk `reader` reads only those leaving or received into one of their depots."""
    shipment = Session.scalar(select(Shipment).where(Shipment.id == shipment_id).options(
        joinedload(Shipment.depot), joinedload(Shipment.agreement), joinedload(Shipment.document),
        joinedload(Shipment.plan), selectinload(Shipment.stops).joinedload(ShipmentStop.area),
        selectinload(Shipment.lines).joinedload(ShipmentLine.lot),
        selectinload(Shipment.lines).joinedload(ShipmentLine.item)))
    if shipment is None:
        raise NotFoundError(_("No shipment %(id)s.", id=shipment_id))
    if reader is not None and reader.role == Role.CLERK:
        depots = {shipment.depot_id} | {stop.area.receiving_depot_id for stop in shipment.stops}
        if not any(depot_id and can_see(reader, depot_id) for depot_id in depots):
            raise PermissionDeniedError(_("Waybill %(number)s is not for your depots.", number=shipment.number))
    return shipment


def shipment_of_document(document_id: int) -> Shipment:
    shipment = Session.scalar(select(Shipment).where(Shipment.document_id == document_id))
    if shipment is None:
        raise NotFoundError(_("No shipment has document %(id)s.", id=document_id))
    return shipment


def overdue_clause():
    """Under way and past a waiting stop's expected arrival plus the margin (the model's `overdue`, in SQL)."""
    cutoff = clock.utcnow() - timedelta(hours=current_app.config["SHIPMENT_OVERDUE_HOURS"])
    late_stop = exists().where(and_(ShipmentStop.shipment_id == Shipment.id, ShipmentStop.received_at.is_(None),
                                    ShipmentStop.expected_arrival_at < cutoff))
    return and_(Shipment.status.in_(UNDER_WAY), late_stop)


def shipments_statement(incident_id: int | None = None, plan_id: int | None = None, depot_id: int | None = None,
                        status: str | None = None, overdue: bool | None = None,
                        depot_ids: list[int] | None = None):
    """Newest first. `depot_ids` narrows to those sources (a clerk's own depots)."""
    statement = (select(Shipment).options(joinedload(Shipment.depot), joinedload(Shipment.agreement),
                                          selectinload(Shipment.stops).joinedload(ShipmentStop.area),
                                          selectinload(Shipment.lines))
                 .order_by(Shipment.created_at.desc(), Shipment.id.desc()))
    for column, value in ((Shipment.incident_id, incident_id), (Shipment.plan_id, plan_id),
                          (Shipment.depot_id, depot_id)):
        if value:
            statement = statement.where(column == value)
    if status:
        statement = statement.where(Shipment.status == ShipmentStatus(status))
    if overdue is not None:
        statement = statement.where(overdue_clause() if overdue else ~overdue_clause())
    if depot_ids is not None:
        statement = statement.where(Shipment.depot_id.in_(depot_ids))
    return statement


def list_shipments(page: int = 1, per_page: int = 25, **filters) -> Page:
    return paginate(shipments_statement(**filters), page, per_page)


def list_shipments_in_transit(region_code: str | None = None) -> list[Shipment]:
    """Shipments on the road, with their source and stops; inside a region: those leaving a depot there or
    bound for an area there."""
    statement = (select(Shipment).where(Shipment.status == ShipmentStatus.IN_TRANSIT)
                 .options(joinedload(Shipment.depot), joinedload(Shipment.agreement),
                          selectinload(Shipment.stops).joinedload(ShipmentStop.area))
                 .order_by(Shipment.expected_arrival_at, Shipment.id))
    if region_code:
        inside = Region.code.startswith(region_code_prefix(region_code))
        from_there = exists().where(Depot.id == Shipment.depot_id, Region.id == Depot.region_id, inside)
        bound_there = exists().where(ShipmentStop.shipment_id == Shipment.id, AffectedArea.id == ShipmentStop.area_id,
                                     Region.id == AffectedArea.region_id, inside)
        statement = statement.where(or_(from_there, bound_there))
    return list(Session.scalars(statement))
