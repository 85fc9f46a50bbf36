"""The assistant's NLU training examples (data/nlu/), for the models the gateway trains itself beside Rasa's.

data/nlu/*.yml is the source language's (English); data/nlu/<lang>/*.yml is that language's, as people write it
(native, unaccented, romanised, SMS, code-switched).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.core.files import read_yaml

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class NluExample:
    text: str
    intent: str
    language: str


def training_files(nlu_dir: Path) -> list[Path]:
    return sorted(nlu_dir.glob("*.yml")) + sorted(nlu_dir.glob("*/*.yml"))


def examples_of(path: Path, language: str) -> list[NluExample]:
    """One Rasa NLU file's examples (training data or a held-out set in the same format)."""
    examples: list[NluExample] = []
    data = read_yaml(path) or {}
    for block in data.get("nlu") or []:
        for line in str(block.get("examples") or "").splitlines():
            text = line.strip().removeprefix("- ").strip()
            if text:
                examples.append(NluExample(text, str(block["intent"]), language))
    return examples


def load_nlu_examples(nlu_dir: Path) -> list[NluExample]:
    return [
        example
        for path in training_files(nlu_dir)
        for example in examples_of(path, SOURCE_LANGUAGE if path.parent == nlu_dir else path.parent.name)
    ]
