"""Redaction latency per message and per language (target: p95 under 2 ms), on each language's status
statements, abuse statements, held-out NLU messages and the held-out redaction sets (word list and clause
classifier together, as the gateway runs them). Part of `make bench`."""

from __future__ import annotations

import statistics
import time

import yaml

from api.core.config import ROOT
from tests.privacy.rates import redactor

ROUNDS = 10


def messages(language: str) -> list[str]:
    status = yaml.safe_load((ROOT / "translations" / language / "status.yml").read_text(encoding="utf-8"))
    texts = [str(c["text"]) for c in status.get("recall") or []] + [str(t) for t in status.get("precision") or []]
    held_out = ROOT / "tests" / "nlu" / f"heldout_{language}.yml"
    if held_out.exists():
        for block in (yaml.safe_load(held_out.read_text(encoding="utf-8")) or {}).get("nlu", []):
            texts += [line[2:] for line in str(block.get("examples", "")).splitlines() if line.startswith("- ")]
    redaction = ROOT / "tests" / "privacy" / "heldout" / f"{language}.yml"
    if redaction.exists():
        data = yaml.safe_load(redaction.read_text(encoding="utf-8")) or {}
        texts += [str(case["text"]) for case in (data.get("status") or []) + (data.get("evidence") or [])]
    return texts


def main() -> int:
    engine = redactor()
    engine.redact("warm up: load spaCy once")
    languages = sorted(p.parent.name for p in (ROOT / "translations").glob("*/status.yml"))
    print(f"{'redaction':10s} {'msgs':>6s} {'p50 ms':>8s} {'p95 ms':>8s}")
    worst = 0.0
    for language in languages:
        timings = []
        texts = messages(language)
        for _ in range(ROUNDS):
            for text in texts:
                began = time.perf_counter()
                engine.redact(text, language=language)
                timings.append((time.perf_counter() - began) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        worst = max(worst, p95)
        print(f"  {language:8s} {len(timings):6d} {statistics.median(timings):8.3f} {p95:8.3f}")
    print(f"worst p95 {worst:.3f} ms (target < 2 ms): {'ok' if worst < 2 else 'OVER TARGET'}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
