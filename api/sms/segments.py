"""SMS length: GSM-7 (160 per single message, 153 per part) or UCS-2 when any other character is present
(70, or 67 per part). Long content is split into ordered messages at sentence boundaries, and never inside a
phone number, a reference code or any other placeholder value."""

from __future__ import annotations

import math
import re

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")
SENTENCE = re.compile(r"((?<=[.!?؟۔।。！？])\s+|\n+)")
WORD = re.compile(r"\s+")


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def units(text: str) -> int:
    """Septets for GSM-7 (extended characters take two), UTF-16 code units for UCS-2."""
    if is_gsm(text):
        return sum(2 if c in GSM_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    gsm = is_gsm(text)
    single, part = (160, 153) if gsm else (70, 67)
    count = units(text)
    return 1 if count <= single else math.ceil(count / part)


def fits(text: str, budget: int) -> bool:
    return segments(text) <= budget


def _atoms(text: str, protected: list[str]) -> list[str]:
    """Words, with every protected value (number, code, placeholder value) kept as one unbreakable atom, and
    joined to what touches it without a space ("Phone:" before it, the comma after it)."""
    spans = sorted({p for p in protected if p and p in text}, key=len, reverse=True)
    if not spans:
        return [w for w in WORD.split(text) if w]
    pieces = re.split("(" + "|".join(re.escape(s) for s in spans) + ")", text)
    atoms: list[str] = []
    touching = False  # the last atom and what comes next have no space between them
    for index, piece in enumerate(pieces):
        if not piece:
            continue
        if index % 2:  # a protected value (re.split puts the captured ones at odd places)
            if atoms and touching:
                atoms[-1] += piece
            else:
                atoms.append(piece)
            touching = True
            continue
        words = [w for w in WORD.split(piece) if w]
        if words and atoms and touching and not piece[0].isspace():
            atoms[-1] += words.pop(0)
        atoms.extend(words)
        touching = not piece[-1].isspace()
    return atoms


def split(text: str, budget: int, protected: list[str] | None = None) -> list[str]:
    """Ordered messages, each within `budget` segments; text that fits is returned unchanged."""
    protected = protected or []
    if fits(text, budget):
        return [text] if text else []
    pieces = SENTENCE.split(text)
    sentences = [(pieces[i], pieces[i + 1] if i + 1 < len(pieces) else "") for i in range(0, len(pieces), 2)]
    messages: list[str] = []
    current = ""
    for sentence, separator in sentences:
        if not sentence:
            continue
        candidate = current + sentence
        if fits(candidate.rstrip(), budget):
            current = candidate + separator
            continue
        if current.strip():
            messages.append(current.rstrip())
        current = ""
        if fits(sentence, budget):
            current = sentence + separator
            continue
        for atom in _atoms(sentence, protected):  # one sentence longer than the budget: split between words
            candidate = f"{current} {atom}" if current else atom
            if fits(candidate, budget) or not current:
                current = candidate
            else:
                messages.append(current)
                current = atom
        current += separator
    if current.strip():
        messages.append(current.rstrip())
    return messages
