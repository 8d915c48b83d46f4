"""The one set of bounds for numbers and dates that pages, the JSON API and the database agree on.

Out of range is the field's own message (a form error, a 422 with the field, a 400 for a query string or a URL),
never a 500 and never a write. The database's CHECK constraints (migration 0009) hold the same numbers; a bound
changed here needs a migration changing its CHECK.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, abort, request
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, validate
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from wtforms.validators import NumberRange
from wtforms.validators import ValidationError as FormValidationError

# Ids are 32-bit integer keys in PostgreSQL; ids in URLs, query strings and bodies stay below this.
ID_MAX = 2_147_483_647
# Base units on one line, in one lot, or in one demand cell: a billion of the smallest unit is more than a province
# holds of any relief item, and a billion lines of it still fit a 64-bit sum.
QUANTITY_MAX = 1_000_000_000
# The most one lot may hold (its balance is a 32-bit integer): a receipt that would pass it is refused.
BALANCE_MAX = ID_MAX
# A price or cost of one base unit, in yuan: the dearest relief item (a water purification set) is far below it.
UNIT_MONEY_MAX = Decimal("1000000.00")
# A sum of money on one line or document (proceeds, a settlement amount): Numeric(14, 2) holds less than 10**12.
MONEY_MAX = Decimal("10000000000.00")
# Pages beyond this are not browsed by anyone; the offset they make stays a small integer.
PAGE_MAX = 100_000
# People in one affected area.
POPULATION_MAX = 100_000_000
# Every date a document, a lot or a plan carries.
DAY_MIN, DAY_MAX = date(2000, 1, 1), date(2100, 12, 31)
# JSON bodies deeper than this are refused before they are parsed.
JSON_DEPTH_MAX = 32
# Characters in one free-text value (a reason, a note, an address); fields with a tighter length keep theirs.
TEXT_MAX = 10_000

QUANTITY = (1, QUANTITY_MAX)
QUANTITY_OR_ZERO = (0, QUANTITY_MAX)
ID = (1, ID_MAX)
PAGE = (1, PAGE_MAX)
UNIT_MONEY = (0, UNIT_MONEY_MAX)
POPULATION = (0, POPULATION_MAX)
CAPACITY = (0, QUANTITY_MAX)  # a depot's cubic metres or tonnes
UNIT_MEASURE = (0, 1_000_000)  # one base unit's kilograms or cubic metres
PER_PERSON = (0, 1_000)  # base units each affected person needs
DAYS = (0, 36_500)  # a shelf life, a lead or a look-ahead in days: a century at most
HOURS = (0, 8_760)  # a lead or a tail in hours: a year at most


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def too_low_message(low):
    """What a value below the bound is told: the pages' long-standing words for 0 and 1, else the bound."""
    if low == 0:
        return _l("Cannot be negative.")
    if low == 1:
        return _l("Must be more than 0.")
    return _l("At least %(min)s.", min=_number(low))


def too_high_message(high):
    return _l("At most %(max)s.", max=_number(high))


class _SchemaRange(validate.Range):
    """A marshmallow Range that says which end was passed (the OpenAPI document shows both ends)."""

    def __init__(self, low, high, error=None):
        super().__init__(min=low, max=high)
        self.too_low, self.too_high = error or too_low_message(low), error or too_high_message(high)

    def __call__(self, value):
        if value < self.min:
            raise ValidationError(str(self.too_low))
        if value > self.max:
            raise ValidationError(str(self.too_high))
        return value


class _FormRange(NumberRange):
    """A WTForms NumberRange that says which end was passed."""

    def __init__(self, low, high, message=None):
        super().__init__(min=low, max=high)
        self.too_low, self.too_high = message or too_low_message(low), message or too_high_message(high)

    def __call__(self, form, field):
        data = field.data
        if data is None:
            return
        if data < self.min:
            raise FormValidationError(str(self.too_low))
        if data > self.max:
            raise FormValidationError(str(self.too_high))


def schema_range(bound: tuple, error=None) -> validate.Range:
    """A marshmallow validator for `bound` (low, high); `error` replaces both ends' messages."""
    return _SchemaRange(*bound, error=error)


def form_range(bound: tuple, message=None) -> NumberRange:
    """A WTForms validator for `bound` (low, high), with the same messages as the API's."""
    return _FormRange(*bound, message=message)


DAY_MESSAGE = _l("Between %(min)s and %(max)s.", min=DAY_MIN.isoformat(), max=DAY_MAX.isoformat())


def within_days(value) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return DAY_MIN <= day <= DAY_MAX


class DayRange(validate.Validator):
    """A marshmallow validator: a date, or the date of a moment, between DAY_MIN and DAY_MAX.

    Not a validate.Range, so that the OpenAPI document gives no date as a `minimum`."""

    def __call__(self, value):
        if value is not None and not within_days(value):
            raise ValidationError(str(DAY_MESSAGE))
        return value


DAY = DayRange()


def form_day(_form, field) -> None:
    """A WTForms validator: a date or a local time between DAY_MIN and DAY_MAX."""
    if field.data is not None and not within_days(field.data):
        raise FormValidationError(str(DAY_MESSAGE))


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every URL: an id beyond ID_MAX matches no route (404), as an unknown id does."""

    def __init__(self, map, fixed_digits=0, min=None, max=ID_MAX, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int(value) -> int:
    """`type=int` for query strings: a number beyond an id's range reads as malformed (the default is used)."""
    number = int(value)
    if not -ID_MAX <= number <= ID_MAX:
        raise ValueError("out of range")
    return number


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth(text: str) -> int:
    """How deeply a JSON text nests its arrays and objects, without parsing it (strings are skipped whole)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
UNSAFE_TEXT_MESSAGE = _l("Contains a character that cannot be stored (a NUL or a lone surrogate).")


def unsafe_text(value: str) -> bool:
    """A NUL or a lone surrogate: neither can be stored in a text column, nor written out as UTF-8."""
    return _UNSAFE_TEXT.search(value) is not None


def text_problem(value: str) -> str | None:
    """Why a text value cannot be taken, or None."""
    if unsafe_text(value):
        return str(UNSAFE_TEXT_MESSAGE)
    if len(value) > TEXT_MAX:
        return str(_l("At most %(limit)s characters.", limit=TEXT_MAX))
    return None


def out_of_range_values(data) -> dict:
    """Every string that cannot be stored and every number no field accepts, anywhere in a parsed JSON body.

    A second line behind each field's own range: whatever a schema forgets, nothing beyond ID_MAX reaches the
    database. The answer is shaped as marshmallow's messages are (`{"lines": {0: {"quantity": [...]}}}`)."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else None
    if items is None:
        problem = _value_problem(data)
        return {"_schema": [problem]} if problem else {}
    found: dict = {}
    for key, value in items:
        if isinstance(key, str) and text_problem(key):
            found["_schema"] = [text_problem(key)]
        if isinstance(value, (dict, list)):
            inner = out_of_range_values(value)
            if inner:
                found[key] = inner
        elif _value_problem(value):
            found[key] = [_value_problem(value)]
    return found


def _value_problem(value) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value > ID_MAX:
            return str(too_high_message(ID_MAX))
        if value < -ID_MAX:
            return str(_l("At least %(min)s.", min=_number(-ID_MAX)))
    return None


class BoundedArgs(ImmutableMultiDict):
    """Query strings whose `type=int` look-ups treat a number beyond an id's range as malformed."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's name
        return super().get(key, default, bounded_int if type is int else type)


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs


def init_app(app: Flask) -> None:
    """Bounded `<int:>` URLs and `type=int` query look-ups; form text that cannot be stored is refused.

    Call before any blueprint is registered: a rule takes its converter when it is added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = BoundedRequest
    app.before_request(_refuse_unstorable_form_text)


def _refuse_unstorable_form_text():
    if request.method != "POST" or request.path.startswith("/api/"):
        return
    if request.mimetype == "application/x-www-form-urlencoded" and not _utf8(request.get_data(cache=True)):
        abort(400, description=str(UNSAFE_TEXT_MESSAGE))  # werkzeug would read a lone surrogate as U+FFFD
    for name, value in request.form.items(multi=True):
        problem = text_problem(value)
        if problem:
            abort(400, description=f"{name}: {problem}")


def _utf8(body: bytes) -> bool:
    """Whether a urlencoded body's text is UTF-8 (a lone surrogate, encoded, is not)."""
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
