"""The Atom feeds (any search, a classification, all records) and the sitemap: metadata, public summaries
and snippets of public text only."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from archive.records import public_view
from index.lang import QueryRefused
from index.service import cached_search

from .context import get_engine, get_store
from .filters import xml_chars
from .i18n import refusal_text
from .pages import record_summary
from .public import search_params, search_request

bp = Blueprint("feeds", __name__)


FEED_SIZE = 50


@bp.get("/feed.atom")
def atom():
    """The newest 50 records of any search (the /search parameters), of a classification, or of all."""
    store = get_store()
    req = search_request(request.args)
    req.sort, req.page, req.page_size = "newest", 1, FEED_SIZE
    params = {k: v for k, v in search_params(req).items() if k not in ("sort", "page")}
    classification = request.args.get("classification", "")[:500]
    if classification and params:
        abort(400, description="classification은 다른 검색 조건과 함께 쓸 수 없습니다. "
                               "The classification argument cannot be combined with search arguments.")
    if classification:
        params = {"classification": classification}
        parts = [p for p in classification.split("/") if p]
        entries = [_entry(public_view(r)) for r in store.by_classification(parts, FEED_SIZE, 0)[1]]
    elif params:
        try:
            found = cached_search(get_engine(), store, req)
        except QueryRefused as exc:
            abort(exc.status, description=refusal_text(exc))
        entries = _search_entries(store, found["results"])
    else:
        entries = [_entry(public_view(r)) for r in store.newest(FEED_SIZE)]
    body = render_template("feed.atom.xml", entries=entries, asked=params,
                           self_url=url_for("feeds.atom", **params, _external=True),
                           html_url=url_for("public.search", **params, _external=True) if params and not classification
                           else url_for("public.home", _external=True))
    return _xml(body, "application/atom+xml")


def _entry(view: dict, snippet: str = "") -> dict:
    return {**record_summary(view), "updated": view["produced"], "snippet": snippet}


def _search_entries(store, results: list[dict]) -> list[dict]:
    """Entries of search hits: each record's public view, and the hit's snippet (from public text), as text."""
    entries = []
    for hit in results:
        record = store.get(hit["id"])
        if record is not None:
            entries.append(_entry(public_view(record), Markup(str(hit["snippet"])).striptags()))
    return entries


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
