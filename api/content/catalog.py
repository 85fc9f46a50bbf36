"""Message catalogs (gettext PO, one folder per language) as the only source of what the bot says.

The context (msgctxt) of an entry is its key; the msgid is the English source, so translators see it in their tools.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import polib


class CatalogError(ValueError):
    """A catalog that cannot be used: raised at startup, naming the file and entry."""


@dataclass(frozen=True)
class LanguageInfo:
    code: str
    native_name: str
    english_name: str  # for support workers, who may not read the native name
    # What she says aloud to an interpreting service: a spoken language ("Mandarin or Cantonese"), which the
    # written language's name ("Chinese (Simplified)") may not be. The PO header's X-Interpreter-Name, or the
    # English name.
    interpreter_name: str
    direction: str
    review_status: str
    reviewed_by: str


@dataclass(frozen=True)
class Catalog:
    languages: dict[str, LanguageInfo]
    messages: dict[str, dict[str, str]]
    source_language: str = "en"

    def has(self, language: str) -> bool:
        return language in self.languages

    def text(self, language: str, key: str) -> str:
        """The message in `language`, or the source language's where a translation is missing."""
        translated = self.messages.get(language, {}).get(key)
        if translated:
            return translated
        try:
            return self.messages[self.source_language][key]
        except KeyError:
            raise KeyError(f"no message {key!r} in the {self.source_language} catalog") from None

    def render(self, language: str, key: str, values: dict[str, str]) -> str:
        return self.text(language, key).format_map(values)


def placeholders(text: str) -> set[str]:
    """The names of the {placeholders} in a message."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def load_catalog(directory: Path, source_language: str = "en") -> Catalog:
    languages: dict[str, LanguageInfo] = {}
    messages: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*/messages.po")):
        code = path.parent.name
        try:
            po = polib.pofile(str(path))
        except (OSError, ValueError) as error:
            raise CatalogError(f"{path}: {error}") from error
        meta = po.metadata
        direction = meta.get("X-Direction", "ltr")
        if direction not in ("ltr", "rtl"):
            raise CatalogError(f"{path}: X-Direction must be ltr or rtl, not {direction!r}")
        languages[code] = LanguageInfo(
            code=code,
            native_name=meta.get("X-Native-Name", code),
            english_name=meta.get("X-English-Name", code),
            interpreter_name=meta.get("X-Interpreter-Name", meta.get("X-English-Name", code)),
            direction=direction,
            review_status=meta.get("X-Review-Status", "machine-drafted"),
            reviewed_by=meta.get("X-Reviewed-By", ""),
        )
        entries: dict[str, str] = {}
        for entry in po:
            if entry.obsolete or not entry.msgctxt:
                continue
            if entry.msgctxt in entries:
                raise CatalogError(f"{path}: duplicate entry {entry.msgctxt!r}")
            # The source language may leave msgstr empty: its text is the msgid.
            entries[entry.msgctxt] = entry.msgstr or (entry.msgid if code == source_language else "")
        messages[code] = entries
    if source_language not in messages:
        raise CatalogError(f"{directory}: no catalog for the source language {source_language!r}")
    return Catalog(languages=languages, messages=messages, source_language=source_language)
