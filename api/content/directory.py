"""The service directory (data/services.yml), validated so that a bad entry stops startup with its name."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from api.core.files import read_yaml

Need = Literal["domestic_abuse", "exploitation", "forced_marriage", "sexual_violence", "other_crime", "housing"]
NEEDS: tuple[Need, ...] = (
    "domestic_abuse",
    "exploitation",
    "forced_marriage",
    "sexual_violence",
    "other_crime",
    "housing",
)
Hours = Literal["always", "weekdays_9_5", "check", "unknown"]
PHONE_PATTERN = re.compile(r"^[0-9][0-9 ]{2,14}[0-9]$")


class DirectoryError(ValueError):
    """The directory cannot be used; the message names the entry and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Emergency(_Strict):
    police_emergency: str
    silent_solution_code: str
    relay_uk_emergency: str
    emergency_sms: str
    police_non_emergency: str
    source: str
    checked_on: dt.date


class Service(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=2)
    needs: list[Need] = Field(min_length=1)
    area: str
    phone: str | None
    hours: Hours
    website: str = Field(pattern=r"^https://")
    # Languages its own staff speak (catalog codes), and whether it uses interpreters for others: True, False,
    # or None when no source says. A True needs its source, because she will be told she can use her language.
    languages: list[str] = Field(min_length=1)
    interpreters: bool | None = None
    interpreters_source: str | None = None
    independent: bool
    accepts_handover: bool
    has_note: bool
    source: str = Field(min_length=3)
    checked_on: dt.date | None

    @field_validator("phone")
    @classmethod
    def phone_digits(cls, value: str | None) -> str | None:
        if value is not None and not PHONE_PATTERN.match(value):
            raise ValueError("must be digits and spaces, e.g. '0808 2000 247'")
        return value

    @model_validator(mode="after")
    def interpreters_sourced(self) -> Service:
        if self.interpreters and not self.interpreters_source:
            raise ValueError("interpreters: true needs interpreters_source")
        return self

    def speaks(self, language: str) -> bool:
        return language in self.languages

    @property
    def shown_phone(self) -> str | None:
        """A number is shown only once it has been checked against its source."""
        return self.phone if self.phone and self.checked_on else None


class Directory(_Strict):
    emergency: Emergency
    services: list[Service] = Field(min_length=1)

    @model_validator(mode="after")
    def unique_ids(self) -> Directory:
        seen: set[str] = set()
        for service in self.services:
            if service.id in seen:
                raise ValueError(f"duplicate service id {service.id!r}")
            seen.add(service.id)
        return self

    def get(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def for_need(self, need: str | None) -> list[Service]:
        """Services for a need (all of them for None): independent services first, then directory order."""
        chosen = [s for s in self.services if need is None or need in s.needs]
        return sorted(chosen, key=lambda s: not s.independent)

    def speaking(self, language: str) -> list[Service]:
        """Services whose own staff speak the language, independent services first."""
        return sorted((s for s in self.services if s.speaks(language)), key=lambda s: not s.independent)

    def with_interpreters(self, language: str) -> list[Service]:
        """Services known to use interpreters (for a language their staff do not speak), independent first."""
        chosen = (s for s in self.services if s.interpreters and not s.speaks(language))
        return sorted(chosen, key=lambda s: not s.independent)

    def handover_targets(self, need: str | None) -> list[Service]:
        """Services that accept handovers, those serving the need first."""
        targets = [s for s in self.services if s.accepts_handover]
        return sorted(targets, key=lambda s: need not in s.needs)


def _describe(error: ValidationError, raw: dict[str, object]) -> str:
    problems = []
    services = raw.get("services") if isinstance(raw.get("services"), list) else []
    for item in error.errors():
        loc = list(item["loc"])
        where = ".".join(str(part) for part in loc)
        if len(loc) >= 2 and loc[0] == "services" and isinstance(loc[1], int) and isinstance(services, list):
            entry = services[loc[1]] if loc[1] < len(services) else {}
            name = entry.get("id", f"#{loc[1]}") if isinstance(entry, dict) else f"#{loc[1]}"
            field = ".".join(str(part) for part in loc[2:]) or "(entry)"
            where = f"service {name!r}, field {field!r}"
        problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)


def load_directory(path: Path) -> Directory:
    try:
        raw = read_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise DirectoryError(f"{path}: {error}") from error
    if not isinstance(raw, dict):
        raise DirectoryError(f"{path}: expected a mapping with 'emergency' and 'services'")
    try:
        return Directory.model_validate(raw)
    except ValidationError as error:
        raise DirectoryError(f"{path}: {_describe(error, raw)}") from error
