"""Language detection and machine translation cost per message, and what an installed MT package adds to
the gateway's latency. Part of `make bench`; the MT figures use the tiny test package (random weights), so they
measure the machinery (load, sentence split, CTranslate2 decode), not a real model's speed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from api.core.config import ROOT
from api.pipeline.language import LanguageDetector
from api.stack import Stack, free_port
from tests.support.limits import HARNESS_LIMITS_ENV

HELD_OUT = sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml"))
POLISH = [
    "mój mąż mnie bije",
    "czy zgłoszenie na policję jest bezpieczne?",
    "on jest pod drzwiami",
    "potrzebuję pomocy",
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def held_out_texts() -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for path in HELD_OUT:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        lines = [
            line[2:].strip()
            for block in data.get("nlu", [])
            for line in str(block.get("examples", "")).splitlines()
            if line.startswith("- ")
        ]
        texts[path.stem.removeprefix("heldout_")] = lines
    return texts


def detection() -> None:
    texts = held_out_texts()
    detector = LanguageDetector(set(texts) | {"en"})
    detector.detect("warm up the bundled model once")
    print(f"{'language detection':28s} {'msgs':>5s} {'p50 ms':>8s} {'p95 ms':>8s} {'detected':>9s}")
    for language, lines in texts.items():
        timings, hits = [], 0
        for line in lines:
            began = time.perf_counter()
            found = detector.detect(line)
            timings.append(time.perf_counter() - began)
            hits += bool(found and found.language == language)
        p50, p95 = percentiles(timings)
        print(f"  {language:26s} {len(lines):5d} {p50:8.3f} {p95:8.3f} {hits / len(lines):9.2f}")
    print("  (detected: share of held-out messages recognised; short ones are meant to stay undetected)\n")


def chat_latency(stack: Stack, language: str, rounds: int = 5) -> list[float]:
    timings = []
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as http:
        for _ in range(rounds):
            session = http.post("/api/chat/sessions", json={"language": language}).json()["session_id"]
            for text in POLISH:
                began = time.perf_counter()
                http.post(f"/api/chat/sessions/{session}/messages", json={"text": text}).raise_for_status()
                timings.append(time.perf_counter() - began)
            http.delete(f"/api/chat/sessions/{session}")
    return timings


def translation() -> None:
    from tests.support.tiny_argos import build_tiny_argosmodel

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build_tiny_argosmodel(root / "packages", "pl", "en")
        results = {}
        for label, folder_name, install in (("no MT", "no-mt", False), ("tiny MT pl->en", "tiny-mt", True)):
            var_dir = root / folder_name
            if install:
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "api.cli",
                        "install-models",
                        "pl",
                        "--from-dir",
                        str(root / "packages"),
                        "--var-dir",
                        str(var_dir),
                    ],
                    check=True,
                    cwd=ROOT,
                    capture_output=True,
                )
            with Stack(
                gateway_port=free_port(),
                rasa_port=free_port(),
                var_dir=var_dir,
                log_dir=var_dir / "logs",
                extra_env=HARNESS_LIMITS_ENV,
            ) as stack:
                chat_latency(stack, "pl", rounds=1)  # warm-up: loads the package once
                results[label] = chat_latency(stack, "pl")
        print(f"{'gateway, Polish messages':28s} {'msgs':>5s} {'p50 ms':>8s} {'p95 ms':>8s}")
        for label, timings in results.items():
            p50, p95 = percentiles(timings)
            print(f"  {label:26s} {len(timings):5d} {p50:8.1f} {p95:8.1f}")
        base, with_mt = (statistics.median(results[k]) for k in ("no MT", "tiny MT pl->en"))
        print(f"  MT adds x{with_mt / base:.2f} at the median\n")

        from api.pipeline.translation import OfflineTranslator

        translator = OfflineTranslator(root / "tiny-mt" / "argos", {"pl"})
        translator.to_english("rozgrzewka", "pl")
        timings = []
        for _ in range(10):
            for text in POLISH:
                began = time.perf_counter()
                translator.to_english(text, "pl")
                timings.append(time.perf_counter() - began)
        p50, p95 = percentiles(timings)
        print(f"{'translation pl->en (tiny)':28s} {len(timings):5d} {p50:8.2f} {p95:8.2f}\n")


def main() -> int:
    detection()
    translation()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
