"""Which language a message in Latin letters is written in, when fastText cannot tell.

fastText's bundled model knows Romanian, Albanian or Vietnamese as they are printed, with their diacritics; typed
on a phone without them they read as Portuguese, Polish or Spanish to it. And Roman Urdu, romanised Punjabi and
Bengali, Arabizi and Finglish are not Latin-script languages to it at all. This model learns them from the
assistant's own NLU training examples in every language (data/nlu/, romanised and unaccented ones included),
never from the held-out sets: character 1-4-grams of the text as typed and of its folded form (no diacritics,
api/pipeline/normalise.fold), so an unaccented message shares features with its accented twin.

Trained in seconds and cached under models/ (api/pipeline/training.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml

from api.pipeline.nlu_data import load_nlu_examples, training_files
from api.pipeline.normalise import fold, script_share
from api.pipeline.training import content_hash, load_or_build

log = logging.getLogger(__name__)
SEED = 42
# An example counts as written in Latin letters when at least this share of its letters are.
LATIN_SHARE = 0.8


def load_examples(nlu_dir: Path) -> list[tuple[str, str]]:
    """(text, language) for each training example written in Latin letters."""
    return [(e.text, e.language) for e in load_nlu_examples(nlu_dir) if script_share(e.text, "LATIN") >= LATIN_SHARE]


def _typed_and_folded(text: str) -> str:
    """The text as typed, then folded, so both forms' n-grams are features."""
    lowered = text.casefold()
    return f"{lowered} \u2016 {fold(text)}"


class LatinLanguageModel:
    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    def ranked(self, text: str) -> list[tuple[float, str]]:
        """Every language the model knows, most likely first, with its probability."""
        probabilities = self.pipeline.predict_proba([text])[0]
        return sorted(
            zip((float(p) for p in probabilities), map(str, self.pipeline.classes_), strict=True), reverse=True
        )

    @classmethod
    def train(cls, examples: list[tuple[str, str]]) -> LatinLanguageModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        vectoriser = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 4), preprocessor=_typed_and_folded, sublinear_tf=True, min_df=2
        )
        classifier = LogisticRegression(C=10.0, max_iter=3000, random_state=SEED)
        pipeline = make_pipeline(vectoriser, classifier)
        pipeline.fit([t for t, _ in examples], [lang for _, lang in examples])
        return cls(pipeline)

    @classmethod
    def load_or_train(cls, nlu_dir: Path, cache: Path) -> LatinLanguageModel | None:
        files = training_files(nlu_dir)
        if not files:
            return None
        key = content_hash(files, Path(__file__))
        try:
            pipeline = load_or_build(cache, "language-model", key, lambda: cls.train(load_examples(nlu_dir)).pipeline)
        except (OSError, yaml.YAMLError, ValueError) as error:
            # fastText and the script rules still detect; a broken file must not stop the assistant answering.
            log.error("language.model_unavailable", extra={"error": type(error).__name__})
            return None
        return cls(pipeline)
