"""Business rules. Every public function is one unit of work: check, write, commit, or raise and write nothing."""
from inventory.services.counts import approve_count, cancel_count, open_count, record_counts  # noqa: F401
from inventory.services.issues import Issue, IssueLine, issue_stock  # noqa: F401
from inventory.services.ledger import ExpiredLotError, FourEyesError, InsufficientStockError, available_quantity  # noqa: F401
from inventory.services.network import (  # noqa: F401
                                       assign_clerk,
                                       close_depot,
                                       create_depot,
                                       create_item,
                                       get_depot,
                                       get_item,
                                       to_base_units,
                                       unassign_clerk,
                                       update_depot,
                                       update_item,
)
from inventory.services.quotas import set_quota  # noqa: F401
from inventory.services.receipts import Receipt, ReceiptLine, receive_stock  # noqa: F401
from inventory.services.reversals import reverse_movement  # noqa: F401
from inventory.services.scraps import ScrapRequestLine, approve_scrap, reject_scrap, request_scrap  # noqa: F401
from inventory.services.transfers import (  # noqa: F401
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
from inventory.services.rotation import (RotationIn, RotationLineRequest, RotationOut,  # noqa: F401
                                         approve_rotation_plan, cancel_rotation_plan, draft_rotation_plan,
                                         execute_rotation)
