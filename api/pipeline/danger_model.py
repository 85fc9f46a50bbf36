"""A dedicated danger classifier beside Rasa's intent classifier: in danger, the first thing she reads is 999.

Rasa's classifier spreads its probability over twenty intents; danger written in romanised Urdu, SMS-speak or
buried in a long message often scores below its danger threshold. This model asks one question: how far is danger
ahead of the likeliest other intent? A linear SVM, one intent against the rest, on character 2-5-grams and word
1-2-grams of the folded text (no diacritics, one case, lookalikes folded: api/pipeline/normalise.fold), so
unaccented and accented writing share features, with balanced classes. Weighing danger against each other intent,
rather than against all of them at once as the earlier danger-or-not regression did, lets "how do I help my sister,
he beats her" count for helping someone else: on a validation split of the training data, at 3% false danger it
finds 0.93 of danger messages where the regression found 0.89 (and trains in seconds). The gateway reads it on the
whole message and on each sentence, and acts on danger when it or Rasa (on the whole message) says so
(api/conversation.py).

Trained on data/nlu/ (never on the held-out sets). Its threshold is chosen on a validation split of that data: the
lowest that keeps false danger on the split at or under `MAX_FALSE_DANGER`, so that together with Rasa's own
danger threshold, messages that are not danger rarely get the 999 guidance first. A message of several sentences
has its own threshold, chosen on the same split: reading every sentence tests a message several times, and at the
message's threshold that tripled false danger on long messages (0.017 -> 0.128 on the validation split) for the
recall it bought; the sentence threshold is halfway to the highest that keeps that recall
(`bench/danger_sentences.py` measures both readings). `bench/nlu_models.py` compares
it with the intent classifier alone on the held-out sets. Cached under models/ (api/pipeline/training.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api.pipeline.nlu_data import NluExample, load_nlu_examples, training_files
from api.pipeline.normalise import fold
from api.pipeline.training import choose_threshold, content_hash, load_or_build

log = logging.getLogger(__name__)
DANGER = "immediate_danger"
MAX_FALSE_DANGER = 0.03
SEED = 42
# A long message is read sentence by sentence, up to this many sentences (bounded work per message).
MAX_SENTENCES = 12
# Rasa's danger stands only where this model gives danger at least this score (danger not far behind the
# likeliest other intent): below it, this model, which reads danger better, contradicts Rasa's guess. Chosen on
# a validation split with the Rasa replica (bench/danger_ensemble.py): 0.40 keeps recall (0.974) and takes false
# danger from 0.068 to 0.059; a higher floor starts to lose danger messages.
RASA_DANGER_FLOOR = 0.40
WORD = r"(?u)\b\w+\b"


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    return make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), preprocessor=fold, sublinear_tf=True, min_df=2),
            TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), preprocessor=fold, sublinear_tf=True, min_df=2, token_pattern=WORD
            ),
        ),
        LinearSVC(C=1.0, class_weight="balanced", max_iter=5000, random_state=SEED),
    )


def _danger_margin(pipeline: Any, texts: list[str]) -> Any:
    """How far danger's score is above the best other intent's: one-vs-rest, so "how can I help my sister" is
    weighed against help_someone_else, not against everything else at once."""
    import numpy as np

    decisions = np.asarray(pipeline.decision_function(texts))
    classes = [str(c) for c in pipeline.classes_]
    if decisions.ndim == 1:  # two intents: the decision is for classes[1]
        return decisions if classes[1] == DANGER else -decisions
    danger = classes.index(DANGER)
    return decisions[:, danger] - np.delete(decisions, danger, axis=1).max(axis=1)


Sentences = Callable[[str], list[str]]


def several_sentences(text: str, split: Sentences) -> list[str]:
    """The sentences the model reads on their own, up to MAX_SENTENCES; none when the text is a single sentence
    (then it is the message itself)."""
    parts = split(text)[:MAX_SENTENCES]
    return parts if len(parts) > 1 else []


def _fit(examples: list[NluExample]) -> Any:
    """The fitted features and classifier, scored in single precision (SinglePrecisionLinear)."""
    pipeline = _pipeline().fit([e.text for e in examples], [e.intent for e in examples])
    return SinglePrecisionLinear(pipeline[:-1], pipeline[-1])


class SinglePrecisionLinear:
    """A fitted text pipeline whose last step is linear: its features, then features @ weights + intercept, in
    single precision.

    One row of weights per intent over some 160,000 n-grams is 33 MiB in double precision, in every gateway
    process, for scores that only meet a threshold: they are kept as single precision, laid out n-gram by n-gram.
    scikit-learn's own decision_function with such weights had scipy copy and widen all 16 MiB of them on every
    message (double-precision features times the transposed weights): a quarter of the gateway's time per turn
    in a py-spy profile. Here the features are narrowed instead (only their non-zero values).
    """

    def __init__(self, features: Any, classifier: Any) -> None:
        import numpy as np

        self.features = features
        self.weights = np.ascontiguousarray(np.asarray(classifier.coef_, dtype=np.float32).T)
        self.intercept = np.asarray(classifier.intercept_, dtype=np.float32)
        self.classes_ = classifier.classes_

    def decision_function(self, texts: list[str]) -> Any:
        import numpy as np

        features = self.features.transform(texts)
        scores = features.astype(np.float32) @ self.weights + self.intercept
        return scores[:, 0] if scores.shape[1] == 1 else scores


def _with_sentences(examples: list[NluExample], sentences: Sentences | None) -> list[NluExample]:
    """The examples, and each sentence of a longer message that is not danger, with that message's intent: the
    gateway reads sentences alone, and "my son started school in September" on its own must not lean towards
    danger because such lines surround so much buried danger in the training data. (A danger message's sentences
    are not added: which of them is the danger is not labelled.)"""
    if sentences is None:
        return examples
    extra = [
        NluExample(part, e.intent, e.language)
        for e in examples
        if e.intent != DANGER
        for part in several_sentences(e.text, sentences)
    ]
    return examples + extra


@dataclass(frozen=True)
class Reading:
    """The model on one message: whether it is danger, and the highest score of any of its readings."""

    danger: bool
    score: float

    @property
    def contradicts_danger(self) -> bool:
        """Danger is far behind another intent in every reading: Rasa's danger is not to be believed."""
        return not self.danger and self.score < RASA_DANGER_FLOOR


class DangerModel:
    def __init__(self, pipeline: Any, threshold: float, sentence_threshold: float | None = None) -> None:
        self.pipeline = pipeline
        self.threshold = threshold
        self.sentence_threshold = threshold if sentence_threshold is None else sentence_threshold

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """A score in (0, 1) for each text, rising with danger's margin over the other intents (0.5: a tie)."""
        import numpy as np

        return [float(p) for p in 1 / (1 + np.exp(-_danger_margin(self.pipeline, list(texts))))] if texts else []

    def read(self, message: str, sentences: Sequence[str] = ()) -> Reading:
        """Whether the message, or any one of its sentences (when it has several), is danger. A message of several
        sentences is read several times, so every reading of it takes the sentence threshold, the whole message
        too: long everyday writing scores a little towards danger, because so much danger in the training data is
        buried in it ("I work in a shop in Leeds... tonight he strangled me")."""
        scores = self.probabilities([message, *sentences])
        threshold = self.threshold if len(scores) == 1 else self.sentence_threshold
        return Reading(max(scores) >= threshold, max(scores))

    @classmethod
    def train(
        cls, examples: list[NluExample], budget: float = MAX_FALSE_DANGER, sentences: Sentences | None = None
    ) -> DangerModel:
        from sklearn.model_selection import train_test_split

        labels = [e.intent == DANGER for e in examples]
        train, validation = train_test_split(examples, test_size=0.2, random_state=SEED, stratify=labels)
        probe = cls(_fit(_with_sentences(train, sentences)), 0.5)
        scores = probe.probabilities([e.text for e in validation])
        threshold = choose_threshold(scores, [e.intent == DANGER for e in validation], budget)
        sentence_threshold = threshold
        if sentences is not None:
            sentence_threshold = probe.sentence_threshold_for(validation, scores, threshold, sentences)
        return cls(_fit(_with_sentences(examples, sentences)), threshold, sentence_threshold)

    def sentence_threshold_for(
        self, validation: list[NluExample], scores: list[float], threshold: float, sentences: Sentences
    ) -> float:
        """Halfway to the highest sentence threshold that still finds every danger message of several sentences
        that the message's own threshold finds when it is used for the sentences too: halfway, because the highest
        sits exactly on one validation message, and the model is then refitted on all the data."""
        longer = [
            (score, self.probabilities(parts), e.intent == DANGER)
            for e, score in zip(validation, scores, strict=True)
            if (parts := several_sentences(e.text, sentences))
        ]

        def found(at: float) -> int:
            return sum(danger and max(score, *each) >= at for score, each, danger in longer)

        wanted = found(threshold)
        candidates = sorted({p for score, each, _ in longer for p in (score, *each) if p > threshold})
        best = threshold
        for candidate in candidates:
            if found(candidate) < wanted:
                break
            best = candidate
        return (threshold + best) / 2

    @classmethod
    def load_or_train(cls, nlu_dir: Path, cache: Path, sentences: Sentences) -> DangerModel | None:
        """The cached model for this data and code, trained first if there is none; `sentences` is how the gateway
        splits a message, so the sentence threshold is chosen on what it will read."""
        files = training_files(nlu_dir)
        if not files:
            return None

        def build() -> tuple[Any, float, float]:
            model = cls.train(load_nlu_examples(nlu_dir), sentences=sentences)
            return model.pipeline, model.threshold, model.sentence_threshold

        # Trained with or without its sentences is part of what the cached model is: a call without them must never
        # leave a model the gateway then loads as its own.
        key = content_hash(files, Path(__file__)) + ("s" if sentences is not None else "")
        try:
            pipeline, threshold, sentence_threshold = load_or_build(cache, "danger-model", key, build)
        except (OSError, yaml.YAMLError, ValueError, KeyError, TypeError) as error:
            # Rasa's own danger threshold still holds; a broken file must not stop the assistant answering.
            log.error("danger.model_unavailable", extra={"error": type(error).__name__})
            return None
        return cls(pipeline, float(threshold), float(sentence_threshold))
