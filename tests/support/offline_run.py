"""Run project code in a child Python whose network is blocked (see offline/sitecustomize.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api.core.config import ROOT

OFFLINE = ROOT / "tests" / "support" / "offline"


def offline_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{OFFLINE}{os.pathsep}{ROOT}"}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def install(models: Path, var_dir: Path, *languages: str) -> subprocess.CompletedProcess[str]:
    """`python -m api.cli install-models` for local .argosmodel files, offline."""
    code = "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"
    return offline_python(code, "install-models", *languages, "--from-dir", str(models), "--var-dir", str(var_dir))
