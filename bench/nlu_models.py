"""NLU models side by side, on writing they never saw: the current pipeline against stronger offline options.

Each candidate is trained here on data/nlu/ (the assistant's training data) with scikit-learn, and measured on
the held-out sets: tests/nlu/heldout_*.yml (plain held-out examples) and tests/nlu/realistic/*.yml (realistic
writing, per style). Nothing downloads; everything runs on this machine's CPU.

- current: the features and classifier of bot/config.yml (whitespace words and character 1-5-grams within words,
  lowercased, counts; logistic regression, lbfgs), with its danger threshold (0.2) and fallback (0.2).
- folded: the same, on the words as typed and as folded (no diacritics, one case, lookalike letters folded), so
  "nao" and "não" share features.
- current + danger model: current, plus the dedicated danger-or-not classifier the gateway runs beside Rasa
  (api/pipeline/danger_model.py: character 2-5-grams of the folded text, balanced classes, its threshold chosen
  on a validation split of the training data, never on the held-out sets).

Measured: training time, latency per message (p50/p95, the model alone), peak memory while training, and per
language: intent accuracy, danger recall and false danger on both held-out sets. `python -m bench.nlu_models`.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from api.core.config import ROOT
from api.pipeline.danger_model import DangerModel
from api.pipeline.nlu_data import NluExample, examples_of, load_nlu_examples
from api.pipeline.normalise import fold

DANGER = "immediate_danger"
FALLBACK = "nlu_fallback"
DANGER_THRESHOLD = 0.2
FALLBACK_THRESHOLD = 0.2
SEED = 42


@dataclass(frozen=True)
class Held:
    language: str
    text: str
    intent: str
    style: str


def held_out() -> dict[str, list[Held]]:
    sets: dict[str, list[Held]] = {"heldout": [], "realistic": []}
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        language = path.stem.removeprefix("heldout_")
        sets["heldout"] += [Held(language, e.text, e.intent, "plain") for e in examples_of(path, language)]
    for path in sorted((ROOT / "tests" / "nlu" / "realistic").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            sets["realistic"].append(Held(path.stem, str(item["text"]), str(item["intent"]), str(item["style"])))
    return sets


def _words(text: str) -> list[str]:
    return text.split()


def _folded_words(text: str) -> list[str]:
    typed = text.casefold().split()
    return typed + [w for w in fold(text).split() if w not in typed]


class Candidate:
    name = ""

    def __init__(self) -> None:
        self.pipeline: Any = None
        self.danger: Any = None
        self.danger_threshold = 1.0

    def features(self) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.pipeline import make_union

        words = self.tokens()
        return make_union(
            CountVectorizer(tokenizer=words, lowercase=True, token_pattern=None),
            CountVectorizer(analyzer=lambda t: _char_grams(words(t))),
        )

    def tokens(self) -> Callable[[str], list[str]]:
        return _words

    def fit(self, examples: list[tuple[str, str]]) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.pipeline = make_pipeline(self.features(), LogisticRegression(max_iter=3000, random_state=SEED))
        self.pipeline.fit([t for t, _ in examples], [i for _, i in examples])

    def predict(self, text: str) -> str:
        probabilities = self.pipeline.predict_proba([text])[0]
        ranked = sorted(zip(probabilities, self.pipeline.classes_, strict=True), reverse=True)
        scores = {str(c): float(p) for p, c in ranked}
        if self.danger is not None and self.danger.predict_proba([text])[0][1] >= self.danger_threshold:
            return DANGER
        if scores.get(DANGER, 0.0) >= DANGER_THRESHOLD:
            return DANGER
        best, intent = ranked[0]
        if best < FALLBACK_THRESHOLD:
            return FALLBACK
        return str(intent)


def _char_grams(words: list[str]) -> list[str]:
    grams = []
    for word in words:
        padded = f" {word} "
        grams += [padded[i : i + n] for n in range(1, 6) for i in range(len(padded) - n + 1)]
    return grams


class Current(Candidate):
    name = "current"


class Folded(Candidate):
    name = "folded"

    def tokens(self) -> Callable[[str], list[str]]:
        return _folded_words


class WithDangerModel(Current):
    """What the gateway runs: Rasa's pipeline, and the dedicated danger model as a second opinion."""

    name = "current + danger model"

    def fit(self, examples: list[tuple[str, str]]) -> None:
        super().fit(examples)
        model = DangerModel.train([NluExample(t, i, "") for t, i in examples])
        self.danger, self.danger_threshold = model.pipeline, model.threshold


@dataclass
class Score:
    correct: int = 0
    total: int = 0
    danger_hit: int = 0
    danger_total: int = 0
    false_danger: int = 0
    other_total: int = 0

    def add(self, expected: str, got: str) -> None:
        self.total += 1
        self.correct += got == expected
        if expected == DANGER:
            self.danger_total += 1
            self.danger_hit += got == DANGER
        else:
            self.other_total += 1
            self.false_danger += got == DANGER

    def row(self) -> str:
        def rate(a: int, b: int) -> str:
            return f"{a / b:.2f}" if b else "-"

        return (
            f"acc {rate(self.correct, self.total)}  danger {rate(self.danger_hit, self.danger_total)}"
            f"  false {rate(self.false_danger, self.other_total)}"
        )


def evaluate(candidate: Candidate, items: list[Held]) -> tuple[dict[str, Score], dict[str, Score], list[float]]:
    per_language: dict[str, Score] = defaultdict(Score)
    per_style: dict[str, Score] = defaultdict(Score)
    timings = []
    for item in items:
        began = time.perf_counter()
        got = candidate.predict(item.text)
        timings.append((time.perf_counter() - began) * 1000)
        per_language[item.language].add(item.intent, got)
        per_style[item.style].add(item.intent, got)
    return per_language, per_style, timings


def total_of(scores: dict[str, Score]) -> Score:
    out = Score()
    for s in scores.values():
        for name in vars(out):
            setattr(out, name, getattr(out, name) + getattr(s, name))
    return out


def main() -> int:
    examples = [(e.text, e.intent) for e in load_nlu_examples(ROOT / "data" / "nlu")]
    sets = held_out()
    print(f"{len(examples)} training examples; held-out: {', '.join(f'{k} {len(v)}' for k, v in sets.items())}")
    for candidate in (Current(), Folded(), WithDangerModel()):
        tracemalloc.start()
        began = time.perf_counter()
        candidate.fit(examples)
        trained = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"\n== {candidate.name}: trained in {trained:.1f} s, peak {peak:.0f} MiB while training")
        for name, items in sets.items():
            languages, styles, timings = evaluate(candidate, items)
            p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
            print(f"  {name}: {total_of(languages).row()}   latency p50 {p50:.2f} ms p95 {p95:.2f} ms")
            for style, score in sorted(styles.items()):
                print(f"    style {style:14s} {score.row()}")
            for language, score in sorted(languages.items()):
                print(f"    {language:4s} {score.row()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
