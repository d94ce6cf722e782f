"""Template filters and the security headers every response carries."""

from __future__ import annotations

import re

import markdown
import nh3
from flask import Flask, make_response
from flask_babel import get_locale
from markupsafe import Markup

from archive.disclosure import GROUNDS

# Markdown summaries are written by clerks, but a batch is still outside input: only these
# tags survive, and links may only point to http(s) or mail (no javascript: URLs).
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre",
                "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = markdown.markdown(text, extensions=["tables"], output_format="html")
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                            url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow"))


# What XML 1.0 does not allow in a document (§2.2 Char): C0 controls but tab, LF and CR;
# lone surrogates; U+FFFE and U+FFFF. One such character in a title makes a feed unreadable.
XML_FORBIDDEN = re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def xml_chars(text: str) -> str:
    """Return text without the characters XML 1.0 forbids (escaping is autoescape's work)."""
    return XML_FORBIDDEN.sub("", text)


def filesize(size: int | None) -> str:
    """Return a size as the seed shows it: 18.73 MB."""
    if size is None:
        return ""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.2f} {unit}"
    return f"{size} B"


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _english() -> bool:
    return str(get_locale() or "ko") == "en"


def locale_date(iso: str | None, ko: str = "spaced") -> str:
    """Return 2018-01-04 in the reader's language: 2018. 1. 4. (Korean) or 4 Jan 2018 (English).

    `ko` picks the Korean form where the seed page shows another: "seed" 2018.1.4. (결재일자),
    "iso" 2018-01-04 (생산일자). A value that is not a date is shown as it is.
    """
    if not iso:
        return ""
    try:
        y, m, d = (int(part) for part in str(iso)[:10].split("-"))
    except ValueError:
        return str(iso)
    if _english():
        return f"{d} {MONTHS_EN[m - 1]} {y}" if 1 <= m <= 12 else str(iso)
    if ko == "iso":
        return str(iso)[:10]
    return f"{y}.{m}.{d}." if ko == "seed" else f"{y}. {m}. {d}."


def dotted_date(iso: str | None) -> str:
    """Return 2018-01-04 as the seed's 2018.1.4. (Korean), 4 Jan 2018 (English)."""
    return locale_date(iso, ko="seed")


def ground_label(number) -> str:
    """The name of a ground of non-disclosure (article 9(1) item N) in the reader's language."""
    ground = GROUNDS.get(int(number)) if str(number).isdigit() else None
    if ground is None:
        return ""
    return ground.label_en if _english() else ground.label_ko


SECURITY_HEADERS = {
    # No inline script anywhere; styles come from our own static file only.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


# The embed view only (web/sharing.py) may be framed, by any site; every other page: 'none'.
EMBED_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace("frame-ancestors 'none'", "frame-ancestors *")


def framable(body):
    """Make a response of the embed view, marked so that _secure lets other sites frame it."""
    response = make_response(body)
    response.framable = True
    return response


def _secure(response):
    if getattr(response, "framable", False):
        response.headers["Content-Security-Policy"] = EMBED_CSP
        response.headers.pop("X-Frame-Options", None)
    for name, value in SECURITY_HEADERS.items():
        if not (getattr(response, "framable", False) and name == "X-Frame-Options"):
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(filesize)
    app.add_template_filter(dotted_date)
    app.add_template_filter(locale_date)
    app.add_template_global(ground_label)
    app.after_request(_secure)
