"""Sharing: a framable embed view of a record and oEmbed 1.0 (`/oembed?url=&format=json`).

Both show the public view's metadata only (title, agency, date, level, licences): nothing of a
summary, a text or a file. The embed view is the one page another site may put in a frame
(filters.framable); every other page keeps `frame-ancestors 'none'`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import escape

from archive.records import public_view

from .context import get_store, int_arg
from .filters import framable

bp = Blueprint("sharing", __name__)

MAX_URL = 2000
EMBED_WIDTH, EMBED_HEIGHT = 480, 220
RECORD_PATH = re.compile(r"^/records/([A-Za-z0-9][A-Za-z0-9._-]{0,63})(?:/embed)?/?$")


def _card(record_id: str) -> dict:
    record = get_store().get(record_id)
    if record is None:
        abort(404)
    view = public_view(record)
    return {
        "id": view["id"], "title": view["title"], "agency": view["agency"], "department": view["department"],
        "kind": view["kind"], "produced": view["produced"], "disclosure": view["disclosure"],
        "licences": view["licences"],
        "url": url_for("public.record", record_id=view["id"], _external=True),
    }


@bp.get("/records/<record_id>/embed")
def embed(record_id: str):
    response = render_template("embed.html", page=_card(record_id))
    return framable(response)


def _record_id_of(url: str) -> str:
    """The record id of one of this portal's record URLs; 404 for any other URL (as oEmbed asks)."""
    if len(url) > MAX_URL:
        abort(400, description="url이 너무 깁니다. The url argument is too long.")
    try:
        parts = urlsplit(url)
    except ValueError:  # a bracketed host that is no IP address (http://[::::]/): not ours either
        abort(404, description="이 포털의 기록 주소가 아닙니다. Not a record URL of this portal.")
    match = RECORD_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host or not match:
        abort(404, description="이 포털의 기록 주소가 아닙니다. Not a record URL of this portal.")
    return match.group(1)


@bp.get("/oembed")
def oembed():
    fmt = request.args.get("format", "json")
    if fmt != "json":
        abort(501, description="oEmbed는 JSON으로만 제공합니다 (format=json). Only format=json is offered.")
    card = _card(_record_id_of(request.args.get("url", "")))
    width = min(int_arg(request.args, "maxwidth", EMBED_WIDTH, hi=10_000), EMBED_WIDTH)
    height = min(int_arg(request.args, "maxheight", EMBED_HEIGHT, hi=10_000), EMBED_HEIGHT)
    src = url_for("sharing.embed", record_id=card["id"], _external=True)
    html = (f'<iframe src="{escape(src)}" width="{width}" height="{height}" title="{escape(card["title"])}" '
            f'loading="lazy"></iframe>')
    return {
        "version": "1.0",
        "type": "rich",
        "title": card["title"],
        "author_name": card["agency"],
        "provider_name": "열람 Yeollam",
        "provider_url": request.host_url,
        "cache_age": 3600,
        "html": html,
        "width": width,
        "height": height,
    }
