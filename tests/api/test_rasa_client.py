"""Which intent the gateway acts on from Rasa's parse: unsure NLU whose likeliest intent is danger is danger."""

from __future__ import annotations

from typing import Any

import pytest

from api.rasa_client import Parsed, danger_guessed, likeliest_other


def ranking(*names: str) -> list[dict[str, Any]]:
    return [{"name": name, "confidence": 0.1} for name in names]


@pytest.mark.parametrize(
    ("name", "ranked", "guessed"),
    [
        ("nlu_fallback", ranking("nlu_fallback", "immediate_danger", "greet"), True),
        ("nlu_fallback", ranking("immediate_danger", "nlu_fallback"), True),
        ("nlu_fallback", ranking("nlu_fallback", "greet", "immediate_danger"), False),
        ("nlu_fallback", [], False),
        ("greet", ranking("immediate_danger", "greet"), False),
        ("immediate_danger", ranking("immediate_danger"), False),
    ],
)
def test_danger_is_guessed_only_when_nlu_is_unsure_and_danger_leads(
    name: str, ranked: list[dict[str, Any]], guessed: bool
) -> None:
    assert danger_guessed(name, ranked) is guessed


@pytest.mark.parametrize(
    ("ranked", "otherwise"),
    [
        (ranking("immediate_danger", "change_language", "greet"), ("change_language", 0.1)),
        (ranking("nlu_fallback", "immediate_danger", "thank"), ("thank", 0.1)),
        (ranking("immediate_danger", "nlu_fallback"), ("nlu_fallback", 0.0)),
        ([], ("nlu_fallback", 0.0)),
    ],
)
def test_what_nlu_would_have_said_were_danger_not_its_answer(
    ranked: list[dict[str, Any]], otherwise: tuple[str, float]
) -> None:
    assert likeliest_other(ranked) == otherwise


def test_setting_danger_aside_gives_the_other_intent_with_its_own_confidence() -> None:
    parsed = Parsed("immediate_danger", 0.3, otherwise="cancel", otherwise_confidence=0.25)
    assert parsed.instead() == Parsed("cancel", 0.25)
