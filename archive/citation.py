"""How to cite a record and attribute it: KOGL 출처표시, plain references, BibTeX and CSL-JSON.

Built from the public view only (title, agency, department, dates, numbers, the author's name,
licences): a withheld record's metadata is public, its summary and files are not, and nothing
here reads either. The author's phone number is left out of every form.

KOGL attribution follows the KOGL guidelines' recommended sentence (기관명, the year the work was
made, 공공누리 제N유형, the title with its author, and where it can be downloaded free of charge);
it says nothing that suggests the agency endorses the user.
"""

from __future__ import annotations

import re

PORTAL_KO, PORTAL_EN = "열람 공공기록 포털", "Yeollam public records portal"
_KOGL = re.compile(r"^KOGL-([1-4])$")
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                   "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def kogl_type(codes: list[str]) -> int | None:
    """The KOGL type a record is opened under: the strictest when it names several; None for none."""
    types = [int(m.group(1)) for code in codes if (m := _KOGL.match(code))]
    return max(types) if types else None


def _author(view: dict) -> str:
    author = view.get("author") or {}
    return author.get("name") or view.get("department") or view["agency"]


def kogl_attribution(view: dict, url: str) -> str | None:
    """The 출처표시 sentence the record's KOGL type requires, or None when it carries no KOGL type."""
    number = kogl_type([lic["code"] for lic in view["licences"]])
    if number is None:
        return None
    return (f"본 저작물은 '{view['agency']}'에서 '{view['produced'][:4]}년' 작성하여 공공누리 제{number}유형으로 "
            f"개방한 '{view['title']}(작성자: {_author(view)})'을 이용하였으며, 해당 저작물은 "
            f"'{view['agency']}, {url}'에서 무료로 내려받으실 수 있습니다.")


def _creator(view: dict) -> str:
    return " ".join(filter(None, [view["agency"], view.get("department")]))


def _numbers(view: dict, doc_label: str) -> str:
    parts = [view.get("kind"), f"{doc_label} {view['doc_number']}" if view.get("doc_number") else None]
    return ", ".join(p for p in parts if p)


def reference_ko(view: dict, url: str) -> str:
    detail = _numbers(view, "문서번호")
    return (f"{_creator(view)}. ({view['produced'][:4]}). {view['title']}"
            + (f" [{detail}]" if detail else "") + f". {PORTAL_KO}, 관리번호 {view['id']}. {url}")


def reference_en(view: dict, url: str) -> str:
    detail = _numbers(view, "document no.")
    return (f"{_creator(view)} ({view['produced'][:4]}). {view['title']}"
            + (f" [{detail}]" if detail else "") + f". {PORTAL_EN}, record {view['id']}. {url}")


def bibtex_escape(text: str) -> str:
    text = "".join(c for c in text if c >= " ")
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in text)


def bibtex(view: dict, url: str) -> str:
    key = "yeollam-" + re.sub(r"[^A-Za-z0-9_-]", "", view["id"])
    fields = [
        ("author", "{" + bibtex_escape(_creator(view)) + "}"),  # a body, not a person: braced whole
        ("title", "{" + bibtex_escape(view["title"]) + "}"),
        ("year", view["produced"][:4]),
        ("date", view["produced"]),
        ("type", bibtex_escape(view.get("kind") or "")),
        ("number", bibtex_escape(view.get("doc_number") or "")),
        ("institution", bibtex_escape(view["agency"])),
        ("howpublished", bibtex_escape(PORTAL_KO)),
        ("note", bibtex_escape(f"관리번호 {view['id']}")),
        ("url", url.replace("\\", "").replace("{", "%7B").replace("}", "%7D")),
        ("langid", "korean"),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"


def csl(view: dict, url: str) -> dict:
    """A CSL-JSON item (type document; the agency as a literal author and the publisher)."""
    parts = [int(x) for x in view["produced"].split("-")[:3] if x.isdigit()]
    item = {
        "id": view["id"],
        "type": "document",
        "title": view["title"],
        "author": [{"literal": _creator(view)}],
        "publisher": view["agency"],
        "issued": {"date-parts": [parts]},
        "genre": view.get("kind"),
        "number": view.get("doc_number"),
        "archive": PORTAL_KO,
        "archive_location": view["id"],
        "URL": url,
        "language": "ko",
    }
    return {k: v for k, v in item.items() if v}


def citation(view: dict, url: str) -> dict:
    """Every form at once: `{"kogl", "kogl_type", "text", "text_en", "bibtex", "csl"}`."""
    return {
        "kogl": kogl_attribution(view, url),
        "kogl_type": kogl_type([lic["code"] for lic in view["licences"]]),
        "text": reference_ko(view, url),
        "text_en": reference_en(view, url),
        "bibtex": bibtex(view, url),
        "csl": csl(view, url),
    }
