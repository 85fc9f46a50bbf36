"""The new-handover notice: posted to the organisation's webhook with no content at all; never for others."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from api.core.config import Settings
from api.portal import notice
from api.repositories import organisations
from tests.support.portal import ORG, OTHER_ORG, World
from tests.support.smtp import smtp_sink


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        Receiver.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


async def _announce_and_wait(world: World, org: str, settings: Settings | None = None) -> None:
    notice.announce(world.runtime.database, settings or world.runtime.settings, org)
    await asyncio.gather(*notice._pending)


def test_the_notice_says_only_that_a_handover_is_waiting(portal_world: World, receiver: str) -> None:
    with portal_world.runtime.database.unit_of_work() as session:
        organisations.set_notice_targets(session, ORG, receiver, None)
    asyncio.run(_announce_and_wait(portal_world, ORG))
    asyncio.run(_announce_and_wait(portal_world, OTHER_ORG))  # no webhook: nothing is sent
    assert [json.loads(body) for body in Receiver.received] == [{"text": "A new handover is waiting in the portal."}]


def test_the_email_notice_says_only_that_a_handover_is_waiting(portal_world: World) -> None:
    with portal_world.runtime.database.unit_of_work() as session:
        organisations.set_notice_targets(session, ORG, None, "team@harbour.example.org")
    with smtp_sink() as sink:
        settings = portal_world.runtime.settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": sink.port,
                "smtp_starttls": False,
                "notice_from": "portal@assistant.example.org",
            }
        )
        asyncio.run(_announce_and_wait(portal_world, ORG, settings))
        asyncio.run(_announce_and_wait(portal_world, OTHER_ORG, settings))
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert (mail["To"], mail["From"]) == ("team@harbour.example.org", "portal@assistant.example.org")
    assert mail["Subject"] == "A new handover is waiting"
    assert mail.get_payload().strip() == "A new handover is waiting in the portal."


def test_no_mail_server_no_email_and_no_error(portal_world: World) -> None:
    with portal_world.runtime.database.unit_of_work() as session:
        organisations.set_notice_targets(session, ORG, None, "team@harbour.example.org")
    asyncio.run(_announce_and_wait(portal_world, ORG))  # SMTP_HOST unset: nothing to send, nothing raised


def test_unreachable_targets_do_not_raise(portal_world: World) -> None:
    with portal_world.runtime.database.unit_of_work() as session:
        organisations.set_notice_targets(session, ORG, "http://127.0.0.1:9/closed", "team@harbour.example.org")
    settings = portal_world.runtime.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 9})
    asyncio.run(_announce_and_wait(portal_world, ORG, settings))


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://hooks.example.org/x", True),
        ("http://127.0.0.1:8080/hook", True),
        ("http://localhost/hook", True),
        ("http://hooks.example.org/x", False),
        ("ftp://hooks.example.org/x", False),
        ("javascript:alert(1)", False),
        ("https://", False),
    ],
)
def test_webhook_addresses(url: str, accepted: bool) -> None:
    if accepted:
        assert notice.check_webhook_url(url) == url
    else:
        with pytest.raises(ValueError, match="https"):
            notice.check_webhook_url(url)
