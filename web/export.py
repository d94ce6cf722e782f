"""Bulk export: /export.zip?<the /search parameters>, and what the `export` command shares with it.

The bag is archive.export's; the records are those /api/search finds (index.selection), each as
its /api/records/<id> document (pages.record_json, built from the public view). The web answers
up to a stated limit (EXPORT_MAX_RECORDS records, EXPORT_MAX_BYTES bytes of originals), counted
before the first byte is sent; past it, a page that points to the command line.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, stream_with_context
from flask_babel import gettext as _

from archive import export
from archive.store import Store
from index.engine import SearchRequest
from index.lang import QueryRefused
from index.selection import matching_ids
from index.service import left_out

from . import pages
from .context import data_dir, get_engine, get_store
from .downloads import content_disposition
from .i18n import refusal_text
from .public import search_params, search_request

bp = Blueprint("export", __name__)

EXPORT_DEFAULTS = {
    "EXPORT_MAX_RECORDS": ("ARCHIVE_EXPORT_MAX_RECORDS", 500),
    "EXPORT_MAX_BYTES": ("ARCHIVE_EXPORT_MAX_BYTES", 2 * 1024**3),
    "EXPORT_CONCURRENT": ("ARCHIVE_EXPORT_CONCURRENT", 2),
}
CLI_MAX_RECORDS = 50_000  # the command's own bound: the engine's last page at the selection's page size


@bp.record_once
def _defaults(state) -> None:
    for key, (env, default) in EXPORT_DEFAULTS.items():
        state.app.config.setdefault(key, int(os.environ[env]) if env in os.environ else default)


class TooMany(Exception):
    """More records match than the limit allows."""

    def __init__(self, limit: int):
        self.limit = limit


@dataclass
class Prepared:
    planned: list[export.Planned]
    info: dict[str, str]
    partial: bool

    @property
    def bytes(self) -> int:
        return sum(p.size for p in self.planned)


def prepare(engine, store, req: SearchRequest, query: dict[str, str], portal: str, limit: int) -> Prepared:
    """Select and count what a bag of this search would hold (the command and the web share it).

    Raises TooMany past `limit` records, QueryRefused for a query too costly to run.
    """
    req.sort = req.sort if req.sort != "relevance" or req.q.strip() else "oldest"
    # records changed since this node's index caught up are left out of the selection, as of a search:
    # a bag picked from a stale entry would say which record held a word withheld since (issue 15)
    req.exclude = left_out(engine, store)
    selection = matching_ids(engine, req, limit)
    if len(selection.ids) > limit:
        raise TooMany(limit)
    planned = export.plan(store, selection.ids)
    date = datetime.now(UTC).date().isoformat()
    return Prepared(planned, export.bag_info(query, portal, date, len(planned)), selection.partial)


def _limits_message(what: str) -> str:
    """The 413's description in the reader's language; `what` (already worded) says which limit was passed."""
    config = current_app.config
    return _("내보내기는 웹에서 한 번에 기록 %(records)s건, 원본 %(gib)s GiB까지입니다 (%(what)s). 검색 조건을 "
             "좁히거나 명령줄에서 `flask --app app export OUT_DIR --q …`로 내보내십시오.",
             records=f"{config['EXPORT_MAX_RECORDS']:,}", gib=f"{config['EXPORT_MAX_BYTES'] / 1024**3:,.1f}", what=what)


@bp.get("/export.zip")
def export_zip():
    req = search_request(request.args)
    query = {k: str(v) for k, v in search_params(req).items() if k != "page"}
    config = current_app.config
    store = get_store()
    try:
        prepared = prepare(get_engine(), store, req, query, request.host_url.rstrip("/"),
                           config["EXPORT_MAX_RECORDS"])
    except QueryRefused as exc:
        abort(exc.status, description=refusal_text(exc))
    except TooMany:
        abort(413, description=_limits_message(_("맞는 기록이 더 많습니다")))
    if not prepared.planned:
        abort(404, description=_("검색 조건에 맞는 기록이 없어 내보낼 것이 없습니다."))
    if prepared.bytes > config["EXPORT_MAX_BYTES"]:
        matched = _("맞는 원본이 %(gib)s GiB입니다", gib=f"{prepared.bytes / 1024**3:,.2f}")
        abort(413, description=_limits_message(matched))
    slot = _take_slot(data_dir(), config["EXPORT_CONCURRENT"])
    if slot is None:
        running = config["EXPORT_CONCURRENT"]
        abort(503, description=_("지금은 다른 내보내기 %(running)s건이 진행 중입니다. 잠시 뒤 다시 시도하거나 "
                                 "명령줄(flask --app app export)을 쓰십시오.", running=running))
    root = f"yeollam-export-{prepared.info['Bagging-Date']}"
    response = Response(stream_with_context(_streamed(root, prepared)), mimetype="application/zip")
    response.call_on_close(slot.close)  # however the response ends: read whole, cut off, never read
    response.headers["Content-Disposition"] = content_disposition(f"{root}.zip")
    response.headers["Cache-Control"] = "no-store"
    return response


def _take_slot(data: Path, slots: int):
    """One of `slots` export slots shared by every worker process (an flock on a slot file), or None.

    Each web export is bounded (records, bytes), but a few anonymous 2 GiB exports at once would hold
    every worker for minutes: past `slots` running, the next is refused with a message.
    """
    folder = Path(data) / "export-slots"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(max(slots, 0)):
        handle = open(folder / f"{i}.lock", "a+")  # noqa: SIM115 - held until the response closes
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            handle.close()
    return None


def _streamed(root: str, prepared: Prepared):
    """The zip's chunks, read through a store of its own (the request's closes when the view returns)."""
    store = Store(data_dir())
    try:
        yield from export.stream_bag(root, store, prepared.planned, lambda rid: pages.record_json(store, rid),
                                     prepared.info)
    finally:
        store.close()


def export_to_folder(out_dir, req: SearchRequest, query: dict[str, str], portal: str):
    """The `export` command's work, in an app context: the bag at `out_dir`; None when nothing matched.

    Record URLs are made for `portal` (a request context of its own), as the web would make them.
    """
    app = current_app._get_current_object()
    store = get_store()
    prepared = prepare(get_engine(), store, req, query, portal, CLI_MAX_RECORDS)
    if not prepared.planned:
        return None, prepared
    with app.test_request_context("/", base_url=portal):
        outcome = export.write_bag(out_dir, store, prepared.planned,
                                   lambda rid: pages.record_json(store, rid), prepared.info)
    return outcome, prepared
