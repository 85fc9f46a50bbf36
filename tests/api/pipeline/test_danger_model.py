"""The dedicated danger model: danger as people type it is read, ordinary messages are not, and its threshold
keeps false danger on its own validation split within the budget."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import yaml

from api.core.config import ROOT
from api.pipeline.danger_model import DANGER as DANGER_INTENT
from api.pipeline.danger_model import DangerModel
from api.pipeline.nlu_data import NluExample
from tests.privacy.rates import redactor


@pytest.fixture(scope="module")
def model() -> DangerModel:
    # With the gateway's own sentence split, so this is the model (and the cache file) the gateway uses.
    trained = DangerModel.load_or_train(ROOT / "data" / "nlu", ROOT / "models", redactor().sentences)
    assert trained is not None
    return trained


@pytest.mark.parametrize(
    "text",
    [
        "he has a knife and he is coming up the stairs",
        "plz hlp he is outside my door now",
        "bhai mujhe aaj raat zabardasti le ja raha hai",
        "ele esta batendo em mim agora socorro",
    ],
)
def test_danger_as_people_type_it(model: DangerModel, text: str) -> None:
    assert model.read(text).danger


@pytest.mark.parametrize(
    "text",
    ["thanks, that's all", "is this chat saved? can someone read it?", "where can I find a solicitor", "hello"],
)
def test_ordinary_messages_are_not_danger(model: DangerModel, text: str) -> None:
    assert not model.read(text).danger


def test_danger_in_one_sentence_of_a_long_message_is_danger(model: DangerModel) -> None:
    sentences = [
        "I work in a shop in Leeds and the manager is kind.",
        "My son started school in September and he likes it.",
        "I also wanted to ask about English classes for adults.",
        "tonight he strangled me and he is downstairs.",
    ]
    assert model.read(" ".join(sentences), sentences).danger
    assert not model.read(" ".join(sentences[:3]), sentences[:3]).danger


class FixedMargins:
    """A one-vs-rest pipeline whose decision for each text is given: (danger, help_someone_else, show_services)."""

    classes_ = np.array(["help_someone_else", "immediate_danger", "show_services"])

    def __init__(self, decisions: dict[str, tuple[float, float, float]]) -> None:
        self.decisions = decisions

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([[self.decisions[t][1], self.decisions[t][0], self.decisions[t][2]] for t in texts])


def test_danger_is_weighed_against_the_best_other_intent_not_against_all_of_them() -> None:
    # Danger scores the same in both; only in the first is another intent (helping someone else) ahead of it.
    model = DangerModel(FixedMargins({"my sister": (0.2, 0.9, -1.0), "he is here": (0.2, -0.5, -1.0)}), 0.5)  # type: ignore[arg-type]
    low, high = model.probabilities(["my sister", "he is here"])
    assert low < 0.5 < high
    assert not model.read("my sister").danger and model.read("he is here").danger


class FixedScores(FixedMargins):
    """A pipeline whose danger score for each text is given, in (0, 1)."""

    def __init__(self, scores: dict[str, float]) -> None:
        # The logit of the score, as danger's margin over the others.
        super().__init__({t: (float(np.log(p / (1 - p))), 0.0, -9.0) for t, p in scores.items()})


def test_a_sentence_needs_its_own_higher_threshold_the_whole_message_does_not() -> None:
    scores = {"message": 0.65, "calm message": 0.1, "a sentence": 0.65, "a clear sentence": 0.8}
    model = DangerModel(FixedScores(scores), threshold=0.6, sentence_threshold=0.7)  # type: ignore[arg-type]
    assert model.read("message").danger
    assert not model.read("calm message", ["a sentence", "a sentence"]).danger
    assert model.read("calm message", ["a sentence", "a clear sentence"]).danger


def test_the_sentence_threshold_keeps_every_long_danger_message_the_message_threshold_finds() -> None:
    danger = [NluExample(f"he is hitting me now. help {i}.", "immediate_danger", "en") for i in range(40)]
    calm = [NluExample(f"where is the library. number {i}.", "show_services", "en") for i in range(160)]
    model = DangerModel.train(danger + calm, sentences=lambda text: text.split(". "))
    assert model.sentence_threshold >= model.threshold
    assert all(model.read(e.text, e.text.split(". ")).danger for e in danger)


def test_the_threshold_keeps_false_danger_within_the_budget_on_validation() -> None:
    danger = [NluExample(f"he is hitting me now help {i}", "immediate_danger", "en") for i in range(40)]
    calm = [NluExample(f"where is the library number {i}", "show_services", "en") for i in range(160)]
    strict, loose = DangerModel.train(danger + calm, budget=0.0), DangerModel.train(danger + calm, budget=0.2)
    assert strict.threshold >= loose.threshold
    assert strict.read("he is hitting me now help").danger and not strict.read("where is the library").danger


def test_a_model_trained_without_sentences_is_never_the_one_cached_for_the_gateway(tmp_path: Path) -> None:
    """The gateway's model reads sentences; one trained without them (an ad-hoc call) gets a cache file of its own."""
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    danger = [f"he has a knife and is at the door {n}" for n in range(15)]
    other = [f"where can i find a lawyer for my case {n}" for n in range(15)]
    blocks = [{"intent": DANGER_INTENT, "examples": "".join(f"- {t}\n" for t in danger)}]
    blocks.append({"intent": "show_services", "examples": "".join(f"- {t}\n" for t in other)})
    (nlu / "en.yml").write_text(yaml.safe_dump({"nlu": blocks}), encoding="utf-8")
    cache = tmp_path / "cache"
    DangerModel.load_or_train(nlu, cache, None)  # type: ignore[arg-type]
    without = {p.name for p in cache.glob("danger-model-*")}
    DangerModel.load_or_train(nlu, cache, lambda text: text.split(". "))
    with_sentences = {p.name for p in cache.glob("danger-model-*")}
    assert len(without) == 1 and len(with_sentences) == 1 and without != with_sentences
