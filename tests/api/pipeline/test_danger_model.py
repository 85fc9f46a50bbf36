"""The dedicated danger model: danger as people type it is read, ordinary messages are not, and its threshold
keeps false danger on its own validation split within the budget."""

from __future__ import annotations

import pytest

from api.core.config import ROOT
from api.pipeline.danger_model import DangerModel
from api.pipeline.nlu_data import NluExample


@pytest.fixture(scope="module")
def model() -> DangerModel:
    trained = DangerModel.load_or_train(ROOT / "data" / "nlu", ROOT / "models")
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
    assert model.any_danger([text])


@pytest.mark.parametrize(
    "text",
    ["thanks, that's all", "is this chat saved? can someone read it?", "where can I find a solicitor", "hello"],
)
def test_ordinary_messages_are_not_danger(model: DangerModel, text: str) -> None:
    assert not model.any_danger([text])


def test_danger_in_one_of_several_texts_is_danger(model: DangerModel) -> None:
    assert model.any_danger(["I work in a shop in Leeds", "tonight he strangled me and he is downstairs"])
    assert not model.any_danger([])


def test_the_threshold_keeps_false_danger_within_the_budget_on_validation() -> None:
    danger = [NluExample(f"he is hitting me now help {i}", "immediate_danger", "en") for i in range(40)]
    calm = [NluExample(f"where is the library number {i}", "show_services", "en") for i in range(160)]
    strict, loose = DangerModel.train(danger + calm, budget=0.0), DangerModel.train(danger + calm, budget=0.2)
    assert strict.threshold >= loose.threshold
    assert strict.any_danger(["he is hitting me now help"]) and not strict.any_danger(["where is the library"])
