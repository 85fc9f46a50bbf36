"""Property-based fuzzing of SMS length and splitting (api/sms/segments.py), on text nobody wrote by hand.

A victim on a basic phone reads the bot's replies as SMS parts, and every part is a text the service pays for.
Each property guards a promise of the module:

- `segments` counts like the network: GSM-7 (160 septets alone, 153 per part of a long message, extended
  characters taking two) unless any character is outside GSM-7, then UCS-2 (70 alone, 67 per part, counted in
  UTF-16 code units, so an emoji takes two); `fits` is that count against the budget;
- `split` returns text that fits unchanged, and otherwise parts that each fit the budget, except a part that is a
  single unbreakable word or protected value longer than the budget (nothing can be done about that);
- every word of the text is sent, in order, and no phone number, reference code or URL (channel.PROTECTED) is cut
  between two parts: half a helpline number is no number.

The GSM-7 table here is copied from 3GPP TS 23.038 row by row, not imported, so the module's table is checked.
The input that first broke a promise here is pinned with `@example`.
"""

from __future__ import annotations

import math
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from api.sms.channel import PROTECTED
from api.sms.segments import fits, is_gsm, segments, split, units

FUZZ = settings(max_examples=300, deadline=None, database=None, derandomize=True)

# 3GPP TS 23.038 GSM 7-bit default alphabet, rows 0x00-0x70 (0x1B is the escape to the extension table).
GSM_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Its extension table: each of these is sent as the escape and a second septet.
GSM_EXTENSION = "\f^{}\\[~]|€"
UCS2_SAMPLES = "ąęłńśźżĄŁЗдравейтеمرحبا救命你好ạờệ“”‘’…–—😀🆘👍🏽\u200b"
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _utf16_units(text: str) -> int:
    """UTF-16 code units, counted from code points: a character beyond the BMP is a surrogate pair."""
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def _expected_segments(text: str) -> int:
    if set(text) <= set(GSM_TABLE + GSM_EXTENSION):
        septets = len(text) + sum(c in GSM_EXTENSION for c in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    code_units = _utf16_units(text)
    return 1 if code_units <= 70 else math.ceil(code_units / 67)


# --- generators ------------------------------------------------------------------------------------------------

GSM_TEXT = st.text(st.sampled_from(GSM_TABLE + GSM_EXTENSION), max_size=700)
# At least one character outside GSM-7, anywhere in the text.
UCS2_TEXT = st.builds(
    lambda head, odd, tail: head + odd + tail,
    st.text(st.sampled_from(GSM_TABLE + GSM_EXTENSION + UCS2_SAMPLES), max_size=200),
    st.one_of(
        st.sampled_from(UCS2_SAMPLES), st.characters(codec="utf-8").filter(lambda c: c not in GSM_TABLE + GSM_EXTENSION)
    ),
    st.text(st.one_of(st.sampled_from(UCS2_SAMPLES), st.characters(codec="utf-8")), max_size=200),
)
ANY_TEXT = st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from(GSM_TABLE + UCS2_SAMPLES)), max_size=400)

PHONE = st.builds(
    lambda plus, groups: ("+44 " if plus else "") + " ".join(groups),
    st.booleans(),
    st.lists(st.from_regex(r"[0-9]{3,5}", fullmatch=True), min_size=2, max_size=3),
)
CODE = st.builds(
    lambda a, b: f"{a}-{b}",
    st.text(CODE_LETTERS, min_size=4, max_size=4),
    st.text(CODE_LETTERS, min_size=4, max_size=4),
)
URL = st.builds(lambda path: "https://www.example.org/" + path, st.text("abcdefghij/-_.?=&", max_size=30))
PROTECTED_VALUE = st.one_of(PHONE, CODE, URL)

WORD = st.one_of(
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZäöñüéà€[]^{}'\"-,:;()"), min_size=1, max_size=12),
    st.text(st.sampled_from(UCS2_SAMPLES.replace("\u200b", "") + "abcxyz"), min_size=1, max_size=8),
    st.text(st.characters(codec="utf-8", exclude_categories=("Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=8),
)
LONG_WORD = st.text(st.sampled_from("abcdefghijź"), min_size=120, max_size=400)
TOKEN = st.one_of(
    WORD,
    WORD,
    WORD,
    st.builds(lambda word, end: word + end, WORD, st.sampled_from(".!?。！？؟")),
    PROTECTED_VALUE,
    st.builds(lambda label, value: label + value, st.sampled_from(["Phone:", "Ref:", "("]), PROTECTED_VALUE),
    LONG_WORD,
)
SPACE = st.sampled_from([" ", " ", " ", " ", "  ", "\n", "\n\n", " \n", "\t"])


@st.composite
def messages(draw: st.DrawFn) -> str:
    """Bot-like content: words, sentences, lines, numbers, codes and links, long enough to need splitting."""
    tokens = draw(st.lists(TOKEN, max_size=160))
    return "".join(token + draw(SPACE) for token in tokens).rstrip(draw(st.sampled_from(["", " \n"])))


BUDGET = st.integers(min_value=1, max_value=4)


def _without_protected(part: str, protected: list[str]) -> str:
    values = sorted(set(protected), key=len, reverse=True)
    return re.sub("|".join(map(re.escape, values)), "", part) if values else part


# --- counting --------------------------------------------------------------------------------------------------


def test_the_gsm_table_is_the_standard_one() -> None:
    """The oracle's own premise: 128 basic characters, 10 extension characters, none in both."""
    assert len(GSM_TABLE) == 128 and len(set(GSM_TABLE)) == 128
    assert len(GSM_EXTENSION) == 10 and not set(GSM_EXTENSION) & set(GSM_TABLE)


@settings(FUZZ)
@given(GSM_TEXT)
@example("a" * 160)
@example("a" * 159 + "€")
@example("€" * 80 + "a")
@example("a" * 306 + "a")
def test_gsm_text_is_counted_in_septets(text: str) -> None:
    """Text within GSM-7 costs 160 septets alone or 153 per part; an extension character costs two."""
    assert is_gsm(text)
    assert units(text) == len(text) + sum(c in GSM_EXTENSION for c in text)
    assert segments(text) == _expected_segments(text)


@settings(FUZZ)
@given(UCS2_TEXT)
@example("😀" * 35)
@example("😀" * 35 + "a")
@example("ą" * 67 * 2 + "😀")
def test_any_other_character_makes_the_whole_text_ucs2(text: str) -> None:
    """One character outside GSM-7 turns the whole text into UCS-2: 70 UTF-16 code units alone or 67 per part,
    an emoji (a surrogate pair) counting two, a GSM extension character only one."""
    assert not is_gsm(text)
    assert units(text) == _utf16_units(text)
    assert segments(text) == _expected_segments(text)


@settings(FUZZ)
@given(ANY_TEXT, BUDGET)
def test_fits_is_the_segment_count_against_the_budget(text: str, budget: int) -> None:
    """Whatever the text, GSM detection follows the table and `fits` compares the true count with the budget."""
    assert is_gsm(text) == (set(text) <= set(GSM_TABLE + GSM_EXTENSION))
    assert segments(text) == _expected_segments(text) >= 1
    assert fits(text, budget) == (_expected_segments(text) <= budget)


# --- splitting -------------------------------------------------------------------------------------------------


@settings(FUZZ)
@given(st.one_of(st.text(max_size=35), st.text(st.sampled_from(GSM_TABLE), max_size=160)), BUDGET)
@example("", 1)
@example("Call 999.\nNow.", 3)
def test_text_that_fits_is_sent_unchanged(text: str, budget: int) -> None:
    """A reply that fits is one message exactly as written (none at all for an empty one)."""
    assert fits(text, budget)  # 35 code points are at most 70 UTF-16 units; 160 GSM-7 characters one part
    assert split(text, budget, PROTECTED.findall(text)) == ([text] if text else [])


@settings(FUZZ)
@given(messages(), BUDGET)
@example("Word. " * 60, 1)
@example("x" * 400, 1)
def test_every_part_fits_unless_it_is_one_unbreakable_atom(text: str, budget: int) -> None:
    """Each part stays within the budget; only a single word or protected value longer than the budget alone
    (no whitespace in it outside protected values) may exceed it, because it cannot be split."""
    protected = PROTECTED.findall(text)
    parts = split(text, budget, protected)
    assert all(part.strip() for part in parts), "an empty message would still be sent and paid for"
    for part in parts:
        if not fits(part, budget):
            assert not re.search(r"\s", _without_protected(part, protected)), (segments(part), part[:80])


@settings(FUZZ)
@given(messages(), BUDGET)
@example("Sentence one. " * 30 + "Another one here.", 1)
def test_splitting_keeps_every_word_in_order(text: str, budget: int) -> None:
    """Splitting only chooses where messages end: the words are all sent, unchanged and in order."""
    parts = split(text, budget, [])
    assert " ".join(parts).split() == text.split()


@settings(FUZZ, max_examples=100)
@given(messages(), BUDGET)
@example(
    "You can call the National Domestic Abuse Helpline free on 0808 2000 247 at any time of the day or night, "
    "and they will listen to you, believe you and help you make a plan.",
    1,
)
def test_splitting_around_protected_values_keeps_every_word_in_order(text: str, budget: int) -> None:
    """The same promise when numbers, codes and links are protected: protecting a number must not rewrite the
    words around it."""
    parts = split(text, budget, PROTECTED.findall(text))
    assert " ".join(parts).split() == text.split()


@settings(FUZZ)
@given(messages(), BUDGET)
@example(" ".join(f"Sentence {n} tells you to call 0808 2000 247 now." for n in range(40)), 1)
@example("x" * 150 + " HK7Q-42QP " + "y" * 150 + " https://www.example.org/help", 1)
def test_no_protected_value_is_ever_cut(text: str, budget: int) -> None:
    """Every phone number, reference code and URL in the text arrives whole, inside one part: every occurrence of
    each is still there after splitting."""
    protected = PROTECTED.findall(text)
    parts = split(text, budget, protected)
    for value in set(protected):
        assert sum(part.count(value) for part in parts) >= text.count(value), value
