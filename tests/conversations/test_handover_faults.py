"""No handover is lost or duplicated: faults injected at each step of the submission, on a real stack.

The gateway and Rasa are killed with SIGKILL at named steps (api/core/failpoints.py), Rasa is stopped past the
gateway's timeout, the database is locked, and the small filesystem holding it is filled. After each fault she
goes on as a person would (starts again, tries again, writes again). Then, for every scenario: every handover she
was told was sent is in the database exactly once, none was stored twice for one chat, and nothing is stored
for a chat whose last word to her was that it was not sent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conftest import OUTPUT
from tests.support.faults import SCENARIOS, Faults, fault_stack
from tests.support.limits import HARNESS_LIMITS_ENV

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(os.geteuid() != 0, reason="the small filesystem is a tmpfs mount, which needs root"),
]


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    with fault_stack(tmp_path_factory.mktemp("faults"), OUTPUT / "fault-stack-logs", HARNESS_LIMITS_ENV) as world:
        yield world


# Where the store itself fails, she must hear so (then trying again sends it); a crash tells her nothing wrong.
FAILS_FIRST = {"database locked past the write's wait", "disk full"}


@pytest.mark.parametrize("fault", list(SCENARIOS))
def test_no_handover_is_lost_or_duplicated(faults: Faults, fault: str) -> None:
    outcome = faults.run(fault, SCENARIOS[fault])
    assert outcome.survived, outcome
    assert outcome.told_sent, f"she never got a reference, even after trying again: {outcome}"
    assert outcome.lost == 0, outcome
    assert outcome.duplicated == 0, outcome
    assert outcome.stored_after_failure == 0, outcome
    assert outcome.told_failed == (1 if fault in FAILS_FIRST else 0), outcome
