"""The stock ledger's refusals."""
from __future__ import annotations

from core.errors import DomainError


class InsufficientStockError(DomainError):
    """Less free stock than asked for; the message names the item and what is available."""

    status = 409


class ExpiredLotError(DomainError):
    """An expired lot leaves the reserve only by rotation or scrap, and expired goods never enter it."""

    status = 409
