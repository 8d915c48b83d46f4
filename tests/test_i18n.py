"""Chinese beside English: choosing the language, and catalogs that cover what is marked."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
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
    translated = {message.id for message in catalog if message.id and message.string}
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
