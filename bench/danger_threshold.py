# ruff: noqa: UP006, UP035  (runs in Rasa's Python 3.10 venv, beside typing-annotated Rasa code)
"""How the danger threshold (bot/config.yml, DangerThreshold) was chosen, reproducibly and without the held-out
test sets: train the NLU pipeline on 80% of the training examples, read the danger probability the classifier
gives each of the other 20%, and print danger recall against false alarms for a range of thresholds. Two seeds.

Runs in Rasa's venv: `make danger-threshold` (a few minutes on two cores).
"""

import asyncio
import glob
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Tuple

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
logging.disable(logging.WARNING)

from rasa.core.agent import Agent  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from rasa.utils.log_utils import configure_structlog  # noqa: E402

# Rasa's structured logger prints every parse at debug level unless told otherwise.
configure_structlog(logging.WARNING)

ROOT = Path(__file__).resolve().parents[1]
DANGER = "immediate_danger"
THRESHOLDS = (1.0, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1)
SEEDS = (1, 2)


def _config_without_threshold(folder: Path) -> Path:
    """The real pipeline minus DangerThreshold: the raw classifier probabilities are what is being measured."""
    lines = (ROOT / "bot" / "config.yml").read_text(encoding="utf-8").splitlines()
    kept, skipping = [], False
    for line in lines:
        if line.strip().startswith("- name:"):
            skipping = "DangerThreshold" in line
        if not skipping:
            kept.append(line)
    path = folder / "config.yml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


async def _probe(model: Path, valid: Path) -> List[Tuple[str, str, float]]:
    agent = Agent.load(str(model))
    rows = []
    for example in load_data(str(valid)).intent_examples:
        parsed = await agent.parse_message(example.get("text"))
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
        danger = next((r["confidence"] for r in ranking if r["name"] == DANGER), 0.0)
        rows.append((str(example.get("intent")), str(ranking[0]["name"]), float(danger)))
    return rows


def main() -> int:
    files = sorted(glob.glob(str(ROOT / "data/nlu/*.yml")) + glob.glob(str(ROOT / "data/nlu/*/*.yml")))
    data = TrainingData().merge(*[load_data(f) for f in files])
    rows: List[Tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = _config_without_threshold(folder)
        for seed in SEEDS:
            train, valid = data.train_test_split(train_frac=0.8, random_seed=seed)
            (folder / f"train{seed}.yml").write_text(train.nlu_as_yaml(), encoding="utf-8")
            (folder / f"valid{seed}.yml").write_text(valid.nlu_as_yaml(), encoding="utf-8")
            rasa = [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--quiet"]
            subprocess.run(
                [
                    *rasa,
                    "--nlu",
                    str(folder / f"train{seed}.yml"),
                    "--config",
                    str(config),
                    "--out",
                    tmp,
                    "--fixed-model-name",
                    f"nlu{seed}",
                ],
                check=True,
                cwd=ROOT,
                capture_output=True,
            )
            rows += asyncio.run(_probe(folder / f"nlu{seed}.tar.gz", folder / f"valid{seed}.yml"))
    dangers = [r for r in rows if r[0] == DANGER]
    others = [r for r in rows if r[0] != DANGER]
    print(f"validation examples: {len(dangers)} danger, {len(others)} other (seeds {SEEDS})")
    print("threshold  danger recall  false danger (share of other messages)")
    for threshold in THRESHOLDS:
        recall = sum(1 for r in dangers if r[1] == DANGER or r[2] >= threshold) / len(dangers)
        false = sum(1 for r in others if r[1] == DANGER or r[2] >= threshold)
        label = "none" if threshold >= 1.0 else f"{threshold:.2f}"
        print(f"{label:>9}  {recall:13.3f}  {false:5d} ({false / len(others):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
