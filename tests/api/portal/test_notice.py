"""The new-handover notice: posted to the organisation's webhook with no content at all; never for others."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from api.portal import notice
from api.repositories import organisations
from tests.support.portal import ORG, OTHER_ORG, World


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


async def _announce_and_wait(world: World, org: str) -> None:
    notice.announce(world.runtime.database, org)
    await asyncio.gather(*notice._pending)


def test_the_notice_says_only_that_a_handover_is_waiting(portal_world: World, receiver: str) -> None:
    with portal_world.runtime.database.unit_of_work() as session:
        organisations.set_notice_webhook(session, ORG, receiver)
    asyncio.run(_announce_and_wait(portal_world, ORG))
    asyncio.run(_announce_and_wait(portal_world, OTHER_ORG))  # no webhook: nothing is sent
    assert [json.loads(body) for body in Receiver.received] == [{"text": "A new handover is waiting in the portal."}]


def test_an_unreachable_webhook_does_not_raise(portal_world: World) -> None:
    with portal_world.runtime.database.unit_of_work() as session:
        organisations.set_notice_webhook(session, ORG, "http://127.0.0.1:9/closed")
    asyncio.run(_announce_and_wait(portal_world, ORG))


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
