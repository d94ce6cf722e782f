"""Index documents, built from a record's public view only: the one way text reaches an index.

Nothing here reads a Record's withheld parts: `public_view` and `public_text_of` (archive.records)
drop them, so an engine cannot be handed withheld text to index, whatever it does with it.
"""

from __future__ import annotations

from archive.records import Record, public_text_of, public_view

BODY_SEPARATOR = "\n\n"


def public_body(record: Record, text_of) -> tuple[str, list[tuple[int, str, int, int]]]:
    """The public attachments' text joined, and where each attachment's text stands in it."""
    texts, sources, offset = [], [], 0
    for att, text in public_text_of(record, text_of):
        if text:
            sources.append((att.n, att.name, offset, offset + len(text)))
            texts.append(text)
            offset += len(text) + len(BODY_SEPARATOR)
    return BODY_SEPARATOR.join(texts), sources


def document_of(store, record_id: str) -> dict | None:
    """Return the index document of a record as the store holds it now; None when it is gone."""
    record = store.get(record_id)
    if record is None:
        return None
    view = public_view(record)
    body, sources = public_body(record, store.text_of)
    classification = view["classification"]
    numbers = [x for x in (view["id"], view["doc_number"], view["policy_number"]) if x]
    return {
        "id": view["id"],
        "version": view["version"],
        "title": view["title"],
        "numbers": " ".join(numbers),
        "exact": [x.strip().lower() for x in numbers],  # the same numbers whole: an exact hit ranks first
        "summary": view["summary"] or "",
        "body": body,
        # each public file's text in the body (BODY_SEPARATOR ends every term: an engine may analyse them apart)
        "body_parts": [body[a:b] for _, _, a, b in sources],
        "names": " ".join(a["name"] for a in view["attachments"]),  # a withheld file's name is public
        "agency": view["agency"],
        "department": view["department"] or "",
        "kind": view["kind"] or "",
        # every level of the path: 행정, 행정/일반행정지원, … (같은 분류 문서보기)
        "classification": ["/".join(classification[: i + 1]) for i in range(len(classification))],
        "classification_text": " ".join(classification),  # searchable words of the path
        "produced": view["produced"],
        "year": view["produced"][:4],
        "level": view["disclosure"]["level"],
        "grounds": [str(g) for g in view["disclosure"]["grounds"]],
        "licences": [lic["code"] for lic in view["licences"]],
    }
