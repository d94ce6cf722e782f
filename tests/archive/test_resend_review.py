"""A re-send never republishes what a clerk withheld, whatever the agency renamed or re-saved.

When a record that carries a clerk's withhold (or personal data no clerk has cleared) comes again,
every file the batch calls public that is not byte for byte one that was public before stays
withheld, held for review (재송부 검토 대기), until a clerk decides.
"""

import unicodedata

import pytest

from tests.builders import batch, hwpx_bytes, record
from tests.conftest import CLERK, log_in

SECRET = "참석자 명단 CANARYRESEND41 연락처 010-2233-4455"
PUBLIC_TEXT = "회의 결과 공개 본문"


def disclose(runner, record_id, n, *options, reason="검토"):
    return runner.invoke(args=["disclose", record_id, str(n), *options, "--reason", reason, "--clerk", CLERK])


def ingest(runner, root):
    result = runner.invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output
    return result


def search_total(client, q):
    return client.get("/api/search", query_string={"q": q}).get_json()["total"]


def first_version(app, tmp_path):
    """R-1: a public body and a public attendee list; a clerk then withholds the list (ground 6)."""
    runner = app.test_cli_runner()
    files = {"본문.txt": PUBLIC_TEXT, "참석자명단.hwpx": hwpx_bytes(tmp_path, SECRET)}
    attachments = [{"file": "본문.txt", "disclosure": "public"}, {"file": "참석자명단.hwpx", "disclosure": "public"}]
    ingest(runner, batch(tmp_path / "v1", (record(id="R-1", attachments=attachments), files)))
    assert search_total(app.test_client(), "CANARYRESEND41") == 1
    assert disclose(runner, "R-1", 2, "--withhold", "--ground", "6", reason="전화번호").exit_code == 0
    return files


def resend(app, tmp_path, name, content, label="v2", extra=None):
    files = {"본문.txt": PUBLIC_TEXT, name: content, **(extra or {})}
    attachments = [{"file": n, "disclosure": "public"} for n in files]
    return ingest(app.test_cli_runner(), batch(tmp_path / label, (record(id="R-1", attachments=attachments), files)))


def assert_not_public(app, n, canary="CANARYRESEND41"):
    client = app.test_client()
    for kind in ("original", "pdf", "text"):
        assert client.get(f"/records/R-1/attachments/{n}/{kind}").status_code == 451, kind
    assert search_total(client, canary) == 0
    assert search_total(client, "4455") == 0
    shown = client.get("/records/R-1").get_data(as_text=True) + client.get("/api/records/R-1").get_data(as_text=True)
    assert canary not in shown and "2233-4455" not in shown
    data = client.get("/api/records/R-1").get_json()
    assert data["attachments"][n - 1]["disclosure"] == "withheld"


@pytest.mark.parametrize("name", ["참석자명단(최종).hwpx", "참석자명단(수정).hwpx",
                                  unicodedata.normalize("NFD", "참석자명단.hwpx"), "참석자명단.hwpx"])
def test_an_edited_resend_stays_withheld_under_any_name(clerk_app, tmp_path, name):
    first_version(clerk_app, tmp_path)
    edited = hwpx_bytes(tmp_path, SECRET + "\n추가된 참석자 한 줄")
    result = resend(clerk_app, tmp_path, name, edited)
    assert "재송부 검토 대기" in result.output and "held for review" in result.output
    assert_not_public(clerk_app, 2)
    # the public body, the same bytes as before, stays public
    assert clerk_app.test_client().get("/records/R-1/attachments/1/original").status_code == 200


def test_a_resaved_file_with_the_same_text_is_held_too(clerk_app, tmp_path):
    files = first_version(clerk_app, tmp_path)
    resaved = hwpx_bytes(tmp_path, SECRET, title="다시 저장")
    assert resaved != files["참석자명단.hwpx"]
    resend(clerk_app, tmp_path, "참석자명단.hwpx", resaved)
    assert_not_public(clerk_app, 2)


def test_a_file_new_in_the_resend_is_held_and_the_json_report_says_so(clerk_app, tmp_path):
    first_version(clerk_app, tmp_path)
    files = {"본문.txt": PUBLIC_TEXT, "새명단.txt": "새로운 명단 CANARYNEWFILE63"}
    root = batch(tmp_path / "v2", (record(id="R-1", attachments=[
        {"file": n, "disclosure": "public"} for n in files]), files))
    result = clerk_app.test_cli_runner().invoke(args=["ingest", "--json", str(root)])
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.output[result.output.index("{"):])
    assert report["held_for_review"] == 1 and report["records"][0]["held"] == ["새명단.txt"]
    assert search_total(clerk_app.test_client(), "CANARYNEWFILE63") == 0


def test_a_held_file_waits_for_a_clerk_and_release_needs_the_personal_data_confirmation(clerk_app, tmp_path):
    first_version(clerk_app, tmp_path)
    resend(clerk_app, tmp_path, "참석자명단(최종).hwpx", hwpx_bytes(tmp_path, SECRET + "\n한 줄"))
    client = clerk_app.test_client()
    log_in(client)
    dashboard = client.get("/clerk/").get_data(as_text=True)
    assert "재송부 검토 대기" in dashboard and "참석자명단(최종).hwpx" in dashboard
    assert "재송부 검토 대기" in client.get("/clerk/records/R-1").get_data(as_text=True)
    runner = clerk_app.test_cli_runner()
    refused = disclose(runner, "R-1", 2, "--release")
    assert refused.exit_code == 1 and "personal data" in refused.output
    assert_not_public(clerk_app, 2)
    assert disclose(runner, "R-1", 2, "--release", "--confirm-personal-data").exit_code == 0
    assert search_total(clerk_app.test_client(), "CANARYRESEND41") == 1
    assert "검토할 파일이 없습니다" in client.get("/clerk/").get_data(as_text=True)


def test_a_clerk_can_turn_a_held_file_into_a_withhold_of_their_own(clerk_app, tmp_path):
    first_version(clerk_app, tmp_path)
    resend(clerk_app, tmp_path, "참석자명단(최종).hwpx", hwpx_bytes(tmp_path, SECRET + "\n한 줄"))
    runner = clerk_app.test_cli_runner()
    assert disclose(runner, "R-1", 2, "--withhold", "--ground", "6").exit_code == 0
    assert_not_public(clerk_app, 2)
    # and the decision now follows these bytes: a third re-send under yet another name stays withheld
    client = clerk_app.test_client()
    log_in(client)
    assert "재송부 검토 대기" not in client.get("/clerk/records/R-1").get_data(as_text=True)
    third = resend(clerk_app, tmp_path, "명단_v3.hwpx", hwpx_bytes(tmp_path, SECRET + "\n세 줄"), label="v3")
    assert "재송부 검토 대기" in third.output
    assert_not_public(clerk_app, 2)


def test_a_second_resend_before_the_clerk_decides_is_still_held(clerk_app, tmp_path):
    first_version(clerk_app, tmp_path)
    resend(clerk_app, tmp_path, "참석자명단(최종).hwpx", hwpx_bytes(tmp_path, SECRET + "\n한 줄"))
    resend(clerk_app, tmp_path, "참석자명단(최최종).hwpx", hwpx_bytes(tmp_path, SECRET + "\n두 줄"), label="v3")
    assert_not_public(clerk_app, 2)


def test_uncleared_personal_data_holds_a_resend(app, tmp_path):
    """No clerk acted, but the record held a mobile number nobody cleared: fail closed."""
    runner = app.test_cli_runner()
    v1 = {"명단.txt": "민원인 휴대전화 010-9876-5432 CANARYPII27"}
    ingest(runner, batch(tmp_path / "v1", (record(id="R-1", attachments=[
        {"file": "명단.txt", "disclosure": "public"}]), v1)))
    v2 = {"명단(수정).txt": "민원인 휴대전화 010-9876-5432 CANARYPII27 수정"}
    result = ingest(runner, batch(tmp_path / "v2", (record(id="R-1", attachments=[
        {"file": "명단(수정).txt", "disclosure": "public"}]), v2)))
    assert "재송부 검토 대기" in result.output
    assert app.test_client().get("/records/R-1/attachments/1/original").status_code == 451


def test_a_resend_of_a_record_nobody_acted_on_stays_as_the_agency_says(app, tmp_path):
    runner = app.test_cli_runner()
    ingest(runner, batch(tmp_path / "v1", (record(id="R-1"), {"본문.txt": "처음 본문"})))
    result = ingest(runner, batch(tmp_path / "v2", (record(id="R-1", attachments=[
        {"file": "본문(최종).txt", "disclosure": "public"}]), {"본문(최종).txt": "고친 본문 CANARYPLAIN15"})))
    assert "재송부 검토 대기" not in result.output
    assert search_total(app.test_client(), "CANARYPLAIN15") == 1


def test_an_ingest_made_withhold_purges_the_cached_rendition(clerk_app, tmp_path):
    """The same-bytes rule withholds a file whose PDF was cached while public: the PDF goes."""
    from pathlib import Path

    runner = clerk_app.test_cli_runner()
    text = "나중에 다른 기록에서 비공개될 내용 CANARYCACHE70"
    ingest(runner, batch(tmp_path / "a", (record(id="A"), {"본문.txt": text})))
    client = clerk_app.test_client()
    cache = Path(clerk_app.config["DATA_DIR"]) / "renditions"
    before = set(cache.glob("*.pdf"))  # the sample store's copy may hold others' renditions
    assert client.get("/records/A/attachments/1/pdf").status_code == 200
    made = set(cache.glob("*.pdf")) - before
    assert made
    ingest(runner, batch(tmp_path / "b", (record(id="B", disclosure="withheld", attachments=[
        {"file": "사본.txt", "disclosure": "withheld", "grounds": [6]}]), {"사본.txt": text})))
    assert client.get("/records/A/attachments/1/pdf").status_code == 451
    assert not made & set(cache.glob("*.pdf"))  # A's rendition is gone from disk
    assert before <= set(cache.glob("*.pdf"))  # and only it: public files' renditions stay


def atts(*names):
    return [{"file": n, "disclosure": "public"} for n in names]


def test_a_clerk_withhold_made_in_another_record_holds_an_edited_resend_of_its_copy(clerk_app, tmp_path):
    """Found in review: R-2's copy was withheld because of R-1; R-2 re-sent edited went public."""
    runner = clerk_app.test_cli_runner()
    secret = "내부 검토 의견 CANARYXREC 협상 전략"
    ingest(runner, batch(tmp_path / "v1",
                         (record(id="R-1", attachments=atts("본문.txt", "검토의견.txt")),
                          {"본문.txt": "본문 하나", "검토의견.txt": secret}),
                         (record(id="R-2", attachments=atts("안내.txt", "검토의견.txt")),
                          {"안내.txt": "안내 둘", "검토의견.txt": secret})))
    assert disclose(runner, "R-1", 2, "--withhold", "--ground", "5").exit_code == 0
    v2 = {"안내.txt": "안내 둘", "검토의견(최종).txt": secret + "\n한 줄 추가"}
    result = ingest(runner, batch(tmp_path / "v2", (record(id="R-2", attachments=atts(*v2)), v2)))
    assert "재송부 검토 대기" in result.output
    client = clerk_app.test_client()
    assert client.get("/records/R-2/attachments/2/original").status_code == 451
    assert search_total(client, "CANARYXREC") == 0
    assert client.get("/api/records/R-2").get_json()["attachments"][1]["grounds"] == [5]


def test_a_resend_that_leaves_a_held_file_out_does_not_make_the_record_forget(app, tmp_path):
    """Found in review: v2 held, v3 without the file, v4 with v2's very bytes went public."""
    runner = app.test_cli_runner()
    pii = "민원인 휴대전화 010-9876-5432 CANARYAGW"
    ingest(runner, batch(tmp_path / "v1", (record(id="R-1", disclosure="partial", attachments=[
        {"file": "본문.txt", "disclosure": "public"}, {"file": "명단.txt", "disclosure": "withheld", "grounds": [6]}]),
        {"본문.txt": "본문", "명단.txt": pii})))
    v2 = {"본문.txt": "본문", "명단.txt": pii + " v2"}
    held = ingest(runner, batch(tmp_path / "v2", (record(id="R-1", attachments=atts(*v2)), v2)))
    assert "재송부 검토 대기" in held.output
    ingest(runner, batch(tmp_path / "v3", (record(id="R-1"), {"본문.txt": "본문"})))
    result = ingest(runner, batch(tmp_path / "v4", (record(id="R-1", attachments=atts(*v2)), v2)))
    assert "재송부 검토 대기" in result.output
    client = app.test_client()
    assert client.get("/records/R-1/attachments/2/original").status_code == 451
    assert search_total(client, "CANARYAGW") == 0


def test_personal_data_in_a_first_version_watches_every_later_resend(app, tmp_path):
    runner = app.test_cli_runner()
    ingest(runner, batch(tmp_path / "v1", (record(id="R-1", attachments=atts("명단.txt")),
                                           {"명단.txt": "신청인 연락처 010-1111-2222"})))
    ingest(runner, batch(tmp_path / "v2", (record(id="R-1"), {"본문.txt": "명단 없이 보낸 판"})))
    result = ingest(runner, batch(tmp_path / "v3", (record(id="R-1", attachments=atts("명단(최종).txt")),
                                                    {"명단(최종).txt": "신청인 연락처 010-1111-2222 CANARYWATCH"})))
    assert "재송부 검토 대기" in result.output
    assert search_total(app.test_client(), "CANARYWATCH") == 0
