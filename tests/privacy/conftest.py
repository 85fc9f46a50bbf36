"""One in-process gateway beside a real Rasa server (tests/support/inprocess.py), shared by the privacy tests
that read every store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.core.config import ROOT
from tests.support.inprocess import Gateway, inprocess_gateway

TWILIO_TOKEN = "privacy-test-auth-token-0123456789"
SMS_URL = "https://assistant.example.org/sms/twilio"
LOGS = ROOT / "test-output" / "scan-logs"


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    var_dir = tmp_path_factory.mktemp("scan")
    with inprocess_gateway(var_dir, LOGS, twilio_auth_token=TWILIO_TOKEN, sms_public_url=SMS_URL) as gateway:
        yield gateway
