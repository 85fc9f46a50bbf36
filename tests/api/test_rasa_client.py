"""Which intent the gateway acts on from Rasa's parse: unsure NLU whose likeliest intent is danger is danger."""

from __future__ import annotations

from typing import Any

import pytest

from api.rasa_client import danger_guessed, likeliest_other


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
        (ranking("immediate_danger", "change_language", "greet"), "change_language"),
        (ranking("nlu_fallback", "immediate_danger", "thank"), "thank"),
        (ranking("immediate_danger", "nlu_fallback"), "nlu_fallback"),
        ([], "nlu_fallback"),
    ],
)
def test_what_nlu_would_have_said_were_danger_not_its_answer(ranked: list[dict[str, Any]], otherwise: str) -> None:
    assert likeliest_other(ranked) == otherwise
