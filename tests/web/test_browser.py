"""A journalist's path in a real browser: search, open the record, download the original."""

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, make_app, serving

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
              pytest.mark.slow]


@pytest.fixture
def live_url(sample_store, tmp_path):
    data_dir = tmp_path / "store"
    shutil.copytree(sample_store, data_dir, symlinks=True)
    app = make_app(data_dir)
    app.config["SERVER_NAME"] = None
    with serving(app) as base:
        yield base


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(accept_downloads=True, locale="ko-KR")
        yield context.new_page()
        browser.close()


def test_search_open_record_and_download_original(live_url, page, tmp_path):
    page.goto(live_url + "/")
    page.get_by_role("searchbox", name="공개된 기록").fill("서울협치협의회")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("ol.hits mark").first.inner_text() == "서울협치협의회"
    page.locator("ol.hits a.title").first.click()
    page.wait_for_url("**/records/D0000032552803")
    assert page.locator("h1").inner_text() == "’17년도 제4차 서울협치협의회 개최결과 보고"
    assert "부분공개(6)" in page.locator("dl.header").inner_text()
    withheld = page.locator("ul.attachments li.withheld")
    assert withheld.count() == 2 and "비공개 문서" in withheld.first.inner_text()
    assert withheld.first.locator("a[href*='/attachments/']").count() == 0
    with page.expect_download() as info:
        page.get_by_role("link", name="원문다운로드 결재문서본문.hwpx").click()
    download = info.value
    assert download.suggested_filename == "결재문서본문.hwpx"
    saved = tmp_path / "download.hwpx"
    download.save_as(saved)
    original = (SAMPLE / "D0000032552803" / "결재문서본문.hwpx").read_bytes()
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(original).hexdigest()
    # the page shows the same SHA-256 the journalist can check the file against
    assert hashlib.sha256(original).hexdigest() in page.locator("ul.attachments").inner_text()


def test_keyboard_reaches_search_first(live_url, page):
    page.goto(live_url + "/records/D0000032552803")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("본문 바로가기")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "site-q"


def test_clerk_withholds_and_releases_as_a_visitor_sees_it(live_url, page, tmp_path):
    from tests.conftest import CLERK, PASSWORD

    data_dir = tmp_path / "store"
    result = make_app(data_dir).test_cli_runner().invoke(
        args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0
    visitor = page.context.browser.new_context().new_page()

    def visitor_sees() -> tuple[int, int]:
        visitor.goto(live_url + "/search?q=버튼업")
        hits = visitor.locator("ol.hits li a.title").count()
        status = visitor.request.get(live_url + "/records/D0000032552803/attachments/1/original").status
        return hits, status

    assert visitor_sees() == (1, 200)
    page.goto(live_url + "/clerk/")
    page.get_by_label("아이디").fill(CLERK)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/clerk/")
    page.goto(live_url + "/clerk/records/D0000032552803")
    section = page.locator("section.clerk-att").first
    section.get_by_label("제6호 개인정보").check()
    section.get_by_label("이유").fill("본문에서 개인정보 발견")
    section.get_by_role("button", name="비공개로 바꾸기").click()
    assert "비공개로 바꾸었습니다" in page.locator(".flashes").inner_text()
    assert visitor_sees() == (0, 451)

    section = page.locator("section.clerk-att").first
    section.get_by_label("공개하는 이유").fill("가림 처리 확인")
    section.get_by_role("button", name="공개하기").click()
    assert "공개했습니다" in page.locator(".flashes").inner_text()
    assert visitor_sees() == (1, 200)
    trail = page.locator("table.info").last.inner_text()
    assert "본문에서 개인정보 발견" in trail and "가림 처리 확인" in trail
