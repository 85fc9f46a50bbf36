"""One normaliser: what a reader sees is kept; what only disguises a word is folded away for matching."""

from __future__ import annotations

import pytest

from api.pipeline.normalise import clean, fold, skeleton


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("vi\u200bsa", "visa"),
        ("vis\u0430", "visa"),
        ("в\u0069за", fold("віза")),
        ("فيـــزا", fold("فيزا")),
        ("leave-to-remain", "leave to remain"),
        ("I.L.R.", "ilr"),
        ("Łódź", "lodz"),
        ("Tôi không có giấy tờ", "toi khong co giay to"),
        ("ＶＩＳＡ", "visa"),
    ],
)
def test_fold_sees_through_disguises(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_clean_keeps_what_a_reader_sees() -> None:
    assert clean("他打我，我很害怕。") == "他打我，我很害怕。"
    assert clean("he\u200b hits\u00ad me") == "he hits me"


def test_persian_half_space_is_a_space_for_matching() -> None:
    assert fold("می\u200cخواهم") == fold("می خواهم")


def test_skeleton_keeps_length_so_spans_map_back() -> None:
    typed = "ref Н1234567 ＧＷＦ"  # a Cyrillic Н, full-width letters
    assert len(skeleton(typed)) == len(typed)
    assert skeleton(typed) == "ref h1234567 gwf"
