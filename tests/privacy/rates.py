"""Redaction recall and precision per language, on the sets in translations/<lang>/status.yml.

Recall: every status statement loses its clause (its `secret` word is gone). Precision: every abuse or fear
statement survives untouched. `python -m tests.privacy.rates` prints the table (make test runs it).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from api.core.config import ROOT
from api.pipeline.redaction import MARKER, Redactor

TRANSLATIONS = ROOT / "translations"
MIN_RECALL = 1.0
MIN_PRECISION = 0.95


@dataclass
class Rates:
    language: str
    recall_hits: int
    recall_total: int
    kept: int
    precision_total: int
    misses: list[str]
    false_alarms: list[str]

    @property
    def recall(self) -> float:
        return self.recall_hits / self.recall_total if self.recall_total else 1.0

    @property
    def precision(self) -> float:
        return self.kept / self.precision_total if self.precision_total else 1.0


@cache
def redactor() -> Redactor:
    """The redactor exactly as the gateway builds it."""
    from api.runtime import load_content, redactor_for
    from tests.helpers import make_settings

    settings = make_settings()
    catalog = load_content(settings).catalog
    return redactor_for(settings, [catalog.text(code, "redaction.marker") for code in catalog.languages])


def rates_for(path: Path) -> Rates:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    misses, false_alarms, hits = [], [], 0
    for case in data.get("recall") or []:
        result = redactor().redact(str(case["text"]), language=path.parent.name).text
        if str(case["secret"]).casefold() in result.casefold() or MARKER not in result:
            misses.append(str(case["text"]))
        else:
            hits += 1
    precision = [str(text) for text in data.get("precision") or []]
    for text in precision:
        if redactor().redact(text, language=path.parent.name).text != text:
            false_alarms.append(text)
    recall_total = len(data.get("recall") or [])
    kept = len(precision) - len(false_alarms)
    return Rates(path.parent.name, hits, recall_total, kept, len(precision), misses, false_alarms)


def all_rates() -> list[Rates]:
    return [rates_for(path) for path in sorted(TRANSLATIONS.glob("*/status.yml"))]


def main() -> int:
    print("Redaction of immigration status (recall target 100%, precision target >= 95%):")
    failed = False
    for rates in all_rates():
        ok = rates.recall >= MIN_RECALL and rates.precision >= MIN_PRECISION
        failed = failed or not ok
        print(
            f"  {rates.language:3s} recall {rates.recall:6.1%} ({rates.recall_hits}/{rates.recall_total})"
            f"  precision {rates.precision:6.1%} ({rates.kept}/{rates.precision_total}){'' if ok else '  FAIL'}"
        )
        for text in rates.misses:
            print(f"      missed: {text}")
        for text in rates.false_alarms:
            print(f"      removed by mistake: {text}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
