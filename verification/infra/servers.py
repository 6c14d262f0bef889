"""Throwaway PostgreSQL and Redis servers from the binaries on this machine.

Used when no DATABASE_URL / REDIS_URL is given and Docker (testcontainers) is not available:
the server lives in a temporary directory, listens on a free loopback port and is removed
when stopped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from verification.infra.ports import free_port, wait_for_port


def _postgres_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return candidates[-1] if candidates else None


def postgres_available() -> bool:
    return all(_postgres_bin(name) for name in ("initdb", "pg_ctl"))


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


@dataclass
class ThrowawayPostgres:
    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rgms-pg-")))

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> ThrowawayPostgres:
        data = self.directory / "data"
        run_as = _drop_root_prefix(self.directory)
        subprocess.run(
            [
                *run_as,
                _postgres_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *run_as,
                _postgres_bin("pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(self.directory / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        run_as = _drop_root_prefix(self.directory)
        subprocess.run(
            [
                *run_as,
                _postgres_bin("pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-m",
                "fast",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def _drop_root_prefix(directory: Path) -> list[str]:
    """PostgreSQL refuses to run as root; run it as the postgres user when we are root."""
    if os.geteuid() != 0:
        return []
    shutil.chown(directory, user="postgres")
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class ThrowawayRedis:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> ThrowawayRedis:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
