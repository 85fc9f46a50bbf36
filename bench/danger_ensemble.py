"""How Rasa's danger threshold was chosen now that the gateway's danger model is a second opinion: on a validation
split of the training data only (never the held-out sets).

Trains bench/nlu_models.py's replica of the Rasa pipeline and the gateway's danger model on 80% of data/nlu/,
then prints, on the other 20%, danger recall and false danger for Rasa's threshold alone and with the danger model
at its own threshold (chosen inside its training split). bot/config.yml takes the highest Rasa threshold whose
recall with the danger model is not below Rasa alone at today's threshold. Then, at that threshold, the floor under
which the danger model contradicts Rasa's danger (api/pipeline/danger_model.RASA_DANGER_FLOOR): the highest that
keeps recall. `python -m bench.danger_ensemble` (several minutes on two cores).
"""

from __future__ import annotations

import sys

from api.core.config import ROOT
from api.pipeline.danger_model import DANGER, DangerModel, several_sentences
from api.pipeline.nlu_data import load_nlu_examples
from bench.nlu_models import Current, pipeline_settings
from tests.privacy.rates import redactor

RASA_THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
FLOORS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5)
SEED = 7


def rates(said: list[bool], truth: list[bool]) -> str:
    """Danger recall and false danger of one way of deciding, as printed."""
    recall = sum(s for s, t in zip(said, truth, strict=True) if t) / max(1, sum(truth))
    false = sum(s for s, t in zip(said, truth, strict=True) if not t) / max(1, len(truth) - sum(truth))
    return f"recall {recall:.3f}  false danger {false:.3f}"


def main() -> int:
    from sklearn.model_selection import train_test_split

    examples = load_nlu_examples(ROOT / "data" / "nlu")
    train, validation = train_test_split(
        examples, test_size=0.2, random_state=SEED, stratify=[e.intent == DANGER for e in examples]
    )
    intents = Current()
    intents.fit([(e.text, e.intent) for e in train])
    split = redactor().sentences
    head = DangerModel.train(train, sentences=split)
    texts = [e.text for e in validation]
    probabilities = intents.pipeline.predict_proba(texts)
    classes = [str(c) for c in intents.pipeline.classes_]
    rasa_danger = probabilities[:, classes.index(DANGER)]
    top_is_danger = [classes[i] == DANGER for i in probabilities.argmax(axis=1)]
    readings = [head.read(t, several_sentences(t, split)) for t in texts]
    head_danger = [r.danger for r in readings]
    truth = [e.intent == DANGER for e in validation]
    calm = len(truth) - sum(truth)
    print(f"validation: {sum(truth)} danger, {calm} not; danger model threshold {head.threshold:.3f}")
    for threshold in RASA_THRESHOLDS:
        rasa = [p >= threshold or top for p, top in zip(rasa_danger, top_is_danger, strict=True)]
        both = [r or h for r, h in zip(rasa, head_danger, strict=True)]
        for name, said in (("Rasa alone", rasa), ("with danger model", both)):
            print(f"  Rasa >= {threshold:.2f} {name:18s} {rates(said, truth)}")
    chosen = float(pipeline_settings()["DangerThreshold"]["threshold"])
    rasa = [p >= chosen or top for p, top in zip(rasa_danger, top_is_danger, strict=True)]
    for floor in FLOORS:
        said = [r.danger or (n and r.score >= floor) for r, n in zip(readings, rasa, strict=True)]
        print(f"  Rasa >= {chosen:.2f}, contradicted below {floor:.2f}: {rates(said, truth)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
