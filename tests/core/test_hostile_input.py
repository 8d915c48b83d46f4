"""Hostile input to every form and every API write: out of range, far away, deeply nested, unstorable or huge.

The forms are found by reading every page the URL map has (as an administrator, with real ids in the URLs), the
API writes from the OpenAPI document. Each field gets the values that once broke the ledger (2^62, 2^63, -1,
10^30, one past each bound, years 1 and 9999, a lone surrogate, NUL, a megabyte of text), the rest of the request
as sensible as the field types allow. Every answer is a 4xx (or the form again with the field's message) and no
table gains a row. Values are sampled per field type, not crossed, to keep the run short.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from core.bounds import BALANCE_MAX, ID_MAX, JSON_DEPTH_MAX, QUANTITY_MAX
from core.db import Base, Session
from core.models import Role
from inventory.stock.models import Lot

MEGABYTE = "x" * 1_000_000
HOSTILE_INTEGERS = [2**62, 2**63, -1, 10**30, ID_MAX + 1, QUANTITY_MAX + 1]
HOSTILE_NUMBERS = [10**30, -1, 2**63, 1e308]
HOSTILE_DATES = ["0001-01-01", "9999-12-31"]
HOSTILE_MOMENTS = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:00+00:00"]
HOSTILE_TEXTS = ["\ud800", "a\x00b"]
# The same in a form, as a browser would send them (a lone surrogate as its UTF-8-like bytes, %ED%A0%80).
FORM_NUMBERS = [str(2**63), "-1", str(ID_MAX + 1)]
OTHER_ROWS = re.compile(r"-[1-9]\d*-")  # lines-3-quantity: the first row stands for the others
FORM_DATES = {"date": HOSTILE_DATES, "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"]}
FORM_TEXTS = ["a\x00b", "\ud800"]
NUMERIC_INPUTS = {"number", "hidden", "select"}


@pytest.fixture
def world(make_user, make_depot, make_item, receive):
    admin = make_user(Role.ADMIN)
    depot, other, item = make_depot(), make_depot(), make_item()
    lot = receive(depot, item, 500, actor=admin)
    ids = {"depot_id": depot.id, "source_id": depot.id, "destination_id": other.id, "item_id": item.id,
           "lot_id": lot.id, "user_id": admin.id}
    return {"admin": admin, "ids": ids, "lot": lot.id}


def row_counts() -> dict[str, int]:
    Session.remove()
    return {table.name: Session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables}


def assert_nothing_written(before: dict[str, int], what: str) -> None:
    after = row_counts()
    grown = {name: (before[name], after[name]) for name in before if after[name] != before[name]}
    assert not grown, f"{what} wrote rows: {grown}"


# The JSON API ----------------------------------------------------------------------------------------------------

def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _sensible(spec: dict, schema: dict, name: str, ids: dict):
    """A value of the schema's type that the field would take, so that the hostile value is the one thing wrong."""
    schema = _resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {key: _sensible(spec, value, key, ids) for key, value in schema.get("properties", {}).items()
                if not value.get("readOnly")}
    if kind == "array":
        return [_sensible(spec, schema.get("items", {}), name, ids)]
    if kind == "integer":
        return ids.get(name, max(schema.get("minimum", 1), 1))
    if kind == "number":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return date.today().isoformat()
    if schema.get("format") == "date-time":
        return datetime.now(timezone.utc).isoformat()
    if schema.get("format") == "decimal":
        return "1.00"
    return "510107" if name.endswith("region_code") else f"HOSTILE-{name}"[: schema.get("maxLength", 40)].upper()


def _leaves(spec: dict, schema: dict, path: tuple = ()):
    """(path, leaf schema) for every field: top-level ones and those of an array's first entry."""
    schema = _resolve(spec, schema)
    if schema.get("type") == "object":
        for key, value in schema.get("properties", {}).items():
            if not value.get("readOnly"):
                yield from _leaves(spec, value, (*path, key))
    elif schema.get("type") == "array":
        yield from _leaves(spec, schema.get("items", {}), (*path, 0))
    elif path:
        yield path, schema


def _hostile_values(schema: dict) -> list:
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "integer":
        return HOSTILE_INTEGERS
    if kind == "number" or fmt == "decimal":
        return HOSTILE_NUMBERS
    if fmt == "date":
        return HOSTILE_DATES
    if fmt == "date-time":
        return HOSTILE_MOMENTS
    if kind == "string":
        return HOSTILE_TEXTS
    return []


def _with(body, path: tuple, value):
    copy = json.loads(json.dumps(body))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def _write_operations(spec: dict, ids: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            yield f"{method.upper()} {path}", method, url, schema


def test_every_api_write_refuses_hostile_values_and_writes_nothing(app, world, api_token):
    client, headers = app.test_client(), api_token(world["admin"])
    spec = client.get("/api/v1/openapi.json").get_json()
    ids = world["ids"]
    operations = list(_write_operations(spec, ids))
    assert len(operations) > 20  # the document lists the writes; a broken document would test nothing
    tried = 0
    for name, method, url, schema in operations:
        before = row_counts()
        bodies = [("nested", "[" * 1000 + "]" * 1000), ("deep object", '{"a":' * (JSON_DEPTH_MAX + 1) + "1"
                                                         + "}" * (JSON_DEPTH_MAX + 1))]
        if schema is not None:
            baseline = _sensible(spec, schema, "", ids)
            text_fields = 0
            for path, leaf in _leaves(spec, schema):
                values = list(_hostile_values(leaf))
                if leaf.get("type") == "string" and "enum" not in leaf and not text_fields:
                    values.append(MEGABYTE)
                    text_fields += 1
                bodies += [(f"{'.'.join(map(str, path))}={str(value)[:12]!r}", json.dumps(_with(baseline, path, value)))
                           for value in values]
            bodies.append(("surrogate key", json.dumps({**baseline, "\ud800": 1})))
        for what, body in bodies:
            response = client.open(url, method=method, data=body, headers={**headers, "Content-Type":
                                                                           "application/json"})
            tried += 1
            assert 400 <= response.status_code < 500, f"{name} {what}: {response.status_code} {response.data[:300]}"
        assert_nothing_written(before, name)
    assert tried > 300


def test_out_of_range_ids_in_urls_and_query_strings_are_not_found_or_refused(app, world, api_token):
    client, headers = app.test_client(), api_token(world["admin"])
    for huge in (2**31, 2**63, 10**30):
        assert client.get(f"/api/v1/depots/{huge}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/movements?depot_id={huge}", headers=headers).status_code == 400
        assert client.get(f"/api/v1/depots?page={huge}", headers=headers).status_code == 400
    assert client.get("/api/v1/reports/valuation?as_of=0001-01-01", headers=headers).status_code == 400
    assert client.get("/api/v1/reports/journal?date_from=2000-01-01&date_to=9999-12-31",
                      headers=headers).status_code == 400


# Forms -------------------------------------------------------------------------------------------------------------

class _Forms(HTMLParser):
    """The POST forms of a page: their action and fields (name, kind, a value the page offers)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            posted = (attrs.get("method") or "").lower() == "post"
            self._form = {"action": attrs.get("action"), "fields": {}} if posted else None
            self.forms += [self._form] if posted else []
            return
        fields = self._form["fields"] if self._form is not None else None
        if fields is None or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file", "checkbox", "radio"):
            fields[attrs["name"]] = (attrs.get("type") or "text", attrs.get("value") or "")
        elif tag == "textarea":
            fields[attrs["name"]] = ("textarea", "")
        elif tag == "select":
            self._select = attrs["name"]
            fields[self._select] = ("select", "")
        elif tag == "option" and self._select and not fields[self._select][1]:
            fields[self._select] = ("select", attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def _pages(app, ids: dict) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static", "/vendor")) or "logout" in rule.rule:
            continue
        values = {name: ids.get(name, 1) for name in rule.arguments}
        urls.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule))
    return urls


def _forms(client, app, ids: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for url in _pages(app, ids):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            fields = {name: spec for name, spec in form["fields"].items() if name not in ("csrf_token", "next")}
            if fields:
                found.setdefault(form["action"] or url, {}).update(fields)
    return found


def _urlencoded(fields: dict[str, str]) -> str:
    """A urlencoded body; a lone surrogate goes as the bytes a careless client would send for it."""
    return "&".join(f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'))}" for name, value in fields.items())


def _form_values(kind: str, offered: str) -> list[str]:
    if kind == "hidden" and (offered in ("0", "1") or not offered.isdigit()):
        return []  # a button's flag (enable, close, go back to): any other value means "not that"
    if kind in NUMERIC_INPUTS:
        return FORM_NUMBERS
    return FORM_DATES.get(kind, FORM_TEXTS)


def test_every_form_refuses_hostile_values_and_writes_nothing(app, world, login):
    client = login(world["admin"])
    forms = _forms(client, app, world["ids"])
    assert len(forms) > 15  # the pages' forms were found
    for action, fields in forms.items():
        baseline = {name: value for name, (_kind, value) in fields.items()}
        before = row_counts()
        attempts = [(name, value) for name, (kind, offered) in fields.items() if not OTHER_ROWS.search(name)
                    for value in _form_values(kind, offered)]
        text = next((name for name, (kind, _) in fields.items() if kind in ("text", "textarea")), None)
        attempts += [(text, MEGABYTE)] if text else []
        for name, value in attempts:
            response = client.post(action, data=_urlencoded({**baseline, name: value}),
                                   content_type="application/x-www-form-urlencoded")
            html = response.get_data(as_text=True)
            refused = 400 <= response.status_code < 500 or (response.status_code == 200 and 'class="error"' in html)
            # A line left blank is ignored whole, whatever its other cells hold (the row counts show nothing came of it)
            blank_line = response.status_code == 302 and name.startswith("lines-")
            assert refused or blank_line, f"{action} {name}={value[:12]!r}: {response.status_code} {response.location}"
        assert_nothing_written(before, action)


# The database ------------------------------------------------------------------------------------------------------

def test_the_database_refuses_what_the_forms_refuse(app, world):
    """The CHECKs stand behind the forms: a balance past its column or a price past its bound is not stored."""
    from sqlalchemy import update
    from sqlalchemy.exc import DataError, IntegrityError

    # PostgreSQL's 32-bit column refuses the balance itself (DataError); SQLite's CHECK does (IntegrityError).
    for values in ({"on_hand": BALANCE_MAX + 1}, {"unit_cost": 10**7}, {"expiry_date": date(1, 1, 1)}):
        with pytest.raises((IntegrityError, DataError)):
            Session.execute(update(Lot).where(Lot.id == world["lot"]).values(**values))
            Session.flush()
        Session.rollback()
