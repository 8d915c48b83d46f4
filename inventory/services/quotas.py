"""Quotas: how much of an item a depot should hold, and must not fall below."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from core.db import Session, unit_of_work
from core.errors import DomainError
from inventory.models import Quota
from inventory.services.ledger import active_depot
from inventory.services.network import get_item


@unit_of_work
def set_quota(depot_id: int, item_id: int, target: int, minimum: int) -> Quota:
    """Create or change a depot's quota for an item."""
    active_depot(depot_id)
    get_item(item_id)
    if minimum < 0 or target < minimum:
        raise DomainError(_("The minimum must be between 0 and the target."),
                          {"minimum": [_("Must be between 0 and the target.")]})
    quota = Session.scalar(select(Quota).where(Quota.depot_id == depot_id, Quota.item_id == item_id))
    if quota is None:
        quota = Quota(depot_id=depot_id, item_id=item_id)
        Session.add(quota)
    quota.target, quota.minimum = target, minimum
    return quota
