"""The clerks' workspace over HTTP: login, CSRF, changes taking effect everywhere at once."""

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from archive.store import Store
from tests.builders import batch, record
from tests.conftest import CLERK, csrf_token, log_in, make_app
from tests.web.uploading import upload
from tools.docmaker import zip_folder

SEED = "D0000032552803"


def test_anonymous_clerk_pages_go_to_login(clerk_app):
    client = clerk_app.test_client()
    for path in ["/clerk/", f"/clerk/records/{SEED}", f"/clerk/records/{SEED}/attachments/2/original",
                 "/clerk/ingest"]:
        response = client.get(path)
        assert response.status_code == 302 and "/clerk/login" in response.headers["Location"], path
    response = client.post(f"/clerk/records/{SEED}/attachments/1/withhold", data={"reason": "x"})
    assert response.status_code in (302, 400)
    assert Store(Path(clerk_app.config["DATA_DIR"])).get(SEED).attachment(1).disclosure.value == "public"


def test_wrong_password_then_throttle(clerk_app):
    client = clerk_app.test_client()
    assert log_in(client, password="wrong password").status_code == 401
    for _ in range(5):
        log_in(client, password="wrong password")
    response = log_in(client)  # right password, but the account is paused
    assert response.status_code == 429 and "너무 많습니다" in response.get_data(as_text=True)


def test_login_rejects_foreign_next(clerk_app):
    client = clerk_app.test_client()
    token = csrf_token(client, "/clerk/login")
    response = client.post("/clerk/login?next=https://evil.example/", data={
        "csrf_token": token, "name": CLERK, "password": "correct horse battery"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/clerk/")


def test_missing_csrf_token_is_refused_and_nothing_changes(clerk_app):
    client = clerk_app.test_client()
    assert log_in(client).status_code == 302
    response = client.post(f"/clerk/records/{SEED}/attachments/1/withhold",
                           data={"grounds": ["6"], "reason": "CSRF 없이"})
    assert response.status_code == 400 and "보안 토큰" in response.get_data(as_text=True)
    store = Store(Path(clerk_app.config["DATA_DIR"]))
    assert store.get(SEED).attachment(1).disclosure.value == "public"
    assert store.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0


def withhold(client, n=1, grounds=("6",), reason="개인정보 포함 확인"):
    token = csrf_token(client, f"/clerk/records/{SEED}")
    return client.post(f"/clerk/records/{SEED}/attachments/{n}/withhold",
                       data={"csrf_token": token, "grounds": list(grounds), "reason": reason})


def release(client, n=1, reason="검토 완료", confirm=False):
    token = csrf_token(client, f"/clerk/records/{SEED}")
    data = {"csrf_token": token, "reason": reason}
    if confirm:
        data["confirm_personal_data"] = "y"
    return client.post(f"/clerk/records/{SEED}/attachments/{n}/release", data=data)


def public_view_of_seed(client) -> dict:
    return {
        "search": client.get("/api/search?q=버튼업").get_json()["total"],
        "original": client.get(f"/records/{SEED}/attachments/1/original").status_code,
        "pdf": client.get(f"/records/{SEED}/attachments/1/pdf").status_code,
        "text": client.get(f"/records/{SEED}/attachments/1/text").status_code,
        "level": client.get(f"/api/records/{SEED}").get_json()["disclosure"]["label"],
        "page_has_body": "버튼업" in client.get(f"/records/{SEED}").get_data(as_text=True),
    }


def test_withhold_and_release_take_effect_everywhere_at_once(clerk_app):
    clerk, visitor = clerk_app.test_client(), clerk_app.test_client()
    log_in(clerk)
    assert public_view_of_seed(visitor) == {"search": 1, "original": 200, "pdf": 200, "text": 200,
                                            "level": "부분공개(6)", "page_has_body": True}
    response = withhold(clerk, grounds=("5", "6"))
    assert response.status_code == 302
    assert public_view_of_seed(visitor) == {"search": 0, "original": 451, "pdf": 451, "text": 451,
                                            "level": "비공개(5,6)", "page_has_body": False}
    page = visitor.get(f"/records/{SEED}").get_data(as_text=True)
    assert "공개 변경 이력" in page and "공개 → 비공개" in page
    assert CLERK not in page and "개인정보 포함 확인" not in page  # no clerk name, no reason
    history = visitor.get(f"/api/records/{SEED}").get_json()["history"]
    assert history[0]["to"] == "withheld" and "clerk" not in history[0] and "reason" not in history[0]
    assert release(clerk).status_code == 302
    assert public_view_of_seed(visitor)["search"] == 1
    trail = clerk.get(f"/clerk/records/{SEED}").get_data(as_text=True)
    assert trail.count("개인정보 포함 확인") == 1 and "검토 완료" in trail and CLERK in trail


def test_empty_reason_or_no_ground_is_refused(clerk_app):
    client = clerk_app.test_client()
    log_in(client)
    assert withhold(client, reason="").status_code == 400
    assert withhold(client, grounds=()).status_code == 400
    assert withhold(client, grounds=("42",)).status_code == 400
    assert Store(Path(clerk_app.config["DATA_DIR"])).db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0


def test_release_of_flagged_attachment_needs_confirmation(clerk_app):
    client = clerk_app.test_client()
    log_in(client)
    dashboard = client.get("/clerk/").get_data(as_text=True)
    assert "010-****-7741" in dashboard and "010-5512-7741" not in dashboard
    response = release(client, n=2)
    assert response.status_code == 409 and "개인정보" in response.get_data(as_text=True)
    assert clerk_app.test_client().get(f"/records/{SEED}/attachments/2/original").status_code == 451
    assert release(client, n=2, confirm=True).status_code == 302
    assert clerk_app.test_client().get(f"/records/{SEED}/attachments/2/original").status_code == 200
    trail = client.get(f"/clerk/records/{SEED}").get_data(as_text=True)
    assert "개인정보 확인함" in trail


def test_clerk_may_open_a_withheld_original(clerk_app):
    client = clerk_app.test_client()
    log_in(client)
    response = client.get(f"/clerk/records/{SEED}/attachments/3/original")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store, private"


def test_web_ingest_shows_the_cli_report(clerk_app, tmp_path):
    root = batch(tmp_path / "upload", (record(id="W-1"), {"본문.txt": "웹으로 올린 기록"}),
                 (record(id="W-BAD", produced="어제"), {"본문.txt": "x"}))
    data = zip_folder(root, tmp_path / "b.zip").read_bytes()
    client = clerk_app.test_client()
    log_in(client)
    response = upload(client, clerk_app, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "추가 1" in page and "거부 1" in page and "produced:" in page
    assert clerk_app.test_client().get("/api/search?q=웹으로").get_json()["total"] == 1
    assert "b.zip" in client.get("/clerk/").get_data(as_text=True)


@pytest.mark.slow
def test_web_ingest_refuses_a_zip_bomb(clerk_app, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("R/record.json", b"{" + b" " * (50 * 1024 * 1024) + b"}")
    client = clerk_app.test_client()
    log_in(client)
    response = upload(client, clerk_app, bomb.read_bytes(), "bomb.zip")
    assert response.status_code == 200 and "읽을 수 없는 묶음" in response.get_data(as_text=True)


def test_upload_size_limit(tmp_path):
    app = make_app(tmp_path / "s", MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/clerk/ingest", data={"batch": (io.BytesIO(b"x" * 4096), "b.zip")},
                                      content_type="multipart/form-data")
    assert response.status_code == 413


def test_secret_key_is_made_once_with_mode_600_and_cookies_are_strict(tmp_path):
    from app import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "s")})
    key_file = tmp_path / "s" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app({"DATA_DIR": str(tmp_path / "s")}).config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    os.chmod(key_file, 0o644)
    try:
        create_app({"DATA_DIR": str(tmp_path / "s")})
    except RuntimeError as exc:
        assert "readable by others" in str(exc)
    else:
        raise AssertionError("a world-readable key must stop the start")


def test_a_copy_covered_by_a_hold_elsewhere_says_so(clerk_app, tmp_path):
    runner = clerk_app.test_cli_runner()
    root = batch(tmp_path / "b", (record(id="X-1", attachments=[{"file": "a.txt", "disclosure": "public"}]),
                                  {"a.txt": "같은 내용의 파일"}),
                 (record(id="X-2", attachments=[{"file": "b.txt", "disclosure": "public"}]),
                  {"b.txt": "같은 내용의 파일"}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert runner.invoke(args=["disclose", "X-1", "1", "--withhold", "--ground", "6", "--reason", "r",
                               "--clerk", CLERK]).exit_code == 0
    client = clerk_app.test_client()
    log_in(client)
    page = client.get("/clerk/records/X-2").get_data(as_text=True)
    assert "다른 기록에서 비공개되어" in page
    assert "/clerk/records/X-2/attachments/1/withhold" not in page
    assert "/clerk/records/X-2/attachments/1/release" not in page
