"""Public pages: home, search, record, classification. GET only."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from index.search import QueryRefused, SearchRequest

from . import pages
from .context import data_dir, get_store

bp = Blueprint("public", __name__)

FILTER_PARAMS = {
    "agency": "agency", "department": "department", "kind": "kind", "disclosure": "level",
    "year": "year", "ground": "grounds", "licence": "licences",
}


def search_request(args) -> SearchRequest:
    """Turn query-string arguments into a SearchRequest (shared by /search and /api/search)."""
    try:
        page = int(args.get("page", 1))
    except ValueError:
        page = 1
    sort = args.get("sort", "relevance")
    return SearchRequest(
        q=args.get("q", "")[:500],
        filters={field: args[param] for param, field in FILTER_PARAMS.items() if args.get(param)},
        date_from=_iso_date(args.get("from")),
        date_to=_iso_date(args.get("to")),
        sort=sort if sort in ("relevance", "newest", "oldest") else "relevance",
        page=page,
    )


def _iso_date(value: str | None) -> str | None:
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


@bp.get("/")
def home():
    return render_template("home.html", page=pages.home_page(get_store()))


@bp.get("/search")
def search():
    req = search_request(request.args)
    try:
        page = pages.search_page(data_dir(), req)
    except QueryRefused as exc:
        return render_template("search.html", page=None, refused=str(exc)), 400
    return render_template("search.html", page=page)


@bp.get("/search/help")
def search_help():
    return render_template("search_help.html")


@bp.get("/records/<record_id>")
def record(record_id: str):
    data = pages.record_page(get_store(), record_id)
    if data is None:
        abort(404)
    return render_template("record.html", page=data)


@bp.get("/classification/<path:path>")
def classification(path: str):
    data = pages.classification_page(get_store(), path, request.args.get("page", 1, type=int) or 1)
    if data is None:
        abort(404)
    return render_template("classification.html", page=data)
