"""What reading a message sentence by sentence does to danger: recall and false alarms, against the whole-message
reading alone, on the held-out NLU sets (tests/nlu/heldout_*.yml, never used in training).

The gateway acts on danger when NLU reads it in the whole message or in any one of its sentences
(api/conversation.Conversation._intent). This runs that same rule against a real Rasa server and counts, per
language: danger messages read as danger (whole message; whole or any sentence), and other messages read as danger
(false alarms), both ways. A bench, not a test: `python -m bench.danger_sentences` (a few minutes).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import yaml

from api.core.config import ROOT
from api.rasa_client import RasaClient
from api.stack import Stack, free_port
from tests.privacy.rates import redactor

DANGER = "immediate_danger"


def examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for block in data.get("nlu") or []:
        for line in str(block.get("examples", "")).splitlines():
            if line.strip().startswith("- "):
                out.append((line.strip()[2:], str(block["intent"])))
    return out


async def measure(rasa: RasaClient, items: list[tuple[str, str]]) -> tuple[int, int, int, int, int, int]:
    danger_total = whole_hits = any_hits = other_total = whole_false = any_false = 0
    sentences_of = redactor().sentences
    for text, intent in items:
        whole = (await rasa.parse(text)).intent == DANGER
        parts = sentences_of(text)
        each = [(await rasa.parse(p)).intent == DANGER for p in parts] if len(parts) > 1 else []
        either = whole or any(each)
        if intent == DANGER:
            danger_total += 1
            whole_hits += whole
            any_hits += either
        else:
            other_total += 1
            whole_false += whole
            any_false += either
    return danger_total, whole_hits, any_hits, other_total, whole_false, any_false


async def run(stack: Stack) -> None:
    rasa = RasaClient(stack.rasa_url, 10.0, stack.rasa_token)
    header = f"{'danger recall: whole':>22s} {'+ sentences':>12s} {'false danger: whole':>21s} {'+ sentences':>12s}"
    print(f"{'lang':5s} {header}")
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        d, wh, ah, o, wf, af = await measure(rasa, examples(path))
        language = path.stem.removeprefix("heldout_")
        print(f"{language:5s} {wh:>13d}/{d:<8d} {ah:>5d}/{d:<6d} {wf:>12d}/{o:<8d} {af:>5d}/{o:<6d}")
    await rasa.close()


def main() -> int:
    with (
        tempfile.TemporaryDirectory() as var,
        Stack(gateway_port=free_port(), rasa_port=free_port(), var_dir=Path(var), start_gateway=False) as stack,
    ):
        asyncio.run(run(stack))
    return 0


if __name__ == "__main__":
    sys.exit(main())
