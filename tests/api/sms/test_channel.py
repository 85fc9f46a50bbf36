"""SMS keywords in every language, as people type them: romanised and without diacritics too."""

from __future__ import annotations

import pytest

from api.core.config import ROOT
from api.pipeline.normalise import keyword_form
from api.sms.channel import Keywords

KEYWORDS = Keywords.load(ROOT / "translations")


@pytest.mark.parametrize(
    ("typed", "language"),
    [("madat", "ur"), ("sa3edni", "ar"), ("komak konid", "fa"), ("GIUP", "vi"), ("Pomoc!", "pl"), ("ajutor", "ro")],
)
def test_help_works_romanised_and_unaccented(typed: str, language: str) -> None:
    assert KEYWORDS.help.get(keyword_form(typed)) == language


@pytest.mark.parametrize(("typed", "language"), [("mitaen", "ur"), ("e7zef", "ar"), ("pak kon", "fa"), ("xoa", "vi")])
def test_delete_works_romanised_and_unaccented(typed: str, language: str) -> None:
    assert KEYWORDS.delete.get(keyword_form(typed)) == language


@pytest.mark.parametrize(("typed", "kind"), [("madad", "help"), ("help", "help"), ("mita do", "delete")])
def test_a_word_several_languages_share_works_but_names_no_language(typed: str, kind: str) -> None:
    table = KEYWORDS.help if kind == "help" else KEYWORDS.delete
    assert keyword_form(typed) in table and table[keyword_form(typed)] is None
