"""The support-worker portal in a real browser (Debian's Chromium through Playwright), on its own real stack.

The stack (Rasa + gateway) has a tiny pl->en argos package installed, with the gateway's network blocked, so a
Polish handover made through the chat API carries an English column. An admin account is made with the real
`create-worker` command. She signs in with a TOTP code, sets a webhook notice, sees the handover arrive, reads
both languages side by side, accepts and closes it. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from playwright.sync_api import Browser, Page, expect

from api.core.config import ROOT
from api.portal import totp
from api.portal.notice import NOTICE
from api.stack import Stack, free_port
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import OUTPUT
from tests.conversations.chat import consented_handover
from tests.support.offline_run import OFFLINE, install
from tests.support.portal import create_worker_cli

pytestmark = [pytest.mark.browser, pytest.mark.stack]

EMAIL = "admin@harbour.example.org"
PASSWORD = "a long and private pass phrase"


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return None


@pytest.fixture(scope="module")
def hook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/notice"
    server.shutdown()


@pytest.fixture(scope="module")
def portal_stack(tiny_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    var_dir = tmp_path_factory.mktemp("portal-var")
    assert install(tiny_models, var_dir, "pl").returncode == 0
    secret = "portal-" + os.urandom(24).hex()
    totp_secret = create_worker_cli(var_dir, secret, EMAIL, PASSWORD)
    with Stack(
        gateway_port=free_port(),
        rasa_port=free_port(),
        var_dir=var_dir,
        log_dir=OUTPUT / "portal-stack-logs",
        # The gateway may reach only this machine: translation must work offline, and the webhook notice goes to a
        # receiver on 127.0.0.1, which only NOTICE_ALLOW_LOCAL permits.
        extra_env={
            "INTERNAL_SECRET": secret,
            "PYTHONPATH": f"{OFFLINE}{os.pathsep}{ROOT}",
            "NOTICE_ALLOW_LOCAL": "true",
        },
    ) as running:
        yield running, totp_secret


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
    .map(el => el.outerHTML)"""


def assert_accessible(page: Page) -> None:
    """Every control has a name, the page has one h1 and a language, every table a caption and column headers."""
    assert page.evaluate(UNLABELLED) == []
    assert page.locator("h1").count() == 1 and page.locator("html[lang]").count() == 1
    for table in page.locator("table").all():
        assert table.locator("caption").count() == 1 and table.locator("th[scope=col]").count() >= 2


def polish_handover(stack: Stack) -> str:
    """A victim writes in Polish, asks to be put in touch and agrees; returns the reference she is given."""
    return consented_handover(stack, "pl", "Mój mąż mnie bije i zabrał mi telefon")


def test_a_worker_signs_in_and_handles_a_handover(page: Page, portal_stack: tuple[Stack, str], hook: str) -> None:
    stack, totp_secret = portal_stack
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(stack.gateway_url + "/portal")
    expect(page).to_have_url(re.compile(r"/portal/login$"))
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#totp", totp.code_at(totp_secret, totp.current_step()))
    page.screenshot(path=str(SCREENSHOTS / "portal-login.png"), full_page=True)
    assert_accessible(page)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Handovers")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session_cookie = cookies["__Host-portal"]
    assert session_cookie["httpOnly"] and session_cookie["secure"] and session_cookie["sameSite"] == "Strict"

    page.click("text=Team and notices")
    assert_accessible(page)
    page.fill("#webhook", hook)
    page.click("form[action='/portal/admin/notice'] button")
    expect(page.locator("#webhook")).to_have_value(hook)

    reference = polish_handover(stack)
    deadline = time.monotonic() + 10
    while not Hook.received and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Hook.received == [NOTICE]

    page.click("text=Queue")
    row = page.locator("tr", has_text=reference)
    expect(row).to_contain_text("new")
    expect(row).to_contain_text("Polish")
    page.screenshot(path=str(SCREENSHOTS / "portal-queue.png"), full_page=True)
    assert_accessible(page)
    row.locator("a").click()

    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator(".contact")).to_contain_text("07700 900123")
    her_turn = page.locator("tr.turn-user", has_text="mąż mnie bije").first
    original, english = her_turn.locator("td.original"), her_turn.locator("td.english")
    expect(original).to_have_attribute("lang", "pl")
    assert "mąż mnie bije" in original.inner_text()
    translated = english.inner_text().strip()
    assert translated and "no translation installed" not in translated and translated != original.inner_text().strip()
    # The assistant's own turns show its words in English, from the English catalog (never machine-translated).
    asked = page.locator("tr.turn-bot", has_text="Jak Harbour Support Services może się z tobą bezpiecznie")
    expect(asked.locator("td.english")).to_have_text("How is it safe for Harbour Support Services to contact you?")
    assert "/inform" not in page.locator("table.transcript").inner_text()  # buttons read as she saw them
    consent = page.locator("tr.turn-bot", has_text="Czy zgadzasz się").locator("td.english")
    expect(consent).to_contain_text("phone call to 07700 900123")  # English throughout, the summary too
    expect(consent).not_to_contain_text("telefon")
    box_original, box_english = original.bounding_box(), english.bounding_box()
    assert box_original and box_english
    assert abs(box_original["y"] - box_english["y"]) < 2 and box_english["x"] > box_original["x"]  # side by side
    page.screenshot(path=str(SCREENSHOTS / "portal-detail.png"), full_page=True)
    assert_accessible(page)

    page.click("#accept")
    expect(page.locator("#status")).to_have_text("accepted")
    page.select_option("#outcome", "supported")
    page.click("#close")
    expect(page.locator("#status")).to_have_text("closed: supported")
    page.fill("#note", "Called in the morning as she asked.")
    page.click("text=Add note")
    expect(page.locator(".note")).to_contain_text("Called in the morning")
    page.screenshot(path=str(SCREENSHOTS / "portal-closed.png"), full_page=True)

    page.click("text=Audit log")
    audit = page.locator("table.audit")
    for action in ("login", "notice set", "view handover", "decrypt contact", "status change", "add note"):
        expect(audit).to_contain_text(action)
    assert "07700" not in audit.inner_text() and "mąż" not in audit.inner_text()

    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/portal/login$"))
    page.goto(stack.gateway_url + "/portal")
    expect(page).to_have_url(re.compile(r"/portal/login$"))
