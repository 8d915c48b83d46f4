"""JSON query shapes of the finance reports: filters, a period or a day, and the format of the answer."""
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from core.bounds import DAY, PAGE, schema_range
from inventory.network.models import ItemCategory
from inventory.network.queries import get_depot_by_code, get_item_by_code
from inventory.network.schemas import DEPOT_LEVELS, REGION_CODE
from inventory.stock.models import FundingSource, MovementKind

FORMATS = validate.OneOf(["json", "csv", "xlsx"])


class ReportFilterSchema(Schema):
    level = fields.String(load_default=None, validate=DEPOT_LEVELS)
    region_code = fields.String(load_default=None, validate=REGION_CODE)
    funding_source = fields.Enum(FundingSource, by_value=True, load_default=None)
    category = fields.Enum(ItemCategory, by_value=True, load_default=None)
    format = fields.String(load_default="json", validate=FORMATS)


class PeriodSchema(ReportFilterSchema):
    date_from = fields.Date(required=True, validate=DAY)
    date_to = fields.Date(required=True, validate=DAY)
    page = fields.Integer(load_default=1, validate=schema_range(PAGE))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))

    @validates_schema
    def _ordered(self, data, **_kwargs):
        if data["date_to"] < data["date_from"]:
            raise ValidationError(_("Must not be before date_from."), "date_to")


class RotationQuerySchema(PeriodSchema):
    table = fields.String(load_default="plans", validate=validate.OneOf(["plans", "write_offs"]), metadata={
        "description": "Which table a CSV holds: the plans (with their totals row) or the period's write-offs. "
                       "The XLSX has both, a sheet each; JSON has both."})


class JournalQuerySchema(PeriodSchema):
    depot_code = fields.String(load_default=None, validate=validate.Length(min=1, max=12),
                               metadata={"description": "Only this depot's movements (its code, e.g. X-510107)"})
    item_code = fields.String(load_default=None, validate=validate.Length(min=1, max=32),
                              metadata={"description": "Only this item's movements (its catalog code)"})
    kind = fields.Enum(MovementKind, by_value=True, load_default=None,
                       metadata={"description": "Only movements of this kind"})

    @validates("depot_code")
    def _known_depot(self, code: str, **_kwargs) -> None:
        if code is not None and get_depot_by_code(code) is None:
            raise ValidationError(_("No depot with code %(code)s.", code=code))

    @validates("item_code")
    def _known_item(self, code: str, **_kwargs) -> None:
        if code is not None and get_item_by_code(code) is None:
            raise ValidationError(_("No item with code %(code)s.", code=code))


class ValuationQuerySchema(ReportFilterSchema):
    as_of = fields.Date(required=True, validate=DAY)


class AccountingPeriodSchema(Schema):
    """One month of the ledger as GET /periods lists it (and POST /periods/<yyyy-mm>/close answers)."""

    period = fields.String(metadata={"description": "The month, YYYY-MM (local calendar)", "example": "2026-10"})
    state = fields.String(validate=validate.OneOf(["open", "closed"]))
    closable = fields.Boolean(metadata={"description": "Whether it may be closed now (ended, nothing open before)"})
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_by = fields.Function(lambda period: period.closed_by.username if period.closed_by else None,
                                allow_none=True, metadata={"type": "string", "nullable": True})


class AccountingPeriodsSchema(Schema):
    items = fields.List(fields.Nested(AccountingPeriodSchema))
