"""Inventory models: the network and catalog (network.py), stock and its ledger (stock.py), capacity agreements."""
from inventory.models.network import *  # noqa: F401,F403
from inventory.models.network import DEPOT_LEVEL_ORDER, depot_clerks  # noqa: F401
from inventory.models.stock import *  # noqa: F401,F403
from inventory.models.agreements import *  # noqa: F401,F403
from inventory.models.rotation import *  # noqa: F401,F403
