"""Offline machine translation of the victim's words into English (argostranslate), for NLU and for the
support worker's side-by-side transcript. The bot's own messages never come from MT: they are catalog texts.

Nothing here touches the network: argostranslate is pointed at var/argos before it is first imported, and
its sentence splitters (which download models on first use in 1.11) are replaced by a rule-based one.
Packages are loaded once and shared; with none installed, argostranslate (and torch) is never imported.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

TARGET = "en"
# Sentence ends in the scripts we support: Latin/Cyrillic, Arabic/Urdu (؟ ۔), Devanagari-like danda (।), CJK.
SENTENCE_END = re.compile(r"(?<=[.!?؟۔।。！？])\s*")


class Sentencizer(Protocol):
    def split_sentences(self, text: str) -> list[str]: ...


class RuleSentencizer:
    """Splits at sentence-final punctuation; needs no model, so nothing is ever downloaded."""

    def split_sentences(self, text: str) -> list[str]:
        return [part for part in (p.strip() for p in SENTENCE_END.split(text)) if part]


def configure_argos(home: Path) -> None:
    """Point argostranslate's settings (read once, at its import) at our own folder, offline."""
    home.mkdir(parents=True, exist_ok=True)
    os.environ["ARGOS_PACKAGES_DIR"] = str(home / "packages")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    os.environ["ARGOS_DEVICE_TYPE"] = "cpu"
    os.environ.setdefault("ARGOS_INTER_THREADS", "1")
    os.environ.setdefault("ARGOS_INTRA_THREADS", "1")


def installed_sources(home: Path) -> set[str]:
    """Source languages with an installed xx->en package, read from package metadata without importing argos."""
    import json

    sources: set[str] = set()
    for metadata in (home / "packages").glob("*/metadata.json"):
        try:
            data = json.loads(metadata.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("to_code") == TARGET and data.get("from_code"):
            sources.add(str(data["from_code"]))
    return sources


class OfflineTranslator:
    def __init__(self, home: Path, wanted: Iterable[str]) -> None:
        self.home = home
        self.wanted = set(wanted) - {TARGET}
        self._translations: dict[str, Any] | None = None
        self._available: set[str] | None = None
        self._lock = threading.Lock()

    def available(self) -> set[str]:
        """Pairs installed when first asked (read once: packages installed later need a restart)."""
        if self._available is None:
            self._available = installed_sources(self.home) & self.wanted
        return self._available

    def _load(self) -> dict[str, Any]:
        with self._lock:
            if self._translations is None:
                translations: dict[str, Any] = {}
                if self.available():
                    configure_argos(self.home)
                    from argostranslate import translate

                    languages = {language.code: language for language in translate.get_installed_languages()}
                    english = languages.get(TARGET)
                    for code, language in languages.items():
                        translation = language.get_translation(english) if english and code in self.wanted else None
                        if translation is not None:
                            # argos wraps packages in a CachedTranslation that keeps every text it has seen:
                            # victim text must not outlive its request, so use the package translation itself.
                            translation = getattr(translation, "underlying", translation)
                            translation.sentencizer = RuleSentencizer()
                            translations[code] = translation
                self._translations = translations
            return self._translations

    def to_english(self, text: str, source: str) -> str | None:
        """English for `text`, or None when no package covers the pair (the caller goes on without MT)."""
        if source == TARGET or source not in self.wanted:
            return None
        translation = self._load().get(source)
        if translation is None:
            return None
        return str(translation.translate(text))


def install_package(home: Path, archive: Path) -> set[str]:
    """Install a local .argosmodel with argostranslate's own installer; returns the sources now installed."""
    configure_argos(home)
    from argostranslate import package

    package.install_from_path(archive)
    return installed_sources(home)
