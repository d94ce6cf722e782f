"""The JSON twins of the public pages: the same data dicts, serialised."""

from __future__ import annotations

from flask import Blueprint, abort, request

from index.lang import QueryRefused

from . import pages
from .context import get_engine, get_store, int_arg
from .gone import missing
from .i18n import refusal_text
from .public import search_request

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/records/<record_id>")
def record(record_id: str):
    data = pages.record_json(get_store(), record_id)
    if data is None:
        missing(record_id)  # 410 for a withdrawn record
    return data


@bp.get("/search")
def search():
    try:
        data = pages.search_page(get_engine(), get_store(), search_request(request.args))
    except QueryRefused as exc:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return {"error": {"code": exc.status, "message": refusal_text(exc)}}, exc.status, headers
    data["results"] = [
        {**hit, "title_html": str(hit["title_html"]), "snippet": str(hit["snippet"])}
        for hit in data["results"]
    ]
    data["facets"] = {name: [{"value": k, "count": n} for k, n in counts]
                      for name, counts in data["facets"].items()}
    data["histogram"] = [{"year": y, "count": n} for y, n in data["histogram"]]
    data.pop("grounds_table")
    return data


@bp.get("/")
def home():
    return pages.home_page(get_store())


@bp.get("/classification/<path:path>")
def classification(path: str):
    data = pages.classification_page(get_store(), path, int_arg(request.args, "page", 1))
    if data is None:
        abort(404)
    return data
