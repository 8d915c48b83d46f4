"""Read-only look-ups for pages and the API; filters and pages are applied in the database."""
from inventory.queries.network import *  # noqa: F401,F403
from inventory.queries.network import (  # noqa: F401
                                       Neighbour,
                                       can_act_at,
                                       count_depots_by_level,
                                       depots_statement,
                                       get_region_by_code,
                                       items_statement,
                                       list_children,
                                       list_clerk_depots,
                                       list_depots,
                                       list_items,
                                       list_neighbours,
                                       list_provinces,
                                       list_regions,
                                       region_code_prefix,
                                       regions_statement,
)
from inventory.queries.stock import *  # noqa: F401,F403
from inventory.queries.rotation import *  # noqa: F401,F403
