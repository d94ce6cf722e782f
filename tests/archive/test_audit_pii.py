import sqlite3

import pytest

from archive import audit
from archive.disclosure import Disclosure
from archive.pii import find_personal_data, rrn_is_valid
from archive.store import Store


def test_audit_log_is_append_only(tmp_path):
    store = Store(tmp_path)
    store.append_audit(at="2026-01-01T00:00:00", clerk="kim", record_id="R", attachment_n=1,
                       attachment_name="a.hwpx", old_level=Disclosure.PUBLIC,
                       new_level=Disclosure.WITHHELD, grounds=[6], reason="개인정보")
    # the database itself refuses, whatever code runs the statement
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE audit SET reason = 'rewritten'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM audit")
    assert [e.reason for e in store.audit_of_record("R")] == ["개인정보"]
    # and neither the store nor the module offers a way to change the past
    for names in (dir(audit), dir(store)):
        assert not [n for n in names if "audit" in n and n.startswith(("update", "delete", "remove", "edit"))]
    store.close()


def test_public_history_has_no_clerk_or_reason(tmp_path):
    store = Store(tmp_path)
    store.append_audit(at="2026-01-01T09:00:00", clerk="kim", record_id="R", attachment_n=2,
                       attachment_name="명부.pdf", old_level=Disclosure.PUBLIC,
                       new_level=Disclosure.WITHHELD, grounds=[6], reason="비밀 사유")
    history = audit.public_history(store.audit_of_record("R"))
    store.close()
    assert history == [{"date": "2026-01-01", "attachment": "명부.pdf", "n": 2, "from": "public",
                        "to": "withheld", "grounds": [6]}]


def _rrn(first12: str) -> str:
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    check = (11 - sum(int(d) * w for d, w in zip(first12, weights, strict=True)) % 11) % 10
    return f"{first12[:6]}-{first12[6:]}{check}"


def test_resident_numbers_need_a_valid_check_digit():
    valid = _rrn("800101123456")
    assert rrn_is_valid(valid.replace("-", ""))
    assert [f.masked for f in find_personal_data(f"주민등록번호 {valid}")] == ["800101-1******"]
    wrong = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert find_personal_data(f"주민등록번호 {wrong}") == []


def test_phones_and_mail_of_private_persons_only():
    text = ("담당자 전화 02-2133-6554, 민원인 자택 031-555-0192, 휴대전화 010-5512-7741, "
            "문의 seoul@seoul.go.kr, 제보 hong.gildong@gmail.com")
    found = {(f.kind, f.masked) for f in find_personal_data(text)}
    assert found == {("phone", "031-****-0192"), ("mobile", "010-****-7741"), ("email", "h***@gmail.com")}


def test_mail_scan_finds_what_the_plain_pattern_finds():
    """The linear e-mail scan yields the matches of the plain (quadratic) pattern, in order."""
    import random
    import re

    from archive.pii import _emails

    plain = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
    rng = random.Random(7)
    for _ in range(50_000):
        text = "".join(rng.choice("ab1.-@_ %+Z한") for _ in range(rng.randint(0, 30)))
        assert list(_emails(text)) == [m.group(0) for m in plain.finditer(text)], text
    text = "a@b.com-x@c.com, 문의(hong.gildong@gmail.com) " + "x" * 100 + "@naver.com"
    assert {f.masked for f in find_personal_data(text)} == {
        "a***@b.com", "-***@c.com", "h***@gmail.com", "x***@naver.com"}
