"""Limits per client that keep the public chat usable for victims when someone floods it.

One client created 200 sessions in a third of a second before these existed. A client is an address; behind a
trusted proxy, the address it forwarded; for IPv6, the /64 (one household or phone gets a whole /64, so counting
single addresses would let one client take millions of keys). The counts are in memory, per gateway process.
"""

from __future__ import annotations

import ipaddress
import time
from collections import deque
from collections.abc import Callable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Keys kept at most per window: past this, the stalest go first, so a flood of new addresses cannot exhaust memory.
MAX_KEYS = 100_000


class SlidingWindow:
    """At most `limit` events in any `seconds` per key."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        events = self._events.pop(key, None) or deque()
        while events and events[0] <= now - self.seconds:
            events.popleft()
        allowed = len(events) < self.limit
        if allowed:
            events.append(now)
        self._events[key] = events  # re-inserted: the dict's order is least recently seen first
        while len(self._events) > MAX_KEYS:
            del self._events[next(iter(self._events))]
        return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until the oldest counted event leaves the window."""
        events = self._events.get(key)
        if not events:
            return 0
        return max(1, int(events[0] + self.seconds - self.clock()) + 1)

    def purge(self) -> None:
        """Forget keys with nothing left in the window."""
        cutoff = self.clock() - self.seconds
        for key in [k for k, events in self._events.items() if not events or events[-1] <= cutoff]:
            del self._events[key]


def parse_networks(text: str) -> list[Network]:
    """TRUSTED_PROXIES: comma-separated addresses or networks ("127.0.0.1, 10.0.0.0/8")."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def client_key(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client a request counts against.

    The peer is the client unless it is a trusted proxy; then the right-most address in X-Forwarded-For that is not
    itself a trusted proxy (anything to its left was written by the client and proves nothing).
    """
    address = _address(peer)
    if address is None:
        return str(peer or "unknown")
    if forwarded_for and _within(address, trusted):
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            forwarded = _address(hop)
            if forwarded is None:
                break
            address = forwarded
            if not _within(forwarded, trusted):
                break
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _address(text: str | None) -> Address | None:
    try:
        return ipaddress.ip_address((text or "").strip().strip("[]"))
    except ValueError:
        return None


def _within(address: Address, networks: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)
