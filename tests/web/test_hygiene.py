"""No anonymous request makes a 500: query arguments, integers, XML output and headers from stored data."""

import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote

import pytest
from defusedxml import ElementTree

from tests.builders import batch, record
from tests.conftest import make_app
from tests.web.crawl import LINK

CLASSIFICATION = "/classification/행정"

# -- a. only the known search parameters reach url_for -------------------------------------

HOSTILE_ARGS = [
    "q=a&_method=POST", "endpoint=x", "q=a&_external=1", "_anchor=x", "_scheme=javascript",
    "_scheme=https&_external=1", "values=1", "_method=GET&endpoint=public.home", "page=2&endpoint=x&_anchor=y",
    "q=a&method=POST", "agency=서울특별시&_external=true", "foo=bar&q=협치",
]


@pytest.mark.parametrize("args", HOSTILE_ARGS)
@pytest.mark.parametrize("path", ["/search", "/api/search"])
def test_unknown_search_arguments_are_ignored(sample_client, path, args):
    response = sample_client.get(f"{path}?{args}")
    assert response.status_code == 200, (path, args)
    if path == "/search":
        html = response.get_data(as_text=True)
        for link in LINK.findall(html):
            assert not link.startswith("javascript"), link
            assert "search" not in link or link.startswith("/"), link  # _external made none absolute
            for name in ("_method", "_external", "_anchor", "_scheme", "endpoint", "values", "foo", "method"):
                assert f"{name}=" not in link, link
        assert 'name="foo"' not in html and 'name="_external"' not in html


def test_known_search_parameters_are_kept_in_links(sample_client):
    html = sample_client.get("/search?q=&agency=서울특별시&sort=newest&from=2017-01-01&to=2025-12-31&junk=1"
                             ).get_data(as_text=True).replace("&amp;", "&")
    facet = next(link for link in LINK.findall(html) if "kind=" in link)
    assert "agency=%EC%84%9C%EC%9A%B8" in facet and "sort=newest" in facet and "page=1" in facet
    assert "from=2017-01-01" in facet and "to=2025-12-31" in facet and "junk" not in facet
    assert 'name="agency" value="서울특별시"' in html and 'name="junk"' not in html
    api = next(link for link in LINK.findall(html) if link.startswith("/api/search"))
    assert "agency=" in api and "junk" not in api


def test_facet_link_marks_the_current_value(sample_client):
    html = sample_client.get("/search?agency=환경부").get_data(as_text=True)
    assert 'aria-current="true">환경부' in html


# -- b. integer arguments -------------------------------------------------------------------

@pytest.mark.parametrize("value", ["99999999999999999999", "9" * 5000, "1000000000", "2", "9223372036854775808"])
def test_a_page_past_the_last_answers_404_never_500(sample_client, value):
    assert sample_client.get(f"{CLASSIFICATION}?page={value}").status_code == 404
    api = sample_client.get(f"/api{CLASSIFICATION}?page={value}")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == 404


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "0", "-99999999999999999999", "１", "1e3", " 1", "1_0",
                                   "0x10", "٣", "NaN"])
def test_a_page_that_is_not_a_whole_number_answers_400(sample_client, value):
    for path in (CLASSIFICATION, "/search"):
        response = sample_client.get(path, query_string={"page": value})
        assert response.status_code == 400, (path, value)
        html = response.get_data(as_text=True)
        assert "400" in html and "정수" in html and "whole number" in html and "<html" in html
    for path in (f"/api{CLASSIFICATION}", "/api/search"):
        response = sample_client.get(path, query_string={"page": value})
        assert response.status_code == 400, (path, value)
        error = response.get_json()["error"]
        assert error["code"] == 400 and "whole number" in error["message_ko"]


def test_good_pages_still_work(sample_client):
    assert sample_client.get(f"{CLASSIFICATION}?page=1").status_code == 200
    assert sample_client.get(f"{CLASSIFICATION}?page=").status_code == 200
    data = sample_client.get("/api/search?page=99999999999999999999").get_json()
    assert data["results"] == [] and data["total"] == 16


@pytest.mark.parametrize("n", ["99999999999999999999", "9223372036854775808", "0"])
def test_an_attachment_number_past_any_answers_404(sample_client, n):
    for view in ("original", "pdf", "text"):
        assert sample_client.get(f"/records/D0000032552803/attachments/{n}/{view}").status_code == 404


# -- c and d: stored data that validation would refuse today, put straight into a store ---------

CONTROL_TITLE = "제어\x01문자\x0b가\x1f든 제목\x00 끝\ufffe"
BAD_NAMES = [
    "보고서\r\nSet-Cookie: x=1\u202etxt.exe",
    "a\rb\nc\u0000d.txt",
    'quote"back\\slash;semi%41percent.txt',
    "\u202e\u200b\u2028\u2029\x85.txt",
    "../../etc/passwd",
    "",
    "전부 한글 이름.txt",
    "x" * 300 + ".txt",
]


@pytest.fixture(scope="module")
def tainted_store(tmp_path_factory):
    """One public text record, then its title, summary, names and classification tainted in SQLite."""
    tmp = tmp_path_factory.mktemp("tainted")
    data_dir = tmp / "store"
    root = batch(tmp / "b", (record(id="X-1", summary="요약", classification=["행정", "일반"],
                                    attachments=[{"file": "본문.txt", "disclosure": "public"},
                                                 {"file": "원문.pdf", "disclosure": "public"}]),
                             {"본문.txt": "공개 본문입니다.", "원문.pdf": _pdf(tmp)}))
    result = make_app(data_dir).test_cli_runner().invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(data_dir / "archive.sqlite3")
    with db:
        db.execute("UPDATE records SET title = ?, summary = ?, agency = ?, department = ?, classification = ? "
                   "WHERE id = 'X-1'", (CONTROL_TITLE, "요약\x02\x1b[31m", "기관\x03", "부서\x0c",
                                        '["행정\\u0001", "일반\\u0008"]'))
    db.close()
    return data_dir


def _pdf(tmp: Path) -> bytes:
    from tests.builders import pdf_bytes

    return pdf_bytes(tmp, "원문 PDF")


def _rename(data_dir: Path, n: int, name: str) -> None:
    db = sqlite3.connect(data_dir / "archive.sqlite3")
    with db:
        db.execute("UPDATE attachments SET name = ? WHERE record_id = 'X-1' AND n = ?", (name, n))
    db.close()


@pytest.mark.parametrize("path", ["/feed.atom", "/sitemap.xml"])
def test_xml_output_parses_whatever_the_stored_text_holds(tainted_store, path):
    response = make_app(tainted_store).test_client().get(path)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.data)  # raises on a character XML 1.0 forbids
    text = "".join(root.itertext())
    if path == "/feed.atom":
        assert "제어문자가든 제목 끝" in text and "요약[31m" in text and "기관" in text and "부서" in text


def test_html_and_json_of_a_tainted_record_answer(tainted_store):
    client = make_app(tainted_store).test_client()
    for path in ["/records/X-1", "/api/records/X-1", "/", "/api/", "/records/X-1/attachments/1/text"]:
        assert client.get(path).status_code == 200, path


def _disposition(response) -> tuple[str, str]:
    """Parse Content-Disposition strictly: (ASCII fallback, decoded filename*)."""
    header = response.headers["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and header.isascii(), header
    match = re.fullmatch(r"""attachment; filename="([^"\\]*)"; filename\*=UTF-8''([A-Za-z0-9%!#$&+.^_`|~-]+)""", header)
    assert match, header
    return match.group(1), unquote(match.group(2), errors="strict")


@pytest.mark.parametrize("name", BAD_NAMES)
def test_any_stored_file_name_gives_a_sound_content_disposition(tainted_store, tmp_path, name):
    import shutil

    data_dir = tmp_path / "store"
    shutil.copytree(tainted_store, data_dir, symlinks=True)
    _rename(data_dir, 1, name)
    _rename(data_dir, 2, name.replace(".txt", ".pdf"))
    client = make_app(data_dir).test_client()
    for path in ["/records/X-1/attachments/1/original", "/records/X-1/attachments/1/pdf",
                 "/records/X-1/attachments/2/original", "/records/X-1/attachments/2/pdf"]:
        response = client.get(path)
        assert response.status_code == 200, (path, name)
        fallback, full = _disposition(response)
        assert fallback and all(" " <= c <= "~" for c in fallback) and not set(fallback) & set('"\\%;/')
        assert full and not any(c in full for c in "\r\n\x00\x85\u202e\u200b\u2028\u2029/\\")
        assert response.headers.get("Set-Cookie") is None
    page = client.get("/records/X-1")
    assert page.status_code == 200


def test_content_disposition_keeps_a_good_name(sample_client):
    response = sample_client.get("/records/D0000032552803/attachments/1/original")
    fallback, full = _disposition(response)
    assert full == "결재문서본문.hwpx" and fallback == "download.hwpx"
    fallback, full = _disposition(sample_client.get("/records/D0000032552803/attachments/1/pdf"))
    assert full == "결재문서본문.pdf" and fallback == "download.pdf"


def test_a_clerk_opening_a_badly_named_attachment_gets_a_sound_header(tainted_store, tmp_path):
    """The clerks' download goes through the same door: a CR/LF name answered 500 there."""
    import shutil

    from tests.conftest import CLERK, PASSWORD, log_in

    data_dir = tmp_path / "store"
    shutil.copytree(tainted_store, data_dir, symlinks=True)
    _rename(data_dir, 1, BAD_NAMES[0])
    app = make_app(data_dir)
    created = app.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                           input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    client = app.test_client()
    log_in(client)
    response = client.get("/clerk/records/X-1/attachments/1/original")
    assert response.status_code == 200
    fallback, full = _disposition(response)
    assert "\u202e" not in full and response.headers.get("Set-Cookie") is None
