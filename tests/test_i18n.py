"""Chinese beside English: choosing the language, and catalogs that cover what is marked."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment
from sqlalchemy import select

from core.db import Session
from core.i18n import TRANSLATIONS
from core.models import Role, User

ROOT = Path(__file__).resolve().parent.parent
CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def marked_messages() -> set[str]:
    """Every string marked for translation in the Python code and the templates."""
    method_map = [("core/**.py", "python"), ("inventory/**.py", "python"), ("dispatch/**.py", "python"),
                  ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        found.update(message if isinstance(message, tuple) else (message,))
    return found - {""}


def test_every_marked_string_has_a_chinese_translation():
    with (TRANSLATIONS / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(ids) and all(strings):
            translated.update(ids)  # a plural entry translates its singular and its plural together
    missing = sorted(marked_messages() - translated)
    assert not missing, f"no zh_CN entry for: {missing}"


def test_the_browser_language_chooses_the_pages_language(client):
    chinese = client.get("/login", headers=CHINESE).get_data(as_text=True)
    assert "登录" in chinese and "用户名" in chinese and 'lang="zh-CN"' in chinese
    english = client.get("/login").get_data(as_text=True)
    assert "Sign in" in english and "登录" not in english


def test_the_header_switch_keeps_a_users_choice(client, make_user, login):
    user = make_user(Role.CLERK)
    login(user)
    client.post("/locale", data={"locale": "zh_CN", "next": "/depots"})
    page = client.get("/depots").get_data(as_text=True)
    assert "储备库" in page and "退出" in page
    assert Session.scalar(select(User.locale).where(User.id == user.id)) == "zh_CN"
    fresh = client.application.test_client()
    fresh.post("/login", data={"username": user.username, "password": "correct horse battery"})
    assert "退出" in fresh.get("/depots").get_data(as_text=True)  # the setting follows the user, not the cookie


def test_a_wrong_language_or_an_outside_next_is_ignored(client):
    response = client.post("/locale", data={"locale": "tlh", "next": "//evil.example/"})
    assert response.status_code == 302 and response.location == "/"
    assert "Sign in" in client.get("/login").get_data(as_text=True)


# Words a translator leaves alone: codes, units and format names that read the same in Chinese.
UNTRANSLATED_WORDS = {"CSV", "XLSX", "JSON", "API", "CNY", "kg", "km", "OpenAPI"}
TEXT_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label"}
EXPRESSION = "\x00"  # stands where a Jinja expression or tag was: its output is data, not template text


class _VisibleText(HTMLParser):
    """Collects what a reader sees of a template's literal HTML: text and the attributes read aloud."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skipping += 1
        self.texts.extend(value for name, value in attrs if name in TEXT_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.texts.append(data)


def template_literal_html(source: str) -> str:
    """The template's own HTML with every Jinja expression, tag and trans block replaced by a marker."""
    parts, in_trans, tag_words = [], 0, []
    for _line, token, value in Environment(extensions=["jinja2.ext.i18n"]).lex(source):
        if token == "block_begin":
            tag_words = []
        elif token == "name" and not tag_words:
            tag_words.append(value)
            in_trans += {"trans": 1, "pluralize": 0, "endtrans": -1}.get(value, 0)
        elif token == "data" and not in_trans:
            parts.append(value)
            continue
        parts.append(EXPRESSION)
    return "".join(parts)


def unmarked_template_text() -> list[str]:
    """Every run of English words a template shows without marking it for translation."""
    found = []
    for template in sorted(ROOT.glob("*/templates/**/*.html")):
        parser = _VisibleText()
        parser.feed(template_literal_html(template.read_text(encoding="utf-8")))
        for text in parser.texts:
            for piece in text.split(EXPRESSION):
                words = set(re.findall(r"[A-Za-z]{2,}", piece)) - UNTRANSLATED_WORDS
                if words:
                    found.append(f"{template.relative_to(ROOT)}: {' '.join(piece.split())!r}")
    return found


def test_every_text_a_template_shows_is_marked_for_translation():
    unmarked = unmarked_template_text()
    assert not unmarked, "unmarked template text:\n" + "\n".join(unmarked)


def test_the_unmarked_text_check_sees_text_and_attributes_but_not_marked_text():
    source = ('<p title="Quantity">Stock {{ _("Lots") }}</p>{% trans %}Receive{% endtrans %}'
              '<script>let a = "x";</script>{{ depot.name }} · CSV')
    parser = _VisibleText()
    parser.feed(template_literal_html(source))
    shown = [piece.strip() for text in parser.texts for piece in text.split(EXPRESSION) if piece.strip()]
    assert shown == ["Quantity", "Stock", "· CSV"]


def test_outside_a_request_messages_are_english(runner, make_depot):
    depot = make_depot()
    result = runner.invoke(args=["depots", "assign-clerk", depot.code, "nobody"])
    assert result.exit_code == 1 and "No user 'nobody'." in result.output
