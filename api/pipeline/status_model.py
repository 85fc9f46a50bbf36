"""A clause classifier for immigration status, beside the word list: the list has reached its limit.

People state a status without any term a list can hold ("my husband is my sponsor", "it ran out last year",
"mera case chal raha hai"). This model reads character and word n-grams of the folded clause (api/pipeline/
normalise.fold), and the previous clause as context: whether it was removed, and its words, so that a sentence
continuing a removed statement goes too.

Trained on `data/redaction/<lang>.yml` (clauses that state a status and clauses that do not, hard negatives
such as "he took my passport" included), never on the held-out sets in tests/privacy/heldout/; and on the clauses
of the NLU data's danger messages (data/nlu/, `DangerEvidence`), which are never status and are the transcript's
most important evidence: without them the model removed whole danger sentences ("the agent says a van comes before
sunrise to move all of us") because they read like travel and arrival. The threshold is
chosen on a validation split of that training data: the lowest that keeps false removals of ordinary clauses
(those the word list does not already remove) at or under `MAX_FALSE_REMOVALS`: the 5% of evidence the issue
allows to lose, spent on deliberately hard negatives, so ordinary writing loses less. Training takes under a
minute; the model is cached under models/, keyed by a hash of the data, this module's code and the library's
version, so it is trained once per change.
"""

from __future__ import annotations

import itertools
import logging
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api.core.files import read_yaml
from api.pipeline.danger_model import DANGER
from api.pipeline.nlu_data import load_nlu_examples, training_files
from api.pipeline.normalise import core_of, fold
from api.pipeline.training import choose_threshold, content_hash, load_or_build

log = logging.getLogger(__name__)
MAX_FALSE_REMOVALS = 0.05
# After a removed statement: evidence that follows one ("my visa ran out. he hits me") must still be kept.
MAX_FALSE_AFTER_REMOVAL = 0.10
SEED = 42
# The NLU data's messages of these intents teach their clauses as never status: danger messages are the evidence a
# support worker needs most, and "will the police tell the Home Office if I report?" is the question the service
# exists to answer (a clause the word list removes, "I have no visa", is left out of both).
NEVER_STATUS_INTENTS = (DANGER, "ask_safe_to_report")


@dataclass(frozen=True)
class Example:
    text: str
    previous: str
    previous_removed: bool
    status: bool
    # The word list already removes it: such a clause says nothing about where the classifier's threshold goes.
    listed: bool = False
    # Whether the threshold is chosen on it: the danger clauses only teach (they would dilute the hard negatives
    # that MAX_FALSE_REMOVALS is spent on, and so let the threshold drop).
    calibrates: bool = True

    @property
    def context(self) -> Context:
        return Context(self.previous, self.previous_removed)


@dataclass(frozen=True)
class Context:
    """What the classifier knows of the clause before this one."""

    previous: str = ""
    previous_removed: bool = False


def load_examples(folder: Path, is_status: Any) -> list[Example]:
    """Every language's examples; a previous clause counts as removed when the word list removes it."""
    examples: list[Example] = []
    for path in sorted(folder.glob("*.yml")):
        data = read_yaml(path) or {}
        for label, items in (("status", data.get("status")), ("not_status", data.get("not_status"))):
            for item in items or []:
                text, previous = (item, "") if isinstance(item, str) else (item["text"], item.get("previous", ""))
                text, previous = core_of(str(text)), core_of(str(previous))
                removed = bool(previous) and bool(is_status(str(previous)))
                listed = bool(is_status(str(text)))
                examples.append(Example(str(text), str(previous), removed, label == "status", listed))
    return examples


@dataclass(frozen=True)
class DangerEvidence:
    """Where the danger messages are, and how redaction splits a message into clauses (the redactor's own split)."""

    nlu_dir: Path
    clauses: Callable[[str], list[str]]


def danger_examples(evidence: DangerEvidence, is_status: Any) -> list[Example]:
    """Every clause of every danger message, once, as not status, with the clause before it as its context.

    A clause the word list removes is left out: whether it states a status is the list's call, not this data's.
    """
    examples: dict[tuple[str, str], Example] = {}
    for message in load_nlu_examples(evidence.nlu_dir):
        if message.intent not in NEVER_STATUS_INTENTS:
            continue
        previous, previous_listed = "", False
        for clause in evidence.clauses(message.text):
            listed = bool(clause) and bool(is_status(clause))
            if clause and not listed:
                example = Example(clause, previous, previous_listed, False, calibrates=False)
                examples.setdefault((clause, previous), example)
            previous, previous_listed = clause, listed
    return list(examples.values())


def data_hash(folder: Path, danger: DangerEvidence | None = None) -> str:
    files = sorted(folder.glob("*.yml")) + (training_files(danger.nlu_dir) if danger else [])
    return content_hash(files, Path(__file__))


DIMENSIONS = 2**20


def hashed_features(text: str, context: Context) -> list[int]:
    """Feature indices (with repeats, as counts) of a clause: character 2-5-grams within words, words and word
    pairs of the folded clause; and, when the clause before it was removed, that clause's words and character
    2-3-grams (scripts without spaces have no words) and the clause's own n-grams again, marked, so the model
    learns which words continue a status statement ("it ran out last year") rather than one weight for "after a
    removal".

    Hashed with CRC-32 (stable across processes, unlike Python's own hash), so nothing needs a vocabulary.
    """
    own = _grams(fold(text), "")
    grams = list(own)
    if context.previous_removed:
        # Context only for a continuation: a clause after an ordinary one is judged on its own words.
        grams += _grams(fold(context.previous), "p", chars=(2, 3), pairs=False)
        grams += ["removed before", *(f"r{g}" for g in own)]
    return [zlib.crc32(g.encode()) % DIMENSIONS for g in grams]


def _grams(folded: str, tag: str, chars: tuple[int, int] = (2, 5), pairs: bool = True) -> list[str]:
    words = folded.split()
    grams = [f"{tag}w {w}" for w in words]
    if pairs:
        grams += [f"{tag}b {a} {b}" for a, b in itertools.pairwise(words)]
    for word in words:
        padded = f" {word} "
        grams += [
            f"{tag}c{padded[i : i + n]}" for n in range(chars[0], chars[1] + 1) for i in range(len(padded) - n + 1)
        ]
    return grams


# A clause right before a removed statement goes at this score (api/pipeline/redaction.py, _before_removed). Chosen
# on the third held-out batch of 2026-12-04, scored by a model that had never trained on it, before that batch was
# retired into training: any value from 0.15 to 0.5 gave the same gain (split statements 51 -> 57 of 60, recall
# 0.925 -> 0.938) at no cost to evidence or to the clauses kept around a statement; 0.65 gained less. The highest
# of that plateau is taken.
THRESHOLD_BEFORE_REMOVAL = 0.5


def _sigmoid(score: float) -> float:
    """The logistic function without overflow: a note of thousands of one character sums its weights far past
    what math.exp takes (schemathesis found the 500)."""
    if score >= 0:
        return 1.0 / (1.0 + math.exp(-score))
    small = math.exp(score)  # underflows to 0.0 at worst, never raises
    return small / (1.0 + small)


class StatusModel:
    """Logistic regression on hashed n-grams: no vocabulary to hold in memory, nothing learned at import.

    Scoring is the linear model itself (a sum of weights, then the logistic), not sklearn's predict_proba, whose
    input checks cost more than the model on a message of a few clauses.
    """

    def __init__(self, classifier: Any, threshold: float, threshold_after: float | None = None) -> None:
        import numpy as np

        self.classifier = classifier
        self.threshold = threshold
        # Right after a removed statement a clause more likely continues it, so it goes at a lower score.
        self.threshold_after = threshold if threshold_after is None else threshold_after
        self.threshold_before = min(threshold, THRESHOLD_BEFORE_REMOVAL)
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
        return [_sigmoid(score) for score in scores]

    def states(self, texts: Sequence[str], contexts: Sequence[Context]) -> list[bool]:
        return [
            p >= (self.threshold_after if c.previous_removed else self.threshold)
            for p, c in zip(self.probabilities(texts, contexts), contexts, strict=True)
        ]

    @classmethod
    def train(cls, examples: list[Example]) -> StatusModel:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split

        def fit(items: list[Example]) -> Any:
            model = LogisticRegression(
                C=1.0, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=SEED
            )
            contexts = [e.context for e in items]
            return model.fit(cls.features([e.text for e in items], contexts), [e.status for e in items])

        labels = [e.status for e in examples]
        train, validation = train_test_split(examples, test_size=0.2, random_state=SEED, stratify=labels)
        probe = cls(fit(train), 0.5)
        scores = probe.probabilities([e.text for e in validation], [e.context for e in validation])
        unlisted = [(score, e) for score, e in zip(scores, validation, strict=True) if not e.listed and e.calibrates]
        threshold = choose_threshold(
            [score for score, _ in unlisted], [e.status for _, e in unlisted], MAX_FALSE_REMOVALS
        )
        after = [(score, e.status) for score, e in unlisted if e.previous_removed]
        threshold_after = choose_threshold([a for a, _ in after], [b for _, b in after], MAX_FALSE_AFTER_REMOVAL)
        return cls(fit(examples), threshold, min(threshold, threshold_after))

    @classmethod
    def load_or_train(
        cls, data: Path, cache: Path, is_status: Any, danger: DangerEvidence | None = None
    ) -> StatusModel | None:
        """The cached model for this training data, trained (and cached) first if there is none yet."""
        if not any(data.glob("*.yml")):
            return None

        def build() -> tuple[Any, float, float | None]:
            extra = danger_examples(danger, is_status) if danger else []
            model = cls.train(load_examples(data, is_status) + extra)
            return model.classifier, model.threshold, model.threshold_after

        try:
            key = data_hash(data, danger)
            classifier, threshold, threshold_after = load_or_build(cache, "status-model", key, build)
        except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
            # The word list still redacts; a broken training file must not stop the assistant answering.
            log.error("redaction.model_unavailable", extra={"error": type(error).__name__})
            return None
        return cls(classifier, float(threshold), None if threshold_after is None else float(threshold_after))
