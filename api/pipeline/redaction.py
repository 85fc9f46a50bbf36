"""The one redaction step: every inbound text passes here before Rasa, a log, a transcript or the database.

A clause that states or implies an immigration status is replaced as a whole ("my visa expires in March" minus
"visa" still tells), and reference numbers in Home Office / BRP / visa formats are replaced wherever they stand.
Abuse and fear ("he took my passport", "he says he will get me deported") are evidence and are kept.
This is the English rule set; other languages add theirs in the same shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = "[immigration status removed]"

# Statements of status. Each is a regex fragment matched case-insensitively on word boundaries.
STATUS_PATTERNS_EN = [
    r"visas?",
    r"(?:asylum|refugee)(?:\s+(?:seeker|claim|status|application|case))?",
    r"(?:pre[- ]?)?settled\s+status",
    r"eu\s*ss|eu\s+settlement(?:\s+scheme)?",
    r"(?:indefinite\s+|limited\s+)?leave\s+to\s+(?:remain|enter)",
    r"ilr",
    r"over[- ]?stay(?:ed|ing|er)?",
    r"no\s+(?:legal\s+)?papers|without\s+papers|undocumented|paperless",
    r"illegal(?:ly)?\s+(?:here|immigrant|migrant|entry|entered|in\s+the\s+uk|in\s+this\s+country)",
    r"(?:came|come|arrived|entered)\s+(?:here\s+|to\s+the\s+uk\s+)?(?:illegally|on\s+a\s+(?:small\s+)?boat|in\s+a\s+lorry|hidden\s+in\s+a\s+lorry)",
    r"small\s+boats?",
    r"nrpf|no\s+recourse(?:\s+to\s+public\s+funds)?",
    r"immigration\s+(?:status|bail|detention|removal\s+centre|centre|case|application|papers|documents)",
    r"no\s+status|without\s+status|status\s+(?:ran|runs|run|has)\s+(?:out|expired)|my\s+status\s+(?:is|was|ran|runs|expires|expired)",
    r"detention\s+centre|detained\s+by\s+immigration",
    r"(?:removal|deportation)\s+(?:order|notice|letter|decision)",
    r"home\s+office\s+(?:reference|ref|letter|number|case|interview|decision)",
    r"brp|biometric\s+residence\s+(?:permit|card)",
    r"residence\s+(?:permit|card)|work\s+permit|right\s+to\s+(?:work|rent)\s+check",
    r"spouse\s+(?:visa|route)|partner\s+visa|dependant\s+visa|student\s+visa|work\s+visa|tier\s+[1-5]",
]

# Reference numbers: Home Office (e.g. H1234567, B1234567/2), GWF, UAN (1234-5678-9012-3456), BRP (ZU1234567).
REFERENCE_PATTERNS = [
    r"\bGWF\s?\d{9}\b",
    r"\b[A-Z]\d{7}(?:/\d{1,2})?\b",
    r"\b[A-Z]{2}[X\d]\d{6}\b",
    r"\b\d{4}-\d{4}-\d{4}-\d{4}\b",
]

# Clause boundaries: sentence ends, semicolons, line breaks, and commas or conjunctions that start a new clause.
CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?;\n])\s+|\n|,\s*|\s+(?=(?:but|because|so|and then|although|though)\s)", re.IGNORECASE
)


@dataclass(frozen=True)
class Redaction:
    text: str
    removed: int


class Redactor:
    def __init__(self, patterns: list[str] = STATUS_PATTERNS_EN, marker: str = MARKER) -> None:
        self.marker = marker
        self._status = re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)
        self._references = re.compile("|".join(REFERENCE_PATTERNS))

    def redact(self, text: str, marker: str | None = None) -> Redaction:
        marker = marker or self.marker
        text, references = self._references.subn(marker, text)
        removed = references
        pieces: list[str] = []
        position = 0
        for match in CLAUSE_SPLIT.finditer(text):
            pieces.append(text[position : match.start()])
            pieces.append(match.group(0))
            position = match.end()
        pieces.append(text[position:])
        for index in range(0, len(pieces), 2):
            clause = pieces[index]
            if clause and clause != marker and self._status.search(clause):
                pieces[index] = marker
                removed += 1
        result = "".join(pieces)
        # Neighbouring markers (a clause and the reference inside it) read as one.
        result = re.sub(rf"(?:{re.escape(marker)}[\s,;]*){{2,}}", marker + " ", result).strip()
        return Redaction(text=result, removed=removed)
