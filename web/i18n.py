"""The interface language: Korean by default, English through gettext (Flask-Babel).

Chosen per request from `?lang=` (then remembered in a cookie), else the cookie, else the
browser's Accept-Language; only the languages we have catalogs for. Record content is never
translated: it stays as the agency released it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import Babel, gettext
from flask_babel import get_locale as get_locale_now

LANGUAGES = ("ko", "en")
DEFAULT = "ko"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _asked() -> str | None:
    """The language named by ?lang= on this request, if it is one we have."""
    value = request.args.get("lang", "")
    return value if value in LANGUAGES else None


def select_locale() -> str:
    asked = _asked()
    if asked:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def language_url(code: str, params: dict | None = None) -> str:
    """This page in another language: its path with lang= set (then the cookie keeps it).

    The query is the page's own known parameters (`params`, the search page's parsed ones) or just
    its page number: never the request's arguments as sent, which would carry whatever a hostile
    link put there into every link of the page. Relative to this site only (a path, never a host).
    """
    if params is None:
        page = request.args.get("page", "")
        params = {"page": page} if page.isdigit() else {}
    args = [(k, str(v)) for k, v in params.items() if k != "lang" and v not in (None, "")]
    args.append(("lang", code if code in LANGUAGES else DEFAULT))
    # a path starting with // would read as another host in an href
    return "/" + request.path.lstrip("/") + "?" + urlencode(args)


def refusal_text(exc: Exception) -> str:
    """A refusal raised below the web (archive.messages.Refusal) in this request's language.

    The msgid is always our own N_-marked string, never the reader's words: those are only ever
    parameters, interpolated as values (and escaped where a page shows them). An exception without
    a msgid (not a Refusal) is shown as it reads.
    """
    worded = getattr(exc, "worded", None)
    return worded(gettext) if callable(worded) else str(exc)


def _remember(response):
    asked = _asked()
    if asked and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    # a cache in front must not hand one reader's language to another
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    Babel(app, locale_selector=select_locale)
    app.after_request(_remember)

    # macros imported from _partials/ do not see the context (`lang`): they ask this
    app.add_template_global(lambda: str(get_locale_now() or DEFAULT), "current_lang")

    @app.context_processor
    def _language():
        from flask_babel import get_locale

        return {"lang": str(get_locale() or DEFAULT), "languages": LANGUAGES, "language_url": language_url}


