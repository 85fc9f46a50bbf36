"""Turns catalog keys into the messages a victim sees, filling placeholders from the directory, the force
profile and settings, so that numbers are never part of translated text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import NotRequired, TypedDict

from api.content.catalog import Catalog
from api.content.directory import Directory, Service
from api.content.force import ForceProfile
from api.content.responses import ResponseBook

# Unicode "left-to-right isolate" ... "pop directional isolate": in a right-to-left message the groups of a
# phone number would otherwise be shown in reverse order ("247 2000 0808").
LTR_ISOLATE, POP_ISOLATE = "\u2066", "\u2069"


def isolate(value: str) -> str:
    return f"{LTR_ISOLATE}{value}{POP_ISOLATE}"


class Button(TypedDict):
    title: str
    payload: str


class Message(TypedDict):
    text: str
    buttons: list[Button]
    # The same words in English, for the support worker's transcript only; never shown to the victim.
    text_en: NotRequired[str]


@dataclass
class Content:
    catalog: Catalog
    directory: Directory
    force: ForceProfile
    responses: ResponseBook
    operator_name: str
    idle_minutes: int
    _values: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    @cached_property
    def _shared_values(self) -> dict[str, str]:
        emergency = self.directory.emergency
        values = {
            "operator_name": self.operator_name,
            "police_emergency": emergency.police_emergency,
            "silent_solution_code": emergency.silent_solution_code,
            "relay_uk_emergency": emergency.relay_uk_emergency,
            "emergency_sms": emergency.emergency_sms,
            "police_non_emergency": emergency.police_non_emergency,
            "force_name": self.force.name,
            "statement_date": self.force.statement_date,
            "referral_partners": ", ".join(self.force.referral_partners),
            "idle_minutes": str(self.idle_minutes),
        }
        for service in self.directory.services:
            if service.shown_phone:
                values[f"phone_{service.id}"] = service.shown_phone
        return values

    def _rtl(self, language: str) -> bool:
        info = self.catalog.languages.get(language)
        return info is not None and info.direction == "rtl"

    def number(self, language: str, value: str) -> str:
        """A number, code or address kept left to right inside right-to-left text."""
        return isolate(value) if self._rtl(language) else value

    def values(self, language: str) -> dict[str, str]:
        """Placeholder values for a language (computed once per language)."""
        if language not in self._values:
            shared = dict(self._shared_values)
            if self._rtl(language):
                shared = {k: isolate(v) if any(c.isdigit() for c in v) else v for k, v in shared.items()}
            steps = [
                f"{number}. {self.catalog.render(language, f'force_step.{step}', shared)}"
                for number, step in enumerate(self.force.steps, start=1)
            ]
            self._values[language] = {
                **shared,
                "assistant_name": self.catalog.text(language, "meta.assistant_name"),
                "force_steps": "\n".join(steps),
                "force_then": self.catalog.text(language, f"force_then.{self.force.then}") if self.force.then else "",
            }
        return self._values[language]

    def text(self, language: str, key: str, **extra: str) -> str:
        return self.catalog.render(language, self.responses.text_key(key), {**self.values(language), **extra})

    def button(self, language: str, title_key: str, payload: str) -> Button:
        return {"title": self.catalog.text(language, title_key), "payload": payload}

    def buttons(self, language: str, key: str) -> list[Button]:
        return [self.button(language, b.title, b.payload) for b in self.responses.buttons(key)]

    def bilingual(self, language: str, render: Callable[[str], str], buttons: list[Button]) -> Message:
        """A message in the conversation's language, with its English twin when that is another language."""
        message: Message = {"text": render(language), "buttons": buttons}
        source = self.catalog.source_language
        if language != source:
            message["text_en"] = render(source)
        return message

    def message(self, language: str, key: str, buttons: list[Button] | None = None, **extra: str) -> Message:
        chosen = self.buttons(language, key) if buttons is None else buttons
        return self.bilingual(language, lambda lang: self.text(lang, key, **extra), chosen)

    def service_entry(self, language: str, service: Service) -> str:
        independence = self.catalog.text(language, "independent.yes" if service.independent else "independent.no")
        if service.has_note:
            independence = f"{independence} {self.catalog.text(language, f'service.{service.id}.note')}"
        values = {
            "name": service.name,
            "summary": self.catalog.text(language, f"service.{service.id}.summary"),
            "hours": self.catalog.text(language, f"hours.{service.hours}"),
            "website": self.number(language, service.website),
            "independence": independence,
        }
        if service.shown_phone:
            phone = self.number(language, service.shown_phone)
            return self.catalog.render(language, "service_entry", {**values, "phone": phone})
        return self.catalog.render(language, "service_entry_no_phone", values)

    def ui(self, language: str) -> dict[str, str]:
        """The page's own words (exit button, danger line, input) in the conversation's language."""
        names = ("title", "exit", "danger", "send", "placeholder")
        return {name: self.catalog.render(language, f"ui.{name}", self.values(language)) for name in names}

    def services_messages(self, language: str, need: str | None) -> list[Message]:
        """The intro, one message per service (independent first), and the offer to put her in touch."""
        intro = self.message(language, f"services_intro.{need or 'all'}")
        entries = self._entries(language, self.directory.for_need(need))
        return [intro, *entries, self.message(language, "services_outro")]

    def language_support_messages(self, language: str, wanted: str) -> list[Message]:
        """Who can talk with her in `wanted`: services whose staff speak it, else an honest "none here", then
        the services known to use interpreters, her right to an interpreter with the police, and the offer of a
        handover that says which language she needs. Asked in the source language without naming another, the
        language is unknown, so the wording is about "your own language"."""
        catalog, source = self.catalog, self.catalog.source_language
        entries = partial(self._entries, language)
        if wanted == source or wanted not in catalog.languages:
            interpreting = [s for s in self.directory.services if s.interpreters]
            messages = [self.message(language, "language_support.interpreters_any", buttons=[]), *entries(interpreting)]
            return [*messages, *self._language_support_close(language, "language_support.handover_any", {})]
        info = catalog.languages[wanted]
        names = {
            "language_name": info.english_name if language == source else info.native_name,
            "language_name_en": info.interpreter_name,
        }
        speaking = self.directory.speaking(wanted)
        messages = [
            self.message(
                language, "language_support.staff" if speaking else "language_support.no_staff", buttons=[], **names
            ),
            *entries(speaking),
        ]
        interpreting = self.directory.with_interpreters(wanted)
        if interpreting:
            messages += [
                self.message(language, "language_support.interpreters", buttons=[], **names),
                *entries(interpreting),
            ]
        return [*messages, *self._language_support_close(language, "language_support.handover", names)]

    def _entries(self, language: str, services: list[Service]) -> list[Message]:
        return [self.bilingual(language, partial(self.service_entry, service=s), []) for s in services]

    def _language_support_close(self, language: str, handover_key: str, names: dict[str, str]) -> list[Message]:
        buttons = [
            self.button(language, "button.request_handover", "/request_handover"),
            self.button(language, "button.show_services", "/show_services"),
            self.button(language, "button.main_menu", "/main_menu"),
        ]
        return [
            self.message(language, "language_support.police", buttons=[]),
            self.message(language, handover_key, buttons=buttons, **names),
        ]

    def safe_fallback(self, language: str) -> list[Message]:
        return [self.message(language, "safe_fallback")]
