"""Every message the bot can text, in every language, fits the segment budget once split, and no number,
code or placeholder value is ever cut."""

from __future__ import annotations

import re

import pytest

from api.runtime import load_content
from api.sms.channel import PROTECTED
from api.sms.segments import is_gsm, segments, split
from tests.helpers import make_settings

CONTENT = load_content(make_settings())
LANGUAGES = sorted(CONTENT.catalog.languages)
EXTRAS = {
    "service_name": "Harbour Support Services",
    "contact_summary": "phone call to 07700 900123; safe times: after 10am",
    "reference": "HK7Q-42QP",
    "contact_line": "03000 202 525",
    "language_name": "Polski",
    "language_name_en": "Polish",
    "previous_language_name": "English",
    "delete_keyword": "DELETE",
    "number": "10",
    "count": "12",
    "title": "Forced marriage or “honour”",
    "detail": "07700 900123",
    "safe_times": "after 10am",
    "nickname": "Sam",
    "website": "https://www.durham-pcc.gov.uk",
    "name": "Modern Slavery & Exploitation Helpline (Unseen)",
    "summary": "confidential help for forced work, trafficking and exploitation.",
    "phone": "08000 121 700",
    "hours": "24 hours",
    "independence": "Independent of the police.",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("ą" * 70, 1),
        ("ą" * 71, 2),
        ("ą" * 134, 2),
        ("ą" * 135, 3),
        ("救" * 70, 1),
    ],
)
def test_segment_counting(text: str, expected: int) -> None:
    assert segments(text) == expected


def test_gsm_detection() -> None:
    assert is_gsm("Call 999. Reply 1 for: Help") and not is_gsm("Zadzwoń") and not is_gsm("“quotes”")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_message_fits_the_budget_once_split(language: str) -> None:
    values = {**CONTENT.values(language), **EXTRAS}
    for key in CONTENT.catalog.messages[language]:
        text = CONTENT.catalog.render(language, key, values)
        protected = PROTECTED.findall(text)
        parts = split(text, 3, protected)
        assert parts, key
        for part in parts:
            assert segments(part) <= 3, f"{language} {key}: {segments(part)} segments"
        joined = " ".join(parts)
        for value in protected:
            assert value in joined, f"{language} {key}: {value!r} was cut"


def test_splitting_keeps_order_and_never_cuts_a_number() -> None:
    text = " ".join(f"Sentence {n} tells you to call 0808 2000 247 now." for n in range(40))
    parts = split(text, 1, PROTECTED.findall(text))
    assert len(parts) > 5 and all(segments(p) == 1 for p in parts)
    assert re.sub(r"\s+", " ", " ".join(parts)) == text
    assert all(p.count("0808 2000 247") == p.count("0808") for p in parts)


def test_short_text_is_left_alone() -> None:
    assert split("Call 999.\nNow.", 3) == ["Call 999.\nNow."]
