"""Real ``crmbridge serve`` processes on loopback ports, and the command line run against the same database:
what the scale-out tests start, so that nothing is shared between workers except Postgres and Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.dbutil import in_ci

SRC = Path(__file__).resolve().parents[2] / "src"
REDIS_URL = os.environ.get("CRMBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """The test Redis URL if it answers; otherwise skip (or fail under ``CI=true``) with the reason."""
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except (RedisError, OSError) as exc:
        message = f"Redis at {REDIS_URL} is unreachable ({exc}); set CRMBRIDGE_TEST_REDIS_URL or start it"
        if in_ci():
            pytest.fail(f"CI=true requires Redis: {message}", pytrace=False)
        pytest.skip(message)
    finally:
        client.close()
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def process_env(**variables: str) -> dict[str, str]:
    """This process's environment with our sources first on the path, plus ``variables``."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **variables}


def cli(env: dict[str, str], *args: str) -> str:
    """Run ``crmbridge ARGS`` to completion; its standard output (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"crmbridge {' '.join(args)} failed: {done.stderr[-2000:]}"
    return done.stdout


@dataclass
class Worker:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def serve_worker(env: dict[str, str], log_dir: Path, name: str, port: int | None = None) -> Iterator[Worker]:
    """``crmbridge serve`` on a free loopback port until the block ends; waits for ``/readyz``."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_dir / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "crmbridge.cli", "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(url, process, log)
        yield Worker(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def serve_workers(env: dict[str, str], log_dir: Path, ports: list[int]) -> Iterator[list[Worker]]:
    with ExitStack() as stack:
        yield [stack.enter_context(serve_worker(env, log_dir, f"worker{i}", p)) for i, p in enumerate(ports)]


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"crmbridge serve exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"crmbridge serve at {url} was not ready within 60 s: {log.read_text()[-2000:]}"
            )
        time.sleep(0.1)


class RestartableWorker:
    """One ``crmbridge serve`` on a fixed port that a test can SIGKILL and start again, as a crashed
    worker's supervisor would (its log accumulates over the restarts)."""

    def __init__(self, env: dict[str, str], log_dir: Path, name: str, port: int | None = None) -> None:
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "crmbridge.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        _wait_ready(self.url, self.process, self.log)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, whatever was in flight stays where it was."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
