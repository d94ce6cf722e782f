"""/api/openapi.json: an OpenAPI 3 description of every JSON endpoint (issue 12.8).

tests/web/test_openapi.py keeps it true: schemathesis calls the live server with what the
description allows and checks every answer against it, and every /api/ route must be described.
"""

from __future__ import annotations

from flask import Blueprint, url_for

bp = Blueprint("openapi", __name__)


def _nullable(kind: str) -> dict:
    return {"type": kind, "nullable": True}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
LEVEL = {"type": "string", "enum": ["public", "partial", "withheld"]}
INTS = {"type": "array", "items": INT}


def _object(required: dict, optional: dict | None = None) -> dict:
    return {"type": "object", "required": sorted(required), "properties": {**required, **(optional or {})}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = _json(_ref("Error"), "an error, {\"error\": {\"code\", \"message\", \"message_ko\"}}")
NAME_COUNT = _object({"name": STR, "count": INT})
NUMBER = {"type": "number"}
VALUE_COUNTS = {"type": "array", "items": _object({"value": _nullable("string"), "count": INT})}
GROUND_COUNT = _object({"ground": INT, "count": INT}, {"label_ko": STR, "label_en": STR})
SCHEMAS = {
    "Error": _object({"error": _object({"code": INT, "message": STR}, {"message_ko": STR})}),
    "RecordSummary": _object({"id": STR, "title": STR, "kind": _nullable("string"), "agency": STR,
                              "department": _nullable("string"), "produced": STR, "disclosure": LEVEL,
                              "disclosure_label": STR, "summary": _nullable("string"), "url": STR}),
    "Attachment": _object({"n": INT, "name": STR, "disclosure": {"type": "string", "enum": ["public", "withheld"]},
                           "grounds": INTS},
                          {"size": INT, "sha256": STR, "url": STR, "pdf_url": STR, "text_url": STR,
                           "title": _nullable("string")}),
    "Record": _object({"id": STR, "title": STR, "kind": _nullable("string"), "agency": STR,
                       "department": _nullable("string"), "doc_number": _nullable("string"), "produced": STR,
                       "approved": _nullable("string"), "retention": _nullable("string"),
                       "classification": {"type": "array", "items": STR},
                       "licences": {"type": "array", "items": STR},
                       "disclosure": _object({"level": LEVEL, "grounds": INTS}, {"label": STR}),
                       "attachments": {"type": "array", "items": _ref("Attachment")}, "url": STR},
                      {"summary": _nullable("string"), "history": {"type": "array", "items": {"type": "object"}},
                       "texts": {"type": "array", "items": _object({"n": INT, "name": STR, "text": STR})},
                       "citation": _object({"kogl": _nullable("string"), "text": STR, "bibtex": STR,
                                            "csl": {"type": "object"}}, {"text_en": STR, "kogl_type": {}}),
                       "licence_conflicts": {"type": "array", "items": _object(
                           {"licences": {"type": "array", "items": STR}, "governs": {"type": "array", "items": STR}},
                           {"allowed_by": {"type": "array", "items": STR}, "message": {"type": "object"}})},
                       "related": {"type": "array", "maxItems": 5,
                                   "items": _object({"id": STR, "title": STR, "url": STR})},
                       "comments": {"type": "array",  # approved readers' comments; absent when turned off
                                    "items": _object({"name": STR, "text": STR, "date": STR})}}),
    "OEmbed": _object({"version": {"type": "string", "enum": ["1.0"]}, "type": STR, "html": STR, "width": INT,
                       "height": INT}, {"title": STR, "author_name": STR, "provider_name": STR,
                                        "provider_url": STR, "cache_age": INT}),
    "SearchHit": _object({"id": STR, "title": STR, "title_html": STR, "agency": STR, "produced": STR,
                          "disclosure": LEVEL, "snippet": STR, "url": STR},
                         {"kind": _nullable("string"), "department": _nullable("string"), "grounds": INTS,
                          "matched_attachment": {"type": "object", "nullable": True,
                                                 "required": ["n", "name", "url"],
                                                 "properties": {"n": INT, "name": STR, "url": STR}}}),
    "Search": _object({"total": INT, "page": INT, "pages": INT,
                       "results": {"type": "array", "items": _ref("SearchHit")},
                       "facets": {"type": "object", "additionalProperties": {
                           "type": "array", "items": _object({"value": {}, "count": INT})}}},
                      {"page_size": INT, "partial": BOOL, "histogram": {"type": "array", "items": _object(
                          {"year": {}, "count": INT})}, "resolved": {"type": "array", "items": {"type": "object"}},
                       "facet_labels": {"type": "object"}, "query": {"type": "object"}}),
    "Home": _object({"total": INT, "newest": {"type": "array", "items": _ref("RecordSummary")},
                     "agencies": {"type": "array", "items": NAME_COUNT},
                     "classifications": {"type": "array", "items": NAME_COUNT}}),
    "Classification": _object({"path": {"type": "array", "items": STR}, "total": INT, "page": INT, "pages": INT,
                               "results": {"type": "array", "items": _ref("RecordSummary")}}),
    "Statistics": _object({
        "filters": _object({"agency": _nullable("string"), "year": _nullable("string")}), "total": INT,
        "by_agency": VALUE_COUNTS, "by_year": VALUE_COUNTS, "by_kind": VALUE_COUNTS,
        "disclosure": {"type": "array", "items": _object({"level": LEVEL, "count": INT, "share": NUMBER},
                                                         {"label_ko": STR, "label_en": STR})},
        "withheld_attachments": _object({"total": INT, "by_ground": {"type": "array", "items": GROUND_COUNT}}),
        "records_by_ground": {"type": "array", "items": GROUND_COUNT},
        "days_to_publication": _object({"records": INT, "median": _nullable("number"), "buckets": {
            "type": "array", "items": _object({"min": INT, "max": _nullable("integer"), "count": INT})}}),
        "choices": _object({"agencies": {"type": "array", "items": STR}, "years": {"type": "array", "items": STR}})}),
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


PAGE = _query("page", {"type": "integer", "minimum": 1, "maximum": 1000000}, "page number, from 1")
SEARCH_PARAMS = [
    _query("q", {"type": "string", "maxLength": 300}, "the query language of /search/help"),
    *[_query(name, STR, f"facet filter: {name}") for name in ("agency", "department", "kind", "year",
                                                                "ground", "licence")],
    _query("disclosure", LEVEL, "disclosure level"),
    _query("from", {"type": "string", "format": "date"}, "produced on or after (ISO date)"),
    _query("to", {"type": "string", "format": "date"}, "produced on or before (ISO date)"),
    _query("sort", {"type": "string", "enum": ["relevance", "newest", "oldest"]}, "order"),
    PAGE,
]


def _get(summary: str, ok: dict, parameters: list | None = None, errors: tuple[int, ...] = ()) -> dict:
    responses = {"200": _json(ok, summary)}
    responses.update({str(code): ERROR for code in errors})
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": responses}}


def _path_param(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1},
            "description": description}


PATHS = {
    "/api/": _get("home data: totals, newest records, agencies and classifications", _ref("Home")),
    "/api/search": _get("search, with facets and snippets from public text", _ref("Search"), SEARCH_PARAMS,
                        (400,)),
    "/api/records/{record_id}": _get("a record's public view", _ref("Record"),
                                     [_path_param("record_id", "the management number")], (404,)),
    "/api/classification/{path}": _get("records of a classification", _ref("Classification"),
                                       [_path_param("path", "the classification path, / between levels"), PAGE],
                                       (400, 404)),
    "/api/statistics": _get("counts of public records by agency, year, kind and disclosure level; withheld "
                            "attachments by legal ground; days from production to publication",
                            _ref("Statistics"), [
                                _query("agency", {"type": "string", "maxLength": 200}, "one agency (exact name)"),
                                _query("year", {"type": "integer", "minimum": 1, "maximum": 9999},
                                       "one year of production")], (400,)),
    "/api/openapi.json": _get("this description", {"type": "object"}),
    "/oembed": _get("oEmbed 1.0 for a record URL", _ref("OEmbed"), [
        {**_query("url", {"type": "string", "maxLength": 2000}, "a record page's URL on this portal"),
         "required": True},
        _query("format", {"type": "string", "enum": ["json"]}, "json only"),
        _query("maxwidth", INT, "largest width"), _query("maxheight", INT, "largest height")],
        (400, 404, 501)),
}


@bp.get("/api/openapi.json")
def openapi():
    return {
        "openapi": "3.0.3",
        "info": {"title": "열람 Yeollam JSON API", "version": "2",
                 "description": "Every JSON twin of the portal's public pages; built from the public view only."},
        "servers": [{"url": url_for("public.home", _external=True).rstrip("/")}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
