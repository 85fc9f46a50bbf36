"""The web chat in a real browser (Debian's Chromium driven by Playwright), against the real stack."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from api.stack import Stack
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.stack]

EXIT_URL = "https://www.bbc.co.uk/weather"


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    opened = context.new_page()
    external: list[str] = []

    def keep_off_the_network(route: Route) -> None:
        # The quick exit's neutral site is answered locally: tests send nothing off this machine.
        external.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>neutral page")

    context.route("https://**/*", keep_off_the_network)
    opened.goto(stack.gateway_url + "/")
    yield opened
    context.close()
    assert all(url.startswith(EXIT_URL) for url in external), f"the page reached out to {external}"


def send(page: Page, text: str) -> None:
    page.fill("#message-input", text)
    page.click("#send-button")


def session_id(page: Page) -> str:
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    for value in __import__("json").loads(stored).values():
        found = __import__("re").search(r'"session_id"\s*:\s*"([^"]+)"|^([A-Za-z0-9_-]{22,})$', value)
        if found:
            return found.group(1) or found.group(2)
    raise AssertionError(f"no session id in sessionStorage: {stored}")


def test_welcome_danger_and_quick_exit(page: Page, stack: Stack) -> None:
    expect(page.locator(".msg.bot").first).to_contain_text("immigration status")
    expect(page.locator("#quick-exit")).to_be_visible()
    expect(page.locator(".reply-button").first).to_be_visible()

    send(page, "he is outside the door")
    expect(page.locator(".msg.bot").last.locator("xpath=..")).to_contain_text("999")
    expect(page.locator(".msg.bot", has_text="press 55")).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "danger.png"), full_page=True)

    sid = session_id(page)
    with httpx.Client(base_url=stack.gateway_url) as http:
        assert http.post(f"/api/chat/sessions/{sid}/messages", json={"text": "hi"}).status_code == 200

    page.click("#quick-exit")
    page.wait_for_url(EXIT_URL + "**")
    assert page.evaluate("() => sessionStorage.length") == 0
    with httpx.Client(base_url=stack.gateway_url) as http:
        assert http.post(f"/api/chat/sessions/{sid}/messages", json={"text": "hi"}).status_code == 404


@pytest.mark.parametrize("keys", [["Escape"], ["Shift", "Shift", "Shift"]])
def test_keyboard_quick_exit(page: Page, stack: Stack, keys: list[str]) -> None:
    expect(page.locator(".msg.bot").first).to_be_visible()
    sid = session_id(page)
    for key in keys:
        page.keyboard.press(key)
    page.wait_for_url(EXIT_URL + "**")
    with httpx.Client(base_url=stack.gateway_url) as http:
        assert http.post(f"/api/chat/sessions/{sid}/messages", json={"text": "hi"}).status_code == 404


def test_buttons_drive_the_conversation(page: Page) -> None:
    page.locator(".reply-button", has_text="Is it safe to report?").first.click()
    expect(page.locator(".msg.user").last).to_have_text("Is it safe to report?")
    expect(page.locator(".msg.bot", has_text="no one can promise")).to_have_count(1)


def test_too_long_message_is_kept_with_a_clear_error(page: Page) -> None:
    expect(page.locator(".msg.bot").first).to_be_visible()
    assert page.get_attribute("#message-input", "maxlength") == "2000"


def test_quick_exit_stays_visible_after_a_long_conversation(page: Page) -> None:
    for _ in range(3):
        send(page, "my husband hits me")
        expect(page.locator(".msg.bot", has_text="Harbour Support Services").last).to_be_visible()
    page.mouse.wheel(0, 5000)
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844
    element = page.evaluate(
        "() => { const b = document.querySelector('#quick-exit').getBoundingClientRect();"
        " return document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2).closest('#quick-exit') !== null; }"
    )
    assert element, "something covers the quick exit button"


@pytest.mark.parametrize(
    ("name", "code", "direction"),
    [
        ("العربية", "ar", "rtl"),
        ("اردو", "ur", "rtl"),
        ("فارسی", "fa", "rtl"),
        ("বাংলা", "bn", "ltr"),
        ("ਪੰਜਾਬੀ", "pa", "ltr"),
        ("中文", "zh", "ltr"),
    ],
)
def test_languages_render_in_their_script_and_direction(page: Page, name: str, code: str, direction: str) -> None:
    expect(page.locator(".msg.bot").first).to_be_visible()
    send(page, name)
    last = page.locator(".msg.bot").last
    expect(last).to_have_attribute("lang", code)
    expect(last).to_have_attribute("dir", direction)
    expect(page.locator("#message-input")).to_have_attribute("dir", direction)
    send(
        page,
        {
            "ar": "زوجي يضربني كل يوم",
            "ur": "میرا شوہر مجھے مارتا ہے",
            "fa": "شوهرم مرا کتک می زند",
            "bn": "আমার স্বামী আমাকে মারে",
            "pa": "ਮੇਰਾ ਪਤੀ ਮੈਨੂੰ ਮਾਰਦਾ ਹੈ",
            "zh": "我丈夫打我",
        }[code],
    )
    expect(page.locator(".msg.bot", has_text="Harbour Support Services").last).to_be_visible()
    expect(page.locator("#quick-exit")).not_to_have_text("Exit this page")
    expect(page.locator("#language-notice")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"language-{code}.png"))


def replied(page: Page, act: Callable[[], None]) -> None:
    """Do something, then wait for the assistant's answer to it (the typing indicator comes and goes)."""
    before = page.locator(".msg.bot").count()
    act()
    expect(page.locator(".msg.bot")).not_to_have_count(before)
    expect(page.locator("#typing")).to_be_hidden()


def click(page: Page, title: str) -> None:
    replied(page, lambda: page.locator(".replies:not(.stale) .reply-button", has_text=title).first.click())


def say(page: Page, text: str) -> None:
    replied(page, lambda: send(page, text))


def test_she_reads_what_will_be_shared_and_removes_a_message(page: Page, stack: Stack) -> None:
    """Before consenting she sees exactly what the service will receive, and takes one of her messages out."""
    expect(page.locator(".msg.bot").first).to_be_visible()
    say(page, "he reads my phone every night")
    say(page, "my husband controls all my money")
    click(page, "Put me in touch")
    click(page, "Harbour Support Services")
    click(page, "Phone call")
    say(page, "07700 900123")
    click(page, "Skip")
    click(page, "No")
    click(page, "Skip")
    expect(page.locator(".msg.bot", has_text="Your messages that will be shared")).to_have_count(1)
    page.locator(".replies:not(.stale) .reply-button", has_text="See what will be shared").first.click()
    review = page.locator("#review")
    expect(review).to_contain_text("he reads my phone every night")
    expect(page.locator("#review-intro")).to_be_focused()
    review.screenshot(path=str(SCREENSHOTS / "review-before.png"))
    turn = review.locator(".review-turn.user", has_text="he reads my phone every night")
    turn.locator(".review-remove").click()
    expect(review).not_to_contain_text("he reads my phone every night")
    expect(review).to_contain_text("my husband controls all my money")
    shared = httpx.get(f"{stack.gateway_url}/api/chat/sessions/{session_id(page)}/shared").json()
    assert all("reads my phone" not in t["text"] for t in shared["turns"]), "what the service gets lost it too"
    review.locator(".review-done").click()
    expect(review).to_have_count(0)
    click(page, "Yes, send it")
    expect(page.locator(".msg.bot", has_text="reference").last).to_be_visible()
