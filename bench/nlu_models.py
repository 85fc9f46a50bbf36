"""NLU models side by side, on writing they never saw: the current pipeline against stronger offline options.

Each candidate is trained here on data/nlu/ (the assistant's training data) with scikit-learn, and measured on
the held-out sets: tests/nlu/heldout_*.yml (plain held-out examples) and tests/nlu/realistic/*.yml (realistic
writing, per style). Nothing downloads; everything runs on this machine's CPU.

- raw counts: the pipeline bot/config.yml ran until 2026-12-03 (whitespace words and character 1-5-grams within
  words, lowercased, raw counts; Rasa's logistic regression: lbfgs, balanced classes).
- current: what bot/config.yml runs now: the same features scaled (sublinear tf, idf, unit length) before the
  logistic regression (bot/components/scaled_logistic_regression.py, C=10), with its danger threshold and fallback.
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

DANGER = "immediate_danger"
FALLBACK = "nlu_fallback"
SEED = 42


def pipeline_settings() -> dict[str, dict[str, Any]]:
    """bot/config.yml's NLU pipeline, by component class name, so the replica runs what Rasa runs."""
    config = yaml.safe_load((ROOT / "bot" / "config.yml").read_text(encoding="utf-8"))
    return {str(step["name"]).rsplit(".", 1)[-1]: step for step in config["pipeline"]}


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


class Candidate:
    name = ""

    def __init__(self) -> None:
        self.pipeline: Any = None
        self.danger: DangerModel | None = None
        self.settings = pipeline_settings()
        self.rasa_danger_threshold = float(self.settings["DangerThreshold"]["threshold"])
        self.fallback_threshold = float(self.settings["FallbackClassifier"]["threshold"])

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

    def classifier(self) -> list[Any]:
        """Rasa's logistic regression: balanced classes, as Rasa's component always sets."""
        from sklearn.linear_model import LogisticRegression

        return [LogisticRegression(max_iter=3000, class_weight="balanced", random_state=SEED)]

    def fit(self, examples: list[tuple[str, str]]) -> None:
        from sklearn.pipeline import make_pipeline

        self.pipeline = make_pipeline(self.features(), *self.classifier())
        self.pipeline.fit([t for t, _ in examples], [i for _, i in examples])

    def predict(self, text: str) -> str:
        probabilities = self.pipeline.predict_proba([text])[0]
        ranked = sorted(zip(probabilities, self.pipeline.classes_, strict=True), reverse=True)
        scores = {str(c): float(p) for p, c in ranked}
        if self.danger is not None and self.danger.read(text).danger:
            return DANGER
        if scores.get(DANGER, 0.0) >= self.rasa_danger_threshold:
            return DANGER
        best, intent = ranked[0]
        if best < self.fallback_threshold:
            # As the gateway reads Rasa's fallback (api/rasa_client.danger_guessed): unsure, but danger likeliest.
            return DANGER if intent == DANGER else FALLBACK
        return str(intent)


def _char_grams(words: list[str]) -> list[str]:
    grams = []
    for word in words:
        padded = f" {word} "
        grams += [padded[i : i + n] for n in range(1, 6) for i in range(len(padded) - n + 1)]
    return grams


class RawCounts(Candidate):
    name = "raw counts"


class Current(Candidate):
    """bot/components/scaled_logistic_regression.py: the counts scaled before the logistic regression."""

    name = "current"

    def classifier(self) -> list[Any]:
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        c = float(self.settings["ScaledLogisticRegression"]["C"])
        return [
            TfidfTransformer(sublinear_tf=True),
            LogisticRegression(C=c, max_iter=1000, class_weight="balanced", random_state=SEED),
        ]


class WithDangerModel(Current):
    """What the gateway runs: Rasa's pipeline, and the dedicated danger model as a second opinion."""

    name = "current + danger model"

    def fit(self, examples: list[tuple[str, str]]) -> None:
        super().fit(examples)
        self.danger = DangerModel.train([NluExample(t, i, "") for t, i in examples])


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
    for candidate in (RawCounts(), Current(), WithDangerModel()):
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
