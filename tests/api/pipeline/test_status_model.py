"""The clause classifier learns from examples, reads the previous clause as context, and is cached once trained."""

from __future__ import annotations

from pathlib import Path

import yaml

from api.pipeline.status_model import Context, DangerEvidence, StatusModel, _sigmoid, danger_examples
from api.pipeline.training import choose_threshold
from api.runtime import redactor_for
from tests.helpers import make_settings

STATUS = ["my sponsor is my husband", "i am on his visa", "my case is still going", "they refused my claim"]
OTHER = ["he hits me", "he took my passport", "my boss keeps my documents", "i want to leave him"]


def write_data(folder: Path) -> Path:
    folder.mkdir()
    data = {
        "status": STATUS * 5 + [{"text": "it ran out last year", "previous": "i came on a visa"}] * 5,
        "not_status": OTHER * 5 + [{"text": "it ran out last year", "previous": "i bought a phone card"}] * 5,
    }
    (folder / "en.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def listed(text: str) -> bool:
    return "visa" in text


def test_trained_model_tells_status_from_evidence_and_uses_context(tmp_path: Path) -> None:
    model = StatusModel.load_or_train(write_data(tmp_path / "data"), tmp_path / "cache", listed)
    assert model is not None
    assert model.states(["my sponsor is my husband", "he took my passport"], [Context(), Context()]) == [True, False]
    after_status = model.probabilities(["it ran out last year"], [Context("i came on a visa", True)])[0]
    after_other = model.probabilities(["it ran out last year"], [Context("i bought a phone card", False)])[0]
    assert after_status > after_other


def test_model_is_cached_and_reused(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    StatusModel.load_or_train(data, tmp_path / "cache", listed)
    cached = list((tmp_path / "cache").glob("status-model-*.pickle"))
    assert len(cached) == 1
    StatusModel.load_or_train(data, tmp_path / "cache", listed)
    assert list((tmp_path / "cache").glob("status-model-*.pickle")) == cached


def test_broken_training_data_leaves_the_word_list_working(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "en.yml").write_text("status: [unclosed", encoding="utf-8")
    assert StatusModel.load_or_train(folder, tmp_path / "cache", listed) is None


def test_threshold_keeps_false_removals_within_the_limit() -> None:
    scores = [0.9, 0.8, 0.7, 0.6] + [i / 100 for i in range(100)]
    labels = [True] * 4 + [False] * 100
    threshold = choose_threshold(scores, labels, budget=0.02)
    false_removals = sum(1 for s, status in zip(scores, labels, strict=True) if not status and s >= threshold)
    assert false_removals <= 2 and threshold <= 0.99
    assert choose_threshold(scores, labels, budget=0.10) < threshold, "a larger budget, a lower threshold"


def write_danger(nlu_dir: Path) -> Path:
    (nlu_dir / "en").mkdir(parents=True)
    nlu = {
        "nlu": [
            {"intent": "immediate_danger", "examples": "- a van comes tonight to move us, i am scared\n"},
            {"intent": "need_housing", "examples": "- i need a room tonight\n"},
            {"intent": "ask_safe_to_report", "examples": "- will the police tell the home office\n"},
        ]
    }
    (nlu_dir / "en" / "danger.yml").write_text(yaml.safe_dump(nlu), encoding="utf-8")
    return nlu_dir


def split_on_commas(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")]


def test_danger_messages_and_reporting_questions_teach_their_clauses_as_evidence_but_never_move_the_threshold(
    tmp_path: Path,
) -> None:
    evidence = DangerEvidence(write_danger(tmp_path / "nlu"), split_on_commas)
    examples = danger_examples(evidence, listed)
    assert [(e.text, e.previous, e.status, e.calibrates) for e in examples] == [
        ("a van comes tonight to move us", "", False, False),
        ("i am scared", "a van comes tonight to move us", False, False),
        ("will the police tell the home office", "", False, False),
    ]


def test_a_clause_the_word_list_removes_is_not_taught_as_evidence(tmp_path: Path) -> None:
    nlu_dir = write_danger(tmp_path / "nlu")
    evidence = DangerEvidence(nlu_dir, lambda text: ["he is here", "my visa ran out"])
    examples = danger_examples(evidence, listed)
    assert [e.text for e in examples] == ["he is here"]


def test_the_danger_data_is_part_of_the_cache_key(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    evidence = DangerEvidence(write_danger(tmp_path / "nlu"), split_on_commas)
    StatusModel.load_or_train(data, tmp_path / "cache", listed, evidence)
    before = list((tmp_path / "cache").glob("status-model-*.pickle"))
    (tmp_path / "nlu" / "en" / "danger.yml").write_text(
        yaml.safe_dump({"nlu": [{"intent": "immediate_danger", "examples": "- he is at the door\n"}]}),
        encoding="utf-8",
    )
    StatusModel.load_or_train(data, tmp_path / "cache", listed, evidence)
    after = list((tmp_path / "cache").glob("status-model-*.pickle"))
    assert len(before) == len(after) == 1 and before != after


def test_no_score_overflows_the_logistic_function() -> None:
    """A portal note of thousands of one character summed its weights past what math.exp takes: a 500 (found by
    schemathesis). The probability saturates instead."""
    assert _sigmoid(-1e6) == 0.0 and _sigmoid(1e6) == 1.0 and _sigmoid(0.0) == 0.5


def test_the_deployed_redactor_reads_a_note_of_one_repeated_character() -> None:
    redactor = redactor_for(make_settings(), [])
    assert redactor.redact("0" * 4000).text == "0" * 4000
