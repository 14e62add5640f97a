"""Real servers for tests, on 127.0.0.1 only, started and stopped (by process id) by the tests.

A missing binary skips the test, unless ACCESSREG_REQUIRE_SERVERS=1 (CI), where it fails.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def binary(name: str) -> str:
    """The path of a server binary, or skip (fail under ACCESSREG_REQUIRE_SERVERS=1)."""
    found = shutil.which(name) or next(
        (f"{d}/{name}" for d in SBIN if os.access(f"{d}/{name}", os.X_OK)), None
    )
    if found is None:
        message = f"{name} is not installed"
        if os.environ.get("ACCESSREG_REQUIRE_SERVERS") == "1":
            pytest.fail(f"{message} (ACCESSREG_REQUIRE_SERVERS=1)")
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until(ready: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not become ready within {timeout} s")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running(argv: list[str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server in the foreground until the block ends; stop it by its process id."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        try:
            wait_until(lambda: proc.poll() is None and port_open(port), " ".join(argv[:1]))
        except AssertionError:  # it did not start: its log says why
            raise AssertionError(log.read_text(errors="replace")) from None
        yield proc  # a failure of the block is reported as it is
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()


def parse_ldif(text: str) -> dict[str, dict[str, list[str]]]:
    """Entries of LDIF content (as ldapsearch -LLL prints it): dn → attribute → values."""
    entries: dict[str, dict[str, list[str]]] = {}
    for block in text.strip().split("\n\n"):
        lines: list[str] = []
        for raw in block.splitlines():
            if raw.startswith(" ") and lines:
                lines[-1] += raw[1:]
            elif raw and not raw.startswith("#"):
                lines.append(raw)
        attrs: dict[str, list[str]] = {}
        for line in lines:
            if line.startswith("version:"):
                continue
            name, _, value = line.partition(":")
            if value.startswith(":"):
                value = base64.b64decode(value[1:].strip()).decode("utf-8")
            else:
                value = value.strip()
            attrs.setdefault(name.lower(), []).append(value)
        if "dn" in attrs:
            dn = attrs.pop("dn")[0]
            entries[dn.lower()] = {k: sorted(v) for k, v in attrs.items()}
    return entries


def nginx_conf(work: Path, http_body: str) -> Path:
    """A minimal nginx.conf under ``work`` whose http block holds ``http_body``: what the
    tests check generated includes in, with every path nginx writes kept under ``work``."""
    for sub in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / "temp" / sub).mkdir(parents=True, exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(
        f"""daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/temp/client;
    proxy_temp_path {work}/temp/proxy;
    fastcgi_temp_path {work}/temp/fastcgi;
    uwsgi_temp_path {work}/temp/uwsgi;
    scgi_temp_path {work}/temp/scgi;
{http_body}
}}
""",
        encoding="utf-8",
    )
    return conf


def includes(paths: list[Path]) -> str:
    """``include`` lines for an http block."""
    return "\n".join(f"    include {path};" for path in paths)


def nginx_test(nginx_bin: str, conf: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``conf``: the real parser's verdict on the generated includes."""
    work = conf.parent
    return subprocess.run(
        [nginx_bin, "-t", "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
