"""Intent accuracy of the trained model on held-out examples (never used in training).

Runs in the Rasa venv (Python 3.10): `make nlu-accuracy`. Prints accuracy per file (one file per language)
and per intent, and the confusions. It fails when the source language (--strict, English) is below
--min-accuracy or misses any immediate_danger example, and when any other language falls below
--min-accuracy-other: those are the machine-drafted languages, whose figures are reported for planning.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
logging.disable(logging.WARNING)

from rasa.core.agent import Agent  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.utils.log_utils import configure_structlog  # noqa: E402

# Rasa's structured logger prints every parse at debug level unless told otherwise.
configure_structlog(logging.WARNING)

SAFETY_INTENT = "immediate_danger"
FALLBACK_INTENT = "nlu_fallback"


def as_answered(parsed: dict) -> str:  # type: ignore[type-arg]
    """The intent the assistant acts on: an unsure message whose likeliest intent is danger gets the danger
    guidance (actions/fallback.py), so it counts as danger here too; any other unsure message is a miss."""
    predicted = str(parsed["intent"]["name"])
    if predicted != FALLBACK_INTENT:
        return predicted
    ranking = [str(r["name"]) for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK_INTENT]
    return SAFETY_INTENT if ranking[:1] == [SAFETY_INTENT] else FALLBACK_INTENT


async def evaluate(model: str, paths: list[str], min_accuracy: float, min_other: float, strict: str) -> int:
    agent = Agent.load(model)
    failed = False
    summary: list[tuple[str, float, int, int]] = []
    for path in paths:
        examples = [(e.get("text"), e.get("intent")) for e in load_data(path).intent_examples]
        per_intent: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
        confusions: collections.Counter[tuple[str, str]] = collections.Counter()
        for text, expected in examples:
            predicted = as_answered(await agent.parse_message(text))
            per_intent[expected][1] += 1
            if predicted == expected:
                per_intent[expected][0] += 1
            else:
                confusions[(expected, predicted)] += 1
        correct = sum(c for c, _ in per_intent.values())
        accuracy = correct / len(examples) if examples else 0.0
        print(f"\nNLU held-out accuracy {path}: {accuracy:.3f} ({correct}/{len(examples)})")
        for intent, (ok, total) in sorted(per_intent.items()):
            print(f"  {intent:24s} {ok:3d}/{total:<3d} {ok / total:.2f}")
        for (expected, predicted), count in confusions.most_common(10):
            print(f"  confused: {expected} -> {predicted} x{count}")
        danger_ok, danger_total = per_intent.get(SAFETY_INTENT, [0, 0])
        is_strict = path.endswith(f"_{strict}.yml")
        floor = min_accuracy if is_strict else min_other
        summary.append((path, accuracy, danger_ok, danger_total))
        if accuracy < floor:
            print(f"FAIL: accuracy {accuracy:.3f} is below {floor}")
            failed = True
        if danger_ok < danger_total:
            print(f"{'FAIL' if is_strict else 'NOTE'}: {danger_total - danger_ok} immediate-danger example(s) missed")
            failed = failed or is_strict
    print("\nNLU held-out summary (accuracy, immediate-danger recall):")
    for path, accuracy, danger_ok, danger_total in summary:
        recall = danger_ok / danger_total if danger_total else 1.0
        print(f"  {path.rsplit('_', 1)[-1].removesuffix('.yml'):4s} accuracy {accuracy:.3f}  danger recall {recall:.2f}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--min-accuracy", type=float, default=0.9)
    parser.add_argument("--min-accuracy-other", type=float, default=0.5)
    parser.add_argument("--strict", default="en", help="the language held to --min-accuracy and full danger recall")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    return asyncio.run(evaluate(args.model, args.paths, args.min_accuracy, args.min_accuracy_other, args.strict))


if __name__ == "__main__":
    sys.exit(main())
