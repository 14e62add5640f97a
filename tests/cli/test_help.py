"""Every command and every option of ``accessreg`` says what it is for."""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path

import click
import pytest

from accessreg import i18n
from accessreg.cli import main
from accessreg.cli.localized import WordedOption
from accessreg.model.base import Frozen
from accessreg.model.kinds import MODELS
from accessreg.model.layout import Kind
from tests.helpers.edithelp import says
from tests.helpers.regfactory import ROOT, run_cli


def _commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(main)
    found: list[tuple[str, click.Command]] = []

    def walk(cmd: click.Command, path: str) -> None:
        found.append((path, cmd))
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None
                walk(sub, f"{path} {name}")

    walk(main, "accessreg")
    return found


def test_every_command_and_option_has_help() -> None:
    missing = [
        f"{path} {'/'.join(p.opts)}"
        for path, cmd in _commands()
        for p in cmd.params
        if isinstance(p, click.Option) and not p.hidden and not p.help
    ]
    assert missing == []
    undocumented = [path for path, cmd in _commands() if not cmd.help]
    assert undocumented == []


def test_help_runs_for_every_command() -> None:
    for path, _ in _commands():
        args = path.split()[1:]
        result = run_cli(*args, "--help", cwd=ROOT)
        assert result.returncode == 0, (path, result.stderr)
        assert "--help" in result.stdout


def test_help_is_in_the_language_of_the_run() -> None:
    ja = run_cli("user", "add", "--help", cwd=ROOT)
    en = run_cli("--lang", "en", "user", "add", "--help", cwd=ROOT)
    again = run_cli("user", "add", "--help", cwd=ROOT)
    assert "新しい利用者を権限とともに登録します（利用権限の設定申請、000 §5-1）。" in ja.stdout
    assert re.search(r"\n  --dry-run +検査して、書き込む内容（差分）を表示します。", ja.stdout)
    assert "Register a new user with permissions (利用権限の設定申請, 000 §5-1)." in en.stdout
    assert "Validate and show the change; write nothing." in en.stdout
    assert again.stdout == ja.stdout  # an English run leaves the commands as they were
    top = run_cli("--lang", "en", "--help", cwd=ROOT)
    assert "The language of messages: ja or en" in top.stdout
    assert "Add, change or remove a user" in top.stdout
    # The top's own --help too, which click words before --lang is read.
    assert re.search(r"\n  -h, --help +Show this message and exit\.\n", top.stdout), top.stdout
    assert re.search(
        r"\n  -h, --help +この説明を表示して終わります。\n", run_cli("--help", cwd=ROOT).stdout
    )


def test_the_catalogs_permission_options_are_explained_in_the_language_of_the_run(
    tmp_path: Path,
) -> None:
    ja = run_cli("user", "change", "--help", cwd=ROOT)
    en = run_cli("--lang", "en", "user", "change", "--help", cwd=ROOT)
    assert says(ja.stdout, "J1010 権限あり。値を付けないときは J1010 です。none: 権限を外します。")
    english = "J1010 権限あり. Alone, the option means J1010. none: remove the permission."
    assert says(en.stdout, english)
    # Each system by its name on the forms in Japanese, by its English name in English.
    assert says(ja.stdout, "託送システム（taxis）: 1010 更新権限なし")
    assert "Wheeling" not in ja.stdout
    assert says(en.stdout, "Wheeling system (TAXIS): 1010 更新権限なし")
    elsewhere = run_cli("user", "change", "--help", cwd=tmp_path)  # no registry here
    assert says(elsewhere.stdout, "権限のオプションを見るには --registry DIR を指定してください")


def test_roles_and_systems_are_listed_as_the_forms_name_them(tmp_path: Path) -> None:
    """The keys an option takes, each with the form's words for it: the roles always, the
    systems from the catalog of the registry being edited."""
    for path in (("operator", "new"), ("operator", "change")):
        ja = run_cli(*path, "--help", cwd=ROOT).stdout
        assert says(
            ja, "事業者区分: ガス小売事業者（gas_retailer）、託送供給依頼者（wheeling_client）"
        )
        assert says(ja, "託送システム（taxis）、託送情報開示システム（johs）")
        assert "gas_retailer|" not in ja
        en = run_cli("--lang", "en", *path, "--help", cwd=ROOT).stdout
        assert says(en, "gas retailer (gas_retailer), wheeling client (wheeling_client)")
        assert says(en, "One of taxis, johs, juju, loacus")
    elsewhere = run_cli("operator", "change", "--help", cwd=tmp_path)  # no catalog to list
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert says(elsewhere.stdout, "利用を始めるシステム。繰り返し指定できます。")
    assert "託送システム" not in elsewhere.stdout


def test_an_unknown_role_is_told_with_the_roles_names() -> None:
    wrong = run_cli("operator", "change", "--operator", "AOBAGS01", "--add-role", "gas",
                    "--dry-run", cwd=ROOT)  # fmt: skip
    assert wrong.returncode == 2
    assert (
        "'gas' は事業者区分ではありません。ガス小売事業者（gas_retailer）、託送供給依頼者"
        "（wheeling_client）、製造事業者（manufacturer）、小売電気事業者（electricity_retailer）、"
        "需要抑制契約者（demand_response） から選んでください"
    ) in wrong.stderr


def _file_keys(model: type[Frozen], found: set[str]) -> set[str]:
    """The keys of ``model``'s files, its nested models' included."""
    for name, field in model.model_fields.items():
        found.add(field.alias or name)
        for inner in (field.annotation, *typing.get_args(field.annotation)):
            for kind in (inner, *typing.get_args(inner)):
                if isinstance(kind, type) and issubclass(kind, Frozen):
                    _file_keys(kind, found)
    return found


def test_the_japanese_help_says_the_registrys_fields_in_words() -> None:
    """A back-office reader knows a field by the forms' name for it (前回の棚卸日, 利用終了日),
    not by its key in a file: no page names a key (one like ``name`` only in brackets, as a
    gloss would; one like ``occto_member`` anywhere)."""
    keys = set().union(*(_file_keys(MODELS[kind], set()) for kind in (Kind.OPERATOR, Kind.USER)))
    either = "|".join(sorted(keys, key=len, reverse=True))
    compound = "|".join(sorted((k for k in keys if "_" in k), key=len, reverse=True))
    key = re.compile(rf"（(?:{either})）|(?<![\w./-])(?:{compound})(?![\w-])", re.ASCII)
    named = [
        f"{path}: {line.strip()}"
        for path, _ in _commands()
        for line in run_cli(*path.split()[1:], "--help", cwd=ROOT).stdout.splitlines()
        if key.search(line)
    ]
    assert named == []


def test_every_options_help_is_in_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """A help text the extraction misses (passed through a variable, say) would stay English
    in a Japanese run. (Click's own --help text is in Click's catalog.)"""
    monkeypatch.setenv("ACCESSREG_LANG", "en")  # walk the commands' own (English) texts
    clicks_own = {"Show this message and exit."}
    untranslated = [
        f"{path} {'/'.join(p.opts)}"
        for path, cmd in _commands()
        for p in cmd.params
        if isinstance(p, click.Option) and p.help and p.help not in clicks_own and _untranslated(p)
    ]
    assert untranslated == []


def _untranslated(option: click.Option) -> bool:
    """Its help, or one of the messages it is worded from, says the same in Japanese."""
    if isinstance(option, WordedOption):
        return any(i18n.text(m, "ja") == m.english() for m in option.worded)
    assert option.help is not None
    return i18n.translate(inspect.cleandoc(option.help), "ja") == inspect.cleandoc(option.help)
