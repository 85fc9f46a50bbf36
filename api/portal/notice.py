"""The optional "a new handover is waiting" notice, to an organisation's webhook and/or email address: never any
content, not even the reference, so the notice leaks nothing if it is read by the wrong person or logged by the
receiving system."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import smtplib
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
_pending: set[asyncio.Task[None]] = set()


def check_webhook_url(url: str) -> str:
    """https anywhere; plain http only to this machine (a local relay, or tests)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.strip()
    if parts.scheme == "http" and (host == "localhost" or _is_loopback(host)):
        return url.strip()
    raise ValueError("the webhook must be an https:// address")


def check_email(address: str) -> str:
    if not is_email(address.strip()):
        raise ValueError("that is not an email address")
    return address.strip()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _post(url: str) -> None:
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
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
        log.info("handover notice mailed")
    except (OSError, smtplib.SMTPException) as error:
        log.warning("handover notice mail failed", extra={"error": type(error).__name__})


async def _send(database: Database, settings: Settings, org_id: str) -> None:
    def lookup() -> tuple[str | None, str | None]:
        with database.unit_of_work() as session:
            return organisations.notice_targets(session, org_id)

    webhook, email = await anyio.to_thread.run_sync(lookup)
    if webhook:
        await _post(webhook)
    if email and settings.smtp_host:
        await anyio.to_thread.run_sync(_mail, settings, email)


def announce(database: Database, settings: Settings, org_id: str) -> None:
    """Send the notice in the background: the victim's reply never waits for an organisation's webhook or mail."""
    task = asyncio.get_running_loop().create_task(_send(database, settings, org_id))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
