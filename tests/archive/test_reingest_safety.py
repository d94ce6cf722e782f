"""Re-ingests and shared files never make withheld content findable (found in review)."""

from pathlib import Path

from archive.ingest import ingest_paths
from archive.store import Store
from index import service
from tests.builders import batch, record
from tests.conftest import CLERK

PUBLIC_TWO = [{"file": "공개.txt", "disclosure": "public"}, {"file": "민감.txt", "disclosure": "public"}]
FILES = {"공개.txt": "누구나 보는 예산 설명", "민감.txt": "민감한내용 CANARYREINGEST77"}


def disclose(runner, record_id, n, *options, reason="r"):
    """Run `disclose` as clerk kim; return the CLI result."""
    return runner.invoke(args=["disclose", record_id, str(n), *options, "--reason", reason, "--clerk", CLERK])


def search_total(app, q):
    return app.test_client().get("/api/search", query_string={"q": q}).get_json()["total"]


def test_a_reingest_that_withholds_hides_the_text_before_it_commits(app, engine, runner, tmp_path):
    root = batch(tmp_path / "v1", (record(attachments=PUBLIC_TWO), FILES))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert search_total(app, "CANARYREINGEST77") == 1
    v2 = record(attachments=[PUBLIC_TWO[0], {"file": "민감.txt", "disclosure": "withheld", "grounds": [6]}],
                disclosure="partial")
    root2 = batch(tmp_path / "v2", (v2, FILES))
    data_dir = Path(app.config["DATA_DIR"])
    store = Store(data_dir)
    # the batch's store work, as if the process died before indexing the batch at its end
    report = ingest_paths(store, [root2], drop_from_index=lambda ids: service.remove(engine, ids))
    assert report.count("replaced") == 1
    assert search_total(app, "CANARYREINGEST77") == 0
    service.catch_up(engine, store)
    store.close()
    assert search_total(app, "CANARYREINGEST77") == 0 and search_total(app, "예산 설명") == 1


def test_a_reingest_keeps_what_a_clerk_withheld(clerk_app, tmp_path):
    runner = clerk_app.test_cli_runner()
    root = batch(tmp_path / "v1", (record(attachments=PUBLIC_TWO), FILES))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert disclose(runner, "T-0001", 2, "--withhold", "--ground", "6", reason="개인정보").exit_code == 0
    root2 = batch(tmp_path / "v2", (record(attachments=PUBLIC_TWO, approved="2024-02-01"), FILES))
    result = runner.invoke(args=["ingest", str(root2)])
    assert result.exit_code == 0 and "kept withheld, as a clerk decided" in result.output
    client = clerk_app.test_client()
    assert client.get("/records/T-0001/attachments/2/text").status_code == 451
    assert search_total(clerk_app, "CANARYREINGEST77") == 0


def test_a_file_withheld_in_one_record_is_withheld_in_every_record(clerk_app, tmp_path):
    runner = clerk_app.test_cli_runner()
    secret = "민원인 명단 CANARYSHARED31"
    root = batch(tmp_path / "b",
                 (record(id="A", attachments=[{"file": "명단.txt", "disclosure": "withheld", "grounds": [6]}],
                         disclosure="withheld"), {"명단.txt": secret}),
                 (record(id="B", attachments=[{"file": "자료.txt", "disclosure": "public"}]), {"자료.txt": secret}))
    result = runner.invoke(args=["ingest", str(root)])
    assert result.exit_code == 0 and "withheld here too" in result.output
    client = clerk_app.test_client()
    assert client.get("/records/B/attachments/1/original").status_code == 451
    assert search_total(clerk_app, "CANARYSHARED31") == 0
    assert "CANARYSHARED31" not in client.get("/records/B").get_data(as_text=True)
    # and a clerk's withhold reaches every copy
    other = batch(tmp_path / "c", (record(id="C", attachments=[{"file": "x.txt", "disclosure": "public"}]),
                                   {"x.txt": "나중에 가릴 내용 CANARYLATER12"}),
                  (record(id="D", attachments=[{"file": "y.txt", "disclosure": "public"}]),
                   {"y.txt": "나중에 가릴 내용 CANARYLATER12"}))
    assert runner.invoke(args=["ingest", str(other)]).exit_code == 0
    assert search_total(clerk_app, "CANARYLATER12") == 2
    assert disclose(runner, "C", 1, "--withhold", "--ground", "6").exit_code == 0
    assert search_total(clerk_app, "CANARYLATER12") == 0
    assert client.get("/records/D/attachments/1/original").status_code == 451


def test_stored_only_fields_and_odd_next_do_not_error(clerk_app):
    client = clerk_app.test_client()
    response = client.get("/search?q=body_sources:x")
    assert response.status_code == 400 and "property object" not in response.get_data(as_text=True)
    from tests.conftest import csrf_token

    token = csrf_token(client, "/clerk/login")
    login = client.post("/clerk/login?next=/clerk/%0d%0aSet-Cookie:x=1",
                        data={"csrf_token": token, "name": CLERK, "password": "correct horse battery"})
    assert login.status_code == 302 and login.headers["Location"].endswith("/clerk/")


def test_the_same_bytes_twice_in_one_record(clerk_app, tmp_path):
    runner = clerk_app.test_cli_runner()
    same = "같은 내용 CANARYTWICE88"
    root = batch(tmp_path / "b", (record(attachments=[
        {"file": "a.txt", "disclosure": "public"},
        {"file": "b.txt", "disclosure": "withheld", "grounds": [6]}], disclosure="partial"),
        {"a.txt": same, "b.txt": same}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    client = clerk_app.test_client()
    assert client.get("/records/T-0001/attachments/1/original").status_code == 451
    assert search_total(clerk_app, "CANARYTWICE88") == 0


def test_a_clerk_withhold_follows_the_bytes_through_renames_and_corrections(clerk_app, tmp_path):
    import unicodedata

    runner = clerk_app.test_cli_runner()
    secret = "명단 CANARYFOLLOW55"
    root = batch(tmp_path / "v1",
                 (record(id="A", attachments=[{"file": "민감.txt", "disclosure": "public"}]), {"민감.txt": secret}),
                 (record(id="B", attachments=[{"file": "사본.txt", "disclosure": "public"}]), {"사본.txt": secret}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert disclose(runner, "A", 1, "--withhold", "--ground", "6").exit_code == 0
    # the agency re-sends A: the name decomposed (a Mac), then renamed, then with corrected bytes
    nfd = unicodedata.normalize("NFD", "민감.txt")
    for name, text in [(nfd, secret), ("민감 (1).txt", secret), ("민감.txt", "가린 뒤의 명단")]:
        again = batch(tmp_path / f"v-{len(name)}-{len(text)}",
                      (record(id="A", title=f"다시 {name}", attachments=[{"file": name, "disclosure": "public"}]),
                       {name: text}))
        assert runner.invoke(args=["ingest", str(again)]).exit_code == 0
        client = clerk_app.test_client()
        assert search_total(clerk_app, "CANARYFOLLOW55") == 0, name
        assert client.get("/records/B/attachments/1/original").status_code == 451, name
        if text == secret:
            assert client.get("/records/A/attachments/1/original").status_code == 451, name


def test_a_release_elsewhere_does_not_undo_a_clerk_withhold(clerk_app, tmp_path):
    runner = clerk_app.test_cli_runner()
    secret = "얼룩말 CANARYZEBRA19"

    root = batch(tmp_path / "v1",
                 (record(id="A", attachments=[{"file": "a.txt", "disclosure": "public"}]), {"a.txt": secret}),
                 (record(id="B", attachments=[{"file": "b.txt", "disclosure": "public"}]), {"b.txt": secret}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert disclose(runner, "B", 1, "--withhold", "--ground", "6").exit_code == 0
    renamed = batch(tmp_path / "v2", (record(id="B", attachments=[{"file": "renamed.txt", "disclosure": "public"}]),
                                      {"renamed.txt": secret}))
    assert runner.invoke(args=["ingest", str(renamed)]).exit_code == 0
    assert disclose(runner, "A", 1, "--withhold", "--ground", "5").exit_code == 0
    assert disclose(runner, "A", 1, "--release").exit_code == 0  # A's own decision only
    assert search_total(clerk_app, "CANARYZEBRA19") == 0
    client = clerk_app.test_client()
    for rid in ("A", "B"):
        assert client.get(f"/records/{rid}/attachments/1/original").status_code == 451
    # B's clerk can still release B's decision, although a batch renamed the file since
    assert disclose(runner, "B", 1, "--release").exit_code == 0
    assert search_total(clerk_app, "CANARYZEBRA19") == 2


def test_releasing_an_agency_withhold_leaves_a_clerk_withhold_elsewhere(clerk_app, tmp_path):
    runner = clerk_app.test_cli_runner()
    secret = "얼룩말 CANARYZEBRA20"
    root = batch(tmp_path / "v1", (record(id="B", attachments=[{"file": "b.txt", "disclosure": "public"}]),
                                   {"b.txt": secret}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert disclose(runner, "B", 1, "--withhold", "--ground", "6").exit_code == 0
    more = batch(tmp_path / "v2",
                 (record(id="A", attachments=[{"file": "a.txt", "disclosure": "withheld", "grounds": [5]}],
                         disclosure="withheld"), {"a.txt": secret}),
                 (record(id="C", attachments=[{"file": "c.txt", "disclosure": "public"}]), {"c.txt": secret}))
    assert runner.invoke(args=["ingest", str(more)]).exit_code == 0
    assert disclose(runner, "A", 1, "--release").exit_code == 0
    assert search_total(clerk_app, "CANARYZEBRA20") == 0
    for rid in ("A", "B", "C"):
        assert clerk_app.test_client().get(f"/records/{rid}/attachments/1/text").status_code == 451


def test_releasing_one_copy_while_its_twin_is_withheld_is_refused(clerk_app, tmp_path):
    runner = clerk_app.test_cli_runner()
    secret = "쌍둥이 CANARYTWIN61"
    root = batch(tmp_path / "v1", (record(attachments=[{"file": "a.txt", "disclosure": "public"},
                                                       {"file": "b.txt", "disclosure": "public"}]),
                                   {"a.txt": secret, "b.txt": secret}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert disclose(runner, "T-0001", 1, "--withhold", "--ground", "6").exit_code == 0
    refused = disclose(runner, "T-0001", 2, "--release")
    assert refused.exit_code == 1 and "attachment 1" in refused.output
    renamed = batch(tmp_path / "v2", (record(attachments=[{"file": "a2.txt", "disclosure": "public"},
                                                          {"file": "b.txt", "disclosure": "public"}]),
                                      {"a2.txt": secret, "b.txt": secret}))
    assert runner.invoke(args=["ingest", str(renamed)]).exit_code == 0
    assert search_total(clerk_app, "CANARYTWIN61") == 0
    assert clerk_app.test_client().get("/records/T-0001/attachments/1/text").status_code == 451
