"""The one normaliser: how the gateway compares what she typed with a word list, whatever the keyboard.

People type without accents, on a phone's other keyboard (a Cyrillic "а" or a Latin "i" inside a Ukrainian word,
Arabic-keyboard letters in Persian), with invisible characters pasted in (zero-width spaces, soft hyphens, the
Arabic tatweel that stretches a word), and with hyphens or dots ("leave-to-remain", "I.L.R."). Two steps:

- `clean` is what is kept of her text: the invisible format characters and tatweel removed. It changes nothing a
  reader would see (not even full-width punctuation, which NFKC would turn into ASCII).
- `fold` is only for matching: Unicode NFKC, lower case, no accents or vowel marks, one keyboard's letters,
  lookalike letters of other scripts folded to the Latin letter they imitate (Unicode's confusables data, from
  the confusable-homoglyphs package), hyphens as spaces and dotted abbreviations joined. Terms and text are folded
  the same way, so a Ukrainian term still matches Ukrainian text.
- `skeleton` folds letter for letter (same length), so a match in it is a span of the cleaned text: for
  reference numbers typed with lookalike letters.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources

TATWEEL = "\u0640"
# Letters that differ only by keyboard: curly apostrophes, Arabic- vs Persian/Urdu-keyboard ya, kaf and heh.
KEYBOARD = str.maketrans({"\u2019": "'", "\u02bc": "'", "ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه"})
# Latin letters that Unicode does not decompose into a base letter and an accent, typed plainly without one.
PLAIN = str.maketrans({"ł": "l", "đ": "d", "ð": "d", "ø": "o", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t"})
JOINERS = re.compile(r"(?<=\w)[\-\u2010\u2011\u2012\u2013\u2014_/]+(?=\w)")
DOTTED = re.compile(r"(?<![\w.])(?:\w\.){2,}\w?\.?(?!\w)")


def is_invisible(char: str) -> bool:
    """Format characters (zero-width space and joiners, soft hyphen, word joiner, bidi marks), tatweel, and
    private-use characters (no standard font draws them; redaction uses them as stand-ins).

    The Persian half-space (ZWNJ) joins the parts of one word, so it reads as a space rather than nothing.
    """
    category = unicodedata.category(char)
    return char == TATWEEL or category == "Co" or (category == "Cf" and char != "\u200c")


def clean(text: str) -> str:
    """Invisible characters gone, accents composed (NFC): a keyboard that types "e" + a combining accent must not
    read differently from one that types "é" (spaCy would not end a sentence after a combining mark)."""
    return unicodedata.normalize("NFC", "".join(c for c in text if not is_invisible(c)))


@cache
def lookalikes() -> dict[str, str]:
    """Each letter of another script that Unicode lists as confusable with one ASCII letter, mapped to it.

    Built on first use from the package's copy of Unicode's confusables.txt.
    """
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    table: dict[str, str] = {}
    for char, entries in data.items():
        for entry in entries:
            other = str(entry.get("c", ""))
            pair = (char, other) if len(char) == 1 and len(other) == 1 else None
            if pair is None:
                continue
            for source, target in (pair, pair[::-1]):
                if target.isascii() and target.isalpha() and not source.isascii() and source.isalpha():
                    table.setdefault(source, target.lower())
    return table


def skeleton(text: str) -> str:
    """Letter for letter: NFKC, lookalikes folded and lower case, the same length as `text`."""
    table = lookalikes()
    out = []
    for char in text:
        compatible = unicodedata.normalize("NFKC", char)
        folded = table.get(char, compatible if len(compatible) == 1 else char)
        lower = folded.lower()
        out.append(lower if len(lower) == 1 else folded)
    return "".join(out)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """How terms are compared: see the module's docstring."""
    folded = unicodedata.normalize("NFKC", clean(text)).replace("\u200c", " ").casefold().translate(KEYBOARD)
    folded = _strip_accents(folded).translate(PLAIN)
    table = lookalikes()
    folded = "".join(table.get(c, c) for c in folded).lower()
    folded = DOTTED.sub(lambda m: m.group(0).replace(".", ""), folded)
    folded = JOINERS.sub(" ", folded)
    return " ".join(folded.split())


CLAUSE_END = ",;،؛，、；.!?؟۔।。！？ "


def core_of(clause: str) -> str:
    """A clause without its surrounding spaces and closing punctuation: what is judged, in training and at run time."""
    return clause.strip().rstrip(CLAUSE_END)


def keyword_form(text: str) -> str:
    """How a typed keyword or language name is matched ("Pomóc!", "  polski."): no marks, one case, single
    spaces, no closing punctuation. Lighter than `fold`: keywords are listed as people type them."""
    stripped = _strip_accents(text.casefold())
    return " ".join(stripped.split()).strip(" .!?¿¡。")


SCRIPTS = ("GURMUKHI", "BENGALI", "CYRILLIC", "ARABIC", "LATIN")


def script_of(char: str) -> str | None:
    """The writing system of a letter (None for anything else), by its Unicode name: the one script test, for
    language detection and for choosing which training examples are written in Latin letters."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("CJK"):
        return "CJK"
    return next((script for script in SCRIPTS if name.startswith(script)), "OTHER")


def script_share(text: str, script: str) -> float:
    """The share of the text's letters written in `script`."""
    scripts = [s for s in map(script_of, text) if s]
    return scripts.count(script) / len(scripts) if scripts else 0.0
