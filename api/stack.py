"""Runs Rasa and the gateway together: `make run`, the conversation tests and the benchmarks all use it.

Rasa lives in its own Python 3.10 venv, so both are child processes. Each gets its own process group, and
every child is stopped on Ctrl-C, SIGTERM, or when a test's `with Stack(...)` block ends.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from urllib.parse import urlsplit

import httpx

from api.core.config import ROOT, derive_rasa_token
from api.core.files import PRIVATE_UMASK, private_dir

# Rasa's own `rasa run`, through bot/serve.py (its action-result check built once, not per call).
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
GATEWAY_PYTHON = ROOT / ".venv" / "bin" / "python"
MODEL = ROOT / "models" / "assistant.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    gateway_port: int = 8000
    rasa_port: int = 5005
    var_dir: Path = ROOT / "var"
    model: Path = MODEL
    extra_env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    start_rasa: bool = True
    # False when the caller serves the gateway itself (e.g. in-process, to inspect its memory in a test).
    start_gateway: bool = True
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # One secret per stack, so every environment() it builds (and a test reading Rasa's API) agrees.
    internal_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48), repr=False)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_token(self) -> str:
        """The token of Rasa's HTTP API, as this stack starts Rasa with it."""
        return self.environment()["RASA_TOKEN"]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("INTERNAL_SECRET", self.internal_secret)
        env.update(self.extra_env)
        env.setdefault("RASA_TOKEN", derive_rasa_token(env["INTERNAL_SECRET"]))
        tracker_url = env.get("RASA_TRACKER_URL", "")
        if tracker_url and not tracker_url.startswith("redis://"):
            # A SQL tracker store, when an operator asks for one (bot/endpoints.sql.yml takes the whole URL).
            env["RASA_TRACKER_DIALECT"] = urlsplit(tracker_url).scheme.split("+")[0]
        if tracker_url.startswith("redis://"):
            parsed = urlsplit(tracker_url)
            env.update(
                {
                    "RASA_REDIS_HOST": parsed.hostname or "127.0.0.1",
                    "RASA_REDIS_PORT": str(parsed.port or 6379),
                    "RASA_REDIS_DB": (parsed.path or "/0").lstrip("/") or "0",
                    "RASA_TRACKER_EXPIRY": str(int(env.get("SESSION_IDLE_MINUTES", "30")) * 60),
                }
            )
        env.update(
            {
                "VAR_DIR": str(self.var_dir),
                "RASA_URL": self.rasa_url,
                "ASSISTANT_GATEWAY_URL": self.gateway_url,
                "RASA_TRACKER_URL": tracker_url,
                # Nothing may leave the machine: no telemetry, no model hub.
                "RASA_TELEMETRY_ENABLED": "false",
                "HF_HUB_OFFLINE": "1",
                "TF_CPP_MIN_LOG_LEVEL": "3",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "PYTHONUNBUFFERED": "1",
                "PYTHONWARNINGS": "ignore",
            }
        )
        env.update(self.extra_env)
        return env

    def _output(self, name: str) -> int | None:
        if self.log_dir is None:
            return None
        private_dir(self.log_dir)
        return os.open(self.log_dir / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        output = self._output(name)
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
            # Whatever Rasa or the gateway writes (logs, the database, Rasa's own files) is the owner's alone.
            umask=PRIVATE_UMASK,
        )
        if output is not None:
            os.close(output)

    def start(self, timeout: float = 180.0) -> Stack:
        private_dir(self.var_dir)
        env = self.environment()
        if self.start_gateway:
            self.migrate(env)
            self._spawn_gateway(env)
        if self.start_rasa:
            self._spawn_rasa(env)
        self.wait_until_ready(timeout)
        return self

    def migrate(self, env: dict[str, str]) -> None:
        """The migrate step, once, before any gateway starts (a gateway never migrates by itself)."""
        done = subprocess.run(
            [str(GATEWAY_PYTHON), "-m", "api.cli", "migrate"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            umask=PRIVATE_UMASK,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the database could not be migrated: {done.stderr.strip()[-2000:]}")

    def restart(self, name: str, timeout: float = 180.0) -> None:
        """Start one child again after it died or was killed, and wait until the stack answers."""
        self.stop_process(name)
        env = self.environment()
        (self._spawn_gateway if name == "gateway" else self._spawn_rasa)(env)
        self.wait_until_ready(timeout)

    def kill(self, name: str) -> None:
        """SIGKILL a child's whole process group, as a crash or the kernel's OOM killer would."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def _spawn_rasa(self, env: dict[str, str]) -> None:
        self._spawn(
            "rasa",
            [
                str(RASA_PYTHON),
                "-m",
                "bot.serve",
                "run",
                "--model",
                str(self.model),
                "--endpoints",
                self.endpoints,
                "--credentials",
                "bot/credentials.yml",
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                # The HTTP API serves the gateway's NLU parse and tracker erasure, with a token.
                "--enable-api",
                "--auth-token",
                env["RASA_TOKEN"],
            ],
            # Rasa imports the project's own NLU component (bot/components) by module path.
            {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))},
        )

    @property
    def endpoints(self) -> str:
        """Rasa's tracker store: in memory by default; Redis or SQL when RASA_TRACKER_URL names one."""
        url = self.extra_env.get("RASA_TRACKER_URL", os.environ.get("RASA_TRACKER_URL", ""))
        if url.startswith("redis://"):
            return "bot/endpoints.redis.yml"
        return "bot/endpoints.sql.yml" if url else "bot/endpoints.yml"

    def _spawn_gateway(self, env: dict[str, str]) -> None:
        self._spawn(
            "gateway",
            [
                str(GATEWAY_PYTHON),
                "-m",
                "uvicorn",
                "api.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.gateway_port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env,
        )

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        wanted = {"rasa": "up", "database": "up"} if self.start_rasa else {"database": "up"}
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.stop()
                    where = f" (see {self.log_dir / name}.log)" if self.log_dir else ""
                    raise RuntimeError(f"{name} exited with code {process.returncode} during startup{where}")
            try:
                if not self.start_gateway:
                    if httpx.get(f"{self.rasa_url}/", timeout=2).status_code == 200:
                        return
                else:
                    components = httpx.get(f"{self.gateway_url}/healthz", timeout=2).json().get("components", {})
                    if all(components.get(k) == v for k, v in wanted.items()):
                        return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"the stack was not ready within {timeout:.0f}s")

    def stop_process(self, name: str, grace: float = 10.0) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_process(name)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Rasa and the gateway until Ctrl-C or SIGTERM.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--rasa-port", type=int, default=5005)
    args = parser.parse_args(argv)
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    log_dir = var_dir / "logs"
    stack = Stack(gateway_port=args.port, rasa_port=args.rasa_port, var_dir=var_dir, log_dir=log_dir)

    def shut_down(signum: int, _frame: FrameType | None) -> None:
        print("\nStopping Rasa and the gateway…", flush=True)
        stack.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, shut_down)
    signal.signal(signal.SIGTERM, shut_down)
    print("Starting Rasa and the gateway (Rasa takes about half a minute)…", flush=True)
    stack.start()
    print(
        f"\nWeb chat: http://localhost:{args.port}/\n"
        f"Support-worker portal: http://localhost:{args.port}/portal (accounts: make worker)\n"
        f"Logs: {log_dir}/\nPress Ctrl-C to stop.\n",
        flush=True,
    )
    while all(p.poll() is None for p in stack.processes.values()):
        time.sleep(1)
    print("A process stopped unexpectedly; stopping the others.", flush=True)
    stack.stop()
    return 1


if __name__ == "__main__":
    sys.exit(main())
