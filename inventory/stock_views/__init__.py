"""The depot clerk's stock pages: dashboard, forms, vouchers, history, registers.

Views parse a form, call one service and render or redirect. A clerk sees and
changes only the depots they are bound to; dispatchers and finance read every
depot's stock, history and vouchers; administrators do everything.
"""
from inventory.stock_views import counts, entries, pages, transfers  # noqa: F401  (registers the routes)
from inventory.stock_views.blueprint import bp  # noqa: F401
