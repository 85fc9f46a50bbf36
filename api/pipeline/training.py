"""What the models the gateway trains itself share (seconds to a minute each): a cache under models/, so each is
trained once per change, and how a threshold is chosen on a validation split of its training data.

A cached file is keyed by a hash of everything the model depends on: its training data, the code of the module
that builds its features, and scikit-learn's version. A stale or unreadable file is trained again and replaced.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def content_hash(files: Iterable[Path], code: Path) -> str:
    import sklearn

    digest = hashlib.sha256(sklearn.__version__.encode() + code.read_bytes())
    for path in files:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_or_build(cache: Path, name: str, key: str, build: Callable[[], Any]) -> Any:
    """The cached value for `key`, or `build()`'s, written atomically (a crash leaves no half file) and
    replacing the older ones of the same name (and the .joblib files of earlier versions).

    Plain pickle, not joblib: joblib's unpickler is pure Python, and loading the three models took a second of
    every gateway start (and of every in-process test app). The files are the gateway's own, under models/.
    """
    path = cache / f"{name}-{key}.pickle"
    if path.exists():
        try:
            with path.open("rb") as file:
                return pickle.load(file)  # noqa: S301 - the gateway's own cache, written below
        except (OSError, ValueError, TypeError, EOFError, AttributeError, KeyError, ImportError, pickle.PickleError):
            log.warning("model_cache.unreadable", extra={"model": name})  # built again below, and replaced
    value = build()
    cache.mkdir(parents=True, exist_ok=True)
    for old in [*cache.glob(f"{name}-*.pickle"), *cache.glob(f"{name}-*.joblib")]:
        if old != path:
            old.unlink(missing_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    with partial.open("wb") as file:
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    return value


def choose_threshold(scores: list[float], labels: list[bool], budget: float) -> float:
    """The lowest threshold whose false positives on the validation split stay within the budget."""
    negatives = sorted((s for s, positive in zip(scores, labels, strict=True) if not positive), reverse=True)
    allowed = int(len(negatives) * budget)
    if not negatives:
        return 0.5
    # Just above the score of the first negative that would be one false positive too many.
    return max(0.05, negatives[allowed] + 1e-6) if allowed < len(negatives) else 0.05
