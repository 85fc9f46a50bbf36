"""The bot never asks about immigration status: no question in any catalog, in any language, mentions it."""

from __future__ import annotations

import re

import pytest

from api.runtime import load_content
from tests.helpers import make_settings
from tests.privacy.rates import redactor

CONTENT = load_content(make_settings())
QUESTION = re.compile(r"[^.!?؟？。\n]*[?؟？]")


@pytest.mark.parametrize("language", sorted(CONTENT.catalog.languages))
def test_no_question_mentions_status(language: str) -> None:
    values = CONTENT.values(language)
    asked = []
    for key, text in CONTENT.catalog.messages[language].items():
        rendered = text.format_map({**values, **{name: "" for name in re.findall(r"{(\w+)}", text)}} | values)
        asked += [(key, q.strip()) for q in QUESTION.findall(rendered) if redactor().is_status(q)]
    assert not asked, asked


def test_the_check_would_catch_a_status_question() -> None:
    assert any(redactor().is_status(q) for q in QUESTION.findall("Hello. What kind of visa do you have?"))
