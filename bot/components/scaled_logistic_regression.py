# ruff: noqa: UP006, UP035  (Rasa 3.6 validates components against typing.List/Dict annotations)
"""Rasa's logistic regression, on scaled n-gram counts instead of raw ones.

Raw counts of character 1-5-grams put long messages far from short ones and leave lbfgs badly conditioned: on
fifteen languages' data it needed 3000 iterations and most of a clean-clone test run's training time. Scaled
the way text classifiers usually are (sublinear term frequency, inverse document frequency, unit length), the
same features converge in a fraction of the iterations, and a long message's buried sentence is not drowned by
its length. Measured on a validation split of the training data (bench/nlu_models.py), never on held-out sets.

Runs in Rasa's own venv (Python 3.10). The scaler and the classifier are one scikit-learn pipeline, persisted
with skops like Rasa's own classifier; loading trusts only the types this pipeline holds, and a model that
cannot be loaded is an error, never a silently untrained classifier.
"""

import logging
from typing import Any, Dict

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

logger = logging.getLogger(__name__)
# What the pipeline holds beyond scikit-learn's and NumPy's own types, which skops trusts already.
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]


def weights_by_ngram(pipeline: Any) -> None:
    """The classifier's weights stored n-gram by n-gram (Fortran order), the same numbers in the same precision.

    Scoring multiplies the message's sparse counts by the transposed weights; stored intent by intent, scipy
    copied all of them (intents x n-grams, in double precision) for every message: 40% of Rasa's time per turn in
    a py-spy profile. Stored this way the transpose is used as it is, and every score is exactly the same.
    """
    import numpy as np

    classifier = pipeline[-1]
    classifier.coef_ = np.asfortranarray(classifier.coef_)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ScaledLogisticRegression(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 10.0, "max_iter": 1000}

    def __init__(
        self,
        config: Dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.pipeline import Pipeline

        self.clf.set_params(C=float(self.config["C"]))
        self.clf = Pipeline([("scale", TfidfTransformer(sublinear_tf=True)), ("classify", self.clf)])

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "ScaledLogisticRegression":
        import skops.io as sio

        component = cls(config, execution_context.node_name, model_storage, resource)
        opened = False
        try:
            with model_storage.read_from(resource) as model_dir:
                opened = True
                path = model_dir / f"{resource.name}.skops"
                unknown = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
                if unknown:
                    raise TypeError(f"refusing to load {path}: untrusted types {unknown}")
                component.clf = sio.load(path, trusted=TRUSTED_TYPES)
                weights_by_ngram(component.clf)
        except ValueError:
            if opened:
                raise  # a stored model that cannot be read is an error
            # Nothing stored yet: Rasa loads every component while it trains.
            logger.debug("No trained %s yet in '%s'.", cls.__name__, resource.name)
        return component
