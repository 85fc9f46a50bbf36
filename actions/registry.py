"""Every custom action, built once by the gateway with the state it passes in."""

from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

from actions.fallback import ActionHandleFallback
from actions.handover import (
    ActionAskContactDetail,
    ActionAskHandoverConsent,
    ActionAskHandoverService,
    ActionCancelHandover,
    ActionSubmitHandover,
    HandoverState,
    ValidateHandoverForm,
)
from actions.language import ActionSetLanguage, ActionShowLanguageMenu
from actions.privacy import ActionDeleteChat
from actions.services import ActionLanguageSupport, ActionShowServices


def build_actions(state: HandoverState) -> list[Action]:
    conversation_actions: list[Action] = [
        ActionHandleFallback(state),
        ActionAskHandoverService(state),
        ActionAskContactDetail(state),
        ActionAskHandoverConsent(state),
        ActionCancelHandover(state),
        ValidateHandoverForm(state),
        ActionShowLanguageMenu(state),
        ActionSetLanguage(state),
        ActionDeleteChat(state),
        ActionShowServices(state),
        ActionLanguageSupport(state),
    ]
    return [*conversation_actions, ActionSubmitHandover(state)]


def executor_for(state: HandoverState) -> ActionExecutor:
    """rasa-sdk's executor with these instances (not `register_package`, which would build them without state)."""
    executor = ActionExecutor()
    for action in build_actions(state):
        executor.register_action(action)
    return executor
