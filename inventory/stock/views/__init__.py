"""The depot clerk's stock pages: dashboard, forms, vouchers, history, registers.

Views parse a form, call one service and render or redirect. A clerk sees and changes only the depots
assigned to them; dispatchers and finance read every depot's stock, history and vouchers; administrators do
everything (the rule is `core.access`).
"""
from flask import Blueprint

bp = Blueprint("stock", __name__, template_folder="../templates")

from inventory.stock.views import counts, entries, pages, transfers  # noqa: E402, F401  (registers the routes)
