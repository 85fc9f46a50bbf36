"""bot/serve.py (Rasa's venv): every action server answer is still validated, with the schema checked once."""

from __future__ import annotations

import json
import subprocess

from api.core.config import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = """
import json
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from bot.serve import use_one_validator

use_one_validator()
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
print(json.dumps({"valid": valid, "refused": refused, "checks": len(checks)}))
"""


def test_answers_are_validated_against_a_schema_checked_once() -> None:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["valid"] == [True] * 20
    assert all(message and "Failed to validate Action server response" in message for message in out["refused"])
    assert out["checks"] == 0, "the schema is checked once, when the validator is built, never per answer"
