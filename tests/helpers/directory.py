"""A real slapd on 127.0.0.1 for a test, started and stopped by it: LDIF is judged by the
directory that loads it, as downstream systems load it."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from accessreg.outputs.ldif import placeholder_dn
from tests.helpers.servers import binary, free_port, parse_ldif, running

BASE = "dc=accessreg,dc=example"


@dataclass(frozen=True)
class Directory:
    url: str
    admin: str
    password: str

    def _auth(self) -> list[str]:
        return ["-x", "-H", self.url, "-D", self.admin, "-w", self.password]

    def modify(self, data: bytes, add: bool = False) -> None:
        tool = binary("ldapadd" if add else "ldapmodify")
        result = subprocess.run([tool, *self._auth()], input=data, capture_output=True, check=False)
        assert result.returncode == 0, result.stderr.decode()

    def modify_going_on(self, data: bytes, refused: Collection[str]) -> list[str]:
        """``ldapmodify -c``: every change tried, whatever the ones before it did; the
        errors it met (each must be one of ``refused``, such as "Already exists (68)")."""
        tool = binary("ldapmodify")
        result = subprocess.run(
            [tool, "-c", *self._auth()], input=data, capture_output=True, check=False
        )
        errors = [
            line.split(": ", 1)[1]
            for line in result.stderr.decode().splitlines()
            if line.startswith(("ldap_add: ", "ldap_modify: "))
        ]
        assert set(errors) <= set(refused), result.stderr.decode()
        return errors

    def search(self, base: str) -> dict[str, dict[str, list[str]]]:
        tool = binary("ldapsearch")
        result = subprocess.run(
            [tool, *self._auth(), "-LLL", "-b", base, "(objectClass=*)", "*"],
            capture_output=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr.decode()
        return parse_ldif(result.stdout.decode())


@contextmanager
def slapd(tmp_path: Path) -> Iterator[Directory]:
    """A slapd with an empty suffix ``BASE``, for as long as the block runs."""
    program = binary("slapd")
    binary("ldapadd")
    work = tmp_path / "slapd"
    (work / "db").mkdir(parents=True)
    password = secrets.token_hex(12)
    admin = f"cn=admin,{BASE}"
    schema = Path("/etc/ldap/schema")
    conf = work / "slapd.conf"
    conf.write_text(
        "\n".join(
            [
                *(f"include {schema / n}.schema" for n in ("core", "cosine", "inetorgperson")),
                f"pidfile {work / 'slapd.pid'}",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                "database mdb",
                f'suffix "{BASE}"',
                f'rootdn "{admin}"',
                f"rootpw {password}",
                f"directory {work / 'db'}",
                "maxsize 10485760",
                "",
            ]
        )
    )
    port = free_port()
    url = f"ldap://127.0.0.1:{port}/"
    argv = [program, "-f", str(conf), "-h", url, "-d", "0"]
    with running(argv, port, work / "slapd.log"):
        d = Directory(url, admin, password)
        d.modify(
            f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\n"
            "dc: accessreg\no: accessreg\n".encode(),
            add=True,
        )
        yield d


def members(entries: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    """Each person's and group's DN → its members (a person: none), compared as the
    directory compares DNs (without case); the placeholder every group lists is no
    member."""
    placeholder = placeholder_dn(BASE).lower()
    return {
        dn.lower(): sorted(m.lower() for m in entry.get("member", []) if m.lower() != placeholder)
        for dn, entry in entries.items()
        if dn.lower().startswith(("uid=", "cn="))
    }


def deltas(outs: Sequence[Path]) -> list[tuple[str, int, Path]]:
    """The LDIF deltas of the apply outputs ``outs`` (in the order of their runs) as
    downstream applies them, each with its label and run: on its date, a day's in the
    order of the runs; those after a manual step (label ``manual``) last."""
    return sorted(
        (path.stem.removeprefix("delta-"), n, path)
        for n, out in enumerate(outs)
        for path in (out / "ldif").glob("delta-*.ldif")
    )
