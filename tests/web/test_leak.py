"""The unforgivable bug: withheld content reaching the public by any path. Try them all."""

from pathlib import Path

import pytest

from tests.builders import batch, hwpx_bytes, pdf_bytes, record
from tests.pg import ON_BOTH_STORES
from tests.web.crawl import crawl, readable, readable_bytes

pytestmark = ON_BOTH_STORES

CANARIES = ["CANARYQX7731", "카나리아비밀문구", "CANARYPDF5521", "카나리아요약문", "CANARYMD0042"]
LATE = "CANARYLATE9090"  # public at first, withheld by a clerk later


@pytest.fixture(params=["tantivy", "whoosh"])
def app(request, tmp_path, store_kind):  # store_kind: ON_BOTH_STORES sets ARCHIVE_DATABASE_URL first
    """The leak crawl runs against each engine and each store (the contract suite's one unforgivable bug)."""
    from tests.conftest import make_app

    return make_app(tmp_path / "store", SEARCH_ENGINE=request.param)


@pytest.fixture
def canary_app(app, tmp_path):
    root = batch(
        tmp_path / "canary",
        (
            record(
                id="C-PARTIAL", title="공개 부분 기록",
                attachments=[
                    {"file": "공개본.txt", "disclosure": "public"},
                    {"file": "비공개.hwpx", "disclosure": "withheld", "grounds": [6]},
                    {"file": "명부.pdf", "disclosure": "withheld", "grounds": [6]},
                    {"file": "메모.md", "disclosure": "withheld", "grounds": [5]},
                    {"file": "나중비공개.txt", "disclosure": "public"},
                ],
                disclosure="partial",
            ),
            {
                "공개본.txt": "누구나 읽을 수 있는 공개 본문입니다.",
                "나중비공개.txt": f"처음엔 공개였다가 비공개된 {LATE} 본문",
                "비공개.hwpx": hwpx_bytes(tmp_path, "CANARYQX7731 카나리아비밀문구 주민번호 800101-1234567"),
                "명부.pdf": pdf_bytes(tmp_path, "CANARYPDF5521 참석자 명부"),
                "메모.md": "# 내부 메모\n\nCANARYMD0042",
            },
        ),
        (
            record(
                id="C-WHOLE", title="전부 비공개 기록", summary="카나리아요약문 이 요약은 비공개",
                withheld_grounds=[4], disclosure="withheld",
                attachments=[{"file": "보고서.txt", "disclosure": "public"}],
            ),
            {"보고서.txt": "CANARYQX7731 전체 비공개 기록의 본문"},
        ),
    )
    result = app.test_cli_runner().invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output
    return app


def probe_paths(record_ids, attachments=5):
    paths = ["/", "/search", "/feed.atom", "/sitemap.xml", "/robots.txt", "/api/", "/api/search",
             "/records/없는기록", "/api/records/없는기록", "/no/such/page"]
    # Parts of the Korean canaries: phrase search would find them if they were indexed,
    # and the page's echo of the query does not hold the whole canary.
    for q in ["리아비밀", "아요약", "비공개", "메모", "명부", "800101"]:
        paths += [f"/search?q={q}", f"/api/search?q={q}", f"/export.zip?q={q}", f"/feed.atom?q={q}"]
    # harvesting (issue 12): every verb that shows a record, whole lists included
    # statistics (issue 13): counts only, never a title, name or text
    paths += ["/statistics", "/api/statistics", "/statistics?agency=테스트시", "/api/statistics?year=2024"]
    paths += ["/oai?verb=Identify", "/oai?verb=ListSets", "/oai?verb=ListRecords&metadataPrefix=oai_dc",
              "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", "/feed.atom?disclosure=partial",
              "/feed.atom?disclosure=withheld"]
    paths += ["/export.zip", "/export.zip?disclosure=partial", "/export.zip?disclosure=withheld"]
    for rid in record_ids:
        paths += [f"/records/{rid}", f"/api/records/{rid}", f"/records/{rid}/embed",
                  f"/oembed?url=http://localhost/records/{rid}&format=json",
                  f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:{rid}"]
        for n in range(1, attachments + 1):
            for kind in ("original", "pdf", "text"):
                paths.append(f"/records/{rid}/attachments/{n}/{kind}")
    return paths


def test_no_canary_anywhere_a_visitor_can_reach(canary_app):
    client = canary_app.test_client()
    pages = crawl(client, probe_paths(["C-PARTIAL", "C-WHOLE"]))
    assert len(pages) > 50
    statuses = {p: r.status_code for p, r in pages.items()}
    assert 500 not in statuses.values()
    for path, response in pages.items():
        shown = readable(response)
        for canary in CANARIES:
            assert canary not in shown, f"{canary} leaked at {path}"


def test_canaries_find_nothing(canary_app):
    client = canary_app.test_client()
    for canary in CANARIES:
        assert client.get("/api/search", query_string={"q": canary}).get_json()["total"] == 0
    assert client.get("/api/search", query_string={"q": "공개 본문"}).get_json()["total"] == 1


def test_withheld_downloads_answer_451_with_grounds(canary_app):
    client = canary_app.test_client()
    for n in (2, 3, 4):
        for kind in ("original", "pdf", "text"):
            response = client.get(f"/records/C-PARTIAL/attachments/{n}/{kind}")
            assert response.status_code == 451
            assert "비공개" in response.get_data(as_text=True)
    page = client.get("/records/C-PARTIAL/attachments/2/original").get_data(as_text=True)
    assert "개인정보" in page  # ground 6's label
    for kind in ("original", "pdf", "text"):
        assert client.get(f"/records/C-WHOLE/attachments/1/{kind}").status_code == 451


def test_withheld_attachment_shows_name_grounds_only(canary_app):
    data = canary_app.test_client().get("/api/records/C-PARTIAL").get_json()
    withheld = [a for a in data["attachments"] if a["disclosure"] == "withheld"]
    assert [a["name"] for a in withheld] == ["비공개.hwpx", "명부.pdf", "메모.md"]
    for att in withheld:
        assert not {"size", "sha256", "url", "pdf_url", "text_url"} & set(att)
    whole = canary_app.test_client().get("/api/records/C-WHOLE").get_json()
    assert whole["summary"] is None and whole["texts"] == []
    assert whole["disclosure"]["level"] == "withheld" and whole["disclosure"]["grounds"] == [4]


def test_withheld_text_never_enters_the_index(canary_app):
    engine = canary_app.extensions["search_engine"]
    lexicon = engine.lexicon()
    for canary in CANARIES:
        assert canary.lower() not in lexicon
    assert "카나" not in lexicon  # not even a bigram of withheld Korean text
    # and no file of the index holds the text (nothing but ids and versions is stored)
    folder = (Path(canary_app.config["DATA_DIR"]) / f"search-{engine.name}").resolve()
    raw = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    for canary in CANARIES:
        assert canary.encode() not in raw and canary.lower().encode() not in raw


def test_no_canary_after_a_clerk_withholds(canary_app):
    client = canary_app.test_client()
    assert client.get("/api/search", query_string={"q": LATE}).get_json()["total"] == 1
    warm = client.get("/records/C-PARTIAL/attachments/5/pdf")  # fill the rendition cache first
    assert warm.status_code == 200
    runner = canary_app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "kim", "--role", "clerk", "--password-stdin"],
                            input="correct horse battery\n")
    assert created.exit_code == 0, created.output
    result = runner.invoke(args=["disclose", "C-PARTIAL", "5", "--withhold", "--ground", "6",
                                 "--reason", "늦게 찾은 개인정보", "--clerk", "kim"])
    assert result.exit_code == 0, result.output
    pages = crawl(client, probe_paths(["C-PARTIAL", "C-WHOLE"]))
    for path, response in pages.items():
        shown = readable(response)
        for canary in [*CANARIES, LATE]:
            assert canary not in shown, f"{canary} leaked at {path}"
    assert client.get("/api/search", query_string={"q": LATE}).get_json()["total"] == 0
    assert client.get("/records/C-PARTIAL/attachments/5/pdf").status_code == 451
    cache = Path(canary_app.config["DATA_DIR"]) / "renditions"
    assert not [p for p in cache.glob("*.pdf") if LATE in readable_pdf(p)]  # not even on disk


def test_no_canary_in_an_export_bag(canary_app, tmp_path):
    """The command's bag: every file of it read (record JSON, originals, tag files), no canary."""
    import bagit

    result = canary_app.test_cli_runner().invoke(args=["export", str(tmp_path / "bag")])
    assert result.exit_code == 0, result.output
    bagit.Bag(str(tmp_path / "bag")).validate()
    files = [p for p in (tmp_path / "bag").rglob("*") if p.is_file()]
    assert len(files) > 6
    for path in files:
        shown = readable_bytes(path.read_bytes())
        for canary in CANARIES:
            assert canary not in shown, f"{canary} leaked in {path}"
    names = {p.name for p in files}
    assert "01-공개본.txt" in names and not {"02-비공개.hwpx", "03-명부.pdf", "04-메모.md"} & names


def readable_pdf(path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_no_canary_after_an_agency_resends_what_a_clerk_withheld(canary_app, tmp_path):
    """The re-send case: renamed and edited, the clerk's withheld file must stay out of every path."""
    client = canary_app.test_client()
    assert client.get("/records/C-PARTIAL/attachments/5/pdf").status_code == 200  # cache it while public
    runner = canary_app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "kim", "--role", "clerk", "--password-stdin"],
                            input="correct horse battery\n")
    assert created.exit_code == 0, created.output
    result = runner.invoke(args=["disclose", "C-PARTIAL", "5", "--withhold", "--ground", "6",
                                 "--reason", "전화번호", "--clerk", "kim"])
    assert result.exit_code == 0, result.output
    edited = f"처음엔 공개였다가 비공개된 {LATE} 본문 010-3344-5566 추가 한 줄"
    resent = batch(tmp_path / "resend", (record(
        id="C-PARTIAL", title="공개 부분 기록 (재송부)", disclosure="partial",
        attachments=[{"file": "공개본.txt", "disclosure": "public"},
                     {"file": "비공개.hwpx", "disclosure": "withheld", "grounds": [6]},
                     {"file": "나중비공개(최종).txt", "disclosure": "public"}]),
        {"공개본.txt": "누구나 읽을 수 있는 공개 본문입니다.",
         "비공개.hwpx": hwpx_bytes(tmp_path, "CANARYQX7731 카나리아비밀문구"),
         "나중비공개(최종).txt": edited}))
    result = runner.invoke(args=["ingest", str(resent)])
    assert result.exit_code == 0 and "재송부 검토 대기" in result.output, result.output
    pages = crawl(client, probe_paths(["C-PARTIAL", "C-WHOLE"]) + ["/search?q=비공개된", "/api/search?q=추가 한 줄",
                                                                 "/api/search?q=5566"])
    assert 500 not in {r.status_code for r in pages.values()}
    for path, response in pages.items():
        shown = readable(response)
        for canary in [*CANARIES, LATE, "3344-5566"]:
            assert canary not in shown, f"{canary} leaked at {path}"
    assert client.get("/records/C-PARTIAL/attachments/3/original").status_code == 451
    cache = Path(canary_app.config["DATA_DIR"]) / "renditions"
    assert not [p for p in cache.glob("*.pdf") if LATE in readable_pdf(p)]
