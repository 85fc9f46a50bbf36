"""Retire a held-out batch that was looked at while tuning: it becomes training data, and a fresh batch (written by
other hands) takes its place as the held-out set.

    python -m tests.support.retire nlu <batch>      # tests/nlu/realistic/ -> data/nlu/<lang>/realistic_seen.yml
    python -m tests.support.retire privacy <batch>  # tests/privacy/heldout/ -> data/redaction/<lang>_seen.yml
    python -m tests.support.retire install-nlu <dir>      # a fresh batch becomes tests/nlu/realistic/
    python -m tests.support.retire install-privacy <dir>  # ... or tests/privacy/heldout/

NLU messages join their intent's examples. Redaction messages are split into clauses as redaction splits them: a
clause holding a revealed phrase is status (with the clause before it as context when that one is status too),
every other clause, and every evidence message's clauses, are not status. Implied questions are not retired: the
privacy model removes them by the word list, not by training. Messages already present are not added twice.
Installing a fresh batch drops its messages that the training data already holds, word for word (folded).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from api.core.config import ROOT
from api.pipeline.normalise import fold
from api.pipeline.redaction import Redactor

REALISTIC = ROOT / "tests" / "nlu" / "realistic"
HELDOUT = ROOT / "tests" / "privacy" / "heldout"
NLU_DATA = ROOT / "data" / "nlu"
REDACTION_DATA = ROOT / "data" / "redaction"
TAKEN_OUT = "# Messages the training data holds were taken out.\n"


class _Literal(str):
    """A YAML block literal (Rasa's `examples: |`)."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


yaml.SafeDumper.add_representer(_Literal, _literal)


def _header(language: str, kind: str, batch: str, into: str = "training data") -> str:
    return (
        f"# Realistic writing ({language}) from {kind} held-out sets that were looked at while tuning (batches up to\n"
        f"# the {batch}), so no longer held out: retired into {into} and replaced by a fresh set.\n"
    )


def _nlu_examples(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, list[str]] = {}
    for block in data.get("nlu", []):
        lines = [line[2:].strip() for line in str(block.get("examples", "")).splitlines() if line.startswith("- ")]
        found.setdefault(block["intent"], []).extend(lines)
    return found


def retire_nlu(batch: str) -> int:
    added = 0
    for source in sorted(REALISTIC.glob("*.yml")):
        language = source.stem
        target = NLU_DATA / language / "realistic_seen.yml"
        examples = _nlu_examples(target)
        known = {fold(text) for texts in examples.values() for text in texts}
        for item in yaml.safe_load(source.read_text(encoding="utf-8")) or []:
            text = " ".join(str(item["text"]).split())
            if fold(text) in known or text.startswith("/"):
                continue
            known.add(fold(text))
            examples.setdefault(str(item["intent"]), []).append(text)
            added += 1
        blocks = [
            {"intent": intent, "examples": _Literal("".join(f"- {t}\n" for t in texts))}
            for intent, texts in sorted(examples.items())
        ]
        body = yaml.safe_dump({"nlu": blocks}, allow_unicode=True, sort_keys=False, width=1000)
        target.write_text(f'version: "3.1"\n{_header(language, "NLU", batch)}{body}', encoding="utf-8")
    return added


def _is_revealed(clause: str, reveals: list[str]) -> bool:
    folded = fold(clause)
    return any(fold(r) in folded or (len(folded) > 3 and folded in fold(r)) for r in reveals)


def _status_clauses(redactor: Redactor, item: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """(status entries, not-status clauses) of one status message."""
    reveals = [str(r) for r in item.get("reveals", [])]
    status: list[Any] = []
    other: list[str] = []
    previous = ""
    previous_status = False
    if item.get("previous"):
        previous_clauses = redactor.clauses(str(item["previous"]))
        previous, previous_status = (previous_clauses[-1], True) if previous_clauses else ("", False)
    for clause in redactor.clauses(str(item["text"])):
        if not clause:
            continue
        if _is_revealed(clause, reveals):
            status.append({"text": clause, "previous": previous} if previous and previous_status else clause)
            previous, previous_status = clause, True
        else:
            other.append(clause)
            previous, previous_status = clause, False
    return status, other


def _key(entry: Any) -> str:
    return fold(entry if isinstance(entry, str) else str(entry["text"]))


def retire_privacy(batch: str) -> int:
    redactor = Redactor()
    added = 0
    for source in sorted(HELDOUT.glob("*.yml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        language = str(data.get("language", source.stem))
        target = REDACTION_DATA / f"{language}_seen.yml"
        current = yaml.safe_load(target.read_text(encoding="utf-8")) if target.exists() else {}
        status: list[Any] = list((current or {}).get("status", []))
        not_status: list[Any] = list((current or {}).get("not_status", []))
        known = {_key(e) for e in status + not_status}

        def add(entries: list[Any], entry: Any, known: set[str] = known) -> None:
            nonlocal added
            if _key(entry) and _key(entry) not in known:
                known.add(_key(entry))
                entries.append(entry)
                added += 1

        for item in data.get("status", []):
            found, other = _status_clauses(redactor, item)
            for entry in found:
                add(status, entry)
            for clause in other:
                add(not_status, clause)
        for item in data.get("evidence", []):
            for clause in redactor.clauses(str(item["text"])):
                add(not_status, clause)
        body = yaml.safe_dump(
            {"status": status, "not_status": not_status}, allow_unicode=True, sort_keys=False, width=120
        )
        header = _header(language, "redaction", batch, into="training data (clauses)")
        target.write_text(header + body, encoding="utf-8")
    return added


def _training_texts() -> set[str]:
    texts = {fold(t) for path in NLU_DATA.rglob("*.yml") for ts in _nlu_examples(path).values() for t in ts}
    for path in REDACTION_DATA.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts |= {_key(e) for section in data.values() if isinstance(section, list) for e in section}
    return texts


def install(source: Path, target: Path) -> int:
    """Replace the held-out set with a fresh batch; returns how many messages were dropped as already trained on."""
    trained = _training_texts()
    dropped = 0
    for old in target.glob("*.yml"):
        old.unlink()
    for path in sorted(source.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lines = path.read_text(encoding="utf-8").splitlines()
        leading = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
        header = "".join(line + "\n" for line in lines[:leading]) + TAKEN_OUT
        if isinstance(data, list):
            kept: Any = [item for item in data if fold(str(item["text"])) not in trained]
            dropped += len(data) - len(kept)
        else:
            kept = dict(data)
            for section in ("status", "evidence", "implied"):
                items = data.get(section) or []
                kept[section] = [item for item in items if fold(str(item["text"])) not in trained]
                dropped += len(items) - len(kept[section])
        body = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=120)
        (target / path.name).write_text(header + body, encoding="utf-8")
    return dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["nlu", "privacy", "install-nlu", "install-privacy"])
    parser.add_argument("what", help='retire: which batches are now retired, e.g. "fourth"; install: the folder')
    args = parser.parse_args(argv)
    if args.kind.startswith("install"):
        target = REALISTIC if args.kind == "install-nlu" else HELDOUT
        print(f"{install(Path(args.what), target)} messages dropped: the training data holds them")
        return 0
    added = retire_nlu(args.what) if args.kind == "nlu" else retire_privacy(args.what)
    print(f"{added} examples added")
    return 0


if __name__ == "__main__":
    sys.exit(main())
