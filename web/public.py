"""Public pages: home, search, record, classification. GET only."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from index.engine import SearchRequest
from index.lang import QueryRefused

from . import pages
from .context import get_engine, get_store, int_arg
from .gone import missing
from .i18n import refusal_text

bp = Blueprint("public", __name__)

FILTER_PARAMS = {
    "agency": "agency", "department": "department", "kind": "kind", "disclosure": "level",
    "year": "year", "ground": "grounds", "licence": "licences",
}


def search_request(args) -> SearchRequest:
    """Turn query-string arguments into a SearchRequest (shared by /search and /api/search).

    Only the known parameters are read; any other argument is ignored. A page that is not a
    whole number from 1 answers 400; one past the last answers no results.
    """
    page = int_arg(args, "page", 1)
    sort = args.get("sort", "relevance")
    return SearchRequest(
        q=args.get("q", "")[:500],
        filters={field: args[param] for param, field in FILTER_PARAMS.items() if args.get(param)},
        date_from=_iso_date(args.get("from")),
        date_to=_iso_date(args.get("to")),
        sort=sort if sort in ("relevance", "newest", "oldest") else "relevance",
        page=page,
    )


def search_params(req: SearchRequest) -> dict[str, str | int]:
    """Return the query-string arguments that ask for `req`: what the page's links are built from.

    Built from the parsed request, never from the request's arguments, so no argument a
    visitor adds (`_external`, `_method`, `endpoint`, anything) reaches `url_for`.
    """
    params: dict[str, str | int] = {"q": req.q} if req.q else {}
    params.update({param: req.filters[field] for param, field in FILTER_PARAMS.items() if field in req.filters})
    if req.date_from:
        params["from"] = req.date_from
    if req.date_to:
        params["to"] = req.date_to
    if req.sort != "relevance":
        params["sort"] = req.sort
    if req.page != 1:
        params["page"] = req.page
    return params


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
    params = search_params(req)
    try:
        page = pages.search_page(get_engine(), get_store(), req)
    except QueryRefused as exc:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return render_template("search.html", page=None, params=params, refused=refusal_text(exc)), exc.status, headers
    return render_template("search.html", page=page, params=params)


@bp.get("/search/help")
def search_help():
    return render_template("search_help.html")


@bp.get("/records/<record_id>")
def record(record_id: str):
    data = pages.record_html_page(get_store(), record_id)
    if data is None:
        missing(record_id)  # 410 for a withdrawn record
    return render_template("record.html", page=data)


@bp.get("/classification/<path:path>")
def classification(path: str):
    data = pages.classification_page(get_store(), path, int_arg(request.args, "page", 1))
    if data is None:
        abort(404)
    return render_template("classification.html", page=data)
