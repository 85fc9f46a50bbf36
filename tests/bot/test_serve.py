"""bot/serve.py (Rasa's venv): every action server answer and every event list the HTTP API receives is still
validated, with each schema checked once."""

from __future__ import annotations

import json
import subprocess

from api.core.config import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = """
import json
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from types import SimpleNamespace
from rasa import server
from bot.serve import use_one_validator, validate_events_once

use_one_validator()
validate_events_once()
checks = []
original = validators.Draft202012Validator.check_schema
validators.Draft202012Validator.check_schema = classmethod(lambda cls, schema: checks.append(1) or original(schema))
action = RemoteAction("action_show_services", None)
good = {"events": [{"event": "slot", "name": "need", "value": "housing"}], "responses": [{"custom": {"outbox": 0}}]}
valid = [action._validate_action_result(good) for _ in range(20)]
refused = []
for bad in ({"events": "not a list"}, {"events": [{"name": "no event key"}]}):
    try:
        action._validate_action_result(bad)
        refused.append(None)
    except ValidationError as error:
        refused.append(error.message)
events_ok = [server.validate_events_in_request_body(SimpleNamespace(json=[])) is None for _ in range(5)]
try:
    server.validate_events_in_request_body(SimpleNamespace(json=[{"event": 7}]))
    events_refused = None
except server.ErrorResponse as error:
    events_refused = error.status
print(json.dumps({"valid": valid, "refused": refused, "checks": len(checks), "events_ok": events_ok,
                  "events_refused": events_refused}))
"""


def test_answers_are_validated_against_a_schema_checked_once() -> None:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["valid"] == [True] * 20
    assert all(message and "Failed to validate Action server response" in message for message in out["refused"])
    assert out["checks"] == 0, "the schemas are checked once, when the validators are built, never per call"
    assert out["events_ok"] == [True] * 5 and out["events_refused"] == 400
