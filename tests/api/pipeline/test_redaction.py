"""Status statements are removed clause by clause; abuse and fear are evidence and stay."""

from __future__ import annotations

import pytest

from api.core.config import ROOT
from api.pipeline.redaction import MARKER, Redactor, StatusLexicon

REDACTOR = Redactor(StatusLexicon.load(ROOT / "translations"))

STATUS = [
    ("my visa expires in March", "March"),
    ("I am on a spouse visa and he hits me", "spouse"),
    ("I claimed asylum last year", "asylum"),
    ("I'm an asylum seeker", "asylum"),
    ("I have refugee status", "refugee"),
    ("I only have pre-settled status", "pre-settled"),
    ("I applied to the EU settlement scheme", "settlement"),
    ("my leave to remain ran out", "remain"),
    ("I overstayed two years ago", "overstayed"),
    ("i have no papers", "papers"),
    ("I am undocumented", "undocumented"),
    ("I came here illegally", "illegally"),
    ("I came on a small boat", "boat"),
    ("I have no recourse to public funds", "recourse"),
    ("I have NRPF on my card", "NRPF"),
    ("I am on immigration bail", "bail"),
    ("they gave me a deportation order", "deportation order"),
    ("the Home Office reference is on my letter", "Home Office"),
    ("My BRP is ZU1234567", "ZU1234567"),
    ("my reference is GWF012345678", "GWF012345678"),
    ("Home Office ref B1234567/2 please", "B1234567"),
    ("my status runs out soon", "runs out"),
]

KEEP = [
    "He took my passport",
    "he says he will get me deported",
    "I'm scared of the police",
    "my boss keeps my passport and I owe him money",
    "he hits me every night",
    "I have nowhere safe to stay",
    "my family is forcing me to marry",
    "He's outside the door",
    "will the police tell the home office if I report?",
    "will they ask about my status if I report him",
]


@pytest.mark.parametrize(("text", "secret"), STATUS)
def test_status_statements_are_removed_with_their_clause(text: str, secret: str) -> None:
    result = REDACTOR.redact(text)
    assert secret.lower() not in result.text.lower()
    assert MARKER in result.text and result.removed >= 1


@pytest.mark.parametrize("text", KEEP)
def test_abuse_and_fear_survive(text: str) -> None:
    assert REDACTOR.redact(text).text == text


def test_only_the_status_clause_goes() -> None:
    result = REDACTOR.redact("He hits me every day. My visa expires in March, but I want to leave him.")
    assert result.text == f"He hits me every day. {MARKER}, but I want to leave him."


def test_marker_can_be_given_per_language() -> None:
    assert REDACTOR.redact("I have no papers", marker="[X]").text == "[X]"


def test_already_redacted_text_keeps_its_other_clauses() -> None:
    once = REDACTOR.redact("my visa expires in March and then he hits me").text
    assert REDACTOR.redact(once).text == once and "he hits me" in once


# What the word list must see through: invisible characters, lookalike letters of another script, tatweel,
# hyphens and dots, and references typed in lower case or with spaces (the word list alone, no classifier).
DISGUISED = [
    ("my vi\u200bsa ran out", "ran out"),
    ("my vis\u0430 ran out", "ran out"),  # a Cyrillic а
    ("моя в\u0069за закінчилась", "закінчилась"),  # Ukrainian віза with a Latin i
    ("انتهت الفيـــزا الخاصة بي", "انتهت"),  # tatweel inside the word
    ("my vi\u00adsa is expired", "expired"),  # soft hyphen
    ("I have no leave-to-remain now", "now"),
    ("I have I.L.R. now", "now"),
    ("my ref is h1234567 ok", "h1234567"),
    ("uan 1234 5678 9012 3456", "9012"),
    ("gwf 0123 45678 is mine", "45678"),
    ("brp zu 1234567 lost", "1234567"),
]


@pytest.mark.parametrize(("text", "secret"), DISGUISED)
def test_disguised_status_is_still_removed(text: str, secret: str) -> None:
    result = REDACTOR.redact(text)
    assert secret.casefold() not in result.text.casefold(), result.text
    assert MARKER in result.text


def test_invisible_characters_are_dropped_from_what_is_kept() -> None:
    assert REDACTOR.redact("he\u200b hits me").text == "he hits me"


def test_full_width_punctuation_is_kept_as_she_wrote_it() -> None:
    assert REDACTOR.redact("他打我，我很害怕。").text == "他打我，我很害怕。"


def test_a_phone_number_is_not_a_reference() -> None:
    assert REDACTOR.redact("07700 900123").text == "07700 900123"


def test_the_end_of_a_removed_statement_is_reported_for_the_next_message() -> None:
    assert REDACTOR.redact("he hits me. my visa ran out").ends_removed
    assert not REDACTOR.redact("my visa ran out. he hits me").ends_removed


class ScoredModel:
    """A status model whose scores are fixed per clause: the redactor's own rules, without a trained model."""

    threshold, threshold_after, threshold_before = 0.8, 0.7, 0.5

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def probabilities(self, texts: list[str], contexts: list[object]) -> list[float]:
        return [self.scores.get(text, 0.0) for text in texts]

    def states(self, texts: list[str], contexts: list[object]) -> list[bool]:
        return [p >= self.threshold for p in self.probabilities(texts, contexts)]


@pytest.mark.parametrize(
    ("opening", "closing", "kept"),
    [(0.55, 0.55, ["He hits me"]), (0.3, 0.55, ["They wrote back", "He hits me"])],
    ids=["vague-opening-goes", "ordinary-opening-stays"],
)
def test_a_clause_right_before_a_removed_statement_goes_at_even_odds(
    opening: float, closing: float, kept: list[str]
) -> None:
    redactor = Redactor(REDACTOR.lexicon)
    scores = {"They wrote back": opening, "It was the second no from them": 0.9, "He hits me": closing}
    redactor.model = ScoredModel(scores)  # type: ignore[assignment]
    result = redactor.redact("They wrote back. It was the second no from them. He hits me.").text
    assert [clause for clause in scores if clause in result] == kept
    assert "second no" not in result
