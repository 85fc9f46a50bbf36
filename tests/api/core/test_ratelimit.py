"""Counting per client: a sliding window, and who the client is behind proxies and on IPv6."""

from __future__ import annotations

import pytest

from api.core import ratelimit
from api.core.ratelimit import SlidingWindow, client_key, parse_networks


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_allows_its_limit_then_refuses_until_the_oldest_leaves() -> None:
    clock = Clock()
    window = SlidingWindow(3, 60, clock)
    assert [window.allow("a") for _ in range(4)] == [True, True, True, False]
    assert window.allow("b"), "another client has its own count"
    assert window.retry_after("a") == 61
    clock.now += 60
    assert window.allow("a")


def test_refused_requests_are_not_counted() -> None:
    clock = Clock()
    window = SlidingWindow(1, 60, clock)
    window.allow("a")
    for _ in range(5):
        clock.now += 10
        window.allow("a")
    clock.now += 11  # 61 s after the one allowed request
    assert window.allow("a")


def test_purge_forgets_clients_with_nothing_left_in_the_window() -> None:
    clock = Clock()
    window = SlidingWindow(2, 60, clock)
    window.allow("old")
    clock.now += 30
    window.allow("recent")
    clock.now += 31
    window.purge()
    assert list(window._events) == ["recent"]


def test_a_flood_of_new_addresses_cannot_grow_memory_without_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "MAX_KEYS", 100)
    window = SlidingWindow(1, 60, Clock())
    for i in range(1000):
        window.allow(f"10.0.{i // 256}.{i % 256}")
    assert len(window._events) == 100


PROXY = parse_networks("127.0.0.1, ::1, 10.0.0.0/8")


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", None, [], "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", [], "203.0.113.7"),  # not a proxy: what it forwards is not believed
        ("127.0.0.1", "198.51.100.1", PROXY, "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", PROXY, "198.51.100.1"),  # the left part is the client's own claim
        ("127.0.0.1", "198.51.100.1, 10.1.1.1", PROXY, "198.51.100.1"),  # through two trusted proxies
        ("127.0.0.1", "not-an-address", PROXY, "127.0.0.1"),
        ("127.0.0.1", None, PROXY, "127.0.0.1"),
        ("2001:db8:1:2:aaaa::1", None, [], "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", None, [], "2001:db8:1:2::/64"),  # the same /64: the same client
        ("::1", "2001:db8:5:6::7", PROXY, "2001:db8:5:6::/64"),
        ("testclient", None, [], "testclient"),
    ],
)
def test_who_the_client_is(peer: str, forwarded: str | None, trusted: list[object], expected: str) -> None:
    assert client_key(peer, forwarded, trusted) == expected  # type: ignore[arg-type]


def test_a_bad_trusted_proxy_is_refused_at_startup() -> None:
    from tests.helpers import make_settings

    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6"):
        make_settings(trusted_proxies="127.0.0.1, not-a-network")
