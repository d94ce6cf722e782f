"""Refusals in two languages: a message id and its parameters, worded where they are shown.

A refusal raised below the web (a clerk's change, a query, a comment, an account action) reaches
both the command line and the pages. It carries `msgid` (Korean, the catalogs' source language, as
every template string) and `params`; the web words it in the reader's language
(web/i18n.refusal_text), while `str()` stays what the command line has always printed: English
("en", the default), Korean then English ("both"), or Korean ("ko").

The English is translations/en/LC_MESSAGES/messages.po's own, read from the .po as it is (not a
compiled .mo): the command line must not depend on `make catalogs` having run, nor on a stale .mo.
`N_` marks the msgid for `make messages` (babel.cfg extracts archive/, index/ and the services).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MODES = ("en", "both", "ko")


def N_(msgid: str) -> str:
    """Mark a message for the catalogs; worded where it is shown."""
    return msgid


@cache
def _english() -> dict[str, str]:
    from babel.messages.pofile import read_po

    try:
        with CATALOG.open("rb") as handle:
            catalog = read_po(handle, locale="en")
    except OSError:  # a deployment without its catalogs: the Korean, never a crash
        return {}
    return {m.id: m.string for m in catalog if isinstance(m.id, str) and m.id and m.string and not m.fuzzy}


def english(msgid: str) -> str:
    """The English catalog's wording of `msgid` (the msgid itself when it has none)."""
    return _english().get(msgid) or msgid


class Words(tuple):
    """A parameter that is itself catalog words (archive.pii.KINDS' names): each worded, joined by commas."""


class Refusal:
    """Mixin for an exception: `Refused(N_("…%(x)s…"), x=…)`, `cli=` to print other than the class's way."""

    cli = "en"

    def __init__(self, msgid: str, /, *, cli: str | None = None, **params):
        if cli is not None:
            if cli not in MODES:
                raise ValueError(f"cli must be one of {MODES}")
            self.cli = cli
        self.msgid, self.params = msgid, params
        super().__init__(msgid)

    def worded(self, translate: Callable[[str], str]) -> str:
        """The message in the language `translate` words msgids in (flask_babel.gettext on the web);
        a parameter that is a refusal itself (a batch's ZipTooLarge) worded with it."""
        params = {k: v.worded(translate) if isinstance(v, Refusal) else
                  ", ".join(translate(w) for w in v) if isinstance(v, Words) else v for k, v in self.params.items()}
        return translate(self.msgid) % params

    def korean(self) -> str:
        return self.worded(str)

    def english(self) -> str:
        return self.worded(english)

    def __str__(self) -> str:
        korean = self.korean()
        if self.cli == "ko" or (self.cli == "both" and self.msgid not in _english()):
            return korean  # "both" with no English yet: never the Korean twice
        return f"{korean} {self.english()}" if self.cli == "both" else self.english()
