"""The DangerThreshold NLU component (Rasa's venv): danger wins whenever it reaches the threshold."""

from __future__ import annotations

import json
import subprocess

import pytest

from api.core.config import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from bot.components.danger_threshold import DangerThreshold

messages = []
for ranking in json.loads(sys.argv[1]):
    message = Message(data={"text": "x"})
    message.set("intent", dict(ranking[0]))
    message.set("intent_ranking", ranking)
    messages.append(message)
DangerThreshold({"intent": "immediate_danger", "threshold": 0.2}).process(messages)
print(json.dumps([[m.get("intent")["name"], [r["name"] for r in m.get("intent_ranking")]] for m in messages]))
"""
CASES = [
    ([("need_domestic_abuse", 0.55), ("immediate_danger", 0.25)], "immediate_danger"),
    ([("need_domestic_abuse", 0.55), ("immediate_danger", 0.2)], "immediate_danger"),
    ([("need_domestic_abuse", 0.75), ("immediate_danger", 0.19)], "need_domestic_abuse"),
    ([("immediate_danger", 0.9), ("greet", 0.05)], "immediate_danger"),
    ([("greet", 0.9), ("affirm", 0.1)], "greet"),
]


@pytest.fixture(scope="module")
def decided() -> list[list[object]]:
    """Every case through the real component in Rasa's venv, in one process (importing Rasa takes seconds)."""
    rows = [[{"name": name, "confidence": confidence} for name, confidence in ranking] for ranking, _ in CASES]
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", SCRIPT, json.dumps(rows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    answers: list[list[object]] = json.loads(result.stdout.strip().splitlines()[-1])
    return answers


@pytest.mark.parametrize("case", range(len(CASES)))
def test_danger_wins_at_the_threshold(decided: list[list[object]], case: int) -> None:
    ranking, expected = CASES[case]
    intent, order = decided[case]
    assert intent == expected
    assert isinstance(order, list) and order[0] == expected and sorted(order) == sorted(n for n, _ in ranking)
