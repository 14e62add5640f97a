"""``accessreg validate`` run as a user runs it: formats, exit codes, options, defaults."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import git
import pytest

from accessreg.escape import workflow_property
from accessreg.files.schemacheck import PATTERNS
from accessreg.model.messages import msg
from accessreg.model.problems import Level, Problem
from accessreg.reporting import reporters
from accessreg.reporting.headlines import FOR_APPLICANTS
from tests.helpers.annotations import title
from tests.helpers.regfactory import (
    OPERATOR,
    ROOT,
    USER,
    RegistryFactory,
    certificate,
    run_cli,
    shown,
)

pytestmark = pytest.mark.usefixtures("english")  # they read the English words


TODAY = "2026-11-22"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
TEXT_LINE = re.compile(
    r"^(?P<file>\S+):(?P<line>\d+):(?P<col>\d+): \[(error|warning)\] .+ \([a-z-]+\)$"
)


def validate(reg: RegistryFactory, *args: str) -> tuple[int, str, str]:
    result = run_cli("validate", "--registry", "registry", "--today", TODAY, *args, cwd=reg.repo)
    return result.returncode, result.stdout, result.stderr


def abolished_code(reg: RegistryFactory) -> int:
    """Give the baseline user the abolished TAXIS 1110; return the line of the code."""
    reg.user(permissions={"taxis": "1110"})
    return reg.line_of(USER, "taxis:")


# --- formats ---------------------------------------------------------------------------------


def test_clean_registry_prints_nothing_and_exits_0(reg: RegistryFactory) -> None:
    code, out, err = validate(reg)
    assert (code, out) == (0, "")
    assert err.strip() == "5 files checked: 0 errors, 0 warnings"


def test_text_format_is_file_line_col_level_message_rule(reg: RegistryFactory) -> None:
    line = abolished_code(reg)
    code, out, err = validate(reg)
    assert code == 1
    assert out == (
        f"{shown(USER)}:{line}:3: [error] taxis code 1110 (subcontractor) was abolished on "
        "2022-01-24: write 1011 instead (permission-abolished)\n"
    )
    assert "1 error, 0 warnings" in err


def test_json_format(reg: RegistryFactory) -> None:
    line = abolished_code(reg)
    code, out, _ = validate(reg, "--format", "json")
    assert code == 1
    assert json.loads(out) == [
        {
            "file": shown(USER),
            "line": line,
            "col": 3,
            "level": "error",
            "rule": "permission-abolished",
            "message": "taxis code 1110 (subcontractor) was abolished on 2022-01-24: write 1011 "
            "instead",
            "path": "permissions/taxis",
        }
    ]


def test_json_format_of_a_clean_registry_is_an_empty_list(reg: RegistryFactory) -> None:
    code, out, _ = validate(reg, "--format", "json")
    assert (code, json.loads(out)) == (0, [])


def test_github_format_is_workflow_commands(reg: RegistryFactory) -> None:
    line = abolished_code(reg)
    reg.edit(OPERATOR, "# yaml-language-server: $schema=", "# schema: ")
    code, out, _ = validate(reg, "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        f"::warning file={shown(OPERATOR)},line=1,col=1,title={title('schema-comment')}::Make "
        "the first line # yaml-language-server: $schema=../../schemas/operator.schema.json so "
        "that editors check the file as it is typed (schema-comment)",
        f"::error file={shown(USER)},line={line},col=3,title={title('permission-abolished')}::"
        "taxis code 1110 (subcontractor) was abolished on 2022-01-24: write 1011 instead "
        "(permission-abolished)",
    ]


def test_an_annotation_is_titled_with_what_its_rule_means_in_the_runs_language(
    reg: RegistryFactory,
) -> None:
    """The window person reads the title above the message on the changed line: what the
    finding means, in the words of the issue form's comment, not the rule's id."""
    abolished_code(reg)
    args = ("validate", "--registry", "registry", "--today", TODAY, "--format", "github")
    ja = run_cli("--lang", "ja", *args, cwd=reg.repo)
    assert ja.returncode == 1, ja.stderr
    titles = re.findall(r",title=([^:]*)::", ja.stdout)
    assert titles == [workflow_property(FOR_APPLICANTS["permission-abolished"])]
    assert ja.stdout.rstrip().endswith("(permission-abolished)")  # where to read more
    en = run_cli("--lang", "en", *args, cwd=reg.repo)
    assert re.findall(r",title=([^:]*)::", en.stdout) == [
        workflow_property("A permission code that has been abolished is still held.")
    ]


def test_github_format_escapes_properties_and_data(reg: RegistryFactory) -> None:
    reg.write("users/TESTOP01/50%,a:b.txt", "x\n")
    reg.user(name_kana="シケン 100%")
    _, out, _ = validate(reg, "--format", "github")
    lines = out.splitlines()
    assert lines[0].startswith("::error file=registry/users/TESTOP01/50%25%2Ca%3Ab.txt,line=1,")
    assert "シケン 100%25: Write user name (kana) in full-width katakana" in lines[1]
    assert lines[1].startswith(f"::error file={shown(USER)},line=4,col=1,title={title('schema')}::")


def test_github_reporter_escapes_newlines() -> None:
    p = Problem("a,b:c.yaml", 2, 1, "rule-id", Level.ERROR, msg("{v}", v="one\r\ntwo 100%"))
    assert reporters.github([p]) == (
        f"::error file=a%2Cb%3Ac.yaml,line=2,col=1,title={title('rule-id')}::one%0D%0Atwo 100%25 "
        "(rule-id)\n"
    )


def test_github_reporter_annotates_ten_of_each_level_and_lists_the_rest() -> None:
    """GitHub drops a step's error and warning commands past the tenth of each without a
    word: the rest are listed as text in the log, and a notice says how many."""
    problems = [
        Problem(f"registry/users/OP/{i}.yaml", 1, 1, "rule-id", level, msg("{v}", v=str(i)))
        for i, level in enumerate([Level.ERROR] * 12 + [Level.WARNING] * 11)
    ]
    lines = reporters.github(problems).splitlines()
    commands = [line.split(" ", 1)[0] for line in lines if line.startswith("::")]
    assert commands == ["::error"] * 10 + ["::warning"] * 10 + ["::notice::3"]
    assert lines[20] == (
        "::notice::3 more problems are not shown beside the changed lines (GitHub shows 10 "
        "errors and 10 warnings a step): they are listed in this step's log, after the others."
    )
    assert lines[21:] == reporters.text(problems[10:12] + problems[22:]).splitlines()
    assert all(TEXT_LINE.match(line) for line in lines[21:])


def test_github_reporter_annotates_every_problem_up_to_ten_of_each() -> None:
    problems = [
        Problem(f"registry/users/OP/{i}.yaml", 1, 1, "rule-id", level, msg("x"))
        for level in (Level.ERROR, Level.WARNING)
        for i in range(10)
    ]
    out = reporters.github(problems)
    assert "::notice" not in out
    assert [line.split(" ", 1)[0] for line in out.splitlines()] == (
        ["::error"] * 10 + ["::warning"] * 10
    )


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("en", "::notice::{n} more problems are not shown beside the changed lines"),
        ("ja", "::notice::ほか {n} 件の問題は変更行の横に表示されていません"),
    ],
)
def test_validate_github_format_says_how_many_problems_are_not_annotated(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch, lang: str, notice: str
) -> None:
    monkeypatch.setenv("ACCESSREG_LANG", lang)
    for i in range(12):
        reg.write(f"users/TESTOP01/broken{i:02}@example.jp.yaml", "name: [unclosed\n")
    code, out, _ = validate(reg, "--format", "github")
    _, listed, _ = validate(reg, "--format", "json")
    problems = json.loads(listed)
    seen: dict[str, int] = {}
    beyond = []
    for p in problems:  # past the tenth of its level
        seen[p["level"]] = seen.get(p["level"], 0) + 1
        if seen[p["level"]] > 10:
            beyond.append(f"{p['file']}:{p['line']}:{p['col']}: [{p['level']}]")
    assert code == 1
    assert seen["error"] == 12
    lines = out.splitlines()
    annotated = [line for line in lines if line.startswith(("::error ", "::warning "))]
    assert len(annotated) == 10 + min(10, seen.get("warning", 0))
    notices = [line for line in lines if line.startswith("::notice::")]
    assert len(notices) == 1
    assert notices[0].startswith(notice.format(n=len(beyond)))
    listed_after = lines[lines.index(notices[0]) + 1 :]
    assert [line.split(" ", 1)[0] + " " + line.split(" ", 2)[1] for line in listed_after] == beyond


def test_unknown_format_is_a_usage_error(reg: RegistryFactory) -> None:
    code, out, err = validate(reg, "--format", "xml")
    assert (code, out) == (2, "")
    assert "--format" in err


# --- exit codes, --strict, --today -----------------------------------------------------------


def test_warning_exits_0_and_fails_with_strict(reg: RegistryFactory) -> None:
    for i in range(1, 7):
        reg.user(email=f"juju{i}@test-gas.example.co.jp", permissions={"juju": "granted"})
    code, out, err = validate(reg)
    assert code == 0
    assert (
        "[warning] juju granted is held by more than 5 users of TESTOP01 (permission-limit)" in out
    )
    assert "0 errors, 1 warning" in err
    code, strict_out, _ = validate(reg, "--strict")
    assert (code, strict_out) == (1, out)


def test_missing_registry_directory_exits_2(reg: RegistryFactory) -> None:
    result = run_cli("validate", "--registry", "no-such-dir", cwd=reg.repo)
    assert (result.returncode, result.stdout) == (2, "")
    assert "No registry directory" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("day", ["2026-13-01", "22/11/2026", "tomorrow"])
def test_bad_today_exits_2(reg: RegistryFactory, day: str) -> None:
    result = run_cli("validate", "--registry", "registry", "--today", day, cwd=reg.repo)
    assert (result.returncode, result.stdout) == (2, "")
    assert "--today" in result.stderr
    assert "Traceback" not in result.stderr


def test_today_fixes_date_rules(reg: RegistryFactory) -> None:
    reg.operator(certificates=[certificate(1, not_after="2026-12-31")])
    assert run_cli("validate", "--today", "2026-12-31", cwd=reg.repo).returncode == 0
    late = run_cli("validate", "--today", "2027-01-01", "--strict", cwd=reg.repo)
    assert late.returncode == 1
    assert "Certificate EP-TEST-0001 expired on 2026-12-31: remove it" in late.stdout


def test_without_today_the_current_date_counts(reg: RegistryFactory) -> None:
    entry = {"cidr": "41.203.64.10/32", "reason": "出張", "expires_on": "2000-01-02"}
    reg.operator(ip_allowlist=[entry])
    before = run_cli("validate", "--today", "2000-01-01", cwd=reg.repo)
    now = run_cli("validate", cwd=reg.repo)
    assert "(ip-allowlist-expired)" not in before.stdout
    assert "41.203.64.10/32 expired on 2000-01-02: renew it" in now.stdout


# --- every problem ---------------------------------------------------------------------------


def test_every_problem_of_every_file_is_reported(reg: RegistryFactory) -> None:
    broken_yaml = "users/TESTOP01/user2@test-gas.example.co.jp.yaml"
    duplicate = "users/TESTOP01/user3@test-gas.example.co.jp.yaml"
    several = "users/TESTOP01/user4@test-gas.example.co.jp.yaml"
    reg.user(email="user2@test-gas.example.co.jp")
    reg.edit(broken_yaml, "name: 試験 太郎", "name: 試験: 太郎")
    reg.user(email="user3@test-gas.example.co.jp")
    reg.edit(duplicate, "  johs: J1010", "  johs: J1010\n  johs: J1010")
    reg.user(
        email="user4@test-gas.example.co.jp",
        name_kana="しけん",
        affiliation="testop01",
        permissions={"taxis": 1011},
    )
    reg.user(permissions={"taxis": "1110", "info_site": "granted"})  # two rule problems
    reg.edit(OPERATOR, "# yaml-language-server: $schema=", "# schema: ")  # a warning
    code, out, err = validate(reg, "--format", "json")
    assert code == 1
    got = sorted((p["file"], p["rule"], p["line"]) for p in json.loads(out))
    assert got == sorted(
        [
            (shown(broken_yaml), "yaml-syntax", reg.line_of(broken_yaml, "試験:")),
            (shown(duplicate), "yaml-duplicate-key", reg.line_of(duplicate, "johs:", 2)),
            (shown(several), "schema", reg.line_of(several, "name_kana:")),
            (shown(several), "schema", reg.line_of(several, "affiliation:")),
            (shown(several), "schema", reg.line_of(several, "taxis:")),
            (shown(USER), "permission-abolished", reg.line_of(USER, "taxis:")),
            (shown(USER), "permission-derived", reg.line_of(USER, "info_site:")),
            (shown(OPERATOR), "schema-comment", 1),
        ]
    )
    _, text, err = validate(reg)
    assert len(text.splitlines()) == 8
    assert all(TEXT_LINE.match(line) for line in text.splitlines())
    assert err.strip() == "8 files checked: 7 errors, 1 warning"


# --- where the registry is -------------------------------------------------------------------


def test_from_the_repository_root_the_registry_defaults_to_registry(reg: RegistryFactory) -> None:
    git.Repo.init(reg.repo)
    line = abolished_code(reg)
    result = run_cli("validate", "--today", TODAY, cwd=reg.repo)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{shown(USER)}:{line}:3: [error]")


def test_from_a_subdirectory_the_repositorys_registry_is_found(reg: RegistryFactory) -> None:
    git.Repo.init(reg.repo)
    abolished_code(reg)
    result = run_cli("validate", "--today", TODAY, cwd=reg.root / "users" / "TESTOP01")
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    path = line.split(":", 1)[0]
    assert Path(path).resolve() == (reg.root / USER).resolve()


def test_outside_a_repository_without_registry_exits_2(tmp_path: Path) -> None:
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "No registry directory" in result.stderr
    assert "--registry" in result.stderr


# --- committed schemas -----------------------------------------------------------------------


def test_stale_committed_schema_is_reported(reg: RegistryFactory) -> None:
    shutil.copytree(ROOT / "schemas", reg.repo / "schemas")
    assert validate(reg)[0] == 0
    reg.edit("systems.yaml", "label: 権限あり", "label: 権限あり（参照）")
    code, out, _ = validate(reg)
    assert code == 1
    assert out.startswith("schemas/user.schema.json:1:1: [error] ")
    assert out.rstrip().endswith("(schema-stale)")
    assert run_cli("schemas", cwd=reg.repo).returncode == 0
    assert validate(reg)[0] == 0


def _schema_texts(node: Any, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every (key, text) an editor shows of a schema: titles, descriptions, pattern messages."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "description", "patternErrorMessage") and isinstance(value, str):
                found.append((key, value))
            else:
                _schema_texts(value, found)
    elif isinstance(node, list):
        for value in node:
            _schema_texts(value, found)
    return found


def test_the_committed_schemas_speak_japanese_whatever_the_runs_language(
    reg: RegistryFactory,
) -> None:
    # Editors show these as a window person types; the run's --lang must not make them stale.
    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        texts = _schema_texts(json.loads(path.read_text(encoding="utf-8")), [])
        assert len(texts) >= 3, path
        for key, text in texts:
            assert JAPANESE.search(text), f"{path.name}: {key}: {text}"
    shutil.copytree(ROOT / "schemas", reg.repo / "schemas")
    for lang in ("en", "ja"):
        result = run_cli("--lang", lang, "validate", "--registry", "registry", cwd=reg.repo)
        assert result.returncode == 0, result.stdout


def _patterns(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return found.union(*(_patterns(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_patterns(value) for value in node))
    return set()


def test_every_pattern_of_the_schemas_has_its_sentence() -> None:
    """A value that fails a pattern is told what to write (``schemacheck.PATTERNS``), in
    the editor and by validate: a pattern without its sentence got "compare with the
    sample registry" (an operator's own code did)."""
    patterns = set().union(
        *(
            _patterns(json.loads(path.read_text(encoding="utf-8")))
            for path in (ROOT / "schemas").glob("*.schema.json")
        )
    )
    assert len(patterns) >= 10
    assert sorted(patterns - set(PATTERNS)) == []


def test_an_editor_and_validate_say_a_failed_pattern_in_the_same_words(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCESSREG_LANG")
    shutil.copytree(ROOT / "schemas", reg.repo / "schemas")
    reg.user(email="user1@test-gas.example.co.jp", name_kana="しけん たろう")
    reg.edit(USER, "email: user1@test-gas.example.co.jp", "email: user1@@test-gas.example.co.jp")
    reg.edit(OPERATOR, "code: TESTSUB1", "code: testsub1")
    reg.edit(USER, "affiliation: TESTOP01", "affiliation: testop01")
    said = run_cli("validate", "--registry", "registry", cwd=reg.repo).stdout.splitlines()

    def editor(kind: str, *path: str) -> str:
        node = json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        for key in path:
            node = node[key]
        message = node["patternErrorMessage"]
        assert isinstance(message, str)
        return message

    for rel, needle, words in (
        (USER, "email:", editor("user", "properties", "email")),
        (USER, "name_kana:", editor("user", "properties", "name_kana")),
        (USER, "affiliation:", editor("user", "properties", "affiliation")),
        # A definition speaks as the field that holds it: a subcontractor's code.
        (
            OPERATOR,
            "code: testsub1",
            editor("operator", "$defs", "Subcontractor", "properties", "code"),
        ),
    ):
        [line] = [x for x in said if x.startswith(f"registry/{rel}:{reg.line_of(rel, needle)}:")]
        assert line.endswith(f": {words} (schema)"), (needle, line)  # `{value}: {how} (rule)`


def test_japanese_by_default_english_on_request(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCESSREG_LANG")
    abolished_code(reg)
    default = run_cli("validate", cwd=reg.repo)
    assert (
        "託送システム（taxis） の権限コード 1110（委託先事業者） は 2022-01-24 に廃止されました。"
        "代わりに 1011 と書いてください" in default.stdout
    )
    assert default.stderr.strip() == "5 ファイルを検査: エラー 1 件、警告 0 件"
    english = run_cli("--lang", "en", "validate", cwd=reg.repo)
    assert "taxis code 1110 (subcontractor) was abolished on 2022-01-24: write 1011 instead" in (
        english.stdout
    )
    by_env = run_cli("validate", cwd=reg.repo, env={"ACCESSREG_LANG": "en"})
    by_locale = run_cli("validate", cwd=reg.repo, env={"LANG": "en_US.UTF-8"})
    assert english.stdout == by_env.stdout == by_locale.stdout
    # The option wins over the environment; rule ids and paths are the same in both.
    forced = run_cli("--lang", "ja", "validate", cwd=reg.repo, env={"ACCESSREG_LANG": "en"})
    assert forced.stdout == default.stdout
    assert [line.split(" ")[0] for line in default.stdout.splitlines()] == [
        line.split(" ")[0] for line in english.stdout.splitlines()
    ]
