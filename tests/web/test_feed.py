"""/feed.atom for any search: read by a real feed reader (feedparser), 50 newest, public text only."""

from __future__ import annotations

import re

import feedparser
import pytest

from tests.builders import batch, hwpx_bytes, record
from tests.conftest import make_app

COUNT = 80
CANARIES = ["CANARYFEED3141", "카나리아피드문구", "카나리아피드요약"]


@pytest.fixture(scope="module")
def feed_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feed")
    records = [(record(id=f"F-{i:03d}", title=f"피드 기록 {i}", agency=["가람시", "나래군"][i % 2],
                       classification=[["환경", "대기"], ["행정"]][i % 2],
                       produced=f"{2000 + i // 4}-{1 + i % 12:02d}-{1 + i % 28:02d}"),
                {"본문.txt": f"피드 본문 {i}" + (" 미세먼지저감대책 언급" if i % 20 == 3 else "")})
               for i in range(COUNT)]
    records.append((record(id="F-PART", title="부분 공개 피드", disclosure="partial", produced="2030-01-01",
                           attachments=[{"file": "공개.txt", "disclosure": "public"},
                                        {"file": "비공개.hwpx", "disclosure": "withheld", "grounds": [6]}]),
                    {"공개.txt": "미세먼지저감대책 공개 본문",
                     "비공개.hwpx": hwpx_bytes(tmp, "CANARYFEED3141 카나리아피드문구 미세먼지저감대책")}))
    records.append((record(id="F-WHOLE", title="전부 비공개 피드", disclosure="withheld", withheld_grounds=[4],
                           produced="2030-01-02", summary="카나리아피드요약 미세먼지저감대책"),
                    {"본문.txt": "CANARYFEED3141 미세먼지저감대책"}))
    app = make_app(tmp / "store")
    result = app.test_cli_runner().invoke(args=["ingest", str(batch(tmp / "batch", *records))])
    assert result.exit_code == 0, result.output
    return app


def _feed(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.data, response_headers={"content-type": response.headers["Content-Type"]})
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed, response.get_data(as_text=True)


def test_the_feed_lists_the_50_newest(feed_app):
    parsed, _ = _feed(feed_app.test_client(), "/feed.atom")
    assert len(parsed.entries) == 50
    dates = [e.updated for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    assert parsed.entries[0].link.endswith("/records/F-WHOLE")


def test_a_search_feed_takes_the_search_parameters(feed_app):
    client = feed_app.test_client()
    parsed, _ = _feed(client, "/feed.atom?q=미세먼지저감대책")
    ids = {e.link.rsplit("/", 1)[1] for e in parsed.entries}
    assert ids == {"F-PART", "F-003", "F-023", "F-043", "F-063"}  # F-WHOLE's words are all withheld
    assert any("미세먼지저감대책" in e.summary for e in parsed.entries)  # the snippet, from public text
    assert "q: 미세먼지저감대책" in parsed.feed.title
    agency, _ = _feed(client, "/feed.atom?agency=나래군")
    assert len(agency.entries) == COUNT // 2 and all(e.author.startswith("나래군") for e in agency.entries)
    narrowed, _ = _feed(client, "/feed.atom?agency=나래군&from=2015-01-01&sort=oldest&page=1")
    assert 0 < len(narrowed.entries) < COUNT // 2
    dates = [e.updated for e in narrowed.entries]
    assert dates == sorted(dates, reverse=True)  # a feed is always newest first
    assert client.get("/feed.atom?q=" + "가" * 301).status_code == 400


def test_a_classification_feed(feed_app):
    client = feed_app.test_client()
    parsed, _ = _feed(client, "/feed.atom?classification=환경")
    assert len(parsed.entries) == COUNT // 2
    assert client.get("/feed.atom?classification=환경&q=피드").status_code == 400


def test_no_withheld_content_in_feeds(feed_app):
    client = feed_app.test_client()
    for path in ["/feed.atom", "/feed.atom?q=미세먼지저감대책", "/feed.atom?disclosure=withheld",
                 "/feed.atom?q=피드문구", "/feed.atom?q=피드요약", "/feed.atom?classification=행정",
                 "/feed.atom?disclosure=partial"]:
        parsed, body = _feed(client, path)
        for canary in CANARIES:
            assert canary not in body, path
    for canary in CANARIES:  # the feed's title and links echo the query; no entry holds it
        parsed, _ = _feed(client, f"/feed.atom?q={canary}")
        assert parsed.entries == []
    whole = _feed(client, "/feed.atom?disclosure=withheld")[0].entries
    assert [e.title for e in whole] == ["전부 비공개 피드"] and whole[0].summary == "비공개(4)"


def test_pages_link_their_feed(feed_app):
    client = feed_app.test_client()
    link = re.compile(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)">')
    for page, expected in [("/search?q=미세먼지저감대책&page=1&sort=oldest", "q=%EB"),
                           ("/search?agency=가람시", "agency="), ("/classification/환경", "classification=")]:
        html = client.get(page).get_data(as_text=True)
        feeds = link.findall(html)
        assert any(expected in href for href in feeds), (page, feeds)
        href = next(h for h in feeds if expected in h).replace("&amp;", "&")
        assert "page=" not in href and "sort=" not in href
        parsed, _ = _feed(client, href.replace("http://localhost", ""))
        assert parsed.entries
