"""The optional "a new handover is waiting" notice, to an organisation's webhook and/or email address: never any
content, not even the reference, so the notice leaks nothing if it is read by the wrong person or logged by the
receiving system."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from urllib.parse import urlsplit

import anyio
import httpx

from api.core.config import Settings
from api.core.db import Database
from api.core.formats import is_email
from api.repositories import organisations

log = logging.getLogger(__name__)
NOTICE_TEXT = "A new handover is waiting in the portal."
NOTICE = {"text": NOTICE_TEXT}
TIMEOUT_SECONDS = 5.0
# At most one notice per organisation in this many seconds: it carries nothing but "a handover is waiting", so a
# script filling a queue cannot make an organisation's webhook or mailbox fire once per handover.
MIN_SECONDS_BETWEEN_NOTICES = 60.0


def check_webhook_url(url: str, allow_local: bool = False) -> str:
    """https to a public host; plain http, or a private address, only where NOTICE_ALLOW_LOCAL says so (a local
    relay in development, tests). The address it resolves to is checked again at each sending."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    literal = _literal_address(host)
    if literal is not None and not _public(literal) and not allow_local:
        raise ValueError("the webhook must be an https:// address on the internet, not a private one")
    if parts.scheme == "https" and host:
        return url.strip()
    if (
        parts.scheme == "http"
        and allow_local
        and (host == "localhost" or (literal is not None and literal.is_loopback))
    ):
        return url.strip()
    raise ValueError("the webhook must be an https:// address")


def check_email(address: str) -> str:
    if not is_email(address.strip()):
        raise ValueError("that is not an email address")
    return address.strip()


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolves_to_public(url: str) -> bool:
    """Every address the webhook's host has now is a public one: never loopback, private, link-local or multicast
    (an admin, or whoever took over an admin's account, could otherwise point it at Rasa or another internal
    service)."""
    host = urlsplit(url).hostname or ""
    try:
        found = await anyio.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found}
    return bool(addresses) and all(_public(address) for address in addresses)


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Reachable on the internet, and one host: Python counts some multicast ranges as global."""
    return address.is_global and not address.is_multicast


async def _post(url: str, allow_local: bool) -> None:
    if not allow_local and not await resolves_to_public(url):
        log.warning("handover notice refused", extra={"reason": "webhook address is not public"})
        return
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = await client.post(url, json=NOTICE)
        log.info("handover notice posted", extra={"status": response.status_code})
    except httpx.HTTPError as error:
        log.warning("handover notice post failed", extra={"error": type(error).__name__})


def _mail(settings: Settings, address: str) -> None:
    message = EmailMessage()
    message["Subject"] = "A new handover is waiting"
    message["From"] = settings.notice_from or f"portal@{settings.smtp_host}"
    message["To"] = address
    message.set_content(f"{NOTICE_TEXT}\n")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                # The server's certificate and name are checked: without that, anyone on the path could read the
                # account's password.
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
        log.info("handover notice mailed")
    except (OSError, smtplib.SMTPException) as error:
        log.warning("handover notice mail failed", extra={"error": type(error).__name__})


class Notices:
    """Sends "a new handover is waiting" in the background, at most once a minute per organisation."""

    def __init__(self, database: Database, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock
        self.pending: set[asyncio.Task[None]] = set()
        self._last: dict[str, float] = {}

    def announce(self, org_id: str) -> bool:
        """The victim's reply never waits for an organisation's webhook or mail. False when coalesced."""
        now = self.clock()
        if now - self._last.get(org_id, -MIN_SECONDS_BETWEEN_NOTICES) < MIN_SECONDS_BETWEEN_NOTICES:
            return False
        self._last[org_id] = now
        task = asyncio.get_running_loop().create_task(self._send(org_id))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return True

    async def _send(self, org_id: str) -> None:
        def lookup() -> tuple[str | None, str | None]:
            with self.database.unit_of_work() as session:
                return organisations.notice_targets(session, org_id)

        webhook, email = await anyio.to_thread.run_sync(lookup)
        if webhook:
            await _post(webhook, self.settings.notice_allow_local)
        if email and self.settings.smtp_host:
            await anyio.to_thread.run_sync(_mail, self.settings, email)
