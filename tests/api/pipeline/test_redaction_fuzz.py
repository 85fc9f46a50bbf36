"""Property-based fuzzing of the redactor: the promises of api/pipeline/redaction.py, on text nobody wrote by hand.

Every inbound message passes `Redactor.redact` before Rasa, a log, a transcript or the database, so each property
here guards a promise a victim relies on:

- it never raises, whatever she pastes (control characters, bidi marks, zero-width characters, thousands of
  characters), and what it keeps is her text cleaned of invisible characters, unchanged when nothing was removed;
- a Home Office / GWF / BRP / UAN reference number goes wherever it stands in the text, typed in any case, with
  the separators the patterns allow, with Cyrillic lookalike letters or invisible characters inside it;
- a known status statement goes whole, through the disguises `fold` promises to see through (invisible characters,
  tatweel, case, accents), while the harmless sentences around it stay as she wrote them;
- text redacted once is never judged again by the marker's words: redacting its own output changes nothing;
- words that cannot spell a status term remove nothing and change nothing.

The word list alone is fuzzed (no clause classifier): that is the layer these promises are made by. The inputs
that first broke a promise are pinned with `@example`. One known bug is marked `xfail(strict=True)`, so fixing it
turns the suite red until the mark is removed.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from api.core.config import ROOT
from api.pipeline.normalise import clean, fold, skeleton
from api.pipeline.redaction import MARKER, REFERENCE_PATTERNS, STRUCTURAL_PATTERNS, Redactor, StatusLexicon

REDACTOR = Redactor(StatusLexicon.load(ROOT / "translations"))

# The redactor runs spaCy on every example: each test sets its own max_examples, so that the three fuzz files
# together run in well under a minute on two cores. Derandomized: a CI failure reproduces on any machine.
FUZZ = settings(max_examples=60, deadline=None, database=None, derandomize=True)

# Invisible characters `clean` drops (format characters and tatweel). The Persian half-space (ZWNJ) is not one of
# them: it reads as a space, see test_a_half_space_inside_a_reference_does_not_hide_it.
ZWNJ = "\u200c"
INVISIBLE = ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202b", "\u2066", "\u0640"]
COMBINING_ACCENTS = ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u030c", "\u0327"]
# Cyrillic letters a Cyrillic keyboard types for Latin ones (Unicode's confusables; hard-coded here, so the table
# the code builds is checked rather than trusted).
CYRILLIC = {
    "a": "аА",
    "b": "ВЬ",
    "c": "сС",
    "e": "еЕ",
    "h": "һН",
    "i": "і",
    "j": "јЈ",
    "k": "К",
    "m": "М",
    "o": "оО",
    "p": "рР",
    "s": "ѕЅ",
    "t": "Т",
    "w": "ԝԜ",
    "x": "хХ",
    "y": "уУ",
}
FULL_WIDTH_DIGITS = {str(d): chr(0xFF10 + d) for d in range(10)}

# A few of tests/api/pipeline/test_redaction.py's STATUS statements: (statement, a word of it that must not survive).
STATEMENTS = [
    ("my visa expires in March", "March"),
    ("I claimed asylum last year", "asylum"),
    ("I have refugee status", "refugee"),
    ("I only have pre-settled status", "pre-settled"),
    ("my leave to remain ran out", "remain"),
    ("I overstayed two years ago", "overstayed"),
    ("I came here illegally", "illegally"),
    ("I came on a small boat", "boat"),
    ("I have NRPF on my card", "NRPF"),
    ("they gave me a deportation order", "deportation order"),
    ("my status runs out soon", "runs out"),
]

# Words that cannot spell a status term in any language, alone or in any order (checked against the lexicon by
# test_the_harmless_words_cannot_spell_a_status_term, so a new lexicon term cannot make this generator unsafe).
HARMLESS_WORDS = (
    "apple",
    "river",
    "garden",
    "window",
    "yellow",
    "music",
    "bread",
    "candle",
    "pencil",
    "cloud",
    "orange",
    "summer",
    "quiet",
    "gentle",
    "kitten",
    "forest",
    "lemon",
    "button",
    "teapot",
    "blanket",
    "pillow",
    "sunny",
    "morning",
    "biscuit",
    "tomato",
    "guitar",
    "violin",
    "meadow",
    "puppy",
    "bicycle",
)

# Clause words harmless text is joined with (checked with the harmless words).
HARMLESS_JOINERS = [" but ", " and then ", " because "]

REFERENCE = re.compile(r"(?<![a-z0-9])(?:" + "|".join(REFERENCE_PATTERNS) + r")(?![a-z0-9])")


# --- generators ------------------------------------------------------------------------------------------------


def _pick(options: str | list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(list(options))


# Any text a phone can send: every code point but surrogates, weighted towards the characters that stress the
# normaliser and the sentencizer.
TRICKY = (
    [chr(c) for c in range(32)]
    + ["\x7f", ZWNJ, "\u202e", "\u2067", "\u2069", "\u061c", "\u3000", "\u00a0", "\u2028"]
    + INVISIBLE
    + COMBINING_ACCENTS
    + list(".,;:!?-/[]()،؛。，、！？")
)
ANY_CHAR = st.one_of(st.characters(codec="utf-8"), _pick(TRICKY), _pick("abcghiuwfz 0123456789"))
# Fragments that make a message: words, status terms, references, the marker itself, sentence and clause ends.
FRAGMENTS = [
    "my ",
    "visa ",
    "he hits me",
    "asylum",
    "no papers",
    "GWF123456789",
    "H1234567",
    "1234 5678 9012 3456",
    MARKER,
    ". ",
    ", ",
    " but ",
    "\n",
    "https://example.org/a",
]
ANY_TEXT = st.lists(
    st.one_of(st.text(ANY_CHAR, max_size=12), _pick(TRICKY), _pick(FRAGMENTS)),
    max_size=60,
).map("".join)
LONG_TEXT = st.text(ANY_CHAR, min_size=1000, max_size=4000)


def _no_digit(char: str) -> bool:
    return not any(c.isdecimal() for c in unicodedata.normalize("NFKC", char))


# Random text around a reference, without digits (so every digit left in the output would be the reference's).
DIGIT_FREE_TEXT = st.text(st.one_of(st.characters(codec="utf-8"), _pick(TRICKY)).filter(_no_digit), max_size=80)


@st.composite
def disguised_letter(draw: st.DrawFn, letter: str) -> str:
    """A Latin letter as it may be typed: either case, or the Cyrillic letter that looks like it."""
    choices = [letter, letter.upper(), *CYRILLIC.get(letter, "")]
    return draw(_pick(choices))


@st.composite
def disguised_digit(draw: st.DrawFn) -> str:
    digit = draw(_pick("0123456789"))
    return draw(_pick([digit, digit, digit, FULL_WIDTH_DIGITS[digit]]))


SEPARATOR = _pick(["", "", "", " ", "-", ".", ":", "\u00a0"])


@st.composite
def reference_parts(draw: st.DrawFn) -> list[tuple[str | None, str]]:
    """A reference number in one of the shapes of REFERENCE_PATTERNS, as (separator before, character) pairs; the
    separator is None where the pattern allows none."""
    kind = draw(st.sampled_from(["gwf", "home_office", "home_office_split", "brp", "uan"]))
    letters = st.sampled_from("abcdefghijklmnopqrstuvwxyz")
    parts: list[tuple[str | None, str]] = []

    def add(char: str, separated: bool) -> None:
        parts.append((draw(SEPARATOR) if separated else None, char))

    def digits(count: int, separated_first: bool, separated_each: bool = False) -> None:
        for i in range(count):
            add(draw(disguised_digit()), separated_first if i == 0 else separated_each)

    if kind == "gwf":
        for letter in "gwf":
            add(draw(disguised_letter(letter)), False)
        digits(9, True, True)
    elif kind in ("home_office", "home_office_split"):
        add(draw(disguised_letter(draw(letters))), False)
        digits(3, True)
        digits(4, kind == "home_office_split")
        if draw(st.booleans()):
            parts.append((draw(_pick(["", " "])), "/"))
            parts.append((draw(_pick(["", " "])), draw(_pick(["2", "3", "12"]))))
    elif kind == "brp":
        add(draw(disguised_letter(draw(letters))), False)
        add(draw(disguised_letter(draw(letters))), False)
        add(draw(_pick(["x", "X", draw(disguised_digit())])), True)
        digits(6, False)
    else:
        digits(4, False)
        for _ in range(3):
            digits(4, True)
    return parts


def _joined(parts: list[tuple[str | None, str]]) -> str:
    return "".join((separator or "") + char for separator, char in parts)


@st.composite
def with_invisible(draw: st.DrawFn, text: str, alphabet: list[str]) -> str:
    """The text with invisible characters pasted in at random places."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 4))):
        chars.insert(draw(st.integers(0, len(chars))), draw(_pick(alphabet)))
    return "".join(chars)


@st.composite
def references(draw: st.DrawFn) -> str:
    return draw(with_invisible(_joined(draw(reference_parts())), INVISIBLE))


@st.composite
def references_with_a_half_space(draw: st.DrawFn) -> str:
    """A reference with a half-space (ZWNJ) in one place where the pattern allows a space."""
    parts = draw(reference_parts())
    slots = [i for i, (separator, _) in enumerate(parts) if separator is not None]
    chosen = draw(st.sampled_from(slots))
    return _joined([(ZWNJ if i == chosen else separator, char) for i, (separator, char) in enumerate(parts)])


@st.composite
def disguised_statement(draw: st.DrawFn, statement: str, plain_end: bool = True) -> str:
    """A status statement as `fold` promises to see through it: any case, accents on letters, invisible
    characters and tatweel pasted in. With `plain_end`, its last letter is typed as written: spaCy reads a full stop
    after a combining accent or after a capital that follows a small letter ("MarcH.") as no sentence end, a bug of
    its own (test_the_next_sentence_stays_however_the_statement_ends)."""
    out: list[str] = []
    for i, char in enumerate(statement):
        if char.isascii() and char.isalpha() and not (plain_end and i == len(statement) - 1):
            char = draw(_pick([char, char.lower(), char.upper()]))
            if draw(st.integers(0, 5)) == 0:
                char += draw(_pick(COMBINING_ACCENTS))
        out.append(char)
    return draw(with_invisible("".join(out), INVISIBLE))


@st.composite
def harmless_sentence(draw: st.DrawFn) -> str:
    words = draw(st.lists(_pick(list(HARMLESS_WORDS)), min_size=1, max_size=8))
    return " ".join(words).capitalize() + draw(_pick([".", "!", "?"]))


@st.composite
def harmless_text(draw: st.DrawFn) -> str:
    """Harmless words in any case, joined by spaces, commas, clause words, sentence ends and new lines."""
    words = draw(st.lists(_pick(list(HARMLESS_WORDS)), min_size=1, max_size=40))
    out = ""
    for word in words:
        cased = draw(_pick([word, word.capitalize(), word.upper()]))
        out += cased + draw(_pick([" ", " ", ", ", ". ", "! ", "? ", "\n", "; ", *HARMLESS_JOINERS]))
    return out


# --- the harmless generator is safe -----------------------------------------------------------------------------


def test_the_harmless_words_cannot_spell_a_status_term() -> None:
    """The premise of test_harmless_words_remove_nothing: no term, substring term or structural pattern of any
    language can be formed from these words, in any order, whatever the separators."""
    vocabulary = set(HARMLESS_WORDS) | set(" ".join(HARMLESS_JOINERS).split())
    assert all(fold(word) == word and len(word) > 1 for word in vocabulary)
    for term in REDACTOR.lexicon.words:
        assert not set(term.split()) <= vocabulary, term
    for substring in REDACTOR.lexicon.substrings:
        assert not all(any(piece in word for word in vocabulary) for piece in substring.split()), substring
    structural = set(re.findall(r"[a-z]+", " ".join(STRUCTURAL_PATTERNS)))
    assert not vocabulary & structural


# --- properties ----------------------------------------------------------------------------------------------


def _keeps_its_promises(text: str) -> None:
    """What holds for any message at all."""
    result = REDACTOR.redact(text)
    assert isinstance(result.text, str) and result.removed >= 0
    assert clean(result.text) == result.text, "an invisible character was kept"
    if result.removed:
        assert MARKER in result.text
    elif MARKER not in text:
        assert result.text == clean(text).strip(), "nothing was removed, yet the text changed"
    assert not REFERENCE.search(skeleton(result.text)), "a reference number survived"


@settings(FUZZ, max_examples=300)
@given(ANY_TEXT)
@example("")
@example("\u202eGWF123456789\u202c \u200f")
@example("\x00\x1b[31m my visa \r\n\t expired")
def test_any_text_is_redacted_without_error(text: str) -> None:
    """Whatever she pastes, redaction answers: a crash would drop her message, or log it unredacted upstream."""
    _keeps_its_promises(text)


@settings(FUZZ, max_examples=20)
@given(LONG_TEXT)
def test_long_text_is_redacted_without_error(text: str) -> None:
    """A pasted letter of thousands of characters is redacted like a short message."""
    _keeps_its_promises(text)


@settings(FUZZ, max_examples=200)
@given(
    DIGIT_FREE_TEXT,
    _pick([" ", "\n", ", ", " (", "\t"]),
    references(),
    _pick([" ", "\n", ", ", ") ", ". "]),
    DIGIT_FREE_TEXT,
)
@example("my ref is", " ", "Н1234567", " ", "ok")
@example("", " ", "gwf 0123 45678", " ", "is mine")
def test_a_reference_number_goes_wherever_it_stands(
    before: str, left: str, reference: str, right: str, after: str
) -> None:
    """A reference number identifies her to the Home Office: not one of its digits may reach a transcript, in
    whatever case, separators, lookalike letters or invisible characters it was typed."""
    result = REDACTOR.redact(before + left + reference + right + after)
    assert clean(reference) not in result.text
    assert not any(c.isdecimal() for c in unicodedata.normalize("NFKC", result.text)), result.text
    assert MARKER in result.text and result.removed >= 1


HARMLESS_PHRASE = st.lists(_pick(list(HARMLESS_WORDS)), min_size=1, max_size=4)


@settings(FUZZ, max_examples=100)
@given(
    st.lists(harmless_sentence(), max_size=2),
    HARMLESS_PHRASE,
    references(),
    HARMLESS_PHRASE | st.just([]),
    st.lists(harmless_sentence(), max_size=2),
)
@example([], ["my", "ref", "is"], "h1234567", ["ok"], [])
def test_only_the_reference_goes_from_what_surrounds_it(
    before: list[str], lead: list[str], reference: str, tail: list[str], after: list[str]
) -> None:
    """A reference is replaced where it stands, not with its clause: the words around it are kept as written.
    (Here a word precedes it in its sentence; one that starts a sentence is test_a_reference_that_starts_a_...)"""
    sentence = " ".join([*lead, reference, *tail]) + "."
    expected = " ".join([*lead, MARKER, *tail]) + "."
    assert REDACTOR.redact(" ".join([*before, sentence, *after])).text == " ".join([*before, expected, *after])


@settings(FUZZ, max_examples=20)
@given(st.lists(harmless_sentence(), min_size=1, max_size=2), references(), HARMLESS_PHRASE)
@example(["Please help."], "GWF123456789", ["he", "says", "he", "will", "kill", "me"])
@example(["He hits me."], "H1234567", ["he", "took", "my", "passport"])
def test_a_reference_that_starts_a_sentence_takes_nothing_else_with_it(
    before: list[str], reference: str, tail: list[str]
) -> None:
    """The words after a reference at the start of a sentence are evidence like any other."""
    text = " ".join([*before, reference, *tail]) + "."
    assert REDACTOR.redact(text).text == " ".join([*before, MARKER, *tail]) + "."


@settings(FUZZ, max_examples=20)
@given(references_with_a_half_space())
@example("GWF\u200c123456789")
def test_a_half_space_inside_a_reference_does_not_hide_it(reference: str) -> None:
    """A reader sees "GWF\u200c123456789" as GWF123456789, and normalise.py reads a half-space as a space: one
    where the pattern allows a space must not hide the number."""
    result = REDACTOR.redact(f"my number is {reference} thanks")
    assert result.text == f"my number is {MARKER} thanks", result.text


def _statements(plain_end: bool = True) -> st.SearchStrategy[tuple[str, str]]:
    """(a disguised status statement, the word of it that must not survive)."""
    return st.sampled_from(STATEMENTS).flatmap(
        lambda pair: st.tuples(disguised_statement(pair[0], plain_end), st.just(pair[1]))
    )


@settings(FUZZ, max_examples=200)
@given(
    st.lists(harmless_sentence(), max_size=4),
    _statements(),
    _pick([".", "!", "?"]),
    st.lists(harmless_sentence(), max_size=4),
)
@example([], ("my vi\u200bsa ex\u0640pires in MA\u0301RCH", "March"), ".", [])
@example(["Apple river."], ("I cAme hEre ille\u00adgally", "illegally"), "!", ["Candle garden window."])
def test_a_disguised_status_statement_goes_and_its_neighbours_stay(
    before: list[str], statement: tuple[str, str], end: str, after: list[str]
) -> None:
    """A status statement is removed as a whole clause however it is disguised; the sentences around it are
    evidence and are kept exactly as written."""
    disguised, secret = statement
    text = " ".join([*before, disguised + end, *after])
    result = REDACTOR.redact(text)
    assert fold(secret) not in fold(result.text), result.text
    assert MARKER in result.text and result.removed >= 1
    for sentence in [*before, *after]:
        assert sentence in result.text, (sentence, result.text)


@pytest.mark.xfail(
    strict=True,
    reason="BUG: spaCy's tokenizer keeps the full stop on a word ending in a combining accent or in a capital after "
    "a small letter ('MarcH.'), so no sentence ends there and the next sentence is removed with the statement: "
    "'my visa expires in MarcH. Apple river.' becomes '[immigration status removed].'",
)
@settings(FUZZ, max_examples=20)
@given(_statements(plain_end=False), _pick([".", "!", "?"]), st.lists(harmless_sentence(), min_size=1, max_size=3))
@example(("my visa expires in MarcH", "March"), ".", ["Apple river."])
@example(("I came on a small boat\u0301", "boat"), ".", ["Candle garden."])
def test_the_next_sentence_stays_however_the_statement_ends(
    statement: tuple[str, str], end: str, after: list[str]
) -> None:
    """Her next sentence is evidence however she typed the last letter before the full stop."""
    result = REDACTOR.redact(" ".join([statement[0] + end, *after]))
    for sentence in after:
        assert sentence in result.text, (sentence, result.text)


# Sentences with accented letters (Vietnamese, Polish, Spanish, Portuguese, Romanian): status statements the word
# list removes, and evidence it keeps.
ACCENTED_SENTENCES = [
    "Tôi không có giấy tờ",
    "Mi visado caducó",
    "Não tenho documentos",
    "Nie mam wizy",
    "Anh ta đánh tôi",
    "Tôi sợ lắm",
    "Él me pega",
    "Ông ấy giữ hộ chiếu của tôi",
    "On mnie bije",
    "Mi-e frică",
]


@settings(FUZZ, max_examples=20)
@given(st.lists(st.tuples(_pick(ACCENTED_SENTENCES), _pick([".", "!", "?"])).map("".join), min_size=1, max_size=5))
@example(["Tôi không có giấy tờ.", "Anh ta đánh tôi."])
@example(["Mi visado caducó.", "Él me pega."])
def test_how_accents_are_encoded_changes_nothing_removed(sentences: list[str]) -> None:
    """Keyboards send accents precomposed or as combining marks; a reader sees the same text, so the same clauses
    must go. Redaction that depends on the encoding destroys evidence for one keyboard and not another."""
    text = " ".join(sentences)
    composed = REDACTOR.redact(unicodedata.normalize("NFC", text)).text
    decomposed = REDACTOR.redact(unicodedata.normalize("NFD", text)).text
    assert unicodedata.normalize("NFC", decomposed) == composed


CLAUSE_JOINERS = [", ", "; ", " but ", " because ", " and then ", "، ", "，"]


@st.composite
def one_sentence(draw: st.DrawFn) -> str:
    """Status and harmless clauses in one sentence, joined the ways CLAUSE_SPLIT cuts them."""
    clauses = draw(
        st.lists(
            st.one_of(
                st.sampled_from(STATEMENTS).map(lambda pair: pair[0]),
                st.lists(_pick(list(HARMLESS_WORDS)), min_size=1, max_size=5).map(" ".join),
                st.just(MARKER),
            ),
            min_size=1,
            max_size=6,
        )
    )
    out = clauses[0]
    for clause in clauses[1:]:
        out += draw(_pick(CLAUSE_JOINERS)) + clause
    return out + draw(_pick(["", "."]))


def _redacting_again_changes_nothing(text: str) -> None:
    once = REDACTOR.redact(text).text
    assert REDACTOR.redact(once).text == once


@settings(FUZZ, max_examples=150)
@given(one_sentence())
@example("my visa expires in March and then he hits me")
def test_redacting_its_own_output_changes_nothing_within_a_sentence(text: str) -> None:
    """Text redacted once (a translation of it, a worker's note quoting it) is redacted again: the marker's own
    words ("immigration status") must never be judged, nor the clauses it left standing be cut again."""
    _redacting_again_changes_nothing(text)


@settings(FUZZ, max_examples=20)
@given(st.lists(st.one_of(harmless_sentence(), _statements().map(lambda pair: pair[0] + ".")), max_size=5))
@example(["He hits me.", "I have no papers."])
def test_redacting_its_own_output_changes_nothing_across_sentences(sentences: list[str]) -> None:
    """The same promise, for a message of several sentences: conversation._to_english redacts the machine
    translation of already-redacted text, so a marker that starts a sentence is redacted twice."""
    _redacting_again_changes_nothing(" ".join(sentences))


@settings(FUZZ, max_examples=150)
@given(harmless_text())
def test_harmless_words_remove_nothing(text: str) -> None:
    """Words that cannot state a status are evidence: nothing is counted as removed and nothing changes."""
    result = REDACTOR.redact(text)
    assert result.removed == 0
    assert result.text == text.strip()
    assert not result.ends_removed
