"""Originals, PDF renditions and text views of attachments: public ones only, else 451."""

from __future__ import annotations

import os
import re
import unicodedata
from urllib.parse import quote

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_babel import gettext

from archive import rendition
from archive.blobs import Damaged
from archive.disclosure import Disclosure, grounds_info
from archive.extract import REASONS, format_name
from archive.rendition import FontMissing, RenditionFailed, RenditionRefused, cached_text_pdf

from .context import data_dir, get_store

bp = Blueprint("downloads", __name__, url_prefix="/records/<record_id>/attachments/<int:n>")

# The budgets of a PDF text rendition; settings (or ARCHIVE_RENDITION_*) may change them.
RENDITION_DEFAULTS = {
    "RENDITION_MAX_CHARS": ("ARCHIVE_RENDITION_MAX_CHARS", int, rendition.MAX_CHARS),
    "RENDITION_SECONDS": ("ARCHIVE_RENDITION_SECONDS", float, rendition.SECONDS),
    "RENDITION_MEMORY": ("ARCHIVE_RENDITION_MEMORY", int, rendition.MEMORY),
}


@bp.record_once
def _default_budgets(state) -> None:
    for key, (env, kind, default) in RENDITION_DEFAULTS.items():
        state.app.config.setdefault(key, kind(os.environ[env]) if env in os.environ else default)


class Withheld(Exception):
    """A request for a withheld attachment: answered 451 with its grounds, nothing else."""

    def __init__(self, record_id: str, name: str, grounds: list[int]):
        self.record_id, self.name, self.grounds = record_id, name, grounds


def _public_attachment(record_id: str, n: int):
    """Return the record and a public attachment, or stop with 404 or 451.

    The disclosure check comes before anything touches the file, the text or the cache.
    """
    record = get_store().get(record_id)
    att = record.attachment(n) if record else None
    if att is None:
        abort(404)
    level, grounds = record.effective(att)
    if level is not Disclosure.PUBLIC:
        raise Withheld(record.id, att.name, grounds)
    return record, att


def _sound_blob(att):
    try:
        return get_store().blobs.verified_path(att.sha256)
    except Damaged:
        abort(503, description=gettext("보관된 원본이 손상되어 제공할 수 없습니다 (SHA-256 무결성 검사 실패)."))


# Not in a file name a browser offers: C0/C1 controls, line and paragraph separators, and
# format characters (bidirectional overrides such as U+202E, which make "exe.txt" read
# "txt.exe", zero-width characters).
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_FALLBACK_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\%/;]')


def safe_file_name(name: str, default: str = "download") -> str:
    """Return a stored name fit to offer for saving: no controls, no path, never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(c for c in name if unicodedata.category(c) not in _UNSAFE_CATEGORIES)
    name = name.replace("/", "_").replace("\\", "_").strip()
    stem, dot, ext = name.rpartition(".")
    if dot and ext and not stem.strip(" ."):
        name = f"{default}.{ext}"  # ".pdf" (a name that was all extension) stays a PDF
    return name.strip(" .") or default


def content_disposition(name: str, default: str = "download") -> str:
    """Return `attachment` with the name as RFC 6266 wants it, whatever the stored name holds.

    `filename*` carries the name (controls removed) percent-encoded in UTF-8 (RFC 5987);
    `filename` is an ASCII fallback for old clients: printable ASCII only, no quote,
    backslash, percent sign or semicolon, so it needs no escaping and cannot break the header.
    """
    clean = safe_file_name(name, default)
    fallback = unicodedata.normalize("NFKD", clean).encode("ascii", "ignore").decode("ascii")
    fallback = _FALLBACK_UNSAFE.sub("_", fallback).strip(" ")
    stem, dot, ext = fallback.rpartition(".")
    if not re.search(r"[A-Za-z0-9]", stem if dot else fallback):
        # nothing of the name is left in ASCII (a Korean name): keep its extension at least
        fallback = f"{default}.{ext}" if dot and ext else default
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"


def send_file_named(path, mimetype: str, name: str, etag: str | None = None):
    """Send a file as an attachment, named through content_disposition (never a raw stored name).

    The one door for every download, the clerks' included: a stored name with CR/LF or a bidi
    override must not break the header (a 500, or a spoofed extension) on any path.
    """
    response = send_file(path, mimetype=mimetype, as_attachment=False, etag=etag or True,
                         conditional=True)
    response.headers["Content-Disposition"] = content_disposition(name)
    return response


@bp.get("/original")
def original(record_id: str, n: int):
    _, att = _public_attachment(record_id, n)
    response = send_file_named(_sound_blob(att), att.media_type, att.name, etag=att.sha256)
    response.headers["X-Content-SHA256"] = att.sha256
    return response


@bp.get("/pdf")
def pdf(record_id: str, n: int):
    record, att = _public_attachment(record_id, n)
    stem = att.name.rsplit(".", 1)[0]
    if att.media_type == "application/pdf":
        return send_file_named(_sound_blob(att), "application/pdf", att.name, etag=att.sha256)
    if att.text_status != "ok":
        abort(404, description=gettext("이 첨부파일은 텍스트를 추출할 수 없어 PDF 변환본이 없습니다."))
    config = current_app.config
    cache = data_dir() / "renditions"
    try:
        path = cached_text_pdf(
            cache, att.sha256, get_store().text_of(att.sha256),
            f"{record.title} — {att.name}", config["FONT_PATH"],
            max_chars=config["RENDITION_MAX_CHARS"], seconds=config["RENDITION_SECONDS"],
            memory=config["RENDITION_MEMORY"], header=_rendition_header(),
            empty=gettext("(텍스트 없음)"),
        )
    except FontMissing:
        abort(503, description=gettext("PDF 변환에 필요한 한글 글꼴이 설치되어 있지 않습니다."))
    except RenditionRefused as exc:
        return _no_rendition(record, att, 413, "too_large", chars=exc.chars, cap=exc.cap)
    except RenditionFailed as exc:
        return _no_rendition(record, att, 503, exc.reason, seconds=exc.seconds)
    # A withhold may have committed while the rendition was being made, after its purge of the
    # cache ran: look again, and leave no PDF of text that is no longer public.
    try:
        _public_attachment(record_id, n)
    except Withheld:
        path.unlink(missing_ok=True)
        raise
    return send_file_named(path, "application/pdf", f"{stem}.pdf")


def _rendition_header() -> str:
    """The PDF rendition's heading in the reader's language (archive.rendition sets it, knowing no request)."""
    return gettext("텍스트 변환본 — 원문에서 추출한 글자만 담았습니다. 서식과 그림은 원문을 보십시오.")


def _no_rendition(record, att, code: int, reason: str, **numbers):
    page = {
        "code": code, "reason": reason, **numbers,
        "record": {"id": record.id, "title": record.title},
        "attachment": {"n": att.n, "name": att.name, "size": att.size},
        "original_url": url_for("downloads.original", record_id=record.id, n=att.n),
        "text_url": url_for("downloads.text", record_id=record.id, n=att.n),
    }
    headers = {"Retry-After": "30"} if reason == "busy" else {}
    return render_template("rendition_unavailable.html", page=page), code, headers


@bp.get("/text")
def text(record_id: str, n: int):
    record, att = _public_attachment(record_id, n)
    reason = REASONS.get(att.text_reason or "")
    page = {
        "record": {"id": record.id, "title": record.title},
        "attachment": {"n": att.n, "name": att.name, "format": format_name(att.name),
                       "pages": att.pages, "text_source": att.text_source.value},
        "text": get_store().text_of(att.sha256) if att.text_status == "ok" else "",
        "no_text_reason": {"ko": reason[0], "en": reason[1]} if reason else None,
    }
    return render_template("text.html", page=page)


def withheld_response(exc: Withheld):
    page = {"record_id": exc.record_id, "name": exc.name, "grounds": grounds_info(exc.grounds)}
    return render_template("withheld.html", page=page), 451
