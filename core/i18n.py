"""Simplified Chinese beside English: the user's setting, else the browser's Accept-Language.

The catalogs live in `translations/` as .po files; they are compiled to .mo when the
app starts (and again whenever a .po is newer), so a fresh checkout needs no build step.
"""
from __future__ import annotations

import logging
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

from core.forms import ROLE_LABELS

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "en"
babel = Babel()
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    compile_catalogs()
    babel.init_app(app, locale_selector=select_locale, default_locale=DEFAULT_LOCALE,
                   default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language, role_labels=ROLE_LABELS)


def select_locale() -> str:
    """The signed-in user's choice, else the visitor's choice this session, else the browser's preference.

    Outside a request (the CLI, a background job) there is nobody to ask: messages stay in English.
    """
    if not has_request_context():
        return DEFAULT_LOCALE
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("locale") in LANGUAGES:
        return session["locale"]
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LOCALE)


def current_language() -> str:
    """The key of LANGUAGES in force (Babel itself calls zh_CN zh_Hans_CN)."""
    return "zh_CN" if get_locale().language == "zh" else "en"


def compile_catalogs() -> None:
    """Write each catalog's .mo when it is missing or older than its .po.

    Babel reads zh_CN as zh_Hans_CN and looks for that folder, so the .mo goes where Babel looks.
    """
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        folder = str(Locale.parse(po_path.parent.parent.name))
        mo_path = TRANSLATIONS / folder / "LC_MESSAGES" / "messages.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
        except OSError as error:  # a read-only install keeps the .mo it shipped with
            log.warning("Could not compile %s: %s", po_path, error)
