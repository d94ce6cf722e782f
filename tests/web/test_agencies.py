"""Clerks act for their own agencies only (issue 19): every clerk route and command, refused for
a clerk of another agency, through the real app, store, CLI and worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import comments
from archive.store import Store
from tests.builders import batch, record
from tests.conftest import CLERK, PASSWORD, csrf_token, log_in
from tests.web.uploading import upload
from tools.docmaker import zip_folder

SEED = "D0000032552803"  # 서울특별시; attachment 2 holds a private phone number, attachment 3 is withheld
FOREIGN, LOCAL, ADMIN = "park", "lee", "boss"
REFUSED = "기관의 기록을 다룰 수 없습니다"


def _create(app, *args) -> None:
    result = app.test_cli_runner().invoke(args=["users", "create", *args, "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


@pytest.fixture
def scoped_app(clerk_app):
    """kim (made without --agency: acts for all), park for 부산광역시, lee for 서울특별시 and 경기도, boss an admin."""
    _create(clerk_app, FOREIGN, "--role", "clerk", "--agency", "부산광역시")
    _create(clerk_app, LOCAL, "--role", "clerk", "--agency", "서울특별시", "--agency", "경기도")
    _create(clerk_app, ADMIN, "--role", "admin")
    store = _store(clerk_app)  # two readers' comments on SEED, waiting: /clerk/comments/1 and /2
    try:
        for n in (1, 2):
            comments.submit(store, SEED, "시민", "reader@example.com", f"의견 {n}", f"192.0.2.{n}")
    finally:
        store.close()
    return clerk_app


def _store(app) -> Store:
    return Store(Path(app.config["DATA_DIR"]))


def _refusals(app) -> int:
    store = _store(app)
    try:
        return store.db.execute("SELECT count(*) FROM refusals").fetchone()[0]
    finally:
        store.close()


def _client(app, name):
    client = app.test_client()
    assert log_in(client, name).status_code == 302
    return client


def _kims_job(app) -> int:
    client = _client(app, CLERK)
    response = client.post("/clerk/jobs/reindex", data={"csrf_token": csrf_token(client, "/clerk/ingest")})
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


# rule -> (method, path, form data, who else may: the control that must not be refused)
def _scoped(job: int) -> dict:
    return {
        "/clerk/records/<record_id>": ("GET", f"/clerk/records/{SEED}", None, LOCAL),
        "/clerk/records/<record_id>/attachments/<int:n>/original":
            ("GET", f"/clerk/records/{SEED}/attachments/3/original", None, LOCAL),
        "/clerk/records/<record_id>/attachments/<int:n>/withhold":
            ("POST", f"/clerk/records/{SEED}/attachments/1/withhold", {"grounds": ["6"], "reason": "남의 기관"}, LOCAL),
        "/clerk/records/<record_id>/attachments/<int:n>/release":
            ("POST", f"/clerk/records/{SEED}/attachments/3/release", {"reason": "남의 기관"}, LOCAL),
        "/clerk/jobs/<int:job_id>": ("GET", f"/clerk/jobs/{job}", None, CLERK),
        "/clerk/jobs/<int:job_id>.json": ("GET", f"/clerk/jobs/{job}.json", None, CLERK),
        # admins only: a clerk cannot widen its own agencies either
        "/clerk/accounts": ("GET", "/clerk/accounts", None, ADMIN),
        "/clerk/comments/<int:comment_id>/approve": ("POST", "/clerk/comments/1/approve", None, LOCAL),
        "/clerk/comments/<int:comment_id>/remove": ("POST", "/clerk/comments/2/remove", {"reason": "r"}, LOCAL),
        "/clerk/accounts/<name>/agencies":
            ("POST", f"/clerk/accounts/{FOREIGN}/agencies", {"agencies": "서울특별시"}, ADMIN),
        # issue 14: withdrawing and restoring a record
        "/clerk/records/<record_id>/withdrawal": ("GET", f"/clerk/records/{SEED}/withdrawal", None, LOCAL),
        "/clerk/records/<record_id>/withdraw": ("POST", f"/clerk/records/{SEED}/withdraw", {"reason": "r"}, LOCAL),
        "/clerk/records/<record_id>/restore": ("POST", f"/clerk/records/{SEED}/restore", {"reason": "r"}, LOCAL),
    }


# rules that show no one record's withheld parts, and why; a new rule must join one of the two tables
UNSCOPED = {
    "/clerk/login": "before any account",
    "/clerk/logout": "ends one's own session",
    "/clerk/": "its lists are filtered to the clerk's agencies (test_workspace_lists_only_the_clerks_agencies)",
    "/clerk/ingest": "records of other agencies are rejected one by one (test_upload_rejects_other_agencies_records)",
    "/clerk/jobs/reindex": "rebuilds the index; shows no record",
    "/clerk/jobs/ocr": "reads the pending scans; its report names files (public names) and counts, no text",
    "/clerk/comments/": "lists the clerk's agencies' comments only (test_comments.py, scoped clerks)",
    "/clerk/jobs/export": "public content only (the export bag holds public parts only)",
    "/clerk/jobs/<int:job_id>/export.zip": "public content; a scoped clerk's own jobs only (404)",
    # issue 14 item 5: a login's second step, one's own factor, and the admins' account actions
    # (403 for every clerk: tests/web/test_account_admin.py); none shows a record
    "/clerk/login/code": "before the login completes",
    "/clerk/login/enrol": "before the login completes",
    "/clerk/2fa": "one's own second factor",
    "/clerk/accounts/new": "admins only",
    "/clerk/accounts/<name>/disable": "admins only",
    "/clerk/accounts/<name>/enable": "admins only",
    "/clerk/accounts/<name>/password": "admins only",
    "/clerk/accounts/<name>/role": "admins only",
    "/clerk/accounts/<name>/2fa-reset": "admins only",
    # issue 14: each checks the record of every change, hold or selection (tests/review/)
    "/clerk/review": "lists the pending changes and orphaned holds of the clerk's agencies only",
    "/clerk/review/<int:change_id>/approve": "the change's record is checked (test_a_scoped_clerk_is_refused)",
    "/clerk/review/<int:change_id>/reject": "the change's record is checked, as approve",
    "/clerk/orphans/release": "the hold's record is checked (review_services.release_orphan)",
    "/clerk/bulk": "every record of the selection is checked before anything is written",
    "/clerk/audit.csv": "admins only",
}


def _call(client, method: str, path: str, data: dict | None):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(client, "/clerk/ingest"), **(data or {})})


def test_every_clerk_route_is_scoped_or_listed_as_unscoped(scoped_app):
    rules = {r.rule for r in scoped_app.url_map.iter_rules() if r.rule.startswith("/clerk")}
    scoped = set(_scoped(0))
    assert not scoped & set(UNSCOPED)
    assert rules - scoped - set(UNSCOPED) == set(), "a new /clerk/ route: add it to _scoped() or UNSCOPED"
    assert scoped | set(UNSCOPED) >= rules


def test_a_clerk_of_another_agency_is_refused_on_every_scoped_route(scoped_app):
    table = _scoped(_kims_job(scoped_app))
    foreign = _client(scoped_app, FOREIGN)
    for rule, (method, path, data, _) in table.items():
        before = _refusals(scoped_app)
        response = _call(foreign, method, path, data)
        assert response.status_code == 403, (rule, response.status_code)
        if not rule.startswith("/clerk/accounts"):  # the admin pages' own 403
            body = response.get_data(as_text=True)
            assert REFUSED in body or "다른 담당자가 시작한 작업" in body, rule
            assert "010-****-7741" not in body and "010-5512-7741" not in body
            assert _refusals(scoped_app) == before + 1, rule  # the refusal is audited
    store = _store(scoped_app)
    try:
        seed = store.get(SEED)
        assert seed.attachment(1).disclosure.value == "public" and seed.attachment(3).disclosure.value == "withheld"
        assert store.account(FOREIGN).agencies == ("부산광역시",)
        assert store.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0
        logged = store.refusals(clerk=FOREIGN)
        assert {r["action"] for r in logged} >= {"view", "withhold", "release", "open original 3"}
    finally:
        store.close()
    for rule, (method, path, data, who) in table.items():  # the control: whoever may is not refused
        response = _call(_client(scoped_app, who), method, path, data)
        assert response.status_code not in (403, 404), (rule, who, response.status_code)


@pytest.mark.parametrize("action", [["--withhold", "--ground", "6"], ["--release"]])
def test_disclose_by_a_clerk_of_another_agency_exits_1(scoped_app, action):
    runner = scoped_app.test_cli_runner()
    n = "1" if action[0] == "--withhold" else "3"
    result = runner.invoke(args=["disclose", SEED, n, *action, "--reason", "r", "--clerk", FOREIGN])
    assert result.exit_code == 1 and REFUSED in result.output and "does not act for 서울특별시" in result.output
    assert _refusals(scoped_app) == 1
    result = runner.invoke(args=["disclose", SEED, n, *action, "--reason", "r", "--clerk", LOCAL,
                                 "--confirm-personal-data"])
    assert result.exit_code == 0, result.output


# commands that act on records for a clerk, and those that do not (operators' tools, unscoped)
SCOPED_COMMANDS = {"disclose", "approve", "reject", "withdraw", "restore"}  # issue 14's: tests/review/
# pending and audit read the logs (operators' tools); release-due acts on dates clerks set (and a second approved)
UNSCOPED_COMMANDS = {"ingest", "reindex", "reextract", "verify", "users", "worker", "jobs", "export", "ocr", "pending",
                     "audit", "release-due", "migrate-store"}  # migrate-store: an operator moving the store


def test_every_command_is_scoped_or_listed_as_unscoped(scoped_app):
    names = set(scoped_app.cli.list_commands(scoped_app.app_context())) - {"routes", "run", "shell"}
    assert names - SCOPED_COMMANDS - UNSCOPED_COMMANDS == set(), "a new command: scope it or list it"


def test_upload_rejects_other_agencies_records(scoped_app, tmp_path):
    root = batch(tmp_path / "up",
                 (record(id="BUSAN-1", agency="부산광역시"), {"본문.txt": "부산 담당자가 올린 기록"}),
                 (record(id="SEOUL-1", agency="서울특별시"), {"본문.txt": "서울 기록을 부산이 올림"}),
                 # a foreign record re-sent under one's own agency would replace it: refused too
                 (record(id=SEED, agency="부산광역시"), {"본문.txt": "덮어쓰기"}))
    client = _client(scoped_app, FOREIGN)
    page = upload(client, scoped_app, zip_folder(root, tmp_path / "b.zip").read_bytes()).get_data(as_text=True)
    assert "추가 1" in page and "거부 2" in page and "does not act for 서울특별시" in page
    store = _store(scoped_app)
    try:
        assert store.get("BUSAN-1") is not None and store.get("SEOUL-1") is None
        assert store.get(SEED).agency == "서울특별시" and store.get(SEED).title != "덮어쓰기"
        assert {r["record_id"] for r in store.refusals(clerk=FOREIGN)} == {"SEOUL-1", SEED}
    finally:
        store.close()
    # the operator's `ingest` has no clerk: unscoped, as the interface has it
    result = scoped_app.test_cli_runner().invoke(args=["ingest", str(root)])
    assert result.exit_code == 0 and "0 rejected" in result.output, result.output
    assert _store(scoped_app).get("SEOUL-1") is not None


def test_workspace_lists_only_the_clerks_agencies(scoped_app):
    runner = scoped_app.test_cli_runner()
    assert runner.invoke(args=["disclose", SEED, "1", "--withhold", "--ground", "6", "--reason", "서울의 변경",
                               "--clerk", LOCAL]).exit_code == 0
    _kims_job(scoped_app)
    mine, foreign, everyone = (_client(scoped_app, n).get("/clerk/").get_data(as_text=True)
                               for n in (LOCAL, FOREIGN, CLERK))
    for page in (mine, everyone):
        assert "010-****-7741" in page and "서울의 변경" in page
    assert "010-****-7741" not in foreign and "서울의 변경" not in foreign and SEED not in foreign
    assert "색인 다시 만들기</a>" not in foreign and "#1 " not in foreign  # kim's job
    assert "#1 " in everyone
    acting = [page.split("담당 기관", 1)[1][:200] for page in (mine, everyone)]
    assert "서울특별시" in acting[0] and "전체 기관" in acting[1]


def test_admin_sees_and_sets_agencies(scoped_app):
    admin = _client(scoped_app, ADMIN)
    page = admin.get("/clerk/accounts").get_data(as_text=True)
    assert "부산광역시" in page and "경기도, 서울특별시" in page and "전체" in page
    token = csrf_token(admin, "/clerk/accounts")
    no_csrf = admin.post(f"/clerk/accounts/{CLERK}/agencies", data={"agencies": "부산광역시"})
    assert no_csrf.status_code == 400
    response = admin.post(f"/clerk/accounts/{CLERK}/agencies", data={"csrf_token": token, "agencies": "부산광역시\n"})
    assert response.status_code == 303
    assert _client(scoped_app, CLERK).get(f"/clerk/records/{SEED}").status_code == 403  # kim is scoped now
    assert "거부된 요청" in admin.get("/clerk/accounts").get_data(as_text=True)
    runner = scoped_app.test_cli_runner()
    result = runner.invoke(args=["users", "agencies", CLERK])
    assert result.exit_code == 0 and "all agencies" in result.output
    result = runner.invoke(args=["users", "create", "root2", "--role", "admin", "--agency", "경기도",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 1 and "Admins act for all" in result.output


def test_the_refusal_log_is_append_only(scoped_app):
    import sqlite3

    scoped_app.test_cli_runner().invoke(args=["disclose", SEED, "1", "--withhold", "--ground", "6", "--reason",
                                              "r", "--clerk", FOREIGN])
    store = _store(scoped_app)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute("DELETE FROM refusals")
    finally:
        store.close()


def test_a_scoped_clerk_sees_its_warnings_behind_many_newer_ones_of_other_agencies(scoped_app, tmp_path):
    """The lists are filtered in the store's queries: filtering the newest 100 afterwards lost them."""
    others = batch(tmp_path / "others", *[
        (record(id=f"BUSAN-{i:03d}", agency="부산광역시", produced="2025-06-01"),
         {"본문.txt": f"민원인 연락처 010-5555-{1000 + i}"}) for i in range(120)])
    result = scoped_app.test_cli_runner().invoke(args=["ingest", str(others)])
    assert result.exit_code == 0, result.output
    assert "010-****-7741" in _client(scoped_app, LOCAL).get("/clerk/").get_data(as_text=True)
