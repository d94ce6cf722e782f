"""OAI-PMH 2.0 at /oai (issue 12): the six verbs over oai_dc, built from the public view only.

Datestamps are when a record's public view last changed (the store's `public_changed_at`);
sets are agencies and top classifications; lists come 100 a page with signed resumption tokens.
A record is built from `public_view` (what its public page shows); a withdrawn record (issue 14)
answers a deleted header and nothing else. Errors answer 200 with the protocol's error element.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from flask import Blueprint, current_app, request, url_for

from archive.records import public_view

from . import oai_xml as x
from .context import get_store
from .oai_args import (
    MAX_TOKEN,
    PAGE_SIZE,
    Harvest,
    OaiError,
    bounds,
    checked,
    decode_set,
    encode_name,
    expiry,
    make_token,
    read_token,
)
from .security import csrf

bp = Blueprint("oai", __name__)
METADATA_PREFIX = "oai_dc"


def _withdrawn(record) -> bool:
    """Whether a record is off every public path (issue 14): it answers a deleted header only."""
    return get_store().withdrawal(record.id) is not None


def _echo(verb: str, args: dict[str, str]) -> dict[str, str]:
    """The request element's attributes: a value past any valid one (a 1 MB forged token) is not echoed."""
    return {"verb": verb, **{k: v for k, v in args.items() if len(v) <= MAX_TOKEN}}


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # read-only; the protocol allows POST of the same arguments
def endpoint():
    source = request.form if request.method == "POST" else request.args
    raw = {key: source.getlist(key) for key in source}
    base = url_for("oai.endpoint", _external=True)
    try:
        verb, args = checked(raw)
        root = x.envelope(base, _echo(verb, args))
        VERBS[verb](root, args)
    except OaiError as exc:
        # after badVerb or badArgument the request element carries no attributes (the protocol, 3.6)
        root = x.envelope(base, None if exc.code in ("badVerb", "badArgument") else _echo(verb, args))
        x.error(root, exc.code, exc.message)
    return _answer(root)


def _answer(root: ET.Element):
    return x.serialise(root), 200, {"Content-Type": "text/xml; charset=utf-8"}


def _namespace() -> str:
    return (current_app.config.get("OAI_NAMESPACE") or os.environ.get("ARCHIVE_OAI_NAMESPACE")
            or request.host.partition(":")[0])


def _identifier(record_id: str) -> str:
    return f"oai:{_namespace()}:{record_id}"


def _record_of(identifier: str):
    parts = identifier.split(":")
    # withdrawn=True: a withdrawn record is reported deleted (deletedRecord persistent), not unknown
    record = get_store().get(parts[2], withdrawn=True) if len(parts) == 3 and parts[0] == "oai" and parts[2] else None
    if record is None:
        raise OaiError("idDoesNotExist", "no record has this identifier")
    return record


def _sets_of(record) -> list[str]:
    specs = ["agency", f"agency:{encode_name(record.agency)}"]
    if record.classification:
        specs += ["class", f"class:{encode_name(record.classification[0])}"]
    return specs


def _item(parent: ET.Element, record, datestamp: str, with_metadata: bool) -> None:
    deleted = _withdrawn(record)
    if with_metadata:
        parent = x.sub(parent, "record")
    x.header(parent, _identifier(record.id), x.utc(datestamp), _sets_of(record), deleted)
    if with_metadata and not deleted:
        x.oai_dc(parent, public_view(record), url_for("public.record", record_id=record.id, _external=True))


# -- the verbs -----------------------------------------------------------------------------

def identify(root: ET.Element, args: dict) -> None:
    element = x.sub(root, "Identify")
    x.sub(element, "repositoryName", "열람 Yeollam")
    x.sub(element, "baseURL", url_for("oai.endpoint", _external=True))
    x.sub(element, "protocolVersion", "2.0")
    x.sub(element, "adminEmail", current_app.config.get("OAI_ADMIN_EMAIL")
          or os.environ.get("ARCHIVE_OAI_ADMIN_EMAIL") or f"webmaster@{_namespace()}")
    x.sub(element, "earliestDatestamp", x.utc(get_store().earliest_public_change()))
    x.sub(element, "deletedRecord", "persistent")
    x.sub(element, "granularity", "YYYY-MM-DDThh:mm:ssZ")


def list_metadata_formats(root: ET.Element, args: dict) -> None:
    if "identifier" in args:
        _record_of(args["identifier"])
    element = x.sub(x.sub(root, "ListMetadataFormats"), "metadataFormat")
    x.sub(element, "metadataPrefix", METADATA_PREFIX)
    x.sub(element, "schema", x.OAI_DC_SCHEMA)
    x.sub(element, "metadataNamespace", x.OAI_DC)


def list_sets(root: ET.Element, args: dict) -> None:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "the set list comes whole; it has no resumption tokens")
    store = get_store()
    element = x.sub(root, "ListSets")
    entries = [("agency", "기관 Agencies"), ("class", "분류 Classifications")]
    entries += [(f"agency:{encode_name(name)}", name) for name, _ in store.agencies()]
    entries += [(f"class:{encode_name(name)}", name) for name, _ in store.top_classifications()]
    for spec, name in entries:
        item = x.sub(element, "set")
        x.sub(item, "setSpec", spec)
        x.sub(item, "setName", name)


def get_record(root: ET.Element, args: dict) -> None:
    _format(args["metadataPrefix"])
    record = _record_of(args["identifier"])
    _item(x.sub(root, "GetRecord"), record, get_store().public_changed_at(record.id), True)


def _format(prefix: str) -> None:
    if prefix != METADATA_PREFIX:
        raise OaiError("cannotDisseminateFormat", "this repository disseminates oai_dc only")


def _harvest_of(args: dict) -> Harvest:
    if "resumptionToken" in args:
        return read_token(current_app.secret_key, args["resumptionToken"])
    _format(args["metadataPrefix"])
    if "set" in args:
        decode_set(args["set"])
    since, until = bounds(args.get("from"), args.get("until"))
    return Harvest(args["metadataPrefix"], args.get("set"), since, until)


def _filters(harvest: Harvest) -> dict:
    kind, name = decode_set(harvest.set_spec) if harvest.set_spec else (None, None)
    return {"since": harvest.since, "until": harvest.until,
            "agency": name if kind == "agency" else None,
            "top_class": (name or "") if kind == "class" else None}


def _list(root: ET.Element, args: dict, verb: str, with_metadata: bool) -> None:
    harvest = _harvest_of(args)
    store = get_store()
    filters = _filters(harvest)
    rows = store.harvest(**filters, after=harvest.after, limit=PAGE_SIZE + 1)
    if not rows:
        raise OaiError("noRecordsMatch", "no records match these arguments")
    if harvest.total is None:
        harvest.total = store.harvest_count(**filters)
    element = x.sub(root, verb)
    page = rows[:PAGE_SIZE]
    for datestamp, record_id in page:
        record = store.get(record_id, withdrawn=True)  # a withdrawn one: its deleted header
        if record is not None:
            _item(element, record, datestamp, with_metadata)
    token_attrs = {"completeListSize": str(harvest.total), "cursor": str(harvest.cursor)}
    if len(rows) > PAGE_SIZE:
        after = Harvest(harvest.prefix, harvest.set_spec, harvest.since, harvest.until, page[-1],
                        harvest.cursor + len(page), harvest.total)
        x.sub(element, "resumptionToken", make_token(current_app.secret_key, after),
              expirationDate=expiry(), **token_attrs)
    elif harvest.cursor:
        x.sub(element, "resumptionToken", None, **token_attrs)  # the last page: an empty token


def list_identifiers(root: ET.Element, args: dict) -> None:
    _list(root, args, "ListIdentifiers", False)


def list_records(root: ET.Element, args: dict) -> None:
    _list(root, args, "ListRecords", True)


VERBS = {"Identify": identify, "ListMetadataFormats": list_metadata_formats, "ListSets": list_sets,
         "GetRecord": get_record, "ListIdentifiers": list_identifiers, "ListRecords": list_records}
