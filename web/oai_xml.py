"""OAI-PMH 2.0 responses as XML: the envelope, record headers and oai_dc, built from the public view.

ElementTree escapes every value; what XML 1.0 forbids (a control character in a stored title)
is dropped from the serialised document, as for the Atom feed (`filters.xml_chars`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from .filters import xml_chars

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

for _prefix, _uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = OAI, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, q(ns, tag), attrs)
    if text is not None:
        element.text = text
    return element


def utc(value: str | None) -> str:
    """A stored ISO time (UTC) as the protocol's YYYY-MM-DDThh:mm:ssZ."""
    if not value:
        return "1970-01-01T00:00:00Z"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(base_url: str, request_args: dict[str, str] | None) -> ET.Element:
    """The OAI-PMH root with responseDate and request (arguments echoed unless `request_args` is None)."""
    root = ET.Element(q(OAI, "OAI-PMH"), {q(XSI, "schemaLocation"): f"{OAI} {OAI_SCHEMA}"})
    sub(root, "responseDate", now_utc())
    sub(root, "request", base_url, **(request_args or {}))
    return root


def error(root: ET.Element, code: str, message: str) -> None:
    sub(root, "error", message, code=code)


def serialise(root: ET.Element) -> str:
    return xml_chars('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode"))


def header(parent: ET.Element, identifier: str, datestamp: str, set_specs: list[str],
           deleted: bool = False) -> ET.Element:
    element = sub(parent, "header", **({"status": "deleted"} if deleted else {}))
    sub(element, "identifier", identifier)
    sub(element, "datestamp", datestamp)
    for spec in set_specs:
        sub(element, "setSpec", spec)
    return element


def oai_dc(parent: ET.Element, view: dict, url: str) -> None:
    """Dublin Core of a record's public view (never of a Record): what the record page shows anyway."""
    dc = ET.SubElement(sub(parent, "metadata"), q(OAI_DC, "dc"),
                       {q(XSI, "schemaLocation"): f"{OAI_DC} {OAI_DC_SCHEMA}"})
    fields: list[tuple[str, str | None]] = [("title", view["title"]), ("creator", view["agency"]),
                                            ("creator", view["department"])]
    fields.append(("subject", " > ".join(view["classification"]) if view["classification"] else None))
    fields += [("description", view["summary"]), ("date", view["produced"]), ("type", view["kind"]),
               ("identifier", url), ("identifier", view["id"])]
    if view["doc_number"]:
        fields.append(("identifier", view["doc_number"]))
    for lic in view["licences"]:
        fields += [("rights", lic["name"]), ("rights", lic["url"])]
    fields.append(("language", "ko"))
    for tag, text in fields:
        if text:
            sub(dc, tag, text, ns=DC)
