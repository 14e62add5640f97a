"""A login ID no longer than a mail server takes (``base.LOGIN_ID``, RFC 5321 §4.5.3.1):
at most 64 characters before the @, 63 between two dots of the domain, 254 in all. An
address over one is refused by ``validate`` and by the editing commands, which nothing
writes, in one located message that names the limit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from accessreg.model import base
from tests.helpers.edithelp import edit, refused, snapshot
from tests.helpers.regfactory import ROOT, RegistryFactory, run_cli

TODAY = "2026-11-22"
OPERATOR = "operators/AOBAGS01.yaml"
DEPUTY = "misaki.ishida@aoba-gas.example.co.jp"  # the deputy window person of AOBAGS01
KNOWN = "aya.shimizu@aoba-gas.example.co.jp"  # a user of AOBAGS01


def domain(length: int) -> str:
    """A domain of ``length`` characters ending in .jp, its labels 63 long but the first."""
    labels = ["jp"]
    rest = length - 2
    while rest > 0:
        take = min(base.DOMAIN_LABEL_MAX, rest - 1)  # the label and its dot
        if rest - take - 1 == 1:  # a label of nothing would be left
            take -= 1
        labels.insert(0, "d" * take)
        rest -= take + 1
    found = ".".join(labels)
    assert len(found) == length and max(map(len, labels)) <= base.DOMAIN_LABEL_MAX
    return found


def local(length: int) -> str:
    """A part before the @ of ``length`` characters, with dots as people write them."""
    found = ("taro.kimura." * length)[: length - 1] + "k"
    assert len(found) == length and ".." not in found
    return found


LOCAL_64 = f"{local(64)}@aoba-gas.example.co.jp"
LOCAL_65 = f"{local(65)}@aoba-gas.example.co.jp"
LABEL_63 = f"taro@{'d' * 63}.example.co.jp"
LABEL_64 = f"taro@{'d' * 64}.example.co.jp"
TOTAL_254 = f"{local(64)}@{domain(254 - 65)}"
TOTAL_255 = f"{local(64)}@{domain(255 - 65)}"


def test_the_addresses_are_at_their_limits() -> None:
    assert [len(a.partition("@")[0]) for a in (LOCAL_64, LOCAL_65)] == [64, 65]
    assert [len(a.split("@")[1].split(".")[0]) for a in (LABEL_63, LABEL_64)] == [63, 64]
    assert [len(a) for a in (TOTAL_254, TOTAL_255)] == [254, 255]


# --- validate, on a copy of the sample registry --------------------------------------------


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "registry", tmp_path / "registry")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path


def _problems(where: Path) -> list[dict[str, Any]]:
    result = run_cli(
        "validate", "--registry", "registry", "--today", TODAY, "--format", "json", cwd=where
    )
    found: list[dict[str, Any]] = json.loads(result.stdout)
    assert result.returncode == (1 if found else 0), result.stderr
    return found


def _as_user(where: Path, email: str) -> str:
    """A user of AOBAGS01 like a known one, under ``email``; its path as reported."""
    rel = f"users/AOBAGS01/{email.lower()}.yaml"
    known = (where / "registry/users/AOBAGS01" / f"{KNOWN}.yaml").read_text(encoding="utf-8")
    (where / "registry" / rel).write_text(known.replace(KNOWN, email), encoding="utf-8")
    return f"registry/{rel}"


def _as_deputy(where: Path, email: str) -> int:
    """The deputy window person's e-mail as ``email``; the line it is on."""
    path = where / "registry" / OPERATOR
    text = path.read_text(encoding="utf-8")
    text = text.replace(f"    email: {DEPUTY}", f"    email: {email}")  # not as the RA officer
    path.write_text(text, encoding="utf-8")
    return text.splitlines().index(f"    email: {email}") + 1


def test_validate_takes_addresses_at_the_limits(sample: Path) -> None:
    assert _problems(sample) == []
    for email in (LOCAL_64, LABEL_63):
        _as_user(sample, email)
    _as_deputy(sample, TOTAL_254)
    assert _problems(sample) == []


@pytest.mark.parametrize(
    ("email", "said"),
    [
        (LOCAL_65, "の @ より前が 65 文字あり、インターネットのメールで使える 64 文字を超えて"),
        (LABEL_64, f"の @ より後のドットの間（{'d' * 64}）が 64 文字あり、ドメイン名で使える 63"),
    ],
    ids=["local-65", "label-64"],
)
def test_validate_refuses_a_user_over_a_limit(sample: Path, email: str, said: str) -> None:
    rel = _as_user(sample, email)
    [problem] = _problems(sample)
    assert (problem["file"], problem["line"], problem["rule"], problem["path"]) == (
        rel,
        2,
        "schema",
        "email",
    )
    assert problem["message"].startswith(email[:60])  # the address as written, shortened
    assert f"メールアドレス（ID）{said}" in problem["message"]
    assert problem["message"].endswith(
        "のメールアドレスを書いてください（メールアドレスがそのままログイン ID になります）"
    )


def test_validate_refuses_a_window_person_over_254_characters(sample: Path) -> None:
    line = _as_deputy(sample, TOTAL_255)
    [problem] = _problems(sample)
    assert (problem["file"], problem["line"], problem["path"]) == (
        f"registry/{OPERATOR}",
        line,
        "contacts/1/email",
    )
    assert (
        "メールアドレス（ID）が 255 文字あり、インターネットのメールで使える 254 文字を超えて"
        "います（RFC 5321 §4.5.3.1.3）。254 文字以内のメールアドレスを書いてください"
    ) in problem["message"]


def test_validate_refuses_a_maintainer_over_a_limit(sample: Path) -> None:
    path = sample / "registry/maintainers.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("hanako.sato@", f"{local(65)}@", 1), encoding="utf-8")
    [problem] = _problems(sample)
    where = (problem["file"], problem["path"])
    assert where == ("registry/maintainers.yaml", "maintainers/0/email")
    assert "@ より前が 65 文字あり" in problem["message"]


def test_an_address_over_two_limits_is_told_both(sample: Path) -> None:
    over = f"{local(70)}@{domain(250)}"
    line = _as_deputy(sample, over)
    found = _problems(sample)
    said = sorted(p["message"].split(": ", 1)[1] for p in found)
    assert len(said) == 2
    assert said[0].startswith("メールアドレス（ID）が 321 文字あり、")
    assert said[1].startswith("メールアドレス（ID）の @ より前が 70 文字あり、")
    assert {p["line"] for p in found} == {line}


# --- the editing commands: the same check, before anything is written -----------------------


@pytest.fixture(autouse=True)
def _japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCESSREG_LANG", raising=False)


def _user_add(email: str) -> tuple[str, ...]:
    return (
        "user", "add", "--operator", "TESTOP01", "--email", email, "--name", "木村 花子",
        "--name-kana", "キムラ ハナコ", "--taxis", "1011",
    )  # fmt: skip


@pytest.mark.parametrize("email", [LOCAL_64, LABEL_63], ids=["local-64", "label-63"])
def test_user_add_takes_an_address_at_a_limit(reg: RegistryFactory, email: str) -> None:
    result = edit(reg, *_user_add(email))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        (reg.root / f"users/TESTOP01/{email}.yaml")
        .read_text(encoding="utf-8")
        .startswith(
            f"# yaml-language-server: $schema=../../../schemas/user.schema.json\nemail: {email}\n"
        )
    )
    assert reg.validate().problems == []


@pytest.mark.parametrize(
    ("email", "said"),
    [
        (LOCAL_65, "メールアドレス（ID）の @ より前が 65 文字あり"),
        (LABEL_64, f"メールアドレス（ID）の @ より後のドットの間（{'d' * 64}）が 64 文字あり"),
        (TOTAL_255, "メールアドレス（ID）が 255 文字あり"),
    ],
    ids=["local-65", "label-64", "total-255"],
)
def test_user_add_refuses_an_address_over_a_limit(
    reg: RegistryFactory, email: str, said: str
) -> None:
    result = refused(reg, *_user_add(email))
    [line] = [x for x in result.stdout.splitlines() if "[error]" in x]
    assert line.startswith(f"registry/users/TESTOP01/{email[:40]}")
    assert ".yaml:2:1: [error] " in line and line.endswith("(schema)")
    assert said in line


def test_a_user_file_is_named_within_what_a_file_system_takes(reg: RegistryFactory) -> None:
    """A user file is named after its login ID (``<e-mail>.yaml``): 250 characters make the
    longest name a file system takes (255 bytes), and are written; 251 are refused as the
    file's name, with nothing written."""
    longest, over = f"{local(64)}@{domain(250 - 65)}", f"{local(64)}@{domain(251 - 65)}"
    before = snapshot(reg.root)
    result = refused(reg, *_user_add(over))
    assert "バイトになり、ファイルシステムで使える 255 バイトを超えます" in result.stdout
    assert snapshot(reg.root) == before
    result = edit(reg, *_user_add(longest))
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(f"{longest}.yaml".encode()) == 255
    assert (reg.root / f"users/TESTOP01/{longest}.yaml").is_file()
    assert reg.validate().problems == []


def _contact_add(email: str) -> tuple[str, ...]:
    return (
        "contact", "add", "--operator", "TESTOP01", "--role", "deputy",
        "--contact-name", "西村 葵", "--contact-name-kana", "ニシムラ アオイ",
        "--contact-email", email, "--contact-phone", "03-0000-0103",
        "--contact-github", "nishimura-aoi",
    )  # fmt: skip


def test_contact_add_takes_254_characters_and_refuses_255(reg: RegistryFactory) -> None:
    result = refused(reg, *_contact_add(TOTAL_255))
    assert "メールアドレス（ID）が 255 文字あり、インターネットのメールで使える 254" in (
        result.stdout
    )
    assert "registry/operators/TESTOP01.yaml:" in result.stdout
    before = snapshot(reg.root)
    result = edit(reg, *_contact_add(TOTAL_254))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"email: {TOTAL_254}\n" in (reg.root / "operators/TESTOP01.yaml").read_text("utf-8")
    assert snapshot(reg.root) != before
    assert reg.validate().problems == []
