"""marshmallow's validation messages in the reader's language.

Our schemas give their own messages lazily (``error=_l(...)``), so those render in the reader's language. The
messages marshmallow writes itself are plain English by the time a ValidationError reaches us: the fixed ones are
looked up in the catalog; the ones with values in them (lengths, ranges, choices) are read back into their values,
which go into the translation of the same sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Listed so that the catalog has them; translated by lookup.
FIXED = (
    _l("Missing data for required field."), _l("Field may not be null."), _l("Invalid value."), _l("Unknown field."),
    _l("Invalid input type."), _l("Invalid type."), _l("Not a valid string."), _l("Not a valid utf-8 string."),
    _l("Not a valid integer."), _l("Not a valid number."), _l("Number too large."),
    _l("Special numeric values (nan or infinity) are not permitted."), _l("Not a valid boolean."),
    _l("Not a valid date."), _l("Not a valid datetime."), _l("Not a valid list."), _l("Not a valid mapping type."),
    _l("String does not match expected pattern."),
)

_NUMBER = r"(-?[\d.]+)"
# marshmallow's sentences with values, and ours for them.
WITH_VALUES: list[tuple[re.Pattern, Callable[..., str]]] = [
    (re.compile(r"Must be one of: (.*)\."), lambda choices: _("Must be one of: %(choices)s.", choices=choices)),
    (re.compile(rf"Shorter than minimum length {_NUMBER}\."),
     lambda n: _("Shorter than minimum length %(min)s.", min=n)),
    (re.compile(rf"Longer than maximum length {_NUMBER}\."), lambda n: _("Longer than maximum length %(max)s.", max=n)),
    (re.compile(rf"Length must be between {_NUMBER} and {_NUMBER}\."),
     lambda lo, hi: _("Length must be between %(min)s and %(max)s.", min=lo, max=hi)),
    (re.compile(rf"Length must be {_NUMBER}\."), lambda n: _("Length must be %(equal)s.", equal=n)),
    (re.compile(rf"Must be greater than or equal to {_NUMBER} and less than or equal to {_NUMBER}\."),
     lambda lo, hi: _("Must be greater than or equal to %(min)s and less than or equal to %(max)s.", min=lo, max=hi)),
    (re.compile(rf"Must be greater than or equal to {_NUMBER}\."),
     lambda n: _("Must be greater than or equal to %(min)s.", min=n)),
    (re.compile(rf"Must be less than or equal to {_NUMBER}\."),
     lambda n: _("Must be less than or equal to %(max)s.", max=n)),
    (re.compile(rf"Must be greater than {_NUMBER}\."), lambda n: _("Must be greater than %(min)s.", min=n)),
    (re.compile(rf"Must be less than {_NUMBER}\."), lambda n: _("Must be less than %(max)s.", max=n)),
]


def field_messages(messages) -> dict:
    """A ValidationError's messages as a flat, JSON-safe field map in the reader's language.

    marshmallow nests schema-wide messages under ``_schema`` or gives them as a list."""
    return _translated({"_schema": messages} if isinstance(messages, list) else messages)


def _translated(messages):
    if isinstance(messages, dict):
        return {str(key): _translated(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [_translated(message) for message in messages]
    return translate(str(messages))


def translate(message: str) -> str:
    for pattern, sentence in WITH_VALUES:
        match = pattern.fullmatch(message)
        if match:
            return sentence(*match.groups())
    return _(message)
