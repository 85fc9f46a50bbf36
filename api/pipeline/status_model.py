"""A clause classifier for immigration status, beside the word list: the list has reached its limit.

People state a status without any term a list can hold ("my husband is my sponsor", "it ran out last year",
"mera case chal raha hai"). This model reads character and word n-grams of the folded clause (api/pipeline/
normalise.fold), and the previous clause as context: whether it was removed, and its words, so that a sentence
continuing a removed statement goes too.

Trained on `data/redaction/<lang>.yml` (clauses that state a status and clauses that do not, hard negatives
such as "he took my passport" included), never on the held-out sets in tests/privacy/heldout/. The threshold is
chosen on a validation split of that training data: the lowest that keeps false removals of ordinary clauses at
or under `MAX_FALSE_REMOVALS`. Training takes a few seconds; the model is cached under models/, keyed by a hash
of the data, this module's code and the library's version, so it is trained once per change.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api.pipeline.normalise import fold

log = logging.getLogger(__name__)
MAX_FALSE_REMOVALS = 0.02
SEED = 42


@dataclass(frozen=True)
class Example:
    text: str
    previous: str
    previous_removed: bool
    status: bool


@dataclass(frozen=True)
class Context:
    """What the classifier knows of the clause before this one."""

    previous: str = ""
    previous_removed: bool = False


def load_examples(folder: Path, is_status: Any) -> list[Example]:
    """Every language's examples; a previous clause counts as removed when the word list removes it."""
    examples: list[Example] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for label, items in (("status", data.get("status")), ("not_status", data.get("not_status"))):
            for item in items or []:
                text, previous = (item, "") if isinstance(item, str) else (item["text"], item.get("previous", ""))
                removed = bool(previous) and bool(is_status(str(previous)))
                examples.append(Example(str(text), str(previous), removed, label == "status"))
    return examples


def data_hash(folder: Path) -> str:
    import sklearn

    # The library's version and this module's own code (its features) are part of what the model depends on.
    digest = hashlib.sha256(sklearn.__version__.encode() + Path(__file__).read_bytes())
    for path in sorted(folder.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


DIMENSIONS = 2**20


def hashed_features(text: str, context: Context) -> list[int]:
    """Feature indices (with repeats, as counts) of a clause: character 2-5-grams within words, words and word
    pairs of the folded clause, the words of the clause before it, and whether that one was removed.

    Hashed with CRC-32 (stable across processes, unlike Python's own hash), so nothing needs a vocabulary.
    """
    words = fold(text).split()
    grams = [f"w {w}" for w in words] + [f"b {a} {b}" for a, b in itertools.pairwise(words)]
    for word in words:
        padded = f" {word} "
        grams += [f"c{padded[i : i + n]}" for n in range(2, 6) for i in range(len(padded) - n + 1)]
    grams += [f"p {w}" for w in fold(context.previous).split()]
    if context.previous_removed:
        grams.append("removed before")
    return [zlib.crc32(g.encode()) % DIMENSIONS for g in grams]


class StatusModel:
    """Logistic regression on hashed n-grams: no vocabulary to hold in memory, nothing learned at import.

    Scoring is the linear model itself (a sum of weights, then the logistic), not sklearn's predict_proba, whose
    input checks cost more than the model on a message of a few clauses.
    """

    def __init__(self, classifier: Any, threshold: float) -> None:
        import numpy as np

        self.classifier = classifier
        self.threshold = threshold
        self._weights = np.asarray(classifier.coef_).ravel()
        self._intercept = float(np.asarray(classifier.intercept_).ravel()[0])

    @staticmethod
    def features(texts: Sequence[str], contexts: Sequence[Context]) -> Any:
        from scipy.sparse import csr_matrix

        rows, columns = [], []
        for row, (text, context) in enumerate(zip(texts, contexts, strict=True)):
            indices = hashed_features(text, context)
            rows += [row] * len(indices)
            columns += indices
        data = [1.0] * len(rows)
        return csr_matrix((data, (rows, columns)), shape=(len(texts), DIMENSIONS))

    def probabilities(self, texts: Sequence[str], contexts: Sequence[Context]) -> list[float]:
        scores = [
            float(self._weights[hashed_features(text, context)].sum()) + self._intercept
            for text, context in zip(texts, contexts, strict=True)
        ]
        return [1.0 / (1.0 + math.exp(-score)) for score in scores]

    def states(self, texts: Sequence[str], contexts: Sequence[Context]) -> list[bool]:
        return [p >= self.threshold for p in self.probabilities(texts, contexts)]

    @classmethod
    def train(cls, examples: list[Example]) -> StatusModel:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split

        def fit(items: list[Example]) -> Any:
            model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear")
            contexts = [Context(e.previous, e.previous_removed) for e in items]
            return model.fit(cls.features([e.text for e in items], contexts), [e.status for e in items])

        labels = [e.status for e in examples]
        train, validation = train_test_split(examples, test_size=0.2, random_state=SEED, stratify=labels)
        probe = cls(fit(train), 0.5)
        scores = probe.probabilities(
            [e.text for e in validation], [Context(e.previous, e.previous_removed) for e in validation]
        )
        threshold = choose_threshold(scores, [e.status for e in validation])
        return cls(fit(examples), threshold)

    @classmethod
    def load_or_train(cls, data: Path, cache: Path, is_status: Any) -> StatusModel | None:
        """The cached model for this training data, trained (and cached) first if there is none yet."""
        import joblib

        if not any(data.glob("*.yml")):
            return None
        path = cache / f"status-model-{data_hash(data)}.joblib"
        if path.exists():
            classifier, threshold = joblib.load(path)
            return cls(classifier, float(threshold))
        try:
            examples = load_examples(data, is_status)
        except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
            # The word list still redacts; a broken training file must not stop the assistant answering.
            log.error("redaction.model_unavailable", extra={"error": type(error).__name__})
            return None
        model = cls.train(examples)
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("status-model-*.joblib"):
            if old != path:
                old.unlink(missing_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        joblib.dump((model.classifier, model.threshold), partial)
        partial.replace(path)
        return model


def choose_threshold(scores: list[float], labels: list[bool]) -> float:
    """The lowest threshold whose false removals of ordinary clauses stay within MAX_FALSE_REMOVALS."""
    negatives = sorted((s for s, status in zip(scores, labels, strict=True) if not status), reverse=True)
    allowed = int(len(negatives) * MAX_FALSE_REMOVALS)
    if not negatives:
        return 0.5
    # Just above the score of the first negative that would be one false removal too many.
    return max(0.05, negatives[allowed] + 1e-6) if allowed < len(negatives) else 0.05
