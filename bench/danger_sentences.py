"""Which readers of a long message's sentences earn their false alarms: measured on a validation split of the
training data only (never the held-out sets).

Trains bench/nlu_models.py's replica of the Rasa pipeline and the gateway's danger model (with its sentence
threshold) on 80% of data/nlu/, then prints, on the other 20%'s messages of several sentences (split as the
gateway splits them), danger recall and false danger for each way of reading them. This is why the gateway reads
sentences with the danger model only, at its own sentence threshold, and Rasa reads the whole message
(api/conversation.py). `python -m bench.danger_sentences` (a few minutes on two cores).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from api.core.config import ROOT
from api.pipeline.danger_model import DANGER, DangerModel, several_sentences
from api.pipeline.nlu_data import load_nlu_examples
from bench.danger_ensemble import SEED
from bench.nlu_models import Current


@dataclass(frozen=True)
class Read:
    """One message of several sentences, as each reader scores it."""

    danger: bool
    rasa_message: bool
    rasa_sentences: list[bool]
    model_message: float
    model_sentences: list[float]


def rates(reads: list[Read], says: Callable[[Read], bool]) -> tuple[float, float]:
    danger = [says(r) for r in reads if r.danger]
    calm = [says(r) for r in reads if not r.danger]
    return sum(danger) / max(1, len(danger)), sum(calm) / max(1, len(calm))


def main() -> int:
    from sklearn.model_selection import train_test_split

    from tests.privacy.rates import redactor

    sentences = redactor().sentences
    examples = load_nlu_examples(ROOT / "data" / "nlu")
    train, validation = train_test_split(
        examples, test_size=0.2, random_state=SEED, stratify=[e.intent == DANGER for e in examples]
    )
    intents = Current()
    intents.fit([(e.text, e.intent) for e in train])
    model = DangerModel.train(train, sentences=sentences)
    classes = [str(c) for c in intents.pipeline.classes_]
    rasa_threshold = intents.rasa_danger_threshold

    def rasa_says(texts: list[str]) -> list[bool]:
        found = intents.pipeline.predict_proba(texts)
        return [bool(p[classes.index(DANGER)] >= rasa_threshold or classes[p.argmax()] == DANGER) for p in found]

    reads = []
    for example in validation:
        if parts := several_sentences(example.text, sentences):
            scores = model.probabilities([example.text, *parts])
            reads.append(
                Read(example.intent == DANGER, rasa_says([example.text])[0], rasa_says(parts), scores[0], scores[1:])
            )
    t, s = model.threshold, model.sentence_threshold
    print(f"validation messages of several sentences: {len(reads)} ({sum(r.danger for r in reads)} danger)")
    print(f"danger model threshold {t:.3f}, sentence threshold {s:.3f}; Rasa danger threshold {rasa_threshold}")
    ways: dict[str, Callable[[Read], bool]] = {
        "Rasa, whole message": lambda r: r.rasa_message,
        "Rasa, whole message and each sentence": lambda r: r.rasa_message or any(r.rasa_sentences),
        "danger model, whole message": lambda r: r.model_message >= t,
        "danger model, each sentence at the message threshold": lambda r: (
            max([r.model_message, *r.model_sentences]) >= t
        ),
        "danger model, each sentence at its own threshold": lambda r: (
            r.model_message >= t or max(r.model_sentences) >= s
        ),
        "both, each sentence by both (before)": lambda r: (
            r.rasa_message or any(r.rasa_sentences) or max([r.model_message, *r.model_sentences]) >= t
        ),
        "Rasa whole, danger model each sentence at its own (now)": lambda r: (
            r.rasa_message or r.model_message >= t or max(r.model_sentences) >= s
        ),
    }
    for name, says in ways.items():
        recall, false = rates(reads, says)
        print(f"  {name:58s} recall {recall:.3f}  false danger {false:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
