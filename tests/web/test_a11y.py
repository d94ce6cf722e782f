"""Accessibility in a real browser (issue 13 items 2 and 4): axe-core on every page in both languages,
a keyboard-only walk from a search to a download, the skip link, and a 360 px phone.

One Chromium session serves every check (starting one costs more than a page's checks).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CLERK, PASSWORD, make_app, serving
from tests.web.i18n_support import compile_catalogs

CHROMIUM = "/usr/bin/chromium"
SEED = "D0000032552803"
ADMIN = "admin-park"
pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
              pytest.mark.slow]

PUBLIC = ["/", "/search?q=협치", "/search?q=없는낱말zzz", "/search/help", f"/records/{SEED}",
          f"/records/{SEED}/attachments/1/text", "/classification/행정", "/statistics",
          "/records/NO-SUCH", f"/records/{SEED}/attachments/2/original", f"/records/{SEED}/embed"]
CLERK_PAGES = ["/clerk/", f"/clerk/records/{SEED}", "/clerk/ingest", "/clerk/accounts", "/clerk/comments/",
               "/clerk/review", "/clerk/bulk", "/clerk/2fa", f"/clerk/records/{SEED}/withdrawal"]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    """The sample store with a clerk and an admin, served on a real port."""
    data_dir = tmp_path_factory.mktemp("a11y") / "store"
    shutil.copytree(sample_store, data_dir, symlinks=True)
    translations = compile_catalogs(tmp_path_factory.mktemp("translations"))
    app = make_app(data_dir, BABEL_TRANSLATION_DIRECTORIES=str(translations))
    app.config["SERVER_NAME"] = None
    for name, role in ((CLERK, "clerk"), (ADMIN, "admin")):
        result = app.test_cli_runner().invoke(args=["users", "create", name, "--role", role, "--password-stdin"],
                                              input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
    with serving(app) as base:
        yield base, app


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def _routes(app) -> set[str]:
    return {rule.rule for rule in app.url_map.iter_rules()}


def _log_in(page, base: str, name: str) -> None:
    page.goto(base + "/clerk/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/clerk/**")


def _violations(axe, page) -> list[str]:
    results = axe.run(page)
    ran = sum(len(results.response[kind]) for kind in ("passes", "violations", "incomplete", "inapplicable"))
    assert results.response["testEngine"]["name"] == "axe-core" and ran > 50  # the rules did run
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def test_axe_finds_no_violation_on_any_page_in_either_language(site, browser):
    from axe_playwright_python.sync_playwright import Axe

    base, app = site
    routes = _routes(app)
    public = [p for p in PUBLIC if not p.startswith("/statistics") or "/statistics" in routes]
    clerk = [p for p in CLERK_PAGES if p.split("?")[0] in routes or p.rstrip("/") + "/" in routes
             or p.startswith("/clerk/records/") and p.endswith(SEED)
             or p.endswith("/withdrawal") and "/clerk/records/<record_id>/withdrawal" in routes]
    axe, problems, seen = Axe(), [], 0
    for lang in ("ko", "en"):
        context = browser.new_context(locale="ko-KR")
        page = context.new_page()
        page.goto(f"{base}/?lang={lang}")  # the cookie keeps it for every page after
        for path in public + ["/clerk/login"]:
            page.goto(base + path)
            assert page.locator("html").get_attribute("lang") == lang, path
            problems += [f"{lang} {path}: {v}" for v in _violations(axe, page)]
            seen += 1
        _log_in(page, base, ADMIN)
        for path in clerk:
            page.goto(base + path)
            assert page.locator("html").get_attribute("lang") == lang, path
            problems += [f"{lang} {path}: {v}" for v in _violations(axe, page)]
            seen += 1
        context.close()
    assert seen >= 2 * (len(public) + 1 + len(clerk))
    assert not problems, "\n".join(problems)


def _tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches `selector` (keyboard only: no click, no focus())."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_from_search_to_a_record_to_a_download(site, browser, tmp_path):
    base, _ = site
    context = browser.new_context(locale="ko-KR", accept_downloads=True)
    page = context.new_page()
    page.goto(base + "/")
    _tab_to(page, "#home-q")
    page.keyboard.type("서울협치협의회")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    _tab_to(page, "ol.hits a.title")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/records/{SEED}")
    _tab_to(page, "ul.attachments .links a[href$='/original']")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.stat().st_size > 0 and saved.suffix in {".hwpx", ".pdf", ".hwp", ".docx"}
    context.close()


def test_the_skip_link_is_first_and_moves_focus_to_the_content(site, browser):
    base, _ = site
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/records/{SEED}")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip", "Skip to content"]  # Accept-Language: en
    assert page.locator("a.skip").bounding_box()["x"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    context.close()


def test_a_phone_gets_results_first_no_sideways_scroll_and_big_targets(site, browser):
    base, app = site
    context = browser.new_context(locale="ko-KR", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    pages = ["/", "/search?q=협치", "/search/help", f"/records/{SEED}", "/classification/행정"]
    if "/statistics" in _routes(app):
        pages.append("/statistics")
    for path in pages:
        for lang in ("ko", "en"):
            page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
            wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert wide <= 0, f"{path} ({lang}) scrolls sideways by {wide} px at 360 px"
    page.goto(base + "/search?q=협치&lang=ko")
    first_hit = page.locator("ol.hits > li").first.bounding_box()
    facets = page.locator("aside.facets").bounding_box()
    assert first_hit["y"] + first_hit["height"] <= facets["y"], "the facets come before the results"
    fold = page.locator("details.facets-fold")
    assert fold.get_attribute("open") is None  # folded on a phone
    page.locator("details.facets-fold > summary").tap()
    assert fold.get_attribute("open") is not None and page.locator("aside.facets li a").first.is_visible()
    small = page.evaluate("""() => [...document.querySelectorAll(
        'button, input:not([type=hidden]), select, summary, .facets li a, .pager a, header a, ol.hits a.title')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert not small, small
    page.goto(f"{base}/records/{SEED}")
    small = page.evaluate("""() => [...document.querySelectorAll(
        'ul.attachments .links a, header a, button:not([hidden])')]
        .filter(e => e.offsetParent !== null).map(e => [e.textContent, e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert not small, small
    context.close()


def test_wide_screen_shows_facets_beside_the_results(site, browser):
    base, _ = site
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/search?q=협치")
    page.wait_for_function("() => document.querySelector('details.facets-fold').open")
    hit, facets = page.locator("ol.hits > li").first.bounding_box(), page.locator("aside.facets").bounding_box()
    assert facets["x"] + facets["width"] <= hit["x"] and abs(facets["y"] - hit["y"]) < 200
    context.close()


def test_a_printed_record_has_title_number_url_and_citation_not_navigation(site, browser):
    base, _ = site
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    page.goto(f"{base}/records/{SEED}")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => Object.fromEntries(
        ['header.site', 'footer.site', 'form.search', 'a.skip', 'h1', '.print-only', '#cite-h', '#cite-ko']
        .map(s => [s, [...document.querySelectorAll(s)].some(e => getComputedStyle(e).display !== 'none'
                                                               && e.getClientRects().length > 0)]))""")
    assert shown == {"header.site": False, "footer.site": False, "form.search": False, "a.skip": False,
                     "h1": True, ".print-only": True, "#cite-h": True, "#cite-ko": True}
    text = page.locator("dl.header").inner_text()
    assert SEED in text and f"/records/{SEED}" in text
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
    context.close()
