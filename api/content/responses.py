"""Response shapes (bot/responses.yml): which catalog text and which buttons each response has."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from api.core.files import read_yaml


class ButtonShape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    payload: str


class ResponseShape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str | None = None
    menu: str | None = None


class ResponseBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    menus: dict[str, list[ButtonShape]]
    responses: dict[str, ResponseShape]

    @cached_property
    def titles(self) -> dict[str, str]:
        """Every fixed menu button's payload and the catalog key of its title (the first, if a payload repeats)."""
        titles: dict[str, str] = {}
        for menu in self.menus.values():
            for button in menu:
                titles.setdefault(button.payload, button.title)
        return titles

    def buttons(self, key: str) -> list[ButtonShape]:
        shape = self.responses.get(key)
        return list(self.menus[shape.menu]) if shape and shape.menu else []

    def text_key(self, key: str) -> str:
        shape = self.responses.get(key)
        return shape.text if shape and shape.text else key


def load_responses(path: Path) -> ResponseBook:
    try:
        book = ResponseBook.model_validate(read_yaml(path))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise ValueError(f"responses {path}: {error}") from error
    for name, shape in book.responses.items():
        if shape.menu and shape.menu not in book.menus:
            raise ValueError(f"responses {path}: {name} uses unknown menu {shape.menu!r}")
    return book


def load_intents(domain_dir: Path) -> frozenset[str]:
    """Every intent of the bot's domain (bot/domain/*.yml) and Rasa's own fallback: what a payload may name."""
    intents = {"nlu_fallback"}
    for path in sorted(domain_dir.glob("*.yml")):
        data = read_yaml(path) or {}
        intents.update(str(i) for i in data.get("intents") or [] if isinstance(i, str))
    return frozenset(intents)
