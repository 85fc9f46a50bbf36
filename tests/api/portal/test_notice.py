"""The new-handover notice: posted to the organisation's webhook with no content at all; never for others."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from api.core.config import Settings
from api.portal import notice
from api.repositories import organisations
from tests.support.portal import ORG, OTHER_ORG, World
from tests.support.smtp import smtp_sink
from tests.support.tls import self_signed_server_context


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


def local(settings: Settings, **changes: object) -> Settings:
    """Webhooks to this machine allowed, as a test's receiver on 127.0.0.1 needs."""
    return settings.model_copy(update={"notice_allow_local": True, **changes})


async def _announce_and_wait(world: World, org: str, settings: Settings | None = None) -> None:
    notices = notice.Notices(world.runtime.database, settings or local(world.runtime.settings))
    notices.announce(org)
    await asyncio.gather(*notices.pending)


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
    settings = local(portal_world.runtime.settings, smtp_host="127.0.0.1", smtp_port=9)
    asyncio.run(_announce_and_wait(portal_world, ORG, settings))


@pytest.mark.parametrize(
    ("url", "allow_local", "accepted"),
    [
        ("https://hooks.example.org/x", False, True),
        ("https://8.8.8.8/x", False, True),
        ("https://127.0.0.1/x", False, False),
        ("https://10.1.2.3/x", False, False),
        ("https://[::1]/x", False, False),
        ("https://169.254.169.254/latest", False, False),
        ("http://127.0.0.1:8080/hook", False, False),
        ("http://localhost/hook", False, False),
        ("http://127.0.0.1:8080/hook", True, True),
        ("http://localhost/hook", True, True),
        ("http://hooks.example.org/x", True, False),
        ("ftp://hooks.example.org/x", False, False),
        ("javascript:alert(1)", False, False),
        ("https://", False, False),
    ],
)
def test_webhook_addresses(url: str, allow_local: bool, accepted: bool) -> None:
    if accepted:
        assert notice.check_webhook_url(url, allow_local) == url
    else:
        with pytest.raises(ValueError, match="https"):
            notice.check_webhook_url(url, allow_local)


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://8.8.8.8/x", True),
        ("https://127.0.0.1/x", False),
        ("https://localhost/x", False),
        ("https://[::1]/x", False),
        ("https://10.0.0.5/x", False),
        ("https://192.168.1.20/x", False),
        ("https://169.254.169.254/x", False),
        ("https://[fe80::1]/x", False),
        ("https://224.0.0.1/x", False),
        ("https://name.invalid/x", False),
    ],
)
def test_the_address_a_webhook_resolves_to_is_checked_when_sending(url: str, public: bool) -> None:
    assert asyncio.run(notice.resolves_to_public(url)) is public


def test_a_webhook_on_this_machine_is_not_posted_to_in_production(portal_world: World, receiver: str) -> None:
    """Saved while local relays were allowed (or resolving elsewhere then): at sending, it is refused."""
    with portal_world.runtime.database.unit_of_work() as session:
        organisations.set_notice_targets(session, ORG, receiver, None)
    production = portal_world.runtime.settings.model_copy(update={"notice_allow_local": False})
    asyncio.run(_announce_and_wait(portal_world, ORG, production))
    assert Receiver.received == []


def test_notices_to_one_organisation_are_at_most_one_a_minute(portal_world: World) -> None:
    now = [1000.0]
    notices = notice.Notices(portal_world.runtime.database, portal_world.runtime.settings, clock=lambda: now[0])

    async def announce_all() -> list[bool]:
        sent = [notices.announce(ORG), notices.announce(ORG), notices.announce(OTHER_ORG)]
        now[0] += notice.MIN_SECONDS_BETWEEN_NOTICES
        sent.append(notices.announce(ORG))
        await asyncio.gather(*notices.pending)
        return sent

    assert asyncio.run(announce_all()) == [True, False, True, True]


def test_a_mail_server_whose_certificate_cannot_be_checked_gets_nothing(
    portal_world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """STARTTLS checks the server's certificate: a self-signed one (anyone on the path) is refused before login."""
    with portal_world.runtime.database.unit_of_work() as session:
        organisations.set_notice_targets(session, ORG, None, "team@harbour.example.org")
    with smtp_sink(self_signed_server_context(tmp_path)) as sink:
        settings = portal_world.runtime.settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_starttls": True}
        )
        with caplog.at_level(logging.WARNING):
            asyncio.run(_announce_and_wait(portal_world, ORG, settings))
    assert sink.messages == []
    assert any(getattr(r, "error", "") == "SSLCertVerificationError" for r in caplog.records)
