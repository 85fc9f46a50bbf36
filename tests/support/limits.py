"""Limits for harnesses that drive many conversations from one address (the suites' shared stack, the held-out
runs, the benchmarks): the per-client limits would otherwise refuse them, as they should refuse a flood."""

from __future__ import annotations

HARNESS_LIMITS = {
    "chat_sessions_per_hour": 1_000_000,
    "chat_messages_per_minute": 1_000_000,
    "sms_messages_per_minute": 1_000_000,
}
HARNESS_LIMITS_ENV = {name.upper(): str(value) for name, value in HARNESS_LIMITS.items()}
