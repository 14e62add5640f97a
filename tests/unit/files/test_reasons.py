"""Why a file could not be read or written, in the reader's words: the reasons a user can act
on are the catalog's, in Japanese; the others keep the system's own text."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from accessreg import i18n
from accessreg.files.reasons import os_reason


def _raised(path: Path) -> OSError:
    try:
        path.read_bytes()
    except OSError as exc:
        return exc
    raise AssertionError(f"{path} was read")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (errno.ENOENT, "そのファイルまたはディレクトリはありません"),
        (errno.EACCES, "アクセス権がありません"),
        (errno.EPERM, "アクセス権がありません"),
        (errno.EISDIR, "ファイルではなくディレクトリです"),
        (errno.ENOTDIR, "パスの途中にディレクトリでないものがあります"),
        (errno.EEXIST, "同じ名前のファイルがあって作れません"),
        (errno.ENOSPC, "ディスクに空きがありません"),
        (errno.EROFS, "読み取り専用のファイルシステムです"),
    ],
)
def test_a_reason_the_user_can_act_on_is_in_japanese(number: int, expected: str) -> None:
    reason = os_reason(OSError(number, os.strerror(number)))
    assert i18n.text(reason, "ja") == expected
    assert i18n.text(reason, "en") != expected


def test_the_reasons_of_real_failures(tmp_path: Path) -> None:
    missing = _raised(tmp_path / "absent.json")
    assert i18n.text(os_reason(missing), "ja") == "そのファイルまたはディレクトリはありません"
    directory = _raised(tmp_path)
    assert i18n.text(os_reason(directory), "ja") == "ファイルではなくディレクトリです"
    (tmp_path / "file").write_text("x")
    below_a_file = _raised(tmp_path / "file" / "inside.json")
    not_a_directory = "パスの途中にディレクトリでないものがあります"
    assert i18n.text(os_reason(below_a_file), "ja") == not_a_directory


def test_another_reason_keeps_the_systems_text() -> None:
    reason = os_reason(OSError(errno.EIO, "Input/output error"))
    assert i18n.text(reason, "ja") == "Input/output error"
    assert i18n.text(os_reason(OSError("no number")), "ja") == "no number"
