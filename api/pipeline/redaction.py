"""The one redaction step: every inbound text passes here before Rasa, a log, a transcript or the database.

A clause that states or implies an immigration status is replaced as a whole ("my visa expires in March" minus
"visa" still tells), and reference numbers in Home Office / BRP / visa formats are replaced wherever they stand.
Abuse and fear ("he took my passport", "he says he will get me deported") are evidence and are kept.

Sentences come from spaCy's blank multilingual pipeline with its rule-based sentencizer, run inside
`nlp.memory_zone()` so no token of a victim's message outlives the request in spaCy's string store. Each
sentence is split into clauses, and a clause goes if it holds a status term of ANY supported language
(translations/<lang>/status.yml), because people mix languages, or if the clause classifier (status_model.py)
reads it as a status, given the clause before it. Matching is on api/pipeline/normalise.fold: no case, accents,
invisible characters, lookalike letters of other scripts, hyphens or dots can hide a term.

A statement split across sentences goes whole: a clause the classifier reads as continuing a removed one is
removed. Across two messages the caller passes `previous_removed` (a flag only; the removed words are gone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from api.core.files import read_yaml
from api.pipeline.normalise import clean, core_of, fold, skeleton
from api.pipeline.status_model import Context, StatusModel

MARKER = "[immigration status removed]"
# Stand-ins for markers while spaCy splits sentences (Unicode's private use area: never in her text after clean).
PRIVATE_USE = 0xE000

# Shapes of status statements in English that a word list cannot express.
STRUCTURAL_PATTERNS = [
    r"(?:came|come|arrived|entered)\s+(?:here\s+|to\s+the\s+uk\s+)?(?:illegally|on\s+a\s+(?:small\s+)?boat|in\s+a\s+lorry|hidden\s+in\s+a\s+lorry)",
    r"no\s+status|without\s+status|status\s+(?:ran|runs|run|has)\s+(?:out|expired)|my\s+status\s+(?:is|was|ran|runs|expires|expired)",
    r"(?:removal|deportation)\s+(?:order|notice|letter|decision)",
    r"home\s+office\s+(?:reference|ref|letter|number|case|interview|decision)",
]

# Reference numbers in any case, with spaces, hyphens or dots, matched on the letter-for-letter skeleton (so a
# Cyrillic lookalike letter does not hide one): GWF, Home Office (H1234567, B1234567/2), BRP (ZU1234567), UAN
# (1234-5678-9012-3456, or sixteen digits in fours).
SEP = r"[\s.\-:\u200c]?"  # the Persian half-space (ZWNJ) reads as a space
GAP = r"[\s\u200c]?"
REFERENCE_PATTERNS = [
    r"gwf" + SEP + r"\d(?:" + SEP + r"\d){8}",
    r"[a-z]" + SEP + r"\d{7}(?:" + GAP + "/" + GAP + r"\d{1,2})?",
    r"[a-z]" + SEP + r"\d{3}" + SEP + r"\d{4}(?:" + GAP + "/" + GAP + r"\d{1,2})?",
    r"[a-z]{2}" + SEP + r"[x\d]\d{6}",
    r"\d{4}(?:" + SEP + r"\d{4}){3}",
]

# Clause boundaries inside a sentence: commas (Latin, Arabic, CJK) and words that start a new clause.
# Not "so": in Vietnamese typed without accents it is a word of its own ("ho so", a case file).
CLAUSE_SPLIT = re.compile(
    r"(?<=[,;،؛，、；。！？])\s*|\s+(?=(?:but|because|and then|although|though|however)\s)", re.IGNORECASE
)


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
            data: dict[str, Any] = read_yaml(path) or {}
            words.update(fold(str(t)) for t in data.get("terms") or [] if str(t).strip())
            substrings.update(fold(str(t)) for t in data.get("substring_terms") or [] if str(t).strip())
            exceptions[path.parent.name] = frozenset(fold(str(t)) for t in data.get("exceptions") or [])
        return cls(words=tuple(sorted(words)), substrings=tuple(sorted(substrings)), exceptions=exceptions)


@dataclass(frozen=True)
class Redaction:
    text: str
    removed: int
    # Her message ended on a removed statement: a next message that continues it goes too.
    ends_removed: bool = False


class Redactor:
    def __init__(
        self,
        lexicon: StatusLexicon | None = None,
        marker: str = MARKER,
        markers: Iterable[str] = (),
        model: StatusModel | None = None,
    ) -> None:
        self.marker = marker
        self.model = model
        # Every language's marker: text redacted once (or its translation) is never judged by the marker's words.
        self.markers = sorted({marker, *markers}, key=len, reverse=True)
        # Each marker's stand-in while spaCy splits sentences (_sentences).
        self._held = {chr(PRIVATE_USE + i): m for i, m in enumerate(self.markers)}
        self.lexicon = lexicon or StatusLexicon(words=(), substrings=())
        self._status = self._compile(frozenset())
        self._by_language = {
            language: self._compile(excluded) for language, excluded in self.lexicon.exceptions.items() if excluded
        }
        self._substrings = self.lexicon.substrings
        self._references = re.compile(r"(?<![a-z0-9])(?:" + "|".join(REFERENCE_PATTERNS) + r")(?![a-z0-9])")

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
        """Does the word list (or a reference number) say this clause states a status?"""
        for marker in self.markers:
            clause = clause.replace(marker, " ")
        if self._references.search(skeleton(clean(clause))):
            return True
        normalised = fold(clause)
        status = self._by_language.get(language or "", self._status)
        return bool(status.search(normalised)) or any(s in normalised for s in self._substrings)

    def _sentences(self, text: str) -> list[str]:
        """spaCy's sentences, with every marker held as one private-use character while it splits: it would give
        a marker's opening bracket to the sentence before, and leave "immigration status removed]" to be read
        as a status statement, taking the rest of her sentence with it."""
        for placeholder, marker in self._held.items():
            text = text.replace(marker, placeholder)
        with self._nlp.memory_zone():
            sentences = [sentence.text_with_ws for sentence in self._nlp(text).sents]
        for placeholder, marker in self._held.items():
            sentences = [sentence.replace(placeholder, marker) for sentence in sentences]
        return sentences

    def sentences(self, text: str) -> list[str]:
        """The sentences of a message, as redaction splits them (also for reading danger sentence by sentence)."""
        return [sentence.strip() for sentence in self._sentences(text) if sentence.strip()]

    def clauses(self, text: str) -> list[str]:
        """The clauses the model judges, as redaction cuts them (also to train it on evidence it must keep)."""
        return [core_of(clause) for clause, _ in self._clauses(clean(text))]

    def _clauses(self, text: str) -> list[tuple[str, str]]:
        """(clause, the separator after it), in order, for every sentence."""
        parts: list[tuple[str, str]] = []
        for sentence in self._sentences(text):
            position = 0
            for boundary in [*CLAUSE_SPLIT.finditer(sentence), None]:
                end = boundary.start() if boundary else len(sentence)
                parts.append((sentence[position:end], boundary.group(0) if boundary else ""))
                if boundary:
                    position = boundary.end()
        return parts

    def _decide(self, cores: list[str], language: str | None, previous_removed: bool, marker: str) -> list[bool]:
        """Which clauses go: the word list's verdict, then the classifier's with the clause before as context.

        The classifier runs once over all clauses, then again only where its own removals changed the context.
        """
        spoken = [bool(core) and core != marker and core not in self.markers for core in cores]
        listed = [said and self.is_status(core, language) for said, core in zip(spoken, cores, strict=True)]
        if self.model is None:
            return listed

        def contexts(removed: list[bool]) -> list[Context]:
            return [
                Context(cores[i - 1] if i else "", removed[i - 1] if i else previous_removed) for i in range(len(cores))
            ]

        used = listed
        decided = [a or b for a, b in zip(listed, self.model.states(cores, contexts(used)), strict=True)]
        for _ in range(len(cores)):
            if contexts(decided) == contexts(used):
                break
            used = decided
            decided = [a or b for a, b in zip(listed, self.model.states(cores, contexts(used)), strict=True)]
        decided = self._before_removed(cores, contexts(decided), decided)
        return [d and said for d, said in zip(decided, spoken, strict=True)]

    def _before_removed(self, cores: list[str], contexts: list[Context], decided: list[bool]) -> list[bool]:
        """A status statement often opens vaguely and is named only after: "They refused. It was the second time
        the Home Office said no." A clause right before a removed one goes at even odds, from the end backwards."""
        model = self.model
        assert model is not None
        out = list(decided)
        for i in range(len(cores) - 2, -1, -1):
            # Scored only where it can matter: most messages remove nothing, and then nothing is scored again.
            if not out[i] and out[i + 1]:
                out[i] = model.probabilities([cores[i]], [contexts[i]])[0] >= model.threshold_before
        return out

    def redact(
        self, text: str, marker: str | None = None, language: str | None = None, previous_removed: bool = False
    ) -> Redaction:
        marker = marker or self.marker
        text = clean(text)
        text, removed = self._replace_references(text, marker)
        parts = self._clauses(text)
        cores = [core_of(clause) for clause, _ in parts]
        decisions = self._decide(cores, language, previous_removed, marker)
        out: list[str] = []
        for (clause, separator), core, goes in zip(parts, cores, decisions, strict=True):
            if goes:
                clause = clause.replace(core, marker)
                removed += 1
            out.append(clause + separator)
        result = "".join(out)
        # Neighbouring markers (a clause and the reference inside it) read as one.
        result = re.sub(rf"(?:{re.escape(marker)}[\s,;.]*){{2,}}", marker + " ", result).strip()
        last = max((i for i, core in enumerate(cores) if core), default=None)
        ends_removed = last is not None and (decisions[last] or cores[last] in (marker, *self.markers))
        return Redaction(text=result, removed=removed, ends_removed=ends_removed)

    def _replace_references(self, text: str, marker: str) -> tuple[str, int]:
        """Reference numbers go wherever they stand, found on the skeleton (same length as the text)."""
        spans = [m.span() for m in self._references.finditer(skeleton(text))]
        for start, end in reversed(spans):
            text = text[:start] + marker + text[end:]
        return text, len(spans)
