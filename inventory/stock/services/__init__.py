"""Stock business rules. Every public function is one unit of work: check, write, commit, or raise and write nothing.

Receipts, issues, transfers, counts, scrapping, reversals and imports each have a module; `ledger` is the one
private path through which balances and movements change, `picks` chooses lots (FEFO), `lines` reads a line's
item and base quantity.
"""
from inventory.stock.services.counts import approve_count, cancel_count, open_count, record_counts  # noqa: F401
from inventory.stock.services.errors import ExpiredLotError, InsufficientStockError  # noqa: F401
from inventory.stock.services.issues import Issue, issue_stock  # noqa: F401
from inventory.stock.services.picks import IssueLine  # noqa: F401
from inventory.stock.services.receipts import Receipt, ReceiptLine, depot_funding, receive_stock  # noqa: F401
from inventory.stock.services.reversals import reverse_movement  # noqa: F401
from inventory.stock.services.scraps import ScrapRequestLine, approve_scrap, reject_scrap, request_scrap  # noqa: F401
from inventory.stock.services.transfers import (  # noqa: F401
    Arrival,
    ReceivedLine,
    TransferRequest,
    approve_transfer,
    cancel_transfer,
    draft_evacuation,
    draft_transfer,
    receive_transfer,
    resolve_discrepancy,
    ship_transfer,
    update_draft,
)
