"""Hostile text that validation accepts, in every field, through every renderer: each output
re-parses, by a parser this project did not write, to exactly the registry's values, and
nothing in it turns into markup, a link, a mention, a header, a recipient, a formula or a
workflow command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accessreg.escape import terminal
from tests.helpers import githubmd, hostile, parsers
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.provisioning import tree
from tests.helpers.regfactory import RegistryFactory, contact, run_cli

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


ON = ["--today", "2026-12-03"]
ACCEPTED = ["--accepted-on", "2026-12-03"]
# The tool's own bold words in a plan comment; a forged one would be another.
OWN_STRONG = {
    "Authorized",
    "Not authorized",
    "Fast-track",
    "Revoke only",
    "To check",
    "⚠️ Second look",
    "Mass removal",
}


@pytest.fixture
def hostile_pr(reg: RegistryFactory) -> Iterator[tuple[GitRegistry, dict[str, Any]]]:
    gr = GitRegistry(reg)
    gr.branch("pr")
    written = hostile.fill(reg)
    gr.commit("hostile text in every field")
    yield gr, written
    gr.close()


def _run(gr: GitRegistry, *args: str) -> str:
    result = run_cli(*args, cwd=gr.path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    parsers.log_lines(result.stderr)
    return result.stdout


def _names(written: dict[str, Any]) -> list[str]:
    op = written["operator"]
    return [
        op["name"],
        *(c["name"] for c in op["contacts"]),
        op["subcontractors"][0]["name"],
        *(u["name"] for u in written["users"].values()),
    ]


def test_the_hostile_registry_is_valid(hostile_pr: tuple[GitRegistry, dict[str, Any]]) -> None:
    gr, _ = hostile_pr
    result = run_cli("validate", *ON, "--strict", cwd=gr.path)
    assert result.returncode == 0, result.stdout


def test_the_plan_comment_shows_every_value_as_written_and_nothing_more(
    hostile_pr: tuple[GitRegistry, dict[str, Any]],
) -> None:
    gr, written = hostile_pr
    text = _run(gr, "plan", "--base", "main", "--actor", "window-1", "--format", "markdown",
                *ACCEPTED)  # fmt: skip
    page = githubmd.render(text)
    assert set(page.tags) <= {"h2", "h3", "h4", "p", "table", "thead", "tbody", "tr", "th",
                              "td", "code", "strong", "em", "br", "ul", "li"}  # fmt: skip
    assert page.processed() == []  # no @mention, #reference or :emoji:
    assert [s for s in page.strong if s not in OWN_STRONG and not s[:1].isdigit()] == []
    assert page.strong.count("Authorized") + page.strong.count("Not authorized") == 1
    for name in _names(written):
        assert terminal(name) in page.shown, name


def test_every_text_output_is_lines_of_text_and_no_workflow_command(
    hostile_pr: tuple[GitRegistry, dict[str, Any]],
) -> None:
    gr, written = hostile_pr
    plan = _run(gr, "plan", "--base", "main", "--actor", "window-1", *ACCEPTED)
    lines = parsers.log_lines(plan)
    for name in _names(written)[:2]:
        assert any(terminal(name) in line for line in lines), name
    parsers.log_lines(_run(gr, "authorize", "--base", "main", "--actor", "window-1"))
    parsers.log_lines(_run(gr, "validate", *ON))
    # JSON carries the values as they are.
    data = json.loads(_run(gr, "plan", "--base", "main", "--format", "json", *ACCEPTED))
    shown = {item["person"]["name"] for op in data["operators"] for item in op["items"]
             if "person" in item}  # fmt: skip
    assert {u["name"] for u in written["users"].values()} <= shown


def test_hostile_paths_reach_no_output_as_markup_or_a_command(reg: RegistryFactory) -> None:
    gr = GitRegistry(reg)
    try:
        gr.branch("pr")
        for name in ("::notice::forged", "a\n::error file=x::forged\n**Authorized**: x",
                     "`x` <img src=x> @uketsuke-sato", "\x1b[31mred\u202eevil"):  # fmt: skip
            (gr.path / name).write_text("x\n", encoding="utf-8")
        gr.commit("files with hostile names")
        for args in (("authorize",), ("plan",)):
            for fmt in ("text", "json") if args == ("plan",) else ("text", "json", "github"):
                result = run_cli(*args, "--base", "main", "--actor", "window-1", "--format",
                                 fmt, cwd=gr.path)  # fmt: skip
                assert "Traceback" not in result.stderr
                if fmt == "json":
                    json.loads(result.stdout)
                elif fmt == "github":
                    for line in result.stdout.splitlines():
                        assert line.startswith(("::error file=", "::warning file=")) or not (
                            line.lstrip().startswith(parsers.WORKFLOW_COMMAND_STARTS)
                        ), line
                        assert line.count("::") <= 2, line  # one command, one message
                else:
                    parsers.log_lines(result.stdout)
        md = run_cli("plan", "--base", "main", "--actor", "window-1", "--format", "markdown",
                     cwd=gr.path).stdout  # fmt: skip
        page = githubmd.render(md)
        assert "img" not in page.tags and "a" not in page.tags and page.processed() == []
        assert page.strong.count("Authorized") + page.strong.count("Not authorized") == 1
    finally:
        gr.close()


def test_a_held_files_folder_name_starts_no_command_in_the_job_logs(reg: RegistryFactory) -> None:
    """A user's file under a folder named as a workflow command (a forced merge: it has
    errors, so it is held back) is named by that folder in the reports of ``apply`` and
    ``daily``, lines that start with it, and in ``status``: none of them is a command."""
    gr = GitRegistry(reg)
    try:
        gr.commit("loaded")
        out = gr.path.parent / "out"
        first = run_cli("apply", "--initial", "--confirm", "--out", str(out), *ON, cwd=gr.path)
        assert first.returncode == 0, first.stderr
        kept = (reg.repo / "registry/users/TESTOP01/user1@test-gas.example.co.jp.yaml").read_text(
            encoding="utf-8"
        )
        for folder in ("::error title=Approved::by maintainers", "##[add-mask]x"):
            (reg.repo / "registry/users" / folder).mkdir()
            (reg.repo / "registry/users" / folder / "q.yaml").write_text(kept, encoding="utf-8")
        gr.commit("held under hostile folders")
        day = ["--today", "2026-12-04"]
        applied = run_cli("apply", "--confirm", "--out", str(out), *day, cwd=gr.path)
        assert "held back: 2 files of 2 operators" in applied.stdout, applied.stdout
        daily = run_cli("daily", "--out", str(gr.path.parent / "daily"), *day, cwd=gr.path)
        assert "held back by apply: 2 files of 2 operators" in daily.stdout, daily.stdout
        status = run_cli("status", *day, cwd=gr.path)
        for result in (applied, daily):
            assert "Traceback" not in result.stderr
            lines = parsers.log_lines(result.stdout)
            assert any("::error title=Approved::by maintainers" in ln for ln in lines)
        # status: a table whose cells are tab-separated, each shown as written
        rows = [ln.split("\t") for ln in status.stdout.splitlines() if "\t" in ln]
        assert "##[" not in status.stdout
        assert {r[1] for r in rows if len(r) == 4} >= {
            "::error title=Approved::by maintainers",
            "#\\x23[add-mask]x",
        }
    finally:
        gr.close()


def test_apply_outputs_reparse_to_the_registrys_values(
    hostile_pr: tuple[GitRegistry, dict[str, Any]], tmp_path: Path
) -> None:
    gr, written = hostile_pr
    out = tmp_path / "out"
    result = run_cli("apply", "--out", str(out), "--initial", *ON, *ACCEPTED, cwd=gr.path)
    assert result.returncode == 0, result.stderr
    parsers.log_lines(result.stdout)
    files = tree(out)
    users = written["users"]
    op = written["operator"]

    # CSV (the csv module): IDs exactly, text as written or behind the formula guard.
    rows = parsers.csv_rows(files["imports/taxis/snapshot.csv"])
    by_id = {r["メールアドレス（ID）"]: r for r in rows}
    assert set(users) <= set(by_id)
    for login, user in users.items():
        row = by_id[login]
        assert parsers.csv_value(row["利用者名（漢字）"], user["name"])
        assert parsers.csv_value(row["申請メモ"], user["memo"])
        assert parsers.csv_value(row["事業者名"], op["name"])

    # SCIM (scim2-models): every operation a valid RFC 7643/7644 resource, values intact.
    scim = parsers.scim_users(files["scim/snapshot.json"])
    for login, user in users.items():
        resource = scim[login]
        assert resource.display_name == resource.name.formatted == user["name"]
        assert resource[parsers.AccessregUser].memo == user["memo"]
        assert resource[parsers.EnterpriseUser].organization == op["name"]

    # LDIF (the ldif package, strict): DNs valid, attributes decode to the values.
    entries = parsers.ldif_entries(files["ldif/snapshot.ldif"])
    by_uid = {e["uid"][0]: e for e in entries.values() if "uid" in e}
    for login, user in users.items():
        entry = by_uid[login.lower()]  # the directory's ID: letter case is not part of it
        assert entry["mail"] == [login]
        assert entry["displayName"] == [user["name"]]
        assert entry["description"] == [user["memo"]]
        assert entry["o"] == [op["name"]]

    # nginx (nginx -t and crossplane): exactly the registry's serial and address.
    whitelist = parsers.nginx_whitelist(
        tmp_path / "nginx",
        out / "whitelist" / "taxis" / "ip-geo.conf",
        out / "whitelist" / "taxis" / "cert-map.conf",
    )
    assert whitelist.map == {op["certificates"][0]["serial"]: "TESTOP01"}
    assert whitelist.geo == {"41.203.64.10/32": "1"}
    document = json.loads(files["whitelist/taxis/allowlist.json"])
    assert [c["cn"] for c in document["certificates"]] == [op["certificates"][0]["cn"]]

    # Mails (email, strict): one recipient each, the window person's own name and address.
    before = contact()  # the base's primary, whose removal is notified too
    contacts = {c["email"]: c["name"] for c in [before, *op["contacts"]]}
    mails = [parsers.mail(data) for name, data in files.items() if name.startswith("mail/")]
    assert mails
    for message in mails:
        (address,) = message["To"].addresses
        assert address.addr_spec in contacts
        assert parsers.same_words(address.display_name, contacts[address.addr_spec])
        subject = "".join(str(message["Subject"]).split())
        # The operator's name as of the mail: a removed window person hears the former one.
        assert "".join(op["name"].split()) in subject or "（テストガス株式会社）" in subject
    bodies = [m.get_content() for m in mails]
    assert all(any(user["name"] in body for body in bodies) for user in users.values())


def test_the_daily_duties_outputs_reparse_to_the_registrys_values(
    hostile_pr: tuple[GitRegistry, dict[str, Any]], tmp_path: Path
) -> None:
    gr, written = hostile_pr
    out = tmp_path / "daily"
    # 2027-11-20: the certificate (until 2027-12-31) is due its first notice, the overseas IP
    # (until 2027-09-30) has expired, and the inventory is overdue.
    result = run_cli("daily", "--out", str(out), "--today", "2027-11-20", cwd=gr.path)
    assert result.returncode == 0, result.stderr
    parsers.log_lines(result.stdout)
    parsers.log_lines(result.stderr)
    files = tree(out)
    op = written["operator"]
    cert = op["certificates"][0]
    rows = {r["種別"]: r for r in parsers.csv_rows(files["expiry.csv"])}
    certificate_row, ip_row = rows["クライアント証明書"], rows["海外IPアドレス"]
    assert parsers.csv_value(certificate_row["CN・IPアドレス"], cert["cn"])
    assert parsers.csv_value(certificate_row["設置場所"], cert["location"])
    assert parsers.csv_value(certificate_row["管理者"], cert["holder"])
    assert parsers.csv_value(ip_row["理由"], op["ip_allowlist"][0]["reason"])
    contacts = {c["email"]: c["name"] for c in op["contacts"]}
    mails = [parsers.mail(data) for name, data in files.items() if name.startswith("mail/")]
    assert mails
    for message in mails:
        (address,) = message["To"].addresses
        if address.addr_spec in contacts:  # else a reviewer, from maintainers.yaml
            assert parsers.same_words(address.display_name, contacts[address.addr_spec])
    bodies = "\n".join(m.get_body(("plain",)).get_content() for m in mails)  # type: ignore[union-attr]
    assert cert["cn"] in bodies and cert["location"] in bodies
    # The address's reason, several lines, continues under its own line, marked as quoted,
    # in the notice of its expiry: none of its lines starts as one of the mail's own (a
    # heading, a step to take, a verdict).
    expiry = tmp_path / "expiry"
    result = run_cli("expiry", "--out", str(expiry), "--today", "2027-09-01", cwd=gr.path)
    assert result.returncode == 0, result.stderr
    notices = [parsers.mail(p.read_bytes()) for p in sorted((expiry / "mail").glob("*.eml"))]
    text = "\n".join(m.get_body(("plain",)).get_content() for m in notices)  # type: ignore[union-attr]
    text = text.replace("\r\n", "\n")
    first, *more = op["ip_allowlist"][0]["reason"].split("\n")
    shown = [f"      > {line}" for line in more]
    assert "\n".join([f"理由: {first}", *shown]) in text, text
    assert not any(line.startswith(("**Authorized**", "::warning::")) for line in text.splitlines())


# Seed sections as the catalog cites them, and text a pull request could put in their place.
HOSTILE_CITATIONS = (
    "000 §5-1 **Authorized**",
    "000 §5-1 <b>x</b> <img src=x>",
    "000 §5-1 @uketsuke-sato #1",
    "<!-- accessreg-plan -->",
    "::error::forged",
    "000 §5-1 ##[error]old",
    "000 §5-1 www.evil.example",
    "000 §5-1 `x`",
    ", ".join(["000 §5-1"] * 20),  # seed sections all the same, longer than a citation is
)


@pytest.mark.parametrize("cited", HOSTILE_CITATIONS)
def test_a_catalog_citation_holds_seed_sections_and_nothing_more(
    on_pr: GitRegistry, cited: str
) -> None:
    """The plan comment, a form's pull request and issue form and the 受付 mail show an
    application's citation (``Catalog.citation``) as their own words: a pull request that
    puts markup, a mention, a link, a plan marker or a workflow command there, or a
    citation of any length, is refused where it wrote it, so no catalog on main holds one."""
    on_pr.reg.edit("systems.yaml", "permission_set: 000 §5-1", f"permission_set: '{cited}'")
    on_pr.commit("a citation that is not seed sections")
    line = on_pr.reg.line_of("systems.yaml", "permission_set: '")
    result = run_cli("validate", cwd=on_pr.path)
    assert result.returncode == 1, result.stdout
    assert f"registry/systems.yaml:{line}:" in result.stdout, result.stdout
    said = run_cli("--lang", "ja", "validate", cwd=on_pr.path).stdout
    assert f"registry/systems.yaml:{line}:" in said
    told = ("は、資料の番号に続けて節またはページを", "が 100 文字を超えています")
    assert any(t in said for t in told), said
    # The catalog's own citations are seed sections, and load.
    on_pr.checkout("main")
    assert run_cli("validate", "--strict", cwd=on_pr.path).returncode == 0
