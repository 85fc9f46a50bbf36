"""The one redaction step: every inbound text passes here before Rasa, a log, a transcript or the database.

A clause that states or implies an immigration status is replaced as a whole ("my visa expires in March" minus
"visa" still tells), and reference numbers in Home Office / BRP / visa formats are replaced wherever they stand.
Abuse and fear ("he took my passport", "he says he will get me deported") are evidence and are kept.

Sentences come from spaCy's blank multilingual pipeline with its rule-based sentencizer, run inside
`nlp.memory_zone()` so no token of a victim's message outlives the request in spaCy's string store. Each
sentence is split into clauses, and a clause goes if it holds a status term of ANY supported language
(translations/<lang>/status.yml), because people mix languages. Matching ignores case and accents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

MARKER = "[immigration status removed]"

# Shapes of status statements in English that a word list cannot express.
STRUCTURAL_PATTERNS = [
    r"(?:came|come|arrived|entered)\s+(?:here\s+|to\s+the\s+uk\s+)?(?:illegally|on\s+a\s+(?:small\s+)?boat|in\s+a\s+lorry|hidden\s+in\s+a\s+lorry)",
    r"no\s+status|without\s+status|status\s+(?:ran|runs|run|has)\s+(?:out|expired)|my\s+status\s+(?:is|was|ran|runs|expires|expired)",
    r"(?:removal|deportation)\s+(?:order|notice|letter|decision)",
    r"home\s+office\s+(?:reference|ref|letter|number|case|interview|decision)",
]

# Reference numbers: Home Office (e.g. H1234567, B1234567/2), GWF, UAN (1234-5678-9012-3456), BRP (ZU1234567).
REFERENCE_PATTERNS = [
    r"\bGWF\s?\d{9}\b",
    r"\b[A-Z]\d{7}(?:/\d{1,2})?\b",
    r"\b[A-Z]{2}[X\d]\d{6}\b",
    r"\b\d{4}-\d{4}-\d{4}-\d{4}\b",
]

# Clause boundaries inside a sentence: commas (Latin, Arabic, CJK) and words that start a new clause.
CLAUSE_SPLIT = re.compile(
    r"(?<=[,;،؛，、；。！？])\s*|\s+(?=(?:but|because|so|and then|although|though|however)\s)", re.IGNORECASE
)


# Letters that differ only by keyboard: curly apostrophes, Arabic- vs Persian/Urdu-keyboard ya and kaf,
# and the Persian half-space.
FOLD = str.maketrans({"\u2019": "'", "\u02bc": "'", "ي": "ی", "ى": "ی", "ك": "ک", "\u200c": " "})


def normalise(text: str) -> str:
    """Lower case, no accents or vowel marks, one keyboard's letters, single spaces: how terms are compared."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(FOLD))
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class StatusLexicon:
    words: tuple[str, ...]
    substrings: tuple[str, ...]
    # Per conversation language, other languages' terms that are ordinary words in it (Lithuanian "visa"
    # means "all"): not status when the conversation is in that language.
    exceptions: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, translations: Path) -> StatusLexicon:
        words: set[str] = set()
        substrings: set[str] = set()
        exceptions: dict[str, frozenset[str]] = {}
        for path in sorted(translations.glob("*/status.yml")):
            data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            words.update(normalise(str(t)) for t in data.get("terms") or [] if str(t).strip())
            substrings.update(normalise(str(t)) for t in data.get("substring_terms") or [] if str(t).strip())
            exceptions[path.parent.name] = frozenset(normalise(str(t)) for t in data.get("exceptions") or [])
        return cls(words=tuple(sorted(words)), substrings=tuple(sorted(substrings)), exceptions=exceptions)


@dataclass(frozen=True)
class Redaction:
    text: str
    removed: int


class Redactor:
    def __init__(self, lexicon: StatusLexicon | None = None, marker: str = MARKER, markers: Iterable[str] = ()) -> None:
        self.marker = marker
        # Every language's marker: text redacted once (or its translation) is never judged by the marker's words.
        self.markers = sorted({marker, *markers}, key=len, reverse=True)
        self.lexicon = lexicon or StatusLexicon(words=(), substrings=())
        self._status = self._compile(frozenset())
        self._by_language = {
            language: self._compile(excluded) for language, excluded in self.lexicon.exceptions.items() if excluded
        }
        self._substrings = self.lexicon.substrings
        self._references = re.compile("|".join(REFERENCE_PATTERNS))

    def _compile(self, excluded: frozenset[str]) -> re.Pattern[str]:
        words = sorted((w for w in self.lexicon.words if w not in excluded), key=len, reverse=True)
        alternatives = [re.escape(w) for w in words] + STRUCTURAL_PATTERNS
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")

    @cached_property
    def _nlp(self) -> Any:
        import spacy  # loaded once, on first use: no model files, no downloads

        nlp = spacy.blank("xx")
        nlp.add_pipe("sentencizer")
        return nlp

    def is_status(self, clause: str, language: str | None = None) -> bool:
        for marker in self.markers:
            clause = clause.replace(marker, " ")
        normalised = normalise(clause)
        status = self._by_language.get(language or "", self._status)
        return bool(status.search(normalised)) or any(s in normalised for s in self._substrings)

    def _sentences(self, text: str) -> list[str]:
        with self._nlp.memory_zone():
            return [sentence.text_with_ws for sentence in self._nlp(text).sents]

    def redact(self, text: str, marker: str | None = None, language: str | None = None) -> Redaction:
        marker = marker or self.marker
        text, removed = self._references.subn(marker, text)
        out: list[str] = []
        for sentence in self._sentences(text):
            position = 0
            for boundary in [*CLAUSE_SPLIT.finditer(sentence), None]:
                end = boundary.start() if boundary else len(sentence)
                clause = sentence[position:end]
                core = clause.strip().rstrip(",;،؛，、；.!?؟۔।。！？ ")
                if core and core != marker and self.is_status(core, language):
                    clause = clause.replace(core, marker)
                    removed += 1
                out.append(clause)
                if boundary:
                    out.append(boundary.group(0))
                    position = boundary.end()
        result = "".join(out)
        # Neighbouring markers (a clause and the reference inside it) read as one.
        result = re.sub(rf"(?:{re.escape(marker)}[\s,;.]*){{2,}}", marker + " ", result).strip()
        return Redaction(text=result, removed=removed)
