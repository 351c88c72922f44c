"""A PostgreSQL server of the tests' own: Debian's binaries, a temporary folder, a unix socket.

The inbox's tests run against both engines, and for PostgreSQL that means a
real server, not a mock: :class:`PostgresServer` runs ``initdb`` into a
temporary folder and starts ``postgres`` on a unix socket in it (no TCP
port, no root service, nothing left behind). PostgreSQL refuses to run as
root, so when the tests run as root the server runs as an unprivileged user
(``redress-test``, which ``scripts/test`` creates, else ``nobody``) that owns
the folder. Each test module (or test) gets a fresh database of its own
(:meth:`PostgresServer.new_database`); one server serves a whole test run
of one pytest-xdist worker.

The benchmark (scripts/bench_inbox_pg.py) starts its server the same way,
with the server's default durability (``fsync`` on); the tests turn
``fsync`` off, which only matters if the machine itself crashes (a killed
inbox, which the tests do kill, is the same either way).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

#: The unprivileged user the server runs as when the tests run as root (scripts/test creates it).
TEST_USER = "redress-test"
#: The server's superuser, who owns every test database (trusted on the socket: no password).
SUPERUSER = "redress"


def database_name(url: str) -> str:
    """The database a URL names (its path)."""
    return urlsplit(url).path.lstrip("/")


def socket_folder(url: str) -> str:
    """The folder of the server's socket that a URL of :meth:`PostgresServer.url` names."""
    return dict(parse_qsl(urlsplit(url).query))["host"]


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says why and what to install."""


def find_bindir() -> Path:
    """The newest installed PostgreSQL's programs (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name) if Path(path).parent.parent.name.isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PostgresUnavailable(
        "no PostgreSQL server programs (initdb) here; install Debian's `postgresql` package "
        "(scripts/test does: apt-get install postgresql)"
    )


def _run_as() -> pwd.struct_passwd | None:
    """The user to run the server as: None (this user) unless this is root."""
    if os.geteuid() != 0:
        return None
    for name in (TEST_USER, "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable(
        f"running as root and there is no user {TEST_USER!r} or 'nobody' to run PostgreSQL"
    )


class PostgresServer:
    """``initdb`` + ``postgres`` in a temporary folder, listening on a unix socket there only."""

    def __init__(self, *, durable: bool = False, max_connections: int = 100):
        self.bindir = find_bindir()
        self.user = _run_as()
        self.durable = durable
        self.max_connections = max_connections
        self.folder = Path(tempfile.mkdtemp(prefix="redress-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.process: subprocess.Popen[bytes] | None = None

    # -- running ---------------------------------------------------------------------------

    def _as_user(self, command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            user=self.user.pw_uid if self.user else None,
            group=self.user.pw_gid if self.user else None,
            extra_groups=[] if self.user else None,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "TZ": "UTC"},
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            **kwargs,  # type: ignore[arg-type]
        )

    def start(self, timeout: float = 60) -> PostgresServer:
        if self.user:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        init = self._as_user(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            timeout=timeout,
        )
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({init.returncode}): {init.stderr.strip()[-2000:]}")
        # The tests' superuser is trusted on the socket; any other role needs its password, as a
        # shop's inbox would (see :meth:`new_role`).
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all {SUPERUSER} trust\nlocal all all scram-sha-256\n", encoding="utf-8")
        settings = {
            "listen_addresses": "",
            "unix_socket_directories": str(self.folder),
            "max_connections": str(self.max_connections),
            "shared_buffers": "32MB",
            "fsync": "on" if self.durable else "off",
            "full_page_writes": "on" if self.durable else "off",
            "log_min_messages": "warning",
        }
        options = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
        log = open(self.log, "ab")  # noqa: SIM115 - the server's own output, kept until it stops
        self.process = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(self.data), *options],
            user=self.user.pw_uid if self.user else None,
            group=self.user.pw_gid if self.user else None,
            extra_groups=[] if self.user else None,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "TZ": "UTC"},
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        atexit.register(self.stop)  # an interrupted run does not leave its server behind
        deadline = time.monotonic() + timeout
        while True:
            ready = self._as_user(
                [str(self.bindir / "pg_isready"), "-h", str(self.folder), "-U", SUPERUSER, "-d", "postgres"]
            )
            if ready.returncode == 0:
                return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.log.read_text(errors="replace")[-2000:]
                self.stop()
                raise PostgresUnavailable(f"postgres did not start: {output}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown: clients are disconnected
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases -------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """A libpq URL for `database` on this server's socket (no password: the socket is trusted)."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.folder}"

    def new_role(self, password: str, database: str) -> str:
        """A role that logs in with `password` and owns `database` (a URL's path); returns its name."""
        import psycopg
        from psycopg import sql

        name = f"shop_{uuid.uuid4().hex[:8]}"
        dbname = database_name(database)
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )
            connection.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(dbname), sql.Identifier(name))
            )
        with psycopg.connect(self.url(dbname), autocommit=True) as connection:
            connection.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(name)))
        return name

    def new_database(self, prefix: str = "inbox") -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            try:
                # Copying the template's files is twice as fast as logging them (PostgreSQL 15 and later).
                connection.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
            except psycopg.errors.SyntaxError:
                connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
