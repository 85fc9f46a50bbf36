"""Realistic writing the model never saw, through the real stack: tests/nlu/realistic/<lang>.yml.

The sets were written by other hands, who never read the training data, the word lists or the code, in the ways
frightened people type on a phone: native, no diacritics, romanised, SMS-speak, typos, code-switching, danger
buried in a long message, indirect. Each message is the first of a new web chat that starts in English, as a
victim landing on the page would type it, sent to the gateway over HTTP with a real Rasa server behind it.

Per language x style it prints:
- danger recall: the gateway acted on a danger message as danger (the payload it sent Rasa);
- danger first: the first message of the whole reply is the 999 guidance;
- false danger: a message that is not danger got the 999 guidance first;
- intent accuracy: the intent the gateway acted on is the expected one;
- her language: the reply is in the language she wrote in (or English, when she mixed it with English), or the
  one she asked for by name (`asks_for`), and never in a third one.

`python -m tests.nlu.real_writing [--failures]` (make test runs it). The targets are the issue's; what fails
the build is a floor, a regression guard below them, until the targets are met everywhere.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from api.core.config import ROOT
from api.rasa_client import DANGER, Parsed
from tests.support.inprocess import Gateway, inprocess_gateway
from tests.support.tables import Cell, print_table, total

REALISTIC = ROOT / "tests" / "nlu" / "realistic"
LOGS = ROOT / "test-output" / "real-writing-logs"
START_LANGUAGE = "en"
TARGETS = {"danger recall": 0.98, "danger first": 0.98, "intent accuracy": 0.9, "her language": 0.98}
TARGET_FALSE_DANGER = 0.05
# Regression guards for make test (over each language's whole set), below the targets on purpose. On the fifth
# fresh batch of 2026-12-06 (after the first four were retired into the training data) the weakest languages were at
# 0.92 danger recall (fa; 0.975 over all; no_diacritics 0.86, romanised 0.93) and 0.16 false danger (ur; 0.076 over
# all). On the fourth: 0.983 and 0.088. The targets are not met yet; these only stop it getting worse.
# A payload that carries out an intent directly: "write in English" chooses English (api/conversation.py).
FULFILS = {"choose_language": "change_language"}
FLOORS = {"danger recall": 0.85, "danger first": 0.85}
CEILING_FALSE_DANGER = 0.20
WORKERS = 6


@dataclass(frozen=True)
class Case:
    language: str
    text: str
    intent: str
    style: str
    written_in: str
    # The language a request to change language names ("can you write in Urdu?"): answering in it is right.
    asks_for: str = ""

    def hers(self, language: str) -> bool:
        """A language she wrote in, or asked for."""
        return language in (self.written_in, self.asks_for)


@dataclass(frozen=True)
class Outcome:
    case: Case
    acted: str  # the intent the gateway drove Rasa with
    first_is_danger: bool
    replied_in: str


class RecordingRasa:
    """The runtime's Rasa client, watched: the first payload each conversation sent Rasa this turn."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: dict[str, str] = {}

    async def parse(self, text: str) -> Parsed:
        parsed: Parsed = await self.inner.parse(text)
        return parsed

    async def send(self, sender_id: str, message: str) -> list[dict[str, Any]]:
        self.sent.setdefault(sender_id, message)
        replies: list[dict[str, Any]] = await self.inner.send(sender_id, message)
        return replies

    async def close(self) -> None:
        await self.inner.close()


def load_cases(directory: Path = REALISTIC) -> list[Case]:
    cases = []
    for path in sorted(directory.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            fields = (str(item[k]) for k in ("text", "intent", "style", "written_in"))
            cases.append(Case(path.stem, *fields, asks_for=str(item.get("asks_for", ""))))
    return cases


def run_case(gateway: Gateway, recorder: RecordingRasa, case: Case) -> Outcome:
    runtime = gateway.runtime
    with httpx.Client(base_url=gateway.url, timeout=60) as client:
        created = client.post("/api/chat/sessions", json={"language": START_LANGUAGE})
        created.raise_for_status()
        session_id = created.json()["session_id"]
        sender_id = runtime.sessions.get(session_id).sender_id
        reply = client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": case.text})
        reply.raise_for_status()
        body = reply.json()
        client.delete(f"/api/chat/sessions/{session_id}")
    danger_text = runtime.content.message(body["language"], "utter_danger")["text"]
    messages = body["messages"]
    acted = recorder.sent.pop(sender_id, "")[1:].split("{", 1)[0]
    acted = FULFILS.get(acted, acted)
    return Outcome(case, acted, bool(messages) and messages[0]["text"] == danger_text, body["language"])


def measure(gateway: Gateway, cases: list[Case]) -> list[Outcome]:
    logging.getLogger("api").setLevel(logging.WARNING)  # one log line per turn would bury the tables
    recorder = RecordingRasa(gateway.runtime.rasa)
    gateway.runtime.rasa = recorder
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            return list(pool.map(lambda case: run_case(gateway, recorder, case), cases))
    finally:
        gateway.runtime.rasa = recorder.inner


Table = dict[str, dict[str, Cell]]


def tables(outcomes: list[Outcome]) -> dict[str, Table]:
    names = ("danger recall", "danger first", "false danger", "intent accuracy", "her language")
    out: dict[str, Table] = {name: defaultdict(lambda: defaultdict(Cell)) for name in names}
    for o in outcomes:
        c = o.case
        label = f"{c.intent}: {c.text}"
        if c.intent == DANGER:
            out["danger recall"][c.language][c.style].add(o.acted == DANGER, f"{label} -> {o.acted}")
            out["danger first"][c.language][c.style].add(o.first_is_danger, label)
        else:
            out["false danger"][c.language][c.style].add(o.first_is_danger, f"{label} -> {o.acted}")
        out["intent accuracy"][c.language][c.style].add(o.acted == c.intent, f"{label} -> {o.acted}")
        # Mixing her language with English, an answer in either is in a language she wrote in.
        hers = c.hers(o.replied_in) or (c.style == "code_switched" and o.replied_in == START_LANGUAGE)
        out["her language"][c.language][c.style].add(hers, f"{label} -> {o.replied_in}")
    return out


def wrong_language(outcomes: list[Outcome]) -> list[Outcome]:
    """Replies in a language she did not write in, other than the English the chat started in."""
    return [o for o in outcomes if not o.case.hers(o.replied_in) and o.replied_in != START_LANGUAGE]


def report(outcomes: list[Outcome], verbose: bool) -> int:
    found = tables(outcomes)
    for name, rows in found.items():
        target = f"<= {TARGET_FALSE_DANGER}" if name == "false danger" else f">= {TARGETS[name]}"
        print_table(f"\nRealistic writing: {name} per language x style (target {target}):", rows)
        if verbose:
            for language, cells in rows.items():
                for style, cell in cells.items():
                    flagged = cell.failures if name != "false danger" else cell.passes
                    for text in flagged:
                        print(f"    {language} {style}: {text}")
    third = wrong_language(outcomes)
    print(f"\nAnswered in a language she did not write in (nor English): {len(third)} of {len(outcomes)}")
    for o in third:
        print(f"    {o.case.language} {o.case.style} -> {o.replied_in}: {o.case.text}")
    low = []
    for language in found["danger recall"]:
        for name, floor in FLOORS.items():
            if total(found[name][language]).rate < floor:
                low.append(f"{language} {name}")
        if total(found["false danger"][language]).rate > CEILING_FALSE_DANGER:
            low.append(f"{language} false danger")
    if low:
        print(f"Past the regression guards ({FLOORS}, false danger <= {CEILING_FALSE_DANGER}): {', '.join(low)}")
    return 1 if low else 0


def main(argv: list[str]) -> int:
    cases = load_cases()
    with tempfile.TemporaryDirectory() as var_dir, inprocess_gateway(Path(var_dir), LOGS) as gateway:
        outcomes = measure(gateway, cases)
    return report(outcomes, "--failures" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
