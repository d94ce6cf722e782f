"""Readers' comments (댓글, issue 13 item 6): submit, approve, remove — one service function each.

The web (web/comments.py) calls these; the SQL is archive/store/comments.py. Threats, and the answer
to each:

- Personal data published by a reader about someone (or about themselves): a comment holding a
  resident registration number, any phone number or a private e-mail address is refused with the
  reason, before anything is stored (archive.pii.find_in_own_words); the display name too.
- Nothing a reader writes is public until a clerk approves it; a clerk may remove it later. Both are
  audited in an append-only log (comment_log; its triggers refuse UPDATE and DELETE).
- Links: refused, not rendered. Comment spam and phishing *are* links; a refused link costs the
  reader one edit, while a stored one costs a clerk a visit to an unknown site to judge it. Pages
  print comments escaped, never autolinked, so a missed address stays inert text.
- Floods: per address (an IPv6 /64 as one), at most 3 comments in 10 minutes and 10 a day; and at
  most 500 waiting for clerks at once from everyone, so many addresses cannot bury the queue.
  Counted and decided in one write transaction (BEGIN IMMEDIATE), so parallel posts cannot pass it.
- The e-mail address is for clerks only: no public query selects it.
- A comment on a withdrawn or unknown record is refused (410 / 404); clerks of other agencies may
  not moderate a record's comments (archive.accounts.authorize, refusals logged).
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from .accounts import User, address_key, authorize
from .messages import N_, Refusal, Words
from .pii import KINDS, find_in_own_words

NAME_MAX, BODY_MIN, BODY_MAX, EMAIL_MAX, REASON_MAX = 40, 2, 1000, 254, 500
WINDOWS = ((600, 3), (86400, 10))  # (seconds, comments) per address
MAX_PENDING = 500  # comments waiting for a clerk, from everyone
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# A link: a scheme, www., or a bare host name ending in a top-level domain (seoul.go.kr, bit.ly/x).
_LINK = re.compile(r"(?i)(?:\b[a-z][a-z0-9+.-]{1,15}://|\bwww\.|\b[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*"
                   r"\.(?:com|net|org|kr|io|ly|me|co|info|biz|xyz|top|gl|be|to|site|online|shop|app|dev)\b)")
# Controls (but the line breaks and tabs of a text) and bidirectional controls, which reorder what is shown.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                        "\u2066-\u2069\ud800-\udfff]")


class CommentState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REMOVED = "removed"


class CommentAction(StrEnum):
    """What a clerk did to a comment, as comment_log reads it."""

    APPROVE = "approve"
    REMOVE = "remove"


@dataclass(frozen=True)
class Comment:
    id: int
    record_id: str
    at: str
    display_name: str
    email: str  # clerks only
    body: str
    state: CommentState
    agency: str | None = None  # the record's, for the clerks' scope
    title: str | None = None  # the record's, for the clerks' list
    decided_at: str | None = None
    decided_by: str | None = None


class CommentRefused(Refusal, ValueError):
    """A comment not taken, with the reason (archive.messages: the reader's language); `status` is the HTTP answer."""

    cli = "both"

    def __init__(self, msgid: str, /, status: int = 400, retry_after: int | None = None, **params):
        super().__init__(msgid, **params)
        self.status, self.retry_after = status, retry_after


def _clean(value: str | None, one_line: bool) -> str:
    text = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if m := _BAD_CHARS.search(text) or (one_line and re.search(r"[\n\t]", text)):
        raise CommentRefused(N_("쓸 수 없는 문자(U+%(code)s)가 있습니다."), code=f"{ord(m.group()):04X}")
    return text


# What a reader sees as a dot or a digit, written so that the patterns would miss it: 。 (browsers and
# IDNA read it as a dot), a "defanged" [.] or (.), the +82 country code, a mobile prefix in Hangul words.
_DOTS = re.compile(r"\s*(?:\[\.\]|\(\.\)|\[dot\]|\(dot\)|\s dot\s)\s*|[\u3002\uff0e\uff61]", re.IGNORECASE)
_COUNTRY = re.compile(r"(?:\+|\b00)\s?82[-. ]*(?:\(0\)[-. ]*)?0?(?=\d)")
_SPOKEN = {"공": "0", "영": "0", "일": "1", "육": "6", "칠": "7", "팔": "8", "구": "9"}
_SPOKEN_PREFIX = re.compile("[공영]일[공영육칠팔구]")


def _as_read(text: str) -> str:
    """The text as a reader would read it out: NFKC (full-width digits and letters), dots and numbers
    written around the patterns made plain. Only checked, never stored: the comment keeps its own words."""
    text = unicodedata.normalize("NFKC", text)
    text = _DOTS.sub(".", text)
    text = _COUNTRY.sub("0", text)
    return _SPOKEN_PREFIX.sub(lambda m: "".join(_SPOKEN[c] for c in m.group()), text)


def check(name: str | None, email: str | None, body: str | None) -> tuple[str, str, str]:
    """The comment's fields cleaned, or CommentRefused saying what to change (nothing is stored)."""
    name, email, body = _clean(name, True), _clean(email, True), _clean(body, False)
    if not 1 <= len(name) <= NAME_MAX:
        raise CommentRefused(N_("이름은 1~%(max)s자로 적어 주십시오."), max=NAME_MAX)
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise CommentRefused(N_("전자우편 주소를 확인해 주십시오 (담당자만 봅니다)."))
    if not BODY_MIN <= len(body) <= BODY_MAX:
        raise CommentRefused(N_("댓글은 %(min)s~%(max)s자로 적어 주십시오."), min=BODY_MIN, max=BODY_MAX)
    for text in (name, body):
        text = _as_read(text)
        if found := find_in_own_words(text):
            kinds = Words(dict.fromkeys(KINDS[f.kind] for f in found))
            raise CommentRefused(N_("개인정보(%(kinds)s)가 들어 있어 받을 수 없습니다: 지우고 다시 보내 주십시오."),
                                 kinds=kinds)
        if _LINK.search(text):
            raise CommentRefused(N_("링크(인터넷 주소)는 받지 않습니다: 주소 없이 적어 주십시오."))
    return name, email, body


def _wait(store, address: str, now: float) -> int:
    """Seconds until this address may comment again; 0 when it may now."""
    waits = []
    for seconds, allowed in WINDOWS:
        count, oldest = store.comment_attempts(address, now - seconds, allowed)
        if count >= allowed:
            waits.append(int(oldest + seconds - now) + 1)
    return max(waits, default=0)


def submit(store, record_id: str, name: str | None, email: str | None, body: str | None, address: str,
           now: float | None = None) -> int:
    """Keep a reader's comment for a clerk to approve; return its id, or raise CommentRefused."""
    name, email, body = check(name, email, body)
    if not store.is_public_record(record_id):
        withdrawn = store.get(record_id, withdrawn=True) is not None
        raise CommentRefused(N_("철회된 기록에는 댓글을 달 수 없습니다.") if withdrawn
                             else N_("그런 기록이 없습니다."), 410 if withdrawn else 404)
    address = address_key(address)
    with store.transaction():  # BEGIN IMMEDIATE: parallel posts are counted one after another
        now = time.time() if now is None else now
        if wait := _wait(store, address, now):
            raise CommentRefused(N_("댓글이 너무 잦습니다. %(wait)s초 뒤에 다시 보내 주십시오."), 429, wait, wait=wait)
        if store.pending_comment_count() >= MAX_PENDING:
            raise CommentRefused(N_("검토를 기다리는 댓글이 많아 지금은 받지 않습니다. 나중에 다시 보내 주십시오."),
                                 429, 3600)
        store.forget_comment_attempts(now - max(s for s, _ in WINDOWS))
        store.record_comment_attempt(now, address)
        return store.insert_comment(record_id, _iso(now), name, email, body)


def _iso(now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now))


def _decide(store, clerk: User | str, comment_id: int, action: CommentAction, to: CommentState,
            allowed_from: tuple[CommentState, ...], reason: str) -> Comment:
    comment = store.comment(comment_id)
    if comment is None:
        raise CommentRefused(N_("그런 댓글이 없습니다."), 404)
    user = authorize(store, clerk, comment.agency, f"{action.value} comment {comment_id}", comment.record_id)
    reason = _clean(reason, False)[:REASON_MAX]
    if not store.set_comment_state(comment_id, allowed_from, to, user.name, _iso(time.time()), action, reason):
        raise CommentRefused(N_("이미 처리된 댓글입니다."), 409)
    return store.comment(comment_id)


def approve(store, clerk: User | str, comment_id: int) -> Comment:
    """Publish a waiting comment on its record's page and JSON; audited."""
    return _decide(store, clerk, comment_id, CommentAction.APPROVE, CommentState.APPROVED,
                   (CommentState.PENDING,), "")


def remove(store, clerk: User | str, comment_id: int, reason: str = "") -> Comment:
    """Take a comment away, waiting or published (it stays for the audit, never shown again); audited."""
    return _decide(store, clerk, comment_id, CommentAction.REMOVE, CommentState.REMOVED,
                   (CommentState.PENDING, CommentState.APPROVED), reason)


def public_comments(store, record_id: str) -> list[dict]:
    """What the public may see of a record's comments: approved ones, name, text and date only."""
    return [{"name": c.display_name, "text": c.body, "date": c.at[:10]}
            for c in store.comments_of(record_id, CommentState.APPROVED)]


def for_clerk(store, user: User, state: CommentState, limit: int = 100) -> list[Comment]:
    """Comments in a state on records of the agencies this clerk acts for (all for admins, unscoped clerks)."""
    return store.comments_for_clerks(state, list(user.agencies) if user.scoped else None, limit)
