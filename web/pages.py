"""One data dict per page, built from the public view only; rendered as HTML and as JSON."""

from __future__ import annotations

from flask import current_app, url_for

from archive import audit, comments, structured
from archive.citation import citation
from archive.disclosure import GROUNDS, Disclosure
from archive.extract import REASONS, format_name
from archive.licences import conflicts
from archive.records import public_text_of, public_view
from archive.store import Store
from index import names
from index.engine import SearchRequest
from index.service import cached_related, cached_search

from .context import get_engine

RELATED = 5  # related records on a page and in its JSON


def N_(message: str) -> str:
    """Mark a message for the catalogs: the JSON keeps it in Korean, the page translates it."""
    return message


DISCLAIMER = N_(
    "본 문서는 공문서로서의 법적 효력은 없으며, 위조·변조·도용 등 불법적 활용으로 인하여 "
    "발생된 모든 책임은 불법적으로 활용한 자에게 있습니다"
)


def _attachment_links(record_id: str, att: dict) -> None:
    """Add the download and view links of a public attachment (never of a withheld one)."""
    if att["disclosure"] != Disclosure.PUBLIC.value:
        return
    n = att["n"]
    att["url"] = url_for("downloads.original", record_id=record_id, n=n, _external=True)
    att["format"] = format_name(att["name"])
    att["rendition"] = "original" if att["media_type"] == "application/pdf" else (
        "text" if att["text_status"] == "ok" else None)
    if att["rendition"]:
        att["pdf_url"] = url_for("downloads.pdf", record_id=record_id, n=n, _external=True)
    att["text_url"] = url_for("downloads.text", record_id=record_id, n=n, _external=True)
    reason = REASONS.get(att.get("text_reason") or "")
    att["no_text_reason"] = {"ko": reason[0], "en": reason[1]} if reason else None


def _release_dates(store: Store, record, view: dict) -> None:
    """A clerk's withhold that ends on a date (approved, under four eyes) says the date: 2030. 1. 1."""
    due = store.until_of(record.id)
    for att, item in zip(record.attachments, view["attachments"], strict=True):
        if item["disclosure"] != Disclosure.PUBLIC.value and att.sha256 in due:
            y, m, d = (int(part) for part in due[att.sha256].split("-"))
            item["release_on"] = due[att.sha256]
            item["release_on_ko"] = f"{y}. {m}. {d}."


def record_summary(view: dict) -> dict:
    """Return the short form of a record used in lists (home, classification, feeds)."""
    return {
        "id": view["id"],
        "title": view["title"],
        "kind": view["kind"],
        "agency": view["agency"],
        "department": view["department"],
        "produced": view["produced"],
        "disclosure": view["disclosure"]["level"],
        "disclosure_label": view["disclosure"]["label"],
        "summary": view["summary"],
        "url": url_for("public.record", record_id=view["id"], _external=True),
    }


def record_page(store: Store, record_id: str) -> dict | None:
    record = store.get(record_id)
    if record is None:
        return None
    view = public_view(record)
    for att in view["attachments"]:
        _attachment_links(record.id, att)
    _release_dates(store, record, view)
    view["url"] = url_for("public.record", record_id=record.id, _external=True)
    view["classification_links"] = [
        {"name": name, "url": url_for("public.classification", path="/".join(view["classification"][: i + 1]))}
        for i, name in enumerate(view["classification"])
    ]
    view["texts"] = [
        {"n": att.n, "name": att.name, "text": text}
        for att, text in public_text_of(record, store.text_of)
        if text
    ]
    view["disclaimer"] = DISCLAIMER
    view["history"] = audit.public_history(store.audit_of_record(record.id))
    view["citation"] = citation(view, view["url"])
    view["licence_conflicts"] = conflicts([lic["code"] for lic in view["licences"]])
    view["related"] = [
        {**item, "url": url_for("public.record", record_id=item["id"], _external=True)}
        for item in cached_related(get_engine(), store, record, RELATED)
    ]
    if current_app.config.get("COMMENTS"):  # off (ARCHIVE_COMMENTS=0): no `comments` at all
        view["comments"] = comments.public_comments(store, record.id)  # approved: name, text, date
    return view


def record_html_page(store: Store, record_id: str) -> dict | None:
    """The record page's data with what only the HTML carries: JSON-LD, sharing cards, oEmbed and embed links."""
    data = record_page(store, record_id)
    if data is not None:
        data["json_ld"] = structured.json_ld(data)
        data["cards"] = structured.cards(data)
        data["embed_url"] = url_for("sharing.embed", record_id=data["id"], _external=True)
        data["oembed_url"] = url_for("sharing.oembed", url=data["url"], format="json", _external=True)
    return data


def record_json(store: Store, record_id: str) -> dict | None:
    """Return the /api/records/<id> document (also each record's record.json in an export bag)."""
    data = record_page(store, record_id)
    if data is None:
        return None
    licences = data.pop("licences")
    data["licences"] = [lic["code"] for lic in licences]
    data["licence_details"] = licences
    data.pop("classification_links")  # the HTML's navigation; the JSON has `classification`
    return data


def home_page(store: Store) -> dict:
    return {
        "total": store.count(),
        "newest": [record_summary(public_view(r)) for r in store.newest(10)],
        "agencies": [{"name": a, "count": n} for a, n in store.agencies()],
        "classifications": [{"name": c, "count": n} for c, n in store.top_classifications()],
    }


def classification_page(store: Store, path: str, page: int, page_size: int = 20) -> dict | None:
    """Return one page of the records of a classification; None when it has none or no such page."""
    parts = [p for p in path.split("/") if p]
    page = max(page, 1)
    total, records = store.by_classification(parts, page_size, (page - 1) * page_size)
    if total == 0 or page > -(-total // page_size):
        return None
    return {
        "path": parts,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // page_size)),
        "results": [record_summary(public_view(r)) for r in records],
    }


def search_page(engine, store: Store, req: SearchRequest) -> dict:
    """Return the search page's data; raises QueryRefused for a query too costly to run."""
    found = cached_search(engine, store, req)
    data = {**found, "results": [_linked_hit(hit) for hit in found["results"]]}
    data["query"] = {
        "q": req.q, "sort": req.sort, "from": req.date_from, "to": req.date_to, **req.filters,
    }
    data["grounds_table"] = {n: g.label_ko for n, g in GROUNDS.items()}
    # the agency facet's labels: the full name with its short one (index.names); values stay full names
    table = names.table()
    data["facet_labels"] = {"agency": {value: table.label(value) for value, _ in found["facets"].get("agency", [])}}
    return data


def _linked_hit(hit: dict) -> dict:
    hit = {**hit, "url": url_for("public.record", record_id=hit["id"], _external=True)}
    if hit["matched_attachment"]:
        n = hit["matched_attachment"]["n"]
        hit["matched_attachment"] = {
            **hit["matched_attachment"],
            "url": url_for("downloads.text", record_id=hit["id"], n=n, _external=True),
        }
    return hit
