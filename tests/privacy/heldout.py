"""Redaction on writing it never saw: tests/privacy/heldout/<lang>.yml, per language x style.

The held-out sets were written separately from the word lists and the classifier's training data (by other
hands, who never read either), in the ways people really type: native, no diacritics, romanised, SMS-speak,
code-switched, split across sentences or messages, indirect, reference numbers. Nothing is tuned on them.

Status recall: every `reveals` substring is gone and the marker is there. A `previous` message is redacted first,
and whether it ended on a removed statement is passed on, as the gateway does. Questions that imply her status
("will the police ask about my visa?"; `implied`) are removed by the privacy model's rule (README), and counted
apart. Evidence kept: the message comes
back unchanged. Danger kept: a danger message of the NLU held-out set (tests/nlu/realistic/) comes back unchanged,
unless the word list itself removes one of its clauses (then that clause states a status); it is the evidence a
support worker most needs. `python -m tests.privacy.heldout` prints the three tables (make test runs it).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import yaml

from api.core.config import ROOT
from api.pipeline.danger_model import DANGER
from api.pipeline.normalise import clean
from api.pipeline.redaction import Redactor
from tests.privacy.rates import redactor
from tests.support.tables import Cell, every_language, print_table, total

HELDOUT = ROOT / "tests" / "privacy" / "heldout"
DANGER_HELDOUT = ROOT / "tests" / "nlu" / "realistic"
TARGET_RECALL = 0.98
TARGET_KEPT = 0.95
# What make test enforces while the targets are not yet met everywhere: a regression guard, not the goal. On the
# fifth fresh batch of 2026-12-06 (the first four retired into training) the weakest language was uk at 0.81
# recall (0.91 over all; split statements 0.80, split messages 0.80, indirect 0.89); evidence kept 0.98 (pl 0.86).
# On the fourth (2026-12-04): zh 0.79, 0.92 over all.
FLOOR_RECALL = 0.75
FLOOR_KEPT = 0.85
# Danger messages kept whole: 0.86 before the clause classifier learned from the NLU data's danger messages, 0.96
# after (fresh sets of 2026-12-03, second batch; 0.96 on the third and on the fourth; 0.97 on the fifth).
FLOOR_DANGER_KEPT = 0.90


def status_removed(redactor_: Redactor, case: dict[str, object], language: str) -> bool:
    previous_removed = False
    if case.get("previous"):
        previous_removed = redactor_.redact(str(case["previous"]), language=language).ends_removed
    result = redactor_.redact(str(case["text"]), language=language, previous_removed=previous_removed).text
    reveals = [str(r) for r in case.get("reveals") or []]  # type: ignore[attr-defined]
    folded = result.casefold()
    return redactor_.marker in result and not any(r.casefold() in folded for r in reveals)


def evidence_kept(redactor_: Redactor, case: dict[str, object], language: str) -> bool:
    text = str(case["text"])
    return redactor_.redact(text, language=language).text == clean(text).strip()


def danger_kept(path: Path) -> dict[str, Cell]:
    kept: dict[str, Cell] = defaultdict(Cell)
    language = path.stem
    for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        text = str(case["text"])
        if case["intent"] != DANGER or any(redactor().is_status(c, language) for c in redactor().clauses(text)):
            continue
        kept[str(case["style"])].add(evidence_kept(redactor(), case, language), text)
    return kept


def measure(path: Path) -> tuple[dict[str, Cell], dict[str, Cell], Cell]:
    """Status recall and evidence kept per style, and how many questions that imply her status were removed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    language = path.stem
    recall: dict[str, Cell] = defaultdict(Cell)
    kept: dict[str, Cell] = defaultdict(Cell)
    implied = Cell()
    for case in data.get("status") or []:
        recall[str(case["style"])].add(status_removed(redactor(), case, language), str(case["text"]))
    for case in data.get("evidence") or []:
        kept[str(case["style"])].add(evidence_kept(redactor(), case, language), str(case["text"]))
    for case in data.get("implied") or []:
        implied.add(status_removed(redactor(), case, language), str(case["text"]))
    return recall, kept, implied


def main(argv: list[str]) -> int:
    verbose = "--failures" in argv
    recall_rows: dict[str, dict[str, Cell]] = {}
    kept_rows: dict[str, dict[str, Cell]] = {}
    implied: dict[str, Cell] = {}
    for path in sorted(HELDOUT.glob("*.yml")):
        recall_rows[path.stem], kept_rows[path.stem], implied[path.stem] = measure(path)
    danger_rows = {path.stem: danger_kept(path) for path in sorted(DANGER_HELDOUT.glob("*.yml"))}
    print_table(f"Held-out status recall per language x style (target >= {TARGET_RECALL}):", recall_rows)
    print_table(f"Held-out evidence kept per language x style (target >= {TARGET_KEPT}):", kept_rows)
    print_table(f"Held-out danger messages kept whole per language x style (target >= {TARGET_KEPT}):", danger_rows)
    asked = total(implied)
    removed = f"{asked.rate:.2f} {asked.passed}/{asked.total}"
    print(f"Questions that imply her status ('will the police ask about my visa?'), removed: {removed}")
    if verbose:
        for language in recall_rows:
            for style, cell in recall_rows[language].items():
                for text in cell.failures:
                    print(f"  missed {language} {style}: {text}")
            for style, cell in [*kept_rows[language].items(), *danger_rows.get(language, {}).items()]:
                for text in cell.failures:
                    print(f"  removed by mistake {language} {style}: {text}")
            for text in implied[language].failures:
                print(f"  implied status kept {language}: {text}")
    low = [
        language
        for language in recall_rows
        if total(recall_rows[language]).rate < FLOOR_RECALL or total(kept_rows[language]).rate < FLOOR_KEPT
    ]
    if total(every_language(danger_rows)).rate < FLOOR_DANGER_KEPT:
        low.append("danger")
    if low:
        floors = f"{FLOOR_RECALL} recall, {FLOOR_KEPT} kept, {FLOOR_DANGER_KEPT} danger kept"
        print(f"Below the floor ({floors}): {' '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
