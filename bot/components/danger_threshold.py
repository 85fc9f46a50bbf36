# ruff: noqa: UP006, UP035  (Rasa 3.6 validates components against typing.List/Dict annotations)
"""Immediate danger is chosen whenever the classifier gives it at least `threshold`, even if another intent
scores higher: missing danger costs far more than showing the emergency numbers to someone who is safe.

Runs in Rasa's own venv (Python 3.10) between the intent classifier and the FallbackClassifier. The threshold
was chosen on a validation split of the training data, never on the held-out test sets: `make danger-threshold`
(bench/danger_threshold.py) reruns that measurement.
"""

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerThreshold(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"intent": "immediate_danger", "threshold": 0.2}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.intent = str(config["intent"])
        self.threshold = float(config["threshold"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DangerThreshold":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            top = message.get(INTENT) or {}
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            danger = next((r for r in ranking if r.get("name") == self.intent), None)
            if top.get("name") == self.intent or danger is None or danger["confidence"] < self.threshold:
                continue
            message.set(INTENT, {"name": self.intent, "confidence": danger["confidence"]}, add_to_output=True)
            reordered = [danger, *(r for r in ranking if r is not danger)]
            message.set(INTENT_RANKING_KEY, reordered, add_to_output=True)
        return messages
