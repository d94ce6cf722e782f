"""A withdrawn record answers 410 Gone with a short public notice (issue 14): its date, nothing else.

Not the title and not the clerk's reason: a record is withdrawn because something in it (its title
included) must not be public, and the reason may name what that is.
"""

from __future__ import annotations

from flask import abort

from .context import get_store


def notice(record_id: str) -> str | None:
    """The public notice of a withdrawn record; None when it is not withdrawn."""
    found = get_store().withdrawal(record_id)
    if found is None:
        return None
    return (f"이 기록은 {found.at[:10]}에 공개 목록에서 철회되었습니다. "
            f"This record was withdrawn from public access on {found.at[:10]}.")


def missing(record_id: str):
    """Stop with 410 for a withdrawn record, 404 otherwise (the caller found no public record)."""
    text = notice(record_id)
    if text is not None:
        abort(410, description=text)
    abort(404)
