"""TOTP against RFC 6238's own test vectors, and the replay rule."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from api.portal import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc_6238_sha1_vectors(unix_time: int, expected: str) -> None:
    assert totp.code_at(RFC_SECRET, totp.current_step(unix_time), digits=8) == expected


def test_a_code_is_accepted_within_one_step_of_drift_and_only_after_the_last_used_step() -> None:
    secret = totp.new_secret()
    now = 1_800_000_000.0
    step = totp.current_step(now)
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, step + offset), 0, now) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(secret, totp.code_at(secret, step + offset), 0, now) is None
    assert totp.matching_step(secret, totp.code_at(secret, step), step, now) is None  # already used
    assert totp.matching_step(secret, totp.code_at(secret, step - 1), step, now) is None  # older than the last


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5"])
def test_malformed_codes_are_refused(code: str) -> None:
    assert totp.matching_step(totp.new_secret(), code, 0) is None


def test_provisioning_uri_is_what_authenticator_apps_read() -> None:
    secret = totp.new_secret()
    uri = urlsplit(totp.provisioning_uri(secret, "ana@harbour.example.org", "Safe reporting portal"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/Safe%20reporting%20portal%3Aana%40harbour.example.org"
    query = parse_qs(uri.query)
    assert query["secret"] == [secret] and query["digits"] == ["6"] and query["period"] == ["30"]
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20
