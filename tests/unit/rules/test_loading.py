"""Rules applied while files are read: YAML traps, file places, schemas (rules/loading.py)."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from accessreg import i18n
from accessreg.cli.generated_files import stale_problems
from accessreg.files.loading import load_maintainers
from accessreg.files.sources import DirectorySource
from accessreg.files.yamlsafe import MAX_FILE_BYTES
from accessreg.model import MaintainersFile
from accessreg.review import codeowners
from accessreg.validation.validate import validate
from tests.helpers.regfactory import (
    OPERATOR,
    ROOT,
    TODAY,
    USER,
    RegistryFactory,
    certificate,
    contact,
    shown,
)


def test_baseline_is_clean(reg: RegistryFactory) -> None:
    assert reg.found() == []


# --- YAML ----------------------------------------------------------------------------------


def test_yaml_syntax(reg: RegistryFactory) -> None:
    reg.edit(USER, "name: 試験 太郎", "name: 試験: 太郎")
    assert reg.found() == [("yaml-syntax", shown(USER), reg.line_of(USER, "試験:"), "error")]


def test_yaml_syntax_says_which_of_two_mistakes_a_second_colon_is(
    reg: RegistryFactory,
) -> None:
    """The parser words both alike: a colon in a value, and a key indented deeper than the
    one above it (read as more of that value)."""
    reg.edit(USER, "name: 試験 太郎", "name: 試験: 太郎")
    [p] = reg.validate().problems
    assert p.message.english().startswith("A second colon followed by a space on this line")
    reg.edit(USER, "name: 試験: 太郎", "name: 試験 太郎")
    reg.edit(USER, "name_kana: ", "   name_kana: ")
    [p] = reg.validate().problems
    assert (p.rule, p.line) == ("yaml-syntax", reg.line_of(USER, "   name_kana:"))
    assert p.message.english().startswith("This line is indented deeper than the key above it")


def test_yaml_syntax_tab_indent(reg: RegistryFactory) -> None:
    reg.edit(USER, "  johs: J1010", "\tjohs: J1010")
    assert reg.found() == [("yaml-syntax", shown(USER), reg.line_of(USER, "\tjohs"), "error")]


def test_not_utf8_is_a_one_line_yaml_syntax_problem_on_its_line(reg: RegistryFactory) -> None:
    raw = (reg.root / USER).read_bytes().replace("試験 太郎".encode(), b"Ren\xe9")
    reg.write(USER, raw)
    [p] = reg.validate().problems
    assert (p.rule, p.line) == ("yaml-syntax", 3)
    assert "UTF-8" in p.message.english()
    assert "\n" not in p.message.english()


def test_yaml_syntax_second_document(reg: RegistryFactory) -> None:
    reg.write(USER, (reg.root / USER).read_text() + "---\nemail: other@test-gas.example.co.jp\n")
    assert reg.found() == [("yaml-syntax", shown(USER), reg.line_of(USER, "---"), "error")]
    [p] = reg.validate().problems
    assert p.message.english().startswith("A second document starts here (---)")


def test_yaml_syntax_utf16(reg: RegistryFactory) -> None:
    # YAML allows UTF-16, but a reviewer's diff would show a binary file.
    reg.write(USER, (reg.root / USER).read_text().encode("utf-16"))
    rules = [(rule, line, level) for rule, _, line, level in reg.found()]
    assert ("yaml-syntax", 1, "error") in rules


def test_yaml_syntax_complex_key(reg: RegistryFactory) -> None:
    reg.edit(USER, "  johs: J1010", "  ? [johs, juju]\n  : J1010")
    line = reg.line_of(USER, "? [johs")
    assert reg.found() == [("yaml-syntax", shown(USER), line, "error")]


def test_yaml_duplicate_key(reg: RegistryFactory) -> None:
    reg.edit(USER, "  johs: J1010", "  johs: J1010\n  taxis: '1010'")
    line = reg.line_of(USER, "taxis: '1010'")
    assert reg.found() == [("yaml-duplicate-key", shown(USER), line, "error")]


def test_yaml_duplicate_key_in_a_nested_mapping(reg: RegistryFactory) -> None:
    reg.edit(OPERATOR, "  phone:", "  role: deputy\n  phone:")
    line = reg.line_of(OPERATOR, "role: deputy")
    assert reg.found() == [("yaml-duplicate-key", shown(OPERATOR), line, "error")]


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("name: 試験 太郎", "name: &who 試験 太郎", "&who"),
        ("name: 試験 太郎", "name: 試験 太郎\nmemo: *ref", "*ref"),
        ("permissions:", "permissions: &p", "&p"),
    ],
    ids=["anchor", "alias", "anchor-on-mapping"],
)
def test_yaml_anchor(reg: RegistryFactory, old: str, new: str, needle: str) -> None:
    reg.edit(USER, old, new)
    assert reg.found() == [("yaml-anchor", shown(USER), reg.line_of(USER, needle), "error")]


def test_ampersand_and_star_in_plain_text_are_not_anchors(reg: RegistryFactory) -> None:
    reg.user(memo="R&D 部 * 兼務 !重要")
    assert reg.found() == []


@pytest.mark.parametrize("tag", ["!!str", "!custom", "!!python/object:os.system"])
def test_yaml_tag(reg: RegistryFactory, tag: str) -> None:
    reg.edit(USER, "  johs: J1010", f"  johs: {tag} J1010")
    assert reg.found() == [("yaml-tag", shown(USER), reg.line_of(USER, tag), "error")]


def test_file_too_large(reg: RegistryFactory) -> None:
    reg.user(memo="x" * MAX_FILE_BYTES)
    assert reg.found() == [("file-too-large", shown(USER), 1, "error")]


def test_file_at_the_size_cap_is_read(reg: RegistryFactory) -> None:
    size = len((reg.root / USER).read_bytes())
    reg.user(memo="")
    filler = MAX_FILE_BYTES - len((reg.root / USER).read_bytes())
    assert filler > size // 2  # sanity: the file is far below the cap before filling
    reg.user(memo="x" * (filler + 2))  # memo: '' holds two quotes, memo: xx… none
    assert len((reg.root / USER).read_bytes()) == MAX_FILE_BYTES
    assert reg.found() == []


# --- where files are -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        "users/TESTOP01/notes.txt",
        "users/TESTOP01/user2@test-gas.example.co.jp.yml",
        "operators/old/TESTOP02.yaml",
        "users/user3@test-gas.example.co.jp.yaml",
        "TESTOP02.yaml",
        # A user's file in the operators' folder: no operator code holds an @.
        "operators/user3@test-gas.example.co.jp.yaml",
    ],
)
def test_file_location(reg: RegistryFactory, rel: str) -> None:
    reg.write(rel, "# a file in the wrong place\n")
    assert reg.found() == [("file-location", shown(rel), 1, "error")]


def test_readme_and_gitkeep_may_sit_in_the_registry(reg: RegistryFactory) -> None:
    reg.write("README.md", "# registry\n")
    reg.write("users/.gitkeep", "")
    assert reg.found() == []


def test_file_missing(reg: RegistryFactory) -> None:
    (reg.root / "systems.yaml").unlink()
    assert reg.found() == [("file-missing", shown("systems.yaml"), 1, "error")]


def test_broken_catalog_is_reported_and_stops_only_the_cross_file_rules(
    reg: RegistryFactory,
) -> None:
    reg.edit(
        "systems.yaml",
        "    provider: tokyo_gas_network",
        "    provider: tokyo gas",
    )
    line = reg.line_of("systems.yaml", "provider: tokyo gas")
    assert reg.found() == [("schema", shown("systems.yaml"), line, "error")]


# --- schema ----------------------------------------------------------------------------------


def test_schema_unquoted_numeric_code(reg: RegistryFactory) -> None:
    reg.edit(USER, "taxis: '1011'", "taxis: 1011")
    assert reg.found() == [("schema", shown(USER), reg.line_of(USER, "taxis:"), "error")]
    [p] = reg.validate().problems
    assert p.message.english() == (
        "Quote the permission for taxis like '1011': without quotes it is read as a number"
    )


def test_schema_unquoted_code_with_a_leading_zero(reg: RegistryFactory) -> None:
    # YAML 1.1 reads 02011 as an octal number: it must be quoted like every numeric code.
    reg.user(permissions={"loacus": "02011"})
    reg.edit(USER, "loacus: '02011'", "loacus: 02011")
    assert reg.found() == [("schema", shown(USER), reg.line_of(USER, "loacus:"), "error")]


def test_schema_unknown_permission_code_names_the_codes(reg: RegistryFactory) -> None:
    reg.user(permissions={"taxis": "1013"})
    assert reg.found() == [("schema", shown(USER), reg.line_of(USER, "taxis:"), "error")]
    [p] = reg.validate().problems
    assert "1013" in p.message.english()
    assert "1010, 1011, 1012" in p.message.english()


def test_schema_unknown_system(reg: RegistryFactory) -> None:
    reg.user(permissions={"taxis": "1011", "jnote": "granted"})
    assert reg.found() == [("schema", shown(USER), reg.line_of(USER, "jnote:"), "error")]


def test_schema_names_a_permissions_system_as_the_forms_do(reg: RegistryFactory) -> None:
    """A permission's system by its name on the forms, with the key the file writes."""
    reg.user(permissions={"taxis": "1013"})
    [p] = reg.validate().problems
    assert i18n.text(p.message, "ja").startswith("1013 は託送システム（taxis） の権限に使えません")
    reg.user(permissions={"taxi": "1011"})
    [p] = reg.validate().problems
    assert i18n.text(p.message, "ja") == (
        "`taxi` というシステムはありません。託送システム（taxis） の誤りではありませんか"
    )
    reg.edit(USER, "taxi: '1011'", 'taxis: "10\\u200b11"')
    [p] = reg.validate().problems
    assert p.rule == "text-control"
    assert i18n.text(p.message, "ja").startswith("託送システム（taxis） の権限に ")


def test_schema_unknown_key_points_at_the_key(reg: RegistryFactory) -> None:
    reg.user(memo="x", nmae="試験 太郎")
    assert reg.found() == [("schema", shown(USER), reg.line_of(USER, "nmae:"), "error")]
    [p] = reg.validate().problems
    assert p.message.english() == "`nmae` is not a key of this file: did you mean `name`?"


def test_schema_two_unknown_keys_are_two_problems(reg: RegistryFactory) -> None:
    reg.user(nmae="試験 太郎", afiliation="TESTOP01")
    assert reg.found() == [
        ("schema", shown(USER), reg.line_of(USER, "nmae:"), "error"),
        ("schema", shown(USER), reg.line_of(USER, "afiliation:"), "error"),
    ]


@pytest.mark.parametrize(
    "email",
    [
        "taro(yamada)@test-gas.example.co.jp",  # parentheses before @
        "taro yamada@test-gas.example.co.jp",  # space
        "taro@test_gas.example.co.jp",  # underscore after @
        "たろう@test-gas.example.co.jp",  # not ASCII
        "taro@localhost",  # cannot receive internet mail
        "taro",
        ".taro@test-gas.example.co.jp",  # not an address as RFC 5322 writes one
        "taro.@test-gas.example.co.jp",
        "ta..ro@test-gas.example.co.jp",
        "taro@-test-gas.example.co.jp",  # no host name starts or ends with a hyphen
        "taro@test-gas-.example.co.jp",
        "taro@test-gas..example.co.jp",
    ],
)
def test_schema_login_id_characters(reg: RegistryFactory, email: str) -> None:
    (reg.root / USER).unlink()
    path = reg.user(email=email)
    rel = path.relative_to(reg.root).as_posix()
    assert reg.found() == [("schema", shown(rel), reg.line_of(rel, "email:"), "error")]
    [p] = reg.validate().problems
    assert "000 §5-1 note 3" in p.message.english()


def test_schema_login_id_allows_every_character_of_the_seed(reg: RegistryFactory) -> None:
    (reg.root / USER).unlink()
    reg.user(email="a-b_c~d.e$f&g'h`i^j=k@sub-1.test-gas.example.co.jp")
    assert reg.found() == []


def test_schema_contact_email_follows_the_login_id_rule(reg: RegistryFactory) -> None:
    reg.edit(OPERATOR, "email: window1@", "email: window 1@")
    line = reg.line_of(OPERATOR, "window 1@")
    assert reg.found() == [("schema", shown(OPERATOR), line, "error")]


@pytest.mark.parametrize(
    "serial",
    ["7a0001", "7A:00:01", "7A001", "007A01", "0x7A01", "7A 01"],
    ids=["lower-case", "colons", "odd-length", "leading-zero-byte", "prefix", "space"],
)
def test_schema_bad_serial(reg: RegistryFactory, serial: str) -> None:
    reg.operator(certificates=[certificate(1, serial=serial)])
    line = reg.line_of(OPERATOR, "serial:")
    assert reg.found() == [("schema", shown(OPERATOR), line, "error")]
    [p] = reg.validate().problems
    assert "upper-case hexadecimal, without colons or spaces" in p.message.english()


@pytest.mark.parametrize("field", ["name", "name_kana", "affiliation", "permissions", "email"])
def test_schema_missing_required_field(reg: RegistryFactory, field: str) -> None:
    reg.user(**{field: None, "rel": USER})
    [p] = reg.validate().problems
    assert (p.rule, p.file, p.level) == ("schema", shown(USER), "error")
    assert p.message.english().startswith(f"`{field}` (")
    assert p.message.english().endswith(") is missing: add it")
    assert p.line == 2  # the document's mapping, where the key is missing


def test_schema_terminated_without_terminated_on(reg: RegistryFactory) -> None:
    (reg.root / USER).unlink()  # a terminated operator keeps no users
    reg.operator(status="terminated")
    [p] = reg.validate().problems
    assert (p.rule, p.file, p.level) == ("schema", shown(OPERATOR), "error")
    assert p.message.english() == "`terminated_on` (termination date) is missing: add it"


def test_schema_terminated_with_terminated_on_is_clean(reg: RegistryFactory) -> None:
    (reg.root / USER).unlink()
    reg.operator(status="terminated", terminated_on="2026-03-31")
    assert reg.found() == []


def test_schema_not_a_mapping(reg: RegistryFactory) -> None:
    modeline = (reg.root / USER).read_text().splitlines()[0]
    reg.write(USER, f"{modeline}\n- user1@test-gas.example.co.jp\n")
    assert reg.found() == [("schema", shown(USER), 2, "error")]


def test_schema_invalid_date(reg: RegistryFactory) -> None:
    reg.operator(status="terminated", terminated_on="2026-02-30")
    (reg.root / USER).unlink()
    line = reg.line_of(OPERATOR, "terminated_on:")
    assert reg.found() == [("schema", shown(OPERATOR), line, "error")]


def test_schema_names_the_failing_branch_of_a_choice(reg: RegistryFactory) -> None:
    # A closed day is a date or a {from, to} range: a bad date is not "not an object".
    reg.edit("calendar.yaml", "closed: []", "closed: [2018-12-32]")
    line = reg.line_of("calendar.yaml", "2018-12-32")
    assert reg.found() == [("schema", shown("calendar.yaml"), line, "error")]
    [p] = reg.validate().problems
    assert p.message.english() == (
        "2018-12-32 is not a date: write closed day as year-month-day, e.g. 2026-04-01"
    )


def test_schema_every_violation_of_a_file_is_reported(reg: RegistryFactory) -> None:
    reg.user(name_kana="しけん たろう", affiliation="testop01", permissions={"taxis": 1011})
    assert reg.found() == [
        ("schema", shown(USER), reg.line_of(USER, "name_kana:"), "error"),
        ("schema", shown(USER), reg.line_of(USER, "affiliation:"), "error"),
        ("schema", shown(USER), reg.line_of(USER, "taxis:"), "error"),
    ]


# --- schema-comment --------------------------------------------------------------------------


def test_schema_comment_missing_is_a_warning_on_line_1(reg: RegistryFactory) -> None:
    reg.edit(USER, "# yaml-language-server: $schema=", "# schema: ")
    assert reg.found() == [("schema-comment", shown(USER), 1, "warning")]


def test_schema_comment_after_a_byte_order_mark_is_accepted(reg: RegistryFactory) -> None:
    # Editors on Windows may save UTF-8 with a BOM; YAML allows it.
    reg.write(USER, b"\xef\xbb\xbf" + (reg.root / USER).read_bytes())
    assert reg.found() == []


# --- schema-stale and generated-stale (the validate command reports them beside the rest:
# tests/cli/test_generated_stale.py) -------------------------------------------------------


def _validate_with_schemas(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, str, int, str]]:
    monkeypatch.chdir(reg.repo)  # paths beside the registry are shown from where one stands
    result = validate(DirectorySource(reg.root, "registry"), TODAY)
    return [(p.rule, p.file, p.line, str(p.level)) for p in stale_problems(reg.root, result)]


def test_schema_stale(reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "schemas", reg.repo / "schemas")
    assert _validate_with_schemas(reg, monkeypatch) == []
    reg.edit("systems.yaml", "label: 権限あり", "label: 権限あり（参照）")
    assert _validate_with_schemas(reg, monkeypatch) == [
        ("schema-stale", "schemas/user.schema.json", 1, "error")
    ]


def test_schema_missing_from_schemas_dir_is_stale(
    reg: RegistryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "schemas", reg.repo / "schemas")
    (reg.repo / "schemas" / "calendar.schema.json").unlink()
    assert _validate_with_schemas(reg, monkeypatch) == [
        ("schema-stale", "schemas/calendar.schema.json", 1, "error")
    ]


def test_generated_stale_reads_what_validate_loaded(reg: RegistryFactory) -> None:
    """With the registry validate loaded, its maintainers decide CODEOWNERS; without one
    (the incremental check), the work tree's file does."""
    (reg.repo / ".github").mkdir()
    (reg.repo / ".github" / "CODEOWNERS").write_text(
        codeowners.render(load_maintainers(reg.root)), encoding="utf-8"
    )
    result = validate(DirectorySource(reg.root, "registry"), TODAY)
    assert stale_problems(reg.root, replace(result, registry=None)) == []
    registry = result.registry
    assert registry is not None and registry.maintainers is not None
    fewer = MaintainersFile(maintainers=registry.maintainers.maintainers[:1])
    [p] = stale_problems(reg.root, replace(result, registry=replace(registry, maintainers=fewer)))
    assert (p.rule, p.line, p.level) == ("generated-stale", 1, "error")


def test_a_symbolic_link_or_a_directory_where_a_file_belongs_is_no_file(
    reg: RegistryFactory, tmp_path: Path
) -> None:
    """A link is never followed nor read (its target could be a file outside the registry,
    or a valid user file written as the link's text); a directory named as a user's file is
    what a submodule checked out leaves: each is reported as what it is."""
    secret = tmp_path / "outside.yaml"
    secret.write_text("email: SECRET-VALUE\n", encoding="utf-8")
    users = reg.root / "users" / "TESTOP01"
    (users / "link@test-gas.example.co.jp.yaml").symlink_to(secret)
    (users / "text@test-gas.example.co.jp.yaml").symlink_to("{email: text@test-gas.example.co.jp}")
    (reg.root / "operators" / "LINKED01").symlink_to(users)  # a directory's link: not entered
    (users / "sub@test-gas.example.co.jp.yaml").mkdir()
    (users / "sub@test-gas.example.co.jp.yaml" / "x.yaml").write_text("email: x\n", "utf-8")
    result = reg.validate()
    assert [(p.rule, p.file, p.line, p.message.english()) for p in result.problems] == [
        (
            "file-type",
            "registry/operators/LINKED01",
            1,
            "This is a symbolic link, not a file: the registry holds only files; remove it, "
            "and write the file itself if one belongs here",
        ),
        *(
            ("file-type", f"registry/users/TESTOP01/{name}@test-gas.example.co.jp.yaml", 1,
             f"This is {what}, not a file: the registry holds only files; remove it, and "
             "write the file itself if one belongs here")
            for name, what in (("link", "a symbolic link"), ("sub", "a directory"),
                               ("text", "a symbolic link"))
        ),
    ]  # fmt: skip
    assert result.registry is not None
    assert [u.user.email for u in result.registry.users] == ["user1@test-gas.example.co.jp"]


# --- what no registry file needs but would exhaust the reader ------------------------------

SHARED = {
    "maintainers.yaml": "maintainers",
    "calendar.yaml": "calendar",
    "systems.yaml": "systems",
}


def _modeline(rel: str) -> str:
    return (ROOT / "registry" / rel).read_text(encoding="utf-8").split("\n", 1)[0]


@pytest.mark.parametrize("rel", [*SHARED, USER, OPERATOR])
def test_yaml_limits_nesting_of_500_levels_in_any_file(reg: RegistryFactory, rel: str) -> None:
    first = _modeline(rel) if rel in SHARED else (reg.root / rel).read_text().split("\n", 1)[0]
    reg.write(rel, f"{first}\nkey: {'[' * 500}{']' * 500}\n")
    problems = [p for p in reg.validate().problems if p.rule != "file-missing"]
    assert [(p.rule, p.file, p.line) for p in problems][:1] == [("yaml-limits", shown(rel), 2)]
    assert "nested more than 32 levels" in problems[0].message.english()


def test_yaml_limits_nesting_after_a_duplicate_key(reg: RegistryFactory) -> None:
    # A duplicate key takes the general constructor's path, which is checked the same way.
    first = (reg.root / USER).read_text().split("\n", 1)[0]
    reg.write(USER, f"{first}\na: 1\na: 2\nb: {'[' * 500}{']' * 500}\n")
    assert [(p.rule, p.line) for p in reg.validate().problems] == [("yaml-limits", 4)]


@pytest.mark.parametrize("rel", ["calendar.yaml", USER])
def test_yaml_limits_an_integer_of_more_than_4300_digits(reg: RegistryFactory, rel: str) -> None:
    text = (reg.root / rel).read_text(encoding="utf-8")
    reg.write(rel, text + f"big: {'9' * 5000}\n")
    [p] = reg.validate().problems
    assert (p.rule, p.file, p.line) == ("yaml-limits", shown(rel), text.count("\n") + 1)
    assert len(p.message.english()) < 200


# --- text fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escape", "shown_as", "in_japanese"),
    [
        # Each character by the word a back office has for its kind, the code point kept.
        ("\\0", "a control character (U+0000)", "制御文字（U+0000）"),
        ("\\e[31m", "a control character (U+001B)", "制御文字（U+001B）"),
        ("\\x9B", "a control character (U+009B)", "制御文字（U+009B）"),
        (
            "\\u202E",
            "a format character that changes the text's direction (U+202E)",
            "書式制御文字（文字の向きを変える文字）（U+202E）",
        ),
        ("\\u200D", "a zero-width character (U+200D)", "ゼロ幅の文字（U+200D）"),
        ("\\u00AD", "a format character (U+00AD)", "書式制御文字（U+00AD）"),
        ("\\u2028", "a line break (U+2028)", "改行（U+2028）"),
        ("\\x85", "a line break (U+0085)", "改行（U+0085）"),
        ("\\u200B", "a zero-width space (U+200B)", "ゼロ幅スペース（U+200B）"),
        ("\\n", "a line break (U+000A)", "改行（U+000A）"),
        ("\\r", "a line break (U+000D)", "改行（U+000D）"),
        ("\\t", "a tab (U+0009)", "タブ（U+0009）"),
        # Printable, but blank: a name would look like another's.
        ("\\u3164", "an invisible character (U+3164)", "見えない文字（U+3164）"),
        ("\\u034F", "an invisible character (U+034F)", "見えない文字（U+034F）"),
        ("\\u2800", "an invisible character (U+2800)", "見えない文字（U+2800）"),
        # A space like the half-width one: 「試験 太郎」 twice, two names; and one a CI
        # runner trims before reading a line as a command.
        (
            "\\u00A0",
            "a space other than a half-width or full-width one (U+00A0)",
            "半角・全角以外の空白（U+00A0）",
        ),
        (
            "\\u2003",
            "a space other than a half-width or full-width one (U+2003)",
            "半角・全角以外の空白（U+2003）",
        ),
    ],
)
def test_text_control_through_a_yaml_escape(
    reg: RegistryFactory, escape: str, shown_as: str, in_japanese: str
) -> None:
    reg.edit(USER, "name: 試験 太郎", f'name: "試験{escape}太郎"')
    [p] = reg.validate().problems
    assert (p.rule, p.file, p.line) == ("text-control", shown(USER), reg.line_of(USER, "name:"))
    assert f"holds {shown_as}:" in p.message.english()
    assert f"利用者名（漢字）に {in_japanese} が含まれています" in i18n.text(p.message, "ja")


def test_text_control_a_line_break_only_in_multi_line_fields(reg: RegistryFactory) -> None:
    reg.user(memo="一行目\n二行目\tタブ")  # a memo may hold lines (the form's textarea)
    assert reg.found() == []
    reg.edit(USER, "name: 試験 太郎", "name: |\n  試験\n  太郎")
    assert reg.found() == [("text-control", shown(USER), reg.line_of(USER, "name:"), "error")]
    reg.user(memo="一行目\u2028二行目")
    assert [p.rule for p in reg.validate().problems] == ["text-control"]


def test_text_control_leaves_a_variation_selector(reg: RegistryFactory) -> None:
    """An ideographic variation selector picks the glyph a family register writes."""
    reg.edit(USER, "name: 試験 太郎", 'name: "葛\\U000E0100飾 太郎"')
    assert reg.found() == []


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        (OPERATOR, "name: 窓口 1号", 'name: "窓口\\u202E1号"'),
        (OPERATOR, "name: テスト委託株式会社", 'name: "テスト\\e委託"'),
        ("maintainers.yaml", "name: 佐藤 花子", 'name: "佐藤\\u2066花子"'),
        ("calendar.yaml", "note: 年末年始休業", 'note: "年末年始\\0休業"'),
        ("systems.yaml", "name_ja: 託送システム", 'name_ja: "託送\\eシステム"'),
    ],
)
def test_text_control_in_every_file(reg: RegistryFactory, rel: str, old: str, new: str) -> None:
    line = reg.line_of(rel, old)
    reg.edit(rel, old, new)
    problems = reg.validate().problems
    assert ("text-control", shown(rel), line) in [(p.rule, p.file, p.line) for p in problems]


def test_text_control_in_a_key(reg: RegistryFactory) -> None:
    reg.edit(USER, "  johs: J1010", '  "jo\\ehs": J1010')
    assert reg.found() == [("text-control", shown(USER), reg.line_of(USER, "jo\\e"), "error")]


# --- file names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [b"\xff\xfe.yaml", b"a\nb@test-gas.example.co.jp.yaml", b"\x1b[31m.yaml"]
)
def test_file_name_text(reg: RegistryFactory, name: bytes) -> None:
    folder = bytes(reg.root / "users" / "TESTOP01")
    Path(os.fsdecode(folder + b"/" + name)).write_bytes((reg.root / USER).read_bytes())
    [p] = reg.validate().problems
    assert (p.rule, p.line, p.col) == ("file-name-text", 1, 1)
    assert p.file == shown(f"users/TESTOP01/{os.fsdecode(name)}")


# --- messages quote values capped ---------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("name: 試験 太郎", "name: 試験 太郎\nmemo: [{big}]"),  # a list where text belongs
        ("name: 試験 太郎", "name: 試験 太郎\n? {big}\n: 1"),  # an unknown key (explicit: long)
        ("  johs: J1010", "  johs: {big}"),  # not one of the codes
        ("name: 試験 太郎", "name: 試験 太郎\n? {half}\n: 1\n? {half}\n: 2"),  # a key twice
        ("email: user1@test-gas.example.co.jp", "email: {big}"),  # not a login ID
    ],
)
def test_a_message_quotes_at_most_a_line_of_a_huge_value(
    reg: RegistryFactory, old: str, new: str
) -> None:
    reg.edit(USER, old, new.format(big="x" * 900_000, half="x" * 400_000))  # under 1 MiB
    problems = reg.validate().problems
    assert problems
    for p in problems:
        for lang in ("en", "ja"):
            text = i18n.text(p.message, lang)
            assert len(text) < 400, (p.rule, text[:200])


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"])
def test_schema_dates_outside_the_years_business_days_are_counted_for(
    reg: RegistryFactory, day: str
) -> None:
    # Counting business days from 9999-12-31 overflowed; the holiday tables end in 2099.
    reg.operator(certificates=[certificate(1, not_after=day)])
    assert reg.found() == [("schema", shown(OPERATOR), reg.line_of(OPERATOR, "not_after"), "error")]
    [p] = reg.validate().problems
    assert "not a date from 2000-01-01 to 2099-12-31" in p.message.english()


# --- a text of spaces alone is no value ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "over", "path", "said"),
    [
        ("user", {"name": "\u3000"}, ("name",), "spaces alone are no value"),
        ("user", {"name_kana": "\u3000\u3000"}, ("name_kana",), "full-width katakana"),
        ("user", {"name_kana": "ー・ー"}, ("name_kana",), "full-width katakana"),
        ("operator", {"name": "  "}, ("name",), "spaces alone are no value"),
        ("operator", {"contacts": [contact(name="\u3000")]}, ("contacts", 0, "name"),
         "spaces alone are no value"),
        ("operator", {"certificates": [certificate(1, location=" \u3000 ")]},
         ("certificates", 0, "location"), "spaces alone are no value"),
        ("operator", {"certificates": [certificate(1, holder="\u3000")]},
         ("certificates", 0, "holder"), "spaces alone are no value"),
    ],
)  # fmt: skip
def test_spaces_alone_are_no_name_place_or_person(
    reg: RegistryFactory,
    kind: str,
    over: dict[str, object],
    path: tuple[str | int, ...],
    said: str,
) -> None:
    """A blank name would read as one in every mail (「システム窓口責任者 　 様」) and form."""
    rel = reg.user(**over) if kind == "user" else reg.operator(**over)
    problems = [p for p in reg.validate().problems if p.rule == "schema"]
    assert [(p.file, p.path) for p in problems] == [
        (shown(rel.relative_to(reg.root).as_posix()), path)
    ]
    assert said in i18n.text(problems[0].message, "en")


@pytest.mark.parametrize("value", ["'a\x85b'", "a\x85b", "'a\x85\x85b'"])
def test_yaml_syntax_a_line_break_the_parser_takes_away(reg: RegistryFactory, value: str) -> None:
    # YAML 1.1 reads a NEL as a line break: 'a<NEL>b' would load as 「a b」, unseen by the
    # memo's text check; a value that keeps one (U+2028 here) is that check's (text-control).
    reg.edit(USER, "permissions:", f"memo: {value}\npermissions:")
    line = reg.line_of(USER, "memo:")
    assert reg.found() == [("yaml-syntax", shown(USER), line, "error")]
    [p] = reg.validate().problems
    assert "U+0085, which YAML reads as a line break" in p.message.english()
    reg.edit(USER, f"memo: {value}", "memo: 'a\u2028b'")
    assert [p.rule for p in reg.validate().problems] == ["text-control"]
