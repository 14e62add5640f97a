"""Click's own words (usage errors, help headings) speak the run's language."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
import pytest

from accessreg import i18n
from accessreg.cli import localized
from tests.helpers.edithelp import says
from tests.helpers.regfactory import RegistryFactory, run_cli

JAPANESE = re.compile(r"[ぁ-んァ-ン一-龯]")
NEW_USER = (
    "--operator", "AOBAGS01", "--email", "hana.mori@aoba-gas.example.co.jp",
    "--name", "森 花", "--name-kana", "モリ ハナ",
)  # fmt: skip


def test_a_mistyped_code_is_explained_in_japanese(reg: RegistryFactory) -> None:
    result = run_cli("user", "add", *NEW_USER, "--taxis", "9999", cwd=reg.repo)
    assert result.returncode == 2
    assert "使い方: accessreg user add" in result.stderr
    assert "使い方は 'accessreg user add --help' で確かめてください。" in result.stderr
    assert "エラー: '--taxis' の値が正しくありません: '9999' は使えません。" in result.stderr
    assert "'1010', '1011', '1012' のいずれかにしてください。" in result.stderr
    assert "Error" not in result.stderr and "Usage" not in result.stderr


def test_english_is_spoken_to_the_last_word_when_asked_for(reg: RegistryFactory) -> None:
    # The error is shown after every context of the run has closed: the language chosen
    # while parsing still holds then, and no longer once the run is over.
    result = run_cli("--lang", "en", "user", "add", *NEW_USER, "--taxis", "9999", cwd=reg.repo)
    assert result.returncode == 2
    assert "Error: Invalid value for '--taxis': '9999' is not one of" in result.stderr
    assert "Usage: accessreg user add" in result.stderr
    assert not JAPANESE.search(result.stderr), result.stderr
    assert i18n.current() == "ja"  # the run's choice ends with the run
    again = run_cli("user", "add", *NEW_USER, "--taxis", "9999", cwd=reg.repo)
    assert "エラー: '--taxis' の値が正しくありません" in again.stderr  # nothing stays English


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("user", "add", "--tax", "1011"), "オプション '--tax' はありません。"),
        (("user", "ad"), "コマンド 'ad' はありません。 （もしかして: 'add'）"),
        (("user", "add", "--operator", "AOBAGS01"), "次のオプションを指定してください: '--email'"),
        (("validate", "--today", "2026-13-01"), "'--today' の値が正しくありません"),
    ],
)
def test_usage_errors_say_what_to_do_in_japanese(
    reg: RegistryFactory, args: tuple[str, ...], said: str
) -> None:
    result = run_cli(*args, cwd=reg.repo)
    assert result.returncode == 2
    assert said in result.stderr
    assert not re.search(r"\b(Error|Usage|Try|Missing|No such)\b", result.stderr), result.stderr


def test_help_headings_and_marks_are_japanese(reg: RegistryFactory) -> None:
    ja = run_cli("apply", "--help", cwd=reg.repo)
    assert ja.stdout.startswith("使い方: accessreg apply")
    assert "\nオプション:\n" in ja.stdout
    assert says(ja.stdout, "[必須]") and says(ja.stdout, "[既定: 0.25]")
    assert "この説明を表示して終わります。" in ja.stdout
    top = run_cli("--help", cwd=reg.repo)
    assert "\nコマンド:\n" in top.stdout
    assert "バージョンを表示して終わります。" in top.stdout
    en = run_cli("--lang", "en", "apply", "--help", cwd=reg.repo)
    assert "\nOptions:\n" in en.stdout and "[required]" in en.stdout
    assert "Show this message and exit." in en.stdout


# Click's modules that word messages but that the command line never loads: progress bars,
# editors and pagers; the Windows console; shell completion.
NOT_LOADED = {"click._termui_impl", "click._winconsole", "click.shell_completion"}


def test_every_module_of_click_that_words_messages_speaks_through_the_catalog() -> None:
    """A module of click left out would word its messages in the process's locale."""
    directory = Path(click.__file__).parent
    wording = {
        f"click.{path.stem}"
        for path in directory.glob("*.py")
        if "from gettext import" in path.read_text(encoding="utf-8")
    }
    assert wording - set(localized.CLICK_MODULES) == NOT_LOADED
    localized.speak_click_words()
    for name in localized.CLICK_MODULES:
        module = sys.modules[name]
        assert getattr(module, "_", localized.click_gettext) is localized.click_gettext, name
        assert getattr(module, "ngettext", localized._click_ngettext) is localized._click_ngettext
