"""A small store for issue 14's tests: a canary record, two clerks, a scoped clerk; the real CLI throughout."""

from __future__ import annotations

from pathlib import Path

from tests.builders import batch, record
from tests.conftest import make_app

CANARY_TITLE = "철회카나리아제목QZ"
CANARY_TEXT = "CANARYWD4417 철회될본문"
SECRET = "CANARYHELD8080 비공개였던본문"
PASSWORD = "correct horse battery"


def canary_batch(root: Path) -> Path:
    return batch(
        root,
        (record(id="W-1", title=CANARY_TITLE, classification=["행정", "철회시험"],
                attachments=[{"file": "본문.txt", "disclosure": "public"},
                             {"file": "명단.txt", "disclosure": "withheld", "grounds": [6]}],
                disclosure="partial"),
         {"본문.txt": f"누구나 읽는 {CANARY_TEXT}", "명단.txt": SECRET}),
        (record(id="W-2", title="남는 기록", classification=["행정", "철회시험"],
                attachments=[{"file": "본문.txt", "disclosure": "public"}]),
         {"본문.txt": "남아 있는 공개 본문 평범"}),
    )


def review_app(tmp_path: Path, **config):
    app = make_app(tmp_path / "store", **config)
    run = app.test_cli_runner()
    result = run.invoke(args=["ingest", str(canary_batch(tmp_path / "batch"))])
    assert result.exit_code == 0, result.output
    for name, extra in (("kim", []), ("lee", []), ("park", ["--agency", "다른시"])):
        result = run.invoke(args=["users", "create", name, "--role", "clerk", *extra, "--password-stdin"],
                            input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
    return app


def cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])
