"""The police force profile: what the deploying force says it does before contacting Immigration Enforcement."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.core.files import read_yaml


class ForceProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    statement: str
    statement_date: str
    source: str
    steps: list[str] = Field(min_length=1)
    referral_partners: list[str] = Field(default_factory=list)
    then: str | None = None


def load_force(path: Path) -> ForceProfile:
    try:
        return ForceProfile.model_validate(read_yaml(path))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise ValueError(f"force profile {path}: {error}") from error
