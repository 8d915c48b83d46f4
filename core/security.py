"""What every response carries and what no request may bring: strict headers, cookie flags, a size limit, no NUL.

The Content-Security-Policy allows nothing inline (pages declare behaviour in data attributes for the static
scripts in core/static), so an injected script or event handler does not run. `HTTPS_ONLY` (production, behind
TLS) adds Secure cookies and HSTS.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from core.errors import is_api_request, json_error

HSTS_SECONDS = 365 * 24 * 3600
NUL = "\x00"


def init_app(app: Flask) -> None:
    # Lax: the cookie still comes along when a user follows a link here, never with another site's form post.
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)
    if app.config.get("HTTPS_ONLY"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    app.extensions["content_security_policy"] = content_security_policy(app.config.get("TILE_URL"))
    app.after_request(_add_headers)
    app.before_request(_refuse_nul)
    app.register_error_handler(RequestEntityTooLarge, _too_large)


def content_security_policy(tile_url: str | None) -> str:
    """Only this site's own scripts, styles, frames and forms; images also from the map's tile server."""
    images = ["'self'", "data:", *_tile_source(tile_url)]
    directives = {
        "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": " ".join(images),
        "frame-ancestors": "'none'", "base-uri": "'self'", "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _tile_source(tile_url: str | None) -> list[str]:
    """The tile server's origin; Leaflet's `{s}` subdomain placeholder becomes a wildcard."""
    if not tile_url:
        return []
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc.replace("{s}.", "*.").replace("{s}", "*")
    return [f"{parts.scheme}://{host}"]


def _add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.extensions["content_security_policy"])
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("HTTPS_ONLY"):
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}; includeSubDomains")
    return response


def _refuse_nul():
    """Text with a NUL character is refused before any view sees it: databases and spreadsheets mangle it."""
    fields = sorted(_fields_with_nul())
    if not fields:
        return None
    message = _("Text may not contain NUL characters.")
    if is_api_request():
        return json_error(message, 400, {name: [message] for name in fields})
    return render_template("error.html", status=400, message=f"{message} ({', '.join(fields)})"), 400


def _fields_with_nul():
    if NUL in request.path:
        yield "path"
    for source in (request.args, request.form):
        for name, values in source.lists():
            if NUL in name or any(NUL in value for value in values):
                yield name.replace(NUL, "")
    if request.is_json:
        yield from _json_paths_with_nul(_json_or_none())


def _json_or_none():
    try:
        return json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError):
        return None  # not JSON: the endpoint answers that itself


def _json_paths_with_nul(document):
    """Dotted paths (`lines.0.reason`) of the strings, or keys, holding a NUL; walked without recursion."""
    pending = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                yield path or "body"
        elif isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    yield path or "body"
                name = str(key).replace(NUL, "")
                pending.append((f"{path}.{name}" if path else name, item))
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))


def _too_large(error: RequestEntityTooLarge):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024)
    message = _("The request is too large (at most %(megabytes)s MB).", megabytes=f"{limit_mb:g}")
    if is_api_request():
        return json_error(message, 413)
    return render_template("error.html", status=413, message=message), 413
