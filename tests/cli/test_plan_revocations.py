"""The plan of a pull request that takes access away in an operator's or a user's file with
errors shows what goes out at merge (``apply`` takes a held file's revocations: real git
histories): the items of the revocations alone, over the file's last version that loads,
and the file named as one with errors, not as one that does not load and shows nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import OPERATOR, USER, RegistryFactory, contact, run_cli

IP_A = {"cidr": "41.203.64.10/32", "reason": "シンガポール拠点", "expires_on": "2027-09-30"}
IP_B = {"cidr": "41.203.64.20/32", "reason": "香港拠点", "expires_on": "2027-09-30"}
WINDOW = "window-1"
FILE = f"registry/{OPERATOR}"


def _operator(reg: RegistryFactory, **over: object) -> None:
    reg.operator(**{"contacts": [contact(), contact("deputy", 2)], "ip_allowlist": [IP_A], **over})


@pytest.fixture
def gr(reg: RegistryFactory) -> Iterator[GitRegistry]:
    """main: TESTOP01 loaded once, then a value merged past the check broke its file."""
    _operator(reg)
    made = GitRegistry(reg)
    _operator(reg, occto_member="maybe")
    made.commit("a forced merge")
    made.branch("pr")
    yield made
    made.close()


def plan(gr: GitRegistry, *args: str) -> str:
    result = run_cli("plan", "--base", "main", "--head", "pr", "--accepted-on", "2026-11-24",
                     "--actor", WINDOW, *args, cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_an_address_removed_from_a_file_with_errors_is_shown_as_it_goes_out(
    gr: GitRegistry,
) -> None:
    _operator(gr.reg, occto_member="maybe", ip_allowlist=[])
    gr.commit("the overseas address removed")
    found = json.loads(plan(gr, "--format", "json"))
    assert (found["revoking"], found["unreadable"]) == ([FILE], [])
    items = [i for op in found["operators"] for i in op["items"]]
    assert [(i["direction"], i["subject"], i["key"]) for i in items] == [
        ("revoke", "allowed_ip", IP_A["cidr"])
    ]
    assert found["revoke_only"] is True
    text = plan(gr, "--format", "markdown")
    assert IP_A["cidr"] in text and "読み込めないファイル" not in text
    assert (
        "エラーのあるファイル（権限を狭める変更だけを表示しています。それはマージ時に反映し、"
        "ほかの変更はエラーが直るまで保留されます。検査結果を参照）: "
    ) in text
    decided = run_cli("authorize", "--base", "main", "--head", "pr", "--actor", WINDOW,
                      "--today", "2026-11-24", cwd=gr.path)  # fmt: skip
    assert decided.returncode == 0, decided.stdout


def test_what_widens_access_in_such_a_file_is_not_shown_as_going_out(gr: GitRegistry) -> None:
    """An address added beside the removal waits for the fix: it is no item of the plan."""
    _operator(gr.reg, occto_member="maybe", ip_allowlist=[IP_B])
    gr.commit("one address for another")
    found = json.loads(plan(gr, "--format", "json"))
    items = [i for op in found["operators"] for i in op["items"]]
    assert [(i["direction"], i["subject"], i["key"]) for i in items] == [
        ("revoke", "allowed_ip", IP_A["cidr"])
    ]
    assert IP_B["cidr"] not in json.dumps(found)
    # The addition waits for a fix: the change is no revocation alone, nor fast-tracked.
    assert (found["revoking"], found["unreadable"], found["revoke_only"]) == ([FILE], [FILE], False)


def test_a_file_that_revokes_nothing_still_does_not_load(gr: GitRegistry) -> None:
    _operator(gr.reg, occto_member="maybe", name="別名株式会社")
    gr.commit("a name changed in the broken file")
    found = json.loads(plan(gr, "--format", "json"))
    assert (found["revoking"], found["unreadable"], found["operators"]) == ([], [FILE], [])
    assert "読み込めないファイル（検査結果を参照）" in plan(gr, "--format", "markdown")


def test_a_user_suspended_in_a_file_with_an_error_is_shown(gr: GitRegistry) -> None:
    gr.reg.user(name_kana="しけん たろう", suspended_on="2026-11-24")  # kana: a schema error
    gr.commit("the user suspended, with an error")
    found = json.loads(plan(gr, "--format", "json"))
    assert found["revoking"] == [f"registry/{USER}"]
    items = [i for op in found["operators"] for i in op["items"]]
    assert [i["direction"] for i in items] == ["revoke"]
    assert "2026-11-24" in json.dumps(items)
