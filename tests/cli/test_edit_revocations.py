"""An application that only takes access away from an operator whose file already has an
error is written anyway, by the command and by the issue form: the address, the window
person or the use ends, the error stays, told as a warning for a maintainer to fix. One
that adds anything, or brings an error of its own, still waits (real files, in git and in a
plain directory; the commands and from-issue through the command line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.edithelp import TODAY_ARG, edit, refused, snapshot
from tests.helpers.formbody import confirm, render
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import OPERATOR, USER, RegistryFactory, contact, run_cli

IP = {"cidr": "41.203.64.10/32", "reason": "シンガポール拠点", "expires_on": "2027-09-30"}
DEPUTY = "window2@test-gas.example.co.jp"
ERROR = "registry/operators/TESTOP01.yaml:9:1"  # occto_member: maybe


pytestmark = pytest.mark.usefixtures("english")  # they read the English words


@pytest.fixture(params=["git", "directory"])
def broken(reg: RegistryFactory, request: pytest.FixtureRequest) -> Iterator[RegistryFactory]:
    """TESTOP01's file as a forced merge left it: a schema error (committed, in git)."""
    reg.operator(
        occto_member="maybe", contacts=[contact(), contact("deputy", 2)], ip_allowlist=[IP]
    )
    if request.param == "directory":
        yield reg
        return
    made = GitRegistry(reg)
    yield reg
    made.close()


def operator_text(reg: RegistryFactory) -> str:
    return (reg.root / OPERATOR).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ("ip", "remove", "--operator", "TESTOP01", "--cidr", IP["cidr"]),
        ("contact", "remove", "--operator", "TESTOP01", "--email", DEPUTY),
        ("operator", "terminate", "--operator", "TESTOP01", "--on", "2026-12-31"),
    ],
    ids=["ip", "contact", "terminate"],
)
def test_a_revocation_is_written_and_the_error_already_there_stays_a_warning(
    broken: RegistryFactory, args: tuple[str, ...]
) -> None:
    result = edit(broken, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Errors already in the files this change only takes access away from" in result.stdout
    assert f"{ERROR}: [warning]" in result.stdout and "(schema)" in result.stdout
    assert "Written, the application's items:" in result.stderr
    assert "1 warning: it does not block the application" in result.stderr
    text = operator_text(broken)
    assert "occto_member: maybe" in text  # the error stays for a maintainer
    if args[0] == "ip":
        assert IP["cidr"] not in text
    elif args[0] == "contact":
        assert DEPUTY not in text
    else:
        assert "status: terminated" in text and not (broken.root / USER).exists()


def test_an_application_that_adds_anything_still_waits_for_the_fix(
    broken: RegistryFactory,
) -> None:
    added = refused(broken, "ip", "add", "--operator", "TESTOP01", "--cidr", "41.203.64.20/32",
                    "--reason", "香港拠点", "--expires-on", "2027-09-30")  # fmt: skip
    assert "the change waits until a maintainer fixes them" in added.stdout
    assert f"{ERROR}: [error]" in added.stdout
    # A window person replaced: one leaves, but another comes in the same change.
    refused(broken, "contact", "add", "--operator", "TESTOP01", "--replaces", DEPUTY,
            "--contact-name", "西村 葵", "--contact-name-kana", "ニシムラ アオイ",
            "--contact-email", "aoi@test-gas.example.co.jp", "--contact-phone", "03-0000-0103",
            "--contact-github", "nishimura-aoi")  # fmt: skip


def test_a_revocation_that_brings_an_error_of_its_own_is_refused(
    broken: RegistryFactory,
) -> None:
    """The primary removed, the deputy left without one: that error is the change's, and
    the command refuses it before validating, naming the edit that makes a deputy the
    primary instead."""
    result = refused(broken, "contact", "remove", "--operator", "TESTOP01",
                     "--email", "window1@test-gas.example.co.jp")  # fmt: skip
    assert "is the primary window person of TESTOP01" in result.stderr
    assert "accessreg contact promote --operator TESTOP01" in result.stderr


def test_a_file_that_does_not_parse_cannot_be_edited_at_all(reg: RegistryFactory) -> None:
    reg.write(OPERATOR, operator_text(reg) + "bogus: a: b\n")
    result = refused(reg, "ip", "remove", "--operator", "TESTOP01", "--cidr", IP["cidr"])
    assert "The file of operator TESTOP01 has errors" in result.stderr
    assert "registry/operators/TESTOP01.yaml:" in result.stderr and "(yaml-syntax)" in result.stderr


# --- the issue forms ------------------------------------------------------------------------


def intake(reg: RegistryFactory, body: str) -> tuple[int, dict[str, Any]]:
    path = reg.repo / "body.md"
    path.write_bytes(body.encode("utf-8"))
    result = run_cli("from-issue", "--body", str(path), "--author", "window-1", "--issue", "12",
                     *TODAY_ARG, cwd=reg.repo)  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def _ip(action: str, cidr: str = IP["cidr"], **more: str) -> str:
    answers = {"operator": "TESTOP01", "action": action, "cidr": cidr, **more}
    return render("ip", {**answers, "confirm": confirm("ip")})


REMOVALS = {
    "ip": _ip("削除"),
    "contact": render("operator-change", {
        "operator": "TESTOP01", "contact_remove": DEPUTY, "confirm": confirm("operator-change"),
    }),
    "terminate": render("operator-terminate", {
        "operator": "TESTOP01", "terminated_on": "2026-12-31",
        "confirm": confirm("operator-terminate"),
    }),
}  # fmt: skip


@pytest.mark.parametrize("form", sorted(REMOVALS))
def test_a_removal_form_opens_its_pull_request_telling_the_error_that_stays(
    broken: RegistryFactory, form: str
) -> None:
    code, out = intake(broken, REMOVALS[form])
    assert code == 0 and out["ok"], out
    assert [w["rule"] for w in out["warnings"]] == ["schema"]
    (notice,) = out["notices"]
    assert "権限を狭める" in notice and "takes access away" in notice
    assert "### 注意 / Warnings (they do not block the application)" in out["body"]
    assert "(schema)" in out["body"] and notice in out["body"]
    assert "occto_member: maybe" in operator_text(broken)


def test_an_addition_form_is_still_refused_for_the_error_already_there(
    broken: RegistryFactory,
) -> None:
    before = snapshot(broken.root)
    code, out = intake(broken, _ip("追加・更新", "41.203.64.20/32", reason="香港拠点",
                                   expires_on="2027-09-30"))  # fmt: skip
    assert code == 1 and not out["ok"], out
    assert "この申請が関わるファイルに以前からのエラーがあり" in "\n".join(out["problems"])
    assert snapshot(broken.root) == before


def test_the_forms_of_a_sound_operator_say_nothing_of_errors(reg: RegistryFactory) -> None:
    reg.operator(contacts=[contact(), contact("deputy", 2)], ip_allowlist=[IP])
    code, out = intake(reg, REMOVALS["ip"])
    assert code == 0 and out["ok"], out
    assert out["warnings"] == [] and out["notices"] == []
    assert IP["cidr"] not in operator_text(reg)
