"""The optional "a new handover is waiting" notice to an organisation's webhook: never any content, not even
the reference, so the notice leaks nothing if it is read by the wrong person or logged by the receiving system."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from urllib.parse import urlsplit

import anyio
import httpx

from api.core.db import Database
from api.repositories import organisations

log = logging.getLogger(__name__)
NOTICE = {"text": "A new handover is waiting in the portal."}
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


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _send(database: Database, org_id: str) -> None:
    def lookup() -> str | None:
        with database.unit_of_work() as session:
            return organisations.notice_webhook(session, org_id)

    url = await anyio.to_thread.run_sync(lookup)
    if not url:
        return
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = await client.post(url, json=NOTICE)
        log.info("handover notice sent", extra={"status": response.status_code})
    except httpx.HTTPError as error:
        log.warning("handover notice failed", extra={"error": type(error).__name__})


def announce(database: Database, org_id: str) -> None:
    """Send the notice in the background: the victim's reply never waits for an organisation's webhook."""
    task = asyncio.get_running_loop().create_task(_send(database, org_id))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
