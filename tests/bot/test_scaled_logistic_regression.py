"""ScaledLogisticRegression (Rasa's venv): trained, persisted and loaded through Rasa's own model storage, it
classifies like the classifier it replaces; a stored model holding any other type is refused, not run."""

from __future__ import annotations

import json
import subprocess

import pytest

from api.core.config import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = """
import json, sys, tempfile
from pathlib import Path
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.components.scaled_logistic_regression import ScaledLogisticRegression

train, probe = json.loads(sys.argv[1]), json.loads(sys.argv[2])
storage = LocalModelStorage(Path(tempfile.mkdtemp()))
context = ExecutionContext(GraphSchema({}), "test")
tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
features = {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}
featurizer = CountVectorsFeaturizer.create(features, storage, Resource("features"), context)
data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in train])
tokenizer.process_training_data(data)
featurizer.train(data)
featurizer.process_training_data(data)
config = {**ScaledLogisticRegression.get_default_config(), "C": 10}
ScaledLogisticRegression.create(config, storage, Resource("classifier"), context).train(data)
loaded = ScaledLogisticRegression.load(config, storage, Resource("classifier"), context)
messages = [Message(data={"text": t}) for t in probe]
tokenizer.process(messages)
featurizer.process(messages)
loaded.process(messages)
# The same scores with the weights stored intent by intent (as trained) and n-gram by n-gram (as loaded).
import numpy as np
classifier = loaded.clf[-1]
by_ngram = bool(classifier.coef_.flags["F_CONTIGUOUS"]) and not classifier.coef_.flags["C_CONTIGUOUS"]
rows = [m.get("intent_ranking") for m in messages]
classifier.coef_ = np.ascontiguousarray(classifier.coef_)
again = [Message(data={"text": t}) for t in probe]
tokenizer.process(again)
featurizer.process(again)
loaded.process(again)
same = rows == [m.get("intent_ranking") for m in again]

# A stored pipeline that calls a function on load or use: skops reports its type as untrusted.
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
with storage.write_to(Resource("tampered")) as folder:
    sio.dump(Pipeline([("f", FunctionTransformer(func=print))]), folder / "tampered.skops")
try:
    ScaledLogisticRegression.load(config, storage, Resource("tampered"), context)
    refused = False
except TypeError:
    refused = True
print(json.dumps({
    "intents": [m.get("intent")["name"] for m in messages],
    "ranked": [len(m.get("intent_ranking")) for m in messages],
    "scaler": type(loaded.clf.steps[0][1]).__name__,
    "refused": refused,
    "by_ngram": by_ngram,
    "same_scores": same,
}))
"""
TRAIN = [
    ("he is hitting me now", "immediate_danger"),
    ("he is breaking the door down", "immediate_danger"),
    ("help he has a knife", "immediate_danger"),
    ("hello there", "greet"),
    ("hi", "greet"),
    ("good morning", "greet"),
    ("thank you so much", "thank"),
    ("thanks a lot", "thank"),
    ("cheers thanks", "thank"),
]
PROBES = [("he has a knife now", "immediate_danger"), ("hello", "greet"), ("thanks", "thank")]


@pytest.fixture(scope="module")
def result() -> dict[str, object]:
    """Everything through the real component in Rasa's venv, in one process (importing Rasa takes seconds)."""
    completed = subprocess.run(
        [str(RASA_PYTHON), "-c", SCRIPT, json.dumps(TRAIN), json.dumps([t for t, _ in PROBES])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    answer: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return answer


@pytest.mark.parametrize("case", range(len(PROBES)))
def test_the_loaded_model_classifies(result: dict[str, object], case: int) -> None:
    intents, ranked = result["intents"], result["ranked"]
    assert isinstance(intents, list) and isinstance(ranked, list)
    assert intents[case] == PROBES[case][1]
    assert ranked[case] == len({intent for _, intent in TRAIN})


def test_counts_are_scaled_before_the_regression(result: dict[str, object]) -> None:
    assert result["scaler"] == "TfidfTransformer"


def test_a_stored_model_with_other_types_is_refused(result: dict[str, object]) -> None:
    assert result["refused"] is True


def test_loaded_weights_are_stored_by_ngram_with_exactly_the_same_scores(result: dict[str, object]) -> None:
    """Scoring then reads the transposed weights as they are, instead of copying them for every message."""
    assert result["by_ngram"] is True and result["same_scores"] is True
