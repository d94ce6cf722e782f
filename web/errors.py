"""Error pages: HTML for people, JSON under /api; never a traceback or stored content."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from .downloads import Withheld, withheld_response

log = logging.getLogger(__name__)

def N_(message: str) -> str:
    """Mark a message for the catalogs (pybabel extract -k N_); translated where it is shown."""
    return message


# Korean in the JSON errors (message_ko, as promised); the HTML page shows it in the reader's language.
MESSAGES_KO = {
    400: N_("요청이 올바르지 않습니다."),
    403: N_("이 기능을 쓸 권한이 없습니다."),
    404: N_("찾으시는 페이지나 기록이 없습니다."),
    405: N_("허용되지 않는 요청 방식입니다."),
    410: N_("파일을 제공할 수 없습니다."),
    413: N_("파일이 너무 큽니다."),
    429: N_("요청이 너무 많습니다. 잠시 뒤 다시 시도해 주십시오."),
    451: N_("법령에 따라 공개하지 않는 정보입니다."),
    500: N_("서버에서 오류가 났습니다. 잠시 뒤 다시 시도해 주십시오."),
    503: N_("지금은 이 기능을 쓸 수 없습니다."),
}
OTHER = N_("오류가 났습니다.")


JSON_PATHS = ("/oembed",)  # JSON endpoints outside /api/: their clients parse errors too


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in JSON_PATHS


def _answer(code: int, message_en: str, detail: str | None = None):
    message_ko = detail or MESSAGES_KO.get(code, OTHER)
    if _wants_json():
        return {"error": {"code": code, "message": message_en, "message_ko": message_ko}}, code
    # a detail is the route's own sentence (it names the cause); the general ones are translated here
    shown = detail or gettext(MESSAGES_KO.get(code, OTHER))
    page = {"code": code, "message": shown, "message_ko": message_ko, "message_en": message_en}
    return render_template("error.html", page=page), code


def _too_large() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return (f"올린 파일이 너무 큽니다. 한 번에 {limit / 1024 / 1024:,g} MB까지 올릴 수 있습니다 "
            f"(설정 ARCHIVE_MAX_UPLOAD_MB). 묶음을 나누어 올려 주십시오.")


def handle_http(exc: HTTPException):
    detail = exc.description if exc.code in (400, 404, 410, 413, 429, 503) and _is_ours(exc) else None
    if exc.code == 413 and detail is None:  # Werkzeug's own: the body is past MAX_CONTENT_LENGTH
        detail = _too_large()
    if exc.code == 503 and detail and _wants_json():
        return {"error": {"code": 503, "message": detail}}, 503
    return _answer(exc.code or 500, exc.name, detail)


def _is_ours(exc: HTTPException) -> bool:
    # Werkzeug's default descriptions are English boilerplate; ours are set in Korean.
    return bool(exc.description) and exc.description != type(exc).description


def handle_withheld(exc: Withheld):
    if _wants_json():
        return {"error": {"code": 451, "message": "Unavailable For Legal Reasons",
                          "grounds": exc.grounds}}, 451
    return withheld_response(exc)


def handle_unexpected(exc: Exception):
    # Log the details for operators; tell the visitor nothing that could carry content.
    log.exception("unhandled error on %s", request.path)
    return _answer(500, "Internal Server Error")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Withheld, handle_withheld)
    app.register_error_handler(Exception, handle_unexpected)
