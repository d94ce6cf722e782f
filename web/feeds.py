"""The Atom feed of new records and the sitemap: metadata and public summaries only."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from archive.records import public_view

from .context import get_store
from .filters import xml_chars
from .pages import record_summary

bp = Blueprint("feeds", __name__)


@bp.get("/feed.atom")
def atom():
    store = get_store()
    records = [public_view(r) for r in store.newest(50)]
    entries = [{**record_summary(v), "updated": v["produced"]} for v in records]
    body = render_template("feed.atom.xml", entries=entries,
                           self_url=url_for("feeds.atom", _external=True))
    return _xml(body, "application/atom+xml")


@bp.get("/sitemap.xml")
def sitemap():
    store = get_store()
    urls = [url_for("public.home", _external=True), url_for("public.search_help", _external=True)]
    urls += [url_for("public.classification", path=name, _external=True) for name, _ in store.top_classifications()]
    urls += [url_for("public.record", record_id=rid, _external=True) for rid in store.record_ids()]
    body = render_template("sitemap.xml", urls=urls)
    return _xml(body, "application/xml")


def _xml(body: str, media_type: str):
    """Answer an XML document built from stored data: what XML 1.0 forbids is dropped from all of it.

    Autoescape has already escaped markup; a control character in a title, a summary or a
    name (stored before ingest refused them, or by any other way in) would still make the
    whole document unreadable, so the rendered text is cleaned, not each field.
    """
    return xml_chars(body), 200, {"Content-Type": f"{media_type}; charset=utf-8"}


@bp.get("/robots.txt")
def robots():
    sitemap_url = url_for("feeds.sitemap", _external=True)
    return f"User-agent: *\nDisallow: /clerk/\nSitemap: {sitemap_url}\n", 200, {
        "Content-Type": "text/plain; charset=utf-8"}
