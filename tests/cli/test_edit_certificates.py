"""`accessreg cert add`: facts from the certificate file, refusals with the reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from accessreg.edit.certfile import nginx_serial
from tests.helpers.certmaker import certificate, der, key_pem, pem, pkcs12_bytes
from tests.helpers.edithelp import edit, refused
from tests.helpers.regfactory import RegistryFactory

ARGS = (
    "cert", "add", "--operator", "TESTOP01", "--id", "EP2026-000913", "--location",
    "本社 需給管理部 端末 PC009", "--holder", "需給管理部 試験 太郎",
)  # fmt: skip


def _file(reg: RegistryFactory, name: str, data: bytes) -> str:
    path = reg.repo / name  # outside the registry, as a downloaded file would be
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(("form", "suffix"), [(pem, "pem"), (der, "cer")])
def test_cert_add_fills_serial_cn_and_dates_from_the_file(
    reg: RegistryFactory, form: object, suffix: str
) -> None:
    assert callable(form)
    path = _file(reg, f"PC009.{suffix}", form(certificate()))
    result = edit(reg, *ARGS, "--medium", "UT", path)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert text.endswith(
        "certificates:\n"
        "  - id: EP2026-000913\n"
        "    serial: '0D4F6A'\n"
        "    cn: TESTOP01-PC09\n"
        "    medium: UT\n"
        "    purpose: web\n"
        "    not_before: 2026-04-01\n"
        "    not_after: 2028-03-31\n"  # 2028-03-30T23:59:59Z is 03-31 08:59 in Japan
        "    location: 本社 需給管理部 端末 PC009\n"
        "    holder: 需給管理部 試験 太郎\n"
    )
    assert reg.validate().problems == []


def test_dates_are_taken_in_japan_time(reg: RegistryFactory) -> None:
    # 2026-03-31T15:00Z is 2026-04-01 00:00 in Japan: EPPCERT's validity starts that day.
    start = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    path = _file(reg, "jst.pem", pem(certificate(start=start, serial=0x80_01)))
    assert edit(reg, *ARGS, path).returncode == 0
    text = (reg.root / "operators/TESTOP01.yaml").read_text(encoding="utf-8")
    assert "    serial: '8001'\n" in text  # no leading 00 byte, digits kept a string
    # ... and it ends 730 days later, 2028-03-30T14:59:59Z: 23:59:59 that day in Japan.
    assert "not_before: 2026-04-01\n    not_after: 2028-03-30\n" in text


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, "00"),
        (0x0D4F6A, "0D4F6A"),
        (0x80, "80"),
        (0xFF_00_01, "FF0001"),
        (0x1B2C3D4E5F, "1B2C3D4E5F"),
    ],
)
def test_nginx_serial_form(number: int, expected: str) -> None:
    assert nginx_serial(number) == expected


def test_refuses_a_file_holding_a_private_key(reg: RegistryFactory) -> None:
    path = _file(reg, "bundle.pem", pem(certificate()) + key_pem())
    result = refused(reg, *ARGS, path)
    assert "ファイルに秘密鍵" in result.stderr and "PC の外に出してはいけません" in result.stderr


@pytest.mark.parametrize("password", [b"secret", None])
def test_refuses_a_pkcs12_bundle(reg: RegistryFactory, password: bytes | None) -> None:
    path = _file(reg, "client.p12", pkcs12_bytes(certificate(), password))
    result = refused(reg, *ARGS, path)
    assert "ファイルに秘密鍵" in result.stderr and "PC の外に出してはいけません" in result.stderr


def test_refuses_an_expired_certificate(reg: RegistryFactory) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    path = _file(reg, "old.pem", pem(certificate(start=start, days=365)))
    result = refused(reg, *ARGS, path)
    assert (
        "証明書の有効期限は 2024-12-31 で切れています。更新後の証明書を登録してください"
        in result.stderr
    )


def test_refuses_a_certificate_valid_longer_than_eppcert_issues(reg: RegistryFactory) -> None:
    # The dates are the file's own: the message says what is wrong with the file, not to
    # copy the dates again (as it says of dates written by hand, certificate-validity).
    path = _file(reg, "long.pem", pem(certificate(days=3 * 365)))
    result = refused(reg, *ARGS, path)
    assert (
        "ファイルの証明書の有効期間は 2026-04-01 から 2029-03-31 までで、EPPCERT がこのシステム用に"
        "発行するクライアント証明書の 2 年間（000 §4-1）に収まっていません。このシステム用の"
        "クライアント証明書ではないようです。EPPCERT が発行したクライアント証明書のファイルを"
        "渡してください"
    ) in result.stderr
    assert "写してください" not in result.stderr + result.stdout


def test_refuses_a_ca_certificate(reg: RegistryFactory) -> None:
    path = _file(reg, "ca.cer", der(certificate(ca=True)))
    result = refused(reg, *ARGS, path)
    assert "これは CA 証明書で、クライアント証明書ではありません" in result.stderr


def test_refuses_a_serial_already_registered(reg: RegistryFactory) -> None:
    path = _file(reg, "PC009.pem", pem(certificate()))
    assert edit(reg, *ARGS, path).returncode == 0
    again = [a if a != "EP2026-000913" else "EP2026-000914" for a in ARGS]
    result = refused(reg, *again, path)
    assert (
        "シリアル番号 0D4F6A は既に登録されています（TESTOP01 の証明書 EP2026-000913）"
        in result.stderr
    )


def test_refuses_a_file_that_is_not_a_certificate(reg: RegistryFactory) -> None:
    result = refused(reg, *ARGS, _file(reg, "notes.txt", "証明書ではありません\n".encode()))
    assert "証明書ではありません" in result.stderr
    result = refused(reg, *ARGS, _file(reg, "key.pem", key_pem()))
    assert "ファイルに秘密鍵" in result.stderr and "PC の外に出してはいけません" in result.stderr


def test_refuses_a_chain_and_a_second_api_certificate(reg: RegistryFactory) -> None:
    chain = pem(certificate()) + pem(certificate(serial=0x0D4F6B))
    assert (
        "証明書が 2 枚含まれています" in refused(reg, *ARGS, _file(reg, "chain.pem", chain)).stderr
    )
    # OCCTO's switching support system: one API certificate per operator (001 p46).
    reg.switching_operator(certificates=None)
    first = _file(reg, "api1.pem", pem(certificate(serial=0x11)))
    assert edit(reg, *ARGS, "--purpose", "api", first).returncode == 0
    second = _file(reg, "api2.pem", pem(certificate(serial=0x12)))
    args = [a if a != "EP2026-000913" else "EP2026-000999" for a in ARGS]
    result = refused(reg, *args, "--purpose", "api", second)
    assert "(certificate-api)" in result.stdout


def test_no_key_material_is_written_to_the_registry(reg: RegistryFactory, tmp_path: Path) -> None:
    path = _file(reg, "PC009.pem", pem(certificate()))
    assert edit(reg, *ARGS, path).returncode == 0
    for file in reg.root.rglob("*.yaml"):
        assert b"BEGIN" not in file.read_bytes()
