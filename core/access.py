"""Who may act where: the roles that keep stock, and the one depot-scope rule.

Administrators act at every depot. A clerk sees and changes only the depots assigned to them. Dispatchers
and finance staff read every depot and change none. Pages, the API and the services all ask these functions,
and a refusal is always the same translated PermissionDeniedError (403 on a page and in the API alike).

The functions take anything with the depot's `id` and `code`, so core needs no domain model.
"""
from __future__ import annotations

from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import select

from core.db import Session
from core.errors import FourEyesError, PermissionDeniedError
from core.models import ApiToken, Role, User, depot_clerks

STOCK_KEEPERS = frozenset({Role.ADMIN, Role.CLERK})  # may record stock changes (clerks at their own depots)


class DepotLike(Protocol):
    id: int
    code: str


def assigned_depot_ids(user: User) -> list[int]:
    """The depots a clerk is assigned to (none for the other roles)."""
    return list(Session.scalars(select(depot_clerks.c.depot_id).where(depot_clerks.c.user_id == user.id)))


def can_act_at(user: User, depot_id: int) -> bool:
    """Admins act anywhere; a clerk only at the depots assigned to them; others nowhere."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.CLERK:
        return False
    assigned = select(depot_clerks.c.depot_id).where(depot_clerks.c.user_id == user.id,
                                                     depot_clerks.c.depot_id == depot_id)
    return Session.scalar(assigned) is not None


def can_see(user: User, depot_id: int) -> bool:
    """Everyone but a clerk reads every depot; a clerk reads the depots they act at."""
    return user.role != Role.CLERK or can_act_at(user, depot_id)


def visible_depot_ids(user: User) -> list[int] | None:
    """The depots whose records a user may list: a clerk's own, or None for every depot."""
    return assigned_depot_ids(user) if user.role == Role.CLERK else None


def actable_depot_ids(user: User) -> set[int] | None:
    """The depots where a user may record stock changes: None for every depot (an administrator)."""
    if user.role == Role.ADMIN:
        return None
    return set(assigned_depot_ids(user)) if user.role == Role.CLERK else set()


def ensure_can_act(user: User, depot: DepotLike) -> None:
    if not can_act_at(user, depot.id):
        raise PermissionDeniedError(_("You may not record stock changes at %(depot)s.", depot=depot.code))


def ensure_can_see(user: User, *depots: DepotLike) -> None:
    """Pass when the user may read at least one of the depots (either end of a transfer, say)."""
    if not any(can_see(user, depot.id) for depot in depots):
        raise PermissionDeniedError(_("You are not assigned to %(depot)s.",
                                      depot=", ".join(depot.code for depot in depots)))


def ensure_depot_named(user: User, depot_id: int | None) -> None:
    """A clerk's list must name one of their own depots; other roles may list across the network."""
    if user.role == Role.CLERK and (not depot_id or not can_act_at(user, depot_id)):
        raise PermissionDeniedError(_("Clerks list the records of their own depots: give the id of one of them."))


def ensure_role(user: User | None, *roles: Role) -> None:
    """Services check the role too, so a path that forgets the page's check still cannot write.

    `None` is the operator at the command line, who may do everything.
    """
    if user is not None and user.role not in roles:
        raise PermissionDeniedError(_("Your role may not do this."))


def ensure_second_person(drafters: set[int], actor: User, message: str) -> None:
    """Four eyes means two people, whichever account or token they use. A service account never counts as the
    second person (a system cannot look twice), and whoever issued a token to a service account that drafted may
    not approve what it drafted: the approval would be theirs twice over."""
    if actor.service_account:
        raise FourEyesError(_("An approval needs a person: a service account may not approve."))
    if actor.id in drafters:
        raise FourEyesError(message)
    issued = Session.scalar(select(ApiToken.id).where(ApiToken.user_id.in_(drafters),
                                                      ApiToken.issued_by_id == actor.id).limit(1))
    if issued is not None:
        raise FourEyesError(_("You issued a token to the service account that drafted this; another person must "
                              "approve it."))
