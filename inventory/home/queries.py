"""The figures of the start page's panels, each gathered from the feature that owns it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core import clock
from core.models import User
from inventory.approvals import queries as approvals
from inventory.network import queries as network
from inventory.network.models import Depot
from inventory.rotation import queries as rotation
from inventory.stock import queries as stock


@dataclass(frozen=True)
class DepotWork:
    """What waits at one of a clerk's depots."""

    depot: Depot
    waiting_for_you: int     # documents someone else drafted that the clerk may sign
    your_drafts: int         # the clerk's own documents waiting for someone else
    to_receive: int          # transfers shipped to the depot, not yet received
    due_lots: int            # lots due for rotation or expired
    below_minimum: int       # items held below their quota minimum


def clerk_depot_work(user: User, today: date | None = None) -> list[DepotWork]:
    today = today or clock.today()
    depots = network.list_clerk_depots(user)
    ids = [depot.id for depot in depots]
    waiting, drafts = approvals.waiting_by_depot(user), approvals.own_drafts_by_depot(user)
    arriving = stock.arriving_transfers_by_depot(ids)
    due, short = rotation.due_lots_by_depot(ids, today), stock.below_minimum_by_depot(ids, today)
    return [DepotWork(depot, waiting.get(depot.id, 0), drafts.get(depot.id, 0), arriving.get(depot.id, 0),
                      due.get(depot.id, 0), short.get(depot.id, 0)) for depot in depots]
