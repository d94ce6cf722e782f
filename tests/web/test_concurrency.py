"""Readers under load while an ingest and disclosure changes run: no 5xx, no withheld content."""

import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from tests.builders import batch, record
from tests.conftest import CLERK, make_app

LATE = "CANARYRACE5150"  # public at first; withheld while the readers read


@pytest.mark.slow
def test_readers_see_no_error_and_nothing_after_it_is_withheld(clerk_app, tmp_path):
    data_dir = clerk_app.config["DATA_DIR"]
    runner = clerk_app.test_cli_runner()
    first = batch(tmp_path / "first", (record(id="RACE-1", attachments=[{"file": "본문.txt", "disclosure": "public"}]),
                                       {"본문.txt": f"경합 시험 본문 {LATE}"}))
    assert runner.invoke(args=["ingest", str(first)]).exit_code == 0
    server_app = make_app(data_dir)
    server_app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    paths = ["/records/RACE-1", "/api/records/RACE-1", "/search?q=경합", "/api/search?q=경합",
             "/records/RACE-1/attachments/1/text", "/records/RACE-1/attachments/1/original",
             "/records/D0000032552803", "/search?q=협치", "/feed.atom", "/sitemap.xml"]
    withheld_at: list[float] = []
    problems: list[str] = []
    stop = threading.Event()

    def read():
        i = 0
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            started = time.monotonic()
            try:
                with urllib.request.urlopen(base + urllib.parse.quote(path, safe="/?=&"), timeout=30) as r:
                    status, body = r.status, r.read()
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read()
            if status >= 500:
                problems.append(f"{status} at {path}")
            if withheld_at and started > withheld_at[0] and LATE.encode() in body:
                problems.append(f"withheld text served at {path} after the withhold")

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    try:
        more = batch(tmp_path / "more", *[
            (record(id=f"MORE-{i}", title=f"추가 기록 {i}"), {"본문.txt": f"동시 수집 {i} " * 200})
            for i in range(40)])
        assert runner.invoke(args=["ingest", str(more)]).exit_code == 0
        result = runner.invoke(args=["disclose", "RACE-1", "1", "--withhold", "--ground", "6",
                                     "--reason", "경합 시험", "--clerk", CLERK])
        assert result.exit_code == 0, result.output
        for _ in range(3):  # release and withhold again while the readers go on
            for change in (["--release"], ["--withhold", "--ground", "6"]):
                done = runner.invoke(args=["disclose", "RACE-1", "1", *change, "--reason", "r", "--clerk", CLERK])
                assert done.exit_code == 0, done.output
        withheld_at.append(time.monotonic())  # from here on, the text must never be served
        time.sleep(2.0)
    finally:
        stop.set()
        for t in readers:
            t.join(timeout=60)
        server.shutdown()
    assert problems == []
