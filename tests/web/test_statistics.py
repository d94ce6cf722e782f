"""/statistics and /api/statistics: counts that agree with the search facets, charts a reader can read,
arguments refused as every integer argument is, and nothing withheld in them."""

from __future__ import annotations

import re

import pytest

from tests.builders import batch, hwpx_bytes, record
from tests.conftest import make_app

CANARY = "CANARYSTAT4417"
SECRET_TITLE = "카나리아첨부제목"


@pytest.fixture
def withheld_app(tmp_path):
    """A store with withheld files whose text and titles are canaries, a copy withheld elsewhere, and
    a record withheld whole."""
    root = batch(
        tmp_path / "b",
        (record(id="S-PART", agency="가시", produced="2022-04-01",
                attachments=[{"file": "공개.txt", "disclosure": "public"},
                             {"file": "명단.hwpx", "disclosure": "withheld", "grounds": [6], "title": SECRET_TITLE},
                             {"file": "사본.txt", "disclosure": "withheld", "grounds": [5]}], disclosure="partial"),
         {"공개.txt": "공개 본문", "명단.hwpx": hwpx_bytes(tmp_path, f"{CANARY} 주민번호 800101-1234567"),
          "사본.txt": f"{CANARY} 같은 바이트"}),
        (record(id="S-COPY", agency="가시", produced="2023-01-01", kind="보고서",
                attachments=[{"file": "다른이름.txt", "disclosure": "public"}]),
         {"다른이름.txt": f"{CANARY} 같은 바이트"}),
        (record(id="S-WHOLE", agency="나시", produced="2023-06-30", withheld_grounds=[4], disclosure="withheld",
                summary=f"{CANARY} 요약"),
         {"본문.txt": f"{CANARY} 전부 비공개"}),
        (record(id="S-OPEN", agency="나시", produced="2022-11-11"), {"본문.txt": "누구나 읽는 본문"}),
    )
    app = make_app(tmp_path / "store")
    assert app.test_cli_runner().invoke(args=["ingest", str(root)]).exit_code == 0
    return app


FACET_OF = {"by_agency": "agency", "by_year": "year", "by_kind": "kind"}


def assert_agrees(client, query: str = "") -> dict:
    """Every count /api/statistics gives that a search facet also counts: the same numbers."""
    stats = client.get(f"/api/statistics?{query}").get_json()
    search = client.get(f"/api/search?{query}").get_json()
    facets = {name: {f["value"]: f["count"] for f in values} for name, values in search["facets"].items()}
    assert stats["total"] == search["total"]
    for ours, theirs in FACET_OF.items():
        # the facets leave out records without a value (a record that names no kind)
        assert {i["value"]: i["count"] for i in stats[ours] if i["value"]} == facets.get(theirs, {}), ours
    assert {d["level"]: d["count"] for d in stats["disclosure"] if d["count"]} == facets.get("level", {})
    assert {str(g["ground"]): g["count"] for g in stats["records_by_ground"]} == facets.get("grounds", {})
    return stats


def test_statistics_agree_with_search_facets_on_the_sample(sample_client):
    stats = assert_agrees(sample_client)
    assert stats["total"] == 16 and sum(d["count"] for d in stats["disclosure"]) == 16
    for query in ["agency=서울특별시", "year=2018", "agency=서울특별시&year=2018", "agency=없는기관", "year=1990"]:
        assert_agrees(sample_client, query)


def test_statistics_agree_with_search_facets_with_withheld_files(withheld_app):
    client = withheld_app.test_client()
    stats = assert_agrees(client)
    assert {d["level"]: d["count"] for d in stats["disclosure"]} == {"public": 1, "partial": 1, "withheld": 2}
    # S-PART's two, S-COPY's copy (ground 5, withheld in S-PART), S-WHOLE's file (ground 4)
    assert stats["withheld_attachments"]["total"] == 4
    assert {g["ground"]: g["count"] for g in stats["withheld_attachments"]["by_ground"]} == {4: 1, 5: 2, 6: 1}
    for query in ["agency=가시", "agency=나시&year=2023", "year=2022"]:
        assert_agrees(client, query)


def test_a_withheld_files_canary_never_reaches_the_statistics(withheld_app):
    client = withheld_app.test_client()
    for path in ["/statistics", "/api/statistics", "/statistics?agency=가시", "/api/statistics?agency=가시&year=2022",
                 "/statistics?year=2023", "/api/statistics?agency=나시", "/statistics?lang=en"]:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        for secret in (CANARY, SECRET_TITLE, "800101", "명단.hwpx", "사본.txt"):
            assert secret not in body, (path, secret)


@pytest.mark.parametrize("query", ["year=abc", "year=-1", "year=0", "year=2018.0", "year=２０１８",
                                   "agency=" + "가" * 201, "agency=%07"])
def test_bad_filters_answer_400(sample_client, query):
    for prefix in ("/statistics", "/api/statistics"):
        response = sample_client.get(f"{prefix}?{query}")
        assert response.status_code == 400, (prefix, query)
    assert "error" in sample_client.get(f"/api/statistics?{query}").get_json()


def test_every_chart_is_an_image_with_title_and_desc_and_a_table(sample_client):
    html = sample_client.get("/statistics").get_data(as_text=True)
    charts = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert len(charts) == 6
    for svg in charts:
        assert 'role="img"' in svg
        ids = re.search(r'aria-labelledby="([^"]+) ([^"]+)"', svg).groups()
        assert f'<title id="{ids[0]}">' in svg and f'<desc id="{ids[1]}">' in svg
        desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
        assert desc.strip() and ":" in desc  # the numbers themselves, for a screen reader
    # each chart is followed by its table, before the next chart
    for after in html.split("</svg>")[1:]:
        assert "<table" in after.split("<svg")[0]
    assert "<script" not in html
    assert "서울특별시: 4건" in html  # the agency chart's desc
    assert html.count('<th scope="row">서울특별시</th>') == 1


def test_the_filter_narrows_and_marks_what_is_chosen(sample_client):
    html = sample_client.get("/statistics?agency=서울특별시&year=2018").get_data(as_text=True)
    assert '<option value="서울특별시" selected>' in html and '<option value="2018" selected>' in html
    data = sample_client.get("/api/statistics?agency=서울특별시&year=2018").get_json()
    assert data["filters"] == {"agency": "서울특별시", "year": "2018"} and data["total"] == 2
    assert "경기도" in data["choices"]["agencies"]  # the choices stay whole


def test_an_empty_store_has_statistics_too(client):
    assert client.get("/statistics").status_code == 200
    data = client.get("/api/statistics").get_json()
    assert data["total"] == 0 and data["days_to_publication"]["median"] is None
    assert [d["share"] for d in data["disclosure"]] == [0.0, 0.0, 0.0]


def test_the_statistics_are_linked_from_every_page(sample_client):
    for path in ["/", "/search", "/records/D0000032552803"]:
        assert 'href="/statistics"' in sample_client.get(path).get_data(as_text=True), path


def test_a_withhold_or_a_withdrawal_shows_at_once_though_answers_are_cached(clerk_app):
    from tests.conftest import CLERK

    client = clerk_app.test_client()
    seed = "D0000032552803"  # 서울특별시, 2018, partly public: attachment 1 public, 3 withheld
    before = client.get("/api/statistics?agency=서울특별시").get_json()
    assert client.get("/api/statistics?agency=서울특별시").get_json() == before  # answered from the cache
    runner = clerk_app.test_cli_runner()
    assert runner.invoke(args=["disclose", seed, "1", "--withhold", "--ground", "6", "--reason", "개인정보",
                               "--clerk", CLERK]).exit_code == 0
    after = client.get("/api/statistics?agency=서울특별시").get_json()
    grounds = {g["ground"]: g["count"] for g in after["withheld_attachments"]["by_ground"]}
    assert after["withheld_attachments"]["total"] == before["withheld_attachments"]["total"] + 1
    assert grounds[6] == {g["ground"]: g["count"] for g in before["withheld_attachments"]["by_ground"]}[6] + 1
    assert assert_agrees(client, "agency=서울특별시") == after
    assert runner.invoke(args=["withdraw", seed, "--reason", "잘못 올림", "--clerk", CLERK]).exit_code == 0
    gone = assert_agrees(client, "agency=서울특별시")
    assert gone["total"] == before["total"] - 1
