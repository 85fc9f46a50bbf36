"""The gateway builds every action the domain names, each with the state it was given."""

from __future__ import annotations

import yaml

from actions.registry import build_actions, executor_for
from api.core.config import ROOT
from tests.actions.fakes import FakeState


def domain_actions() -> set[str]:
    names: set[str] = set()
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names.update(str(a) for a in data.get("actions") or [])
    return names


def test_every_action_of_the_domain_is_registered_and_nothing_else(state: FakeState) -> None:
    executor = executor_for(state)  # type: ignore[arg-type]
    assert domain_actions() and set(executor.actions) == domain_actions()


def test_each_action_holds_the_state_it_was_built_with(state: FakeState) -> None:
    actions = build_actions(state)  # type: ignore[arg-type]
    assert actions and all(action.state is state for action in actions)
