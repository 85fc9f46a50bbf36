"""`make run`'s supervisor prints the web chat's address and stops every child on SIGTERM or Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from api.core.config import ROOT
from api.stack import MODEL, free_port

pytestmark = pytest.mark.stack


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_run_prints_the_url_and_stops_its_children(tmp_path, stop_with: signal.Signals) -> None:  # type: ignore[no-untyped-def]
    assert MODEL.exists(), "make train first"
    port = free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path)}
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "api.stack", "--port", str(port), "--rasa-port", str(free_port())],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 180
    assert supervisor.stdout is not None
    while time.monotonic() < deadline:
        line = supervisor.stdout.readline()
        lines.append(line)
        if f"Web chat: http://localhost:{port}/" in line:
            break
    else:
        supervisor.kill()
        pytest.fail("no URL printed:\n" + "".join(lines))
    children = psutil.Process(supervisor.pid).children(recursive=True)
    assert len(children) >= 2, "Rasa and the gateway"
    supervisor.send_signal(stop_with)
    assert supervisor.wait(timeout=60) == 0
    _gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"still running: {[p.pid for p in alive]}"
