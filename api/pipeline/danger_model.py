"""A dedicated danger-or-not classifier beside Rasa's intent classifier: in danger, the first thing she reads is 999.

Rasa's classifier spreads its probability over twenty intents; danger written in romanised Urdu, SMS-speak or
buried in a long message often scores below its danger threshold. This model answers one question only, on
character 2-5-grams of the folded text (no diacritics, one case, lookalikes folded: api/pipeline/normalise.fold),
so unaccented and accented writing share features, with balanced classes. The gateway reads it on the whole
message and on each sentence, and acts on danger when either model says so (api/conversation.py).

Trained on data/nlu/ (never on the held-out sets). Its threshold is chosen on a validation split of that data: the
lowest that keeps false danger on the split at or under `MAX_FALSE_DANGER`, so that together with Rasa's own
danger threshold, messages that are not danger rarely get the 999 guidance first. `bench/nlu_models.py` compares
it with the intent classifier alone on the held-out sets. Cached under models/ (api/pipeline/training.py).
"""

from __future__ import annotations

import logging
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


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), preprocessor=fold, sublinear_tf=True, min_df=2),
        LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000, random_state=SEED),
    )


class DangerModel:
    def __init__(self, pipeline: Any, threshold: float) -> None:
        self.pipeline = pipeline
        self.threshold = threshold

    def probabilities(self, texts: list[str]) -> list[float]:
        return [float(p) for p in self.pipeline.predict_proba(texts)[:, 1]] if texts else []

    def any_danger(self, texts: list[str]) -> bool:
        """Whether any of the texts (a message and its sentences) is danger."""
        return any(p >= self.threshold for p in self.probabilities(texts))

    @classmethod
    def train(cls, examples: list[NluExample], budget: float = MAX_FALSE_DANGER) -> DangerModel:
        from sklearn.model_selection import train_test_split

        labels = [e.intent == DANGER for e in examples]
        train, validation = train_test_split(examples, test_size=0.2, random_state=SEED, stratify=labels)
        probe = cls(_pipeline().fit([e.text for e in train], [e.intent == DANGER for e in train]), 0.5)
        scores = probe.probabilities([e.text for e in validation])
        threshold = choose_threshold(scores, [e.intent == DANGER for e in validation], budget)
        return cls(_pipeline().fit([e.text for e in examples], labels), threshold)

    @classmethod
    def load_or_train(cls, nlu_dir: Path, cache: Path) -> DangerModel | None:
        files = training_files(nlu_dir)
        if not files:
            return None

        def build() -> tuple[Any, float]:
            model = cls.train(load_nlu_examples(nlu_dir))
            return model.pipeline, model.threshold

        try:
            pipeline, threshold = load_or_build(cache, "danger-model", content_hash(files, Path(__file__)), build)
        except (OSError, yaml.YAMLError, ValueError, KeyError) as error:
            # Rasa's own danger threshold still holds; a broken file must not stop the assistant answering.
            log.error("danger.model_unavailable", extra={"error": type(error).__name__})
            return None
        return cls(pipeline, float(threshold))
