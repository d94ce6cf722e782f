"""A scan OCR has not read yet was checked for no personal data: releasing it asks the clerk to confirm."""

from pathlib import Path

from archive.disclosure import Disclosure
from archive.store import Store
from tests.conftest import CLERK

SCAN = "D0000036208815"  # the sample's scanned notice: stored "OCR pending" until `ocr` runs


def test_releasing_an_unread_scan_needs_the_personal_data_confirmation(clerk_app):
    runner = clerk_app.test_cli_runner()
    store = Store(Path(clerk_app.config["DATA_DIR"]))
    assert store.get(SCAN).attachments[0].text_status == "pending"
    result = runner.invoke(args=["disclose", SCAN, "1", "--withhold", "--ground", "6", "--reason", "검토",
                                 "--clerk", CLERK])
    assert result.exit_code == 0, result.output

    result = runner.invoke(args=["disclose", SCAN, "1", "--release", "--reason", "검토 끝", "--clerk", CLERK])
    assert result.exit_code == 1 and "personal data" in result.output, result.output
    assert store.get(SCAN).attachments[0].disclosure is Disclosure.WITHHELD

    result = runner.invoke(args=["disclose", SCAN, "1", "--release", "--reason", "그림을 직접 봄", "--clerk", CLERK,
                                 "--confirm-personal-data"])
    assert result.exit_code == 0, result.output
    assert store.get(SCAN).attachments[0].disclosure is Disclosure.PUBLIC


def test_the_workspace_says_the_scan_is_unread(clerk_app):
    from tests.conftest import PASSWORD, csrf_token

    client = clerk_app.test_client()
    runner = clerk_app.test_cli_runner()
    assert runner.invoke(args=["disclose", SCAN, "1", "--withhold", "--ground", "6", "--reason", "검토",
                               "--clerk", CLERK]).exit_code == 0
    token = csrf_token(client, "/clerk/login")
    client.post("/clerk/login", data={"name": CLERK, "password": PASSWORD, "csrf_token": token})
    token = csrf_token(client, f"/clerk/records/{SCAN}")
    answer = client.post(f"/clerk/records/{SCAN}/attachments/1/release", data={
        "csrf_token": token, "reason": "검토 끝"})
    assert answer.status_code == 409
    assert "아직 읽지 않은 스캔" in answer.get_data(as_text=True)
