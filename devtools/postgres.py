"""A throwaway PostgreSQL cluster for the tests and the benchmarks: ``initdb`` + ``pg_ctl`` on a
fresh temporary folder and a free loopback port, stopped and deleted afterwards.

It uses Debian's server binaries (package ``postgresql``, under
``/usr/lib/postgresql/<major>/bin``), which ``.ci/run`` installs when they are missing. They
refuse to run as root, so as root they run as the ``postgres`` user (``runuser``), on a folder
that user owns. The cluster listens on 127.0.0.1 only, with ``trust`` authentication for its
one role: nothing but this machine's processes can reach it, and it lives as long as a test
run.

    with ThrowawayPostgres() as pg:
        url = pg.create_database("t1")   # postgresql://chatkit@127.0.0.1:<port>/t1

``durable=False`` (the tests) also turns ``fsync`` off: a crash of a throwaway cluster loses
nothing anyone needs. The benchmarks keep ``fsync`` on and turn ``synchronous_commit`` off,
the PostgreSQL analogue of the SQLite store's ``synchronous=NORMAL`` in WAL mode (a power loss
may drop the last commits, never corrupts).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from devtools.backend_process import free_port
from devtools.errors import BuildError

ROLE = "chatkit"
SERVER_USER = "postgres"
INSTALL_HINT = "install Debian's PostgreSQL server: apt-get install -y postgresql"


def server_bin_dir() -> Path | None:
    """The newest installed ``/usr/lib/postgresql/<major>/bin`` with initdb, or None."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        return None
    return Path(max(found, key=lambda p: int(Path(p).parts[-3]))).parent


def available() -> bool:
    return server_bin_dir() is not None


class ThrowawayPostgres:
    def __init__(self, *, durable: bool = False, max_connections: int = 200) -> None:
        bin_dir = server_bin_dir()
        if bin_dir is None:
            raise BuildError(f"PostgreSQL server binaries not found; {INSTALL_HINT}")
        self.bin_dir = bin_dir
        self.durable = durable
        self.max_connections = max_connections
        self.port = 0
        self.dir: Path | None = None
        self._as_root = os.geteuid() == 0
        self._databases = 0

    # the cluster ------------------------------------------------------------------------------
    def _run(self, *argv: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / argv[0]), *argv[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", SERVER_USER, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)

    def start(self) -> ThrowawayPostgres:
        # Not under pytest's tmp_path: its parents are 0700 root, which the server user cannot
        # traverse.
        self.dir = Path(tempfile.mkdtemp(prefix="chatkit-pg-"))
        data = self.dir / "data"
        if self._as_root:
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        init = self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            ROLE,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        if init.returncode != 0:
            self.stop()
            raise BuildError(f"initdb failed:\n{init.stdout}{init.stderr}")
        settings = [
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.dir}",
            f"-c max_connections={self.max_connections}",
        ]
        settings += (
            ["-c synchronous_commit=off"]
            if self.durable
            else ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        )
        for _attempt in range(5):  # a free port can be taken between asking and binding
            self.port = free_port()
            started = self._run(
                "pg_ctl",
                "-D",
                str(data),
                "-l",
                str(self.dir / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                " ".join([f"-p {self.port}", *settings]),
                "start",
            )
            if started.returncode == 0:
                return self
        log = (self.dir / "server.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise BuildError(f"PostgreSQL did not start:\n{started.stdout}{started.stderr}\n{log}")

    def stop(self) -> None:
        if self.dir is None:
            return
        if (self.dir / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # databases --------------------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; its URL. Names are ``[a-z0-9_]`` (they are not quoted)."""
        self._databases += 1
        name = name or f"t{self._databases}"
        if not name.replace("_", "").isalnum() or name.lower() != name:
            raise ValueError(f"database name {name!r}: use [a-z0-9_]")
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with Debian's ``psql`` client; its output (unaligned, tuples only)."""
        psql = shutil.which("psql") or str(self.bin_dir / "psql")
        done = subprocess.run(
            [
                psql,
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                ROLE,
                "-d",
                database,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise BuildError(f"psql failed: {done.stderr.strip()}")
        return done.stdout
