"""Copy buttons in a real browser: shown by static/copy.js (no inline script), they copy the citation."""

from tests.web.test_browser import CHROMIUM, live_url, page, pytestmark  # noqa: F401 (fixtures, marks)

SEED = "D0000032552803"


def test_copy_buttons_copy_the_kogl_attribution_under_the_csp(live_url, page):  # noqa: F811
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page.goto(f"{live_url}/records/{SEED}")
    button = page.locator('button.copy[data-copy="cite-kogl"]')
    button.wait_for(state="visible")  # hidden until the script runs
    button.click()
    page.wait_for_function("document.querySelector('button.copy[data-copy=\"cite-kogl\"]').textContent.includes('복사됨')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("본 저작물은 '서울특별시'에서 '2018년' 작성하여 공공누리 제4유형으로 개방한")
    assert not [e for e in errors if "Content Security Policy" in e], errors
