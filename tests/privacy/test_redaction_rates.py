"""Every supported language has a status vocabulary, and meets the recall and precision targets."""

from __future__ import annotations

import pytest

from api.runtime import load_content
from tests.helpers import make_settings
from tests.privacy.rates import MIN_PRECISION, MIN_RECALL, TRANSLATIONS, rates_for

LANGUAGES = sorted(load_content(make_settings()).catalog.languages)


@pytest.mark.parametrize("language", LANGUAGES)
def test_status_is_removed_and_abuse_is_kept(language: str) -> None:
    path = TRANSLATIONS / language / "status.yml"
    assert path.exists(), f"{language} has no status vocabulary"
    rates = rates_for(path)
    assert rates.recall_total >= 10 and rates.precision_total >= 8
    assert rates.recall >= MIN_RECALL, f"missed: {rates.misses}"
    assert rates.precision >= MIN_PRECISION, f"removed by mistake: {rates.false_alarms}"
