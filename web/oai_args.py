"""OAI-PMH arguments: which verb takes which, dates, sets and resumption tokens (signed, expiring).

Everything here is untrusted input: each value is checked before the store sees it, and a
resumption token is an itsdangerous signature over the harvest's state, so a forged, altered or
expired token is badResumptionToken without any query being run.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

PAGE_SIZE = 100
TOKEN_SECONDS = 24 * 3600
MAX_TOKEN = 2048
MAX_VALUE = 1000

ALLOWED = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SET_PART = re.compile(r"^[A-Za-z0-9_-]{1,400}$")


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Harvest:
    """A ListRecords/ListIdentifiers question: bounds as stored times, and where the last page ended."""

    prefix: str
    set_spec: str | None = None
    since: str | None = None  # stored form: 2024-01-15T00:00:00+00:00
    until: str | None = None
    after: tuple[str, str] | None = None
    cursor: int = 0
    total: int | None = None


def checked(verb_args: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    """Return (verb, arguments) or raise badVerb / badArgument."""
    verbs = verb_args.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in ALLOWED:
        raise OaiError("badVerb", "verb is missing, repeated or not an OAI-PMH verb")
    verb = verbs[0]
    args = {k: v for k, v in verb_args.items() if k != "verb"}
    required, optional = ALLOWED[verb]
    if any(len(values) != 1 for values in args.values()):
        raise OaiError("badArgument", "an argument is repeated")
    flat = {k: v[0] for k, v in args.items()}
    if any(len(v) > MAX_VALUE for k, v in flat.items() if k != "resumptionToken"):  # a token: read_token
        raise OaiError("badArgument", "an argument is too long")
    if unknown := set(flat) - required - optional:
        raise OaiError("badArgument", f"illegal argument(s) for {verb}: {', '.join(sorted(unknown))[:200]}")
    if "resumptionToken" in flat:
        if len(flat) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
        return verb, flat
    if missing := required - set(flat):
        raise OaiError("badArgument", f"missing argument(s) for {verb}: {', '.join(sorted(missing))}")
    return verb, flat


def bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """from/until as stored times (inclusive); a day covers the whole day. badArgument when malformed."""
    kinds = {_granularity(v) for v in (since, until) if v is not None}
    if len(kinds) > 1:
        raise OaiError("badArgument", "from and until must have the same granularity")
    lo = _stored(since, "00:00:00") if since else None
    hi = _stored(until, "23:59:59") if until else None
    if lo and hi and lo > hi:
        raise OaiError("badArgument", "from is later than until")
    return lo, hi


def _granularity(value: str) -> str:
    if DAY.match(value):
        return "day"
    if SECOND.match(value):
        return "second"
    raise OaiError("badArgument", "dates are YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def _stored(value: str, time_of_day: str) -> str:
    try:
        if DAY.match(value):
            moment = datetime.strptime(f"{value}T{time_of_day}", "%Y-%m-%dT%H:%M:%S")
        else:
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise OaiError("badArgument", "not a date") from None
    return moment.replace(tzinfo=UTC).isoformat()


# -- sets: agency:<name>, class:<top classification>; names as unpadded base64url (setSpec is ASCII) --

def encode_name(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii").rstrip("=")


def decode_set(spec: str) -> tuple[str, str | None]:
    """Return (kind, name) of a setSpec: ('agency', name), ('class', top), or a parent with name None."""
    kind, _, encoded = spec.partition(":")
    if kind not in ("agency", "class"):
        raise OaiError("badArgument", "sets are agency, agency:…, class and class:…")
    if not encoded:
        return kind, None
    if not SET_PART.match(encoded):
        raise OaiError("badArgument", "not a set of this repository")
    try:
        name = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise OaiError("badArgument", "not a set of this repository") from None
    return kind, name


# -- resumption tokens ---------------------------------------------------------------------

def _signer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="yeollam-oai-pmh-resumption")


def make_token(secret: str, harvest: Harvest) -> str:
    return _signer(secret).dumps([harvest.prefix, harvest.set_spec, harvest.since, harvest.until,
                                  list(harvest.after or ()), harvest.cursor, harvest.total])


def expiry() -> str:
    return (datetime.now(UTC) + timedelta(seconds=TOKEN_SECONDS)).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_token(secret: str, token: str) -> Harvest:
    """The harvest a token continues; badResumptionToken for anything this repository did not sign."""
    if len(token) > MAX_TOKEN:
        raise OaiError("badResumptionToken", "the resumption token is not valid")
    try:
        state = _signer(secret).loads(token, max_age=TOKEN_SECONDS)
        prefix, set_spec, since, until, after, cursor, total = state
        harvest = Harvest(prefix, set_spec, since, until, (after[0], after[1]), int(cursor), int(total))
    except (BadData, TypeError, ValueError, IndexError, KeyError):
        raise OaiError("badResumptionToken", "the resumption token is not valid or has expired") from None
    if not all(isinstance(v, str) for v in (prefix, *harvest.after)):
        raise OaiError("badResumptionToken", "the resumption token is not valid")
    return harvest
