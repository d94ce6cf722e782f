"""schema.org JSON-LD and sharing cards (OpenGraph, Twitter) of a record, from its public view only.

`hasPart` lists public attachments only; a withheld record's description is its metadata (its
summary is withheld, and public_view has already dropped it).
"""

from __future__ import annotations

from .disclosure import Disclosure

DESCRIPTION_CHARS = 200


def description(view: dict) -> str:
    """A short public description: the summary's start, else the metadata in words."""
    summary = " ".join((view.get("summary") or "").split())
    if summary:
        return summary if len(summary) <= DESCRIPTION_CHARS else summary[: DESCRIPTION_CHARS - 1] + "…"
    parts = [view["agency"], view.get("department"), view.get("kind"), view["produced"],
             view["disclosure"]["label"]]
    return " · ".join(p for p in parts if p)


def json_ld(view: dict) -> dict:
    """A schema.org DigitalDocument: name, dateCreated, publisher, license, identifier, parts."""
    parts = [
        {
            "@type": "DigitalDocument",
            "name": att["name"],
            "encodingFormat": att.get("media_type"),
            "contentSize": f"{att['size']} B",
            "sha256": att["sha256"],
            "contentUrl": att.get("url"),
        }
        for att in view["attachments"]
        if att["disclosure"] == Disclosure.PUBLIC.value
    ]
    doc = {
        "@context": "https://schema.org",
        "@type": "DigitalDocument",
        "@id": view["url"],
        "url": view["url"],
        "name": view["title"],
        "description": description(view),
        "identifier": [x for x in (view["id"], view.get("doc_number")) if x],
        "dateCreated": view["produced"],
        "genre": view.get("kind"),
        "inLanguage": "ko",
        "publisher": {"@type": "GovernmentOrganization", "name": view["agency"]},
        "license": [lic["url"] for lic in view["licences"]],
        "isAccessibleForFree": True,
        "hasPart": [{k: v for k, v in part.items() if v} for part in parts],
    }
    if view.get("department"):
        doc["creator"] = {"@type": "GovernmentOrganization", "name": f"{view['agency']} {view['department']}"}
    return {k: v for k, v in doc.items() if v not in (None, [], "")}


def cards(view: dict, site: str = "열람 Yeollam") -> list[tuple[str, str, str]]:
    """OpenGraph and Twitter card tags as (attribute, name, content)."""
    text = description(view)
    return [
        ("property", "og:type", "article"),
        ("property", "og:site_name", site),
        ("property", "og:locale", "ko_KR"),
        ("property", "og:title", view["title"]),
        ("property", "og:description", text),
        ("property", "og:url", view["url"]),
        ("name", "twitter:card", "summary"),
        ("name", "twitter:title", view["title"]),
        ("name", "twitter:description", text),
    ]
