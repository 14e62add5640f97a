"""Every output of ``apply`` read back by a parser this project did not write: the csv module,
scim2-models (RFC 7643/7644), the ``ldif`` package in strict mode, crossplane and ``nginx -t``
for the whitelist includes, ``email`` in strict mode for the mails, cmark-gfm for markdown.

Each function returns what the output says, for a test to compare with the registry."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import crossplane
import ldif
import pytest
from scim2_models import URN, BulkRequest, Context, EnterpriseUser, Extension, Group, User

from accessreg.escape import unsafe_characters
from tests.helpers.servers import binary, includes, nginx_conf

# Lines of a terminal or a CI log that the GitHub runner would take as a workflow command.
WORKFLOW_COMMAND_STARTS = ("::", "##[")


class AccessregUser(Extension):
    """The fields SCIM has no place for (outputs/scim.py), as a provider would declare them."""

    __schema__ = URN("urn:accessreg:params:scim:schemas:extension:2.0:User")
    operator_code: str | None = None
    affiliation_code: str | None = None
    name_kana: str | None = None
    window_person: bool | None = None
    memo: str | None = None


ScimUser = User[EnterpriseUser | AccessregUser]  # type: ignore[misc]


def csv_rows(data: bytes, codec: str = "utf-8-sig") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(codec), newline="")))


def csv_value(cell: str, value: str) -> bool:
    """Whether a cell holds ``value``: as written, or behind the apostrophe that keeps a
    formula-looking cell from running."""
    return cell == value or cell == f"'{value}"


def scim_users(data: bytes) -> dict[str, Any]:
    """The users a bulk request creates or replaces, by userName, validated as RFC 7643/7644
    resources: no operation may fail validation."""
    request = BulkRequest[ScimUser | Group].model_validate(  # type: ignore[valid-type]
        json.loads(data), scim_ctx=Context.BULK_REQUEST
    )
    operations = request.operations or []
    failed = [(op.bulk_id, op.response) for op in operations if op.status]
    assert failed == [], failed
    return {
        op.data.user_name: op.data
        for op in operations
        if op.method in ("POST", "PUT") and isinstance(op.data, User)
    }


def ldif_entries(data: bytes) -> dict[str, dict[str, list[str]]]:
    """dn → attribute → values, from the ``ldif`` package's strict parser (it refuses a DN
    that is not one, an unsafe value written plain, a bad base64 value)."""
    parser = ldif.LDIFParser(io.BytesIO(data), strict=True)
    return {dn: dict(entry) for dn, entry in parser.parse() if dn is not None}


@dataclass(frozen=True)
class Whitelist:
    geo: dict[str, str]  # address → value
    map: dict[str, str]  # serial → value


def _blocks(parsed: list[dict[str, Any]], name: str) -> Iterator[dict[str, Any]]:
    for directive in parsed:
        if directive["directive"] == name:
            yield directive
        yield from _blocks(directive.get("block", []), name)


def nginx_whitelist(work: Path, geo: Path, cert_map: Path) -> Whitelist:
    """The entries of one system's includes as crossplane parses them (nginx's grammar, in
    its http context), after ``nginx -t`` has accepted them."""
    work.mkdir(parents=True, exist_ok=True)
    conf = nginx_conf(work, includes([geo, cert_map]))
    try:
        nginx = binary("nginx")
    except pytest.skip.Exception:
        if os.environ.get("ACCESSREG_REQUIRE_SERVERS") == "1":
            raise
    else:
        tested = subprocess.run(
            [nginx, "-t", "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert tested.returncode == 0, tested.stderr
    payload = crossplane.parse(str(conf), combine=True, catch_errors=False)
    assert payload["errors"] == [], payload["errors"]
    parsed = payload["config"][0]["parsed"]
    (geo_block,) = _blocks(parsed, "geo")
    (map_block,) = _blocks(parsed, "map")

    def entries(block: dict[str, Any]) -> dict[str, str]:
        return {d["directive"]: d["args"][0] for d in block["block"] if d["directive"] != "default"}

    return Whitelist(entries(geo_block), entries(map_block))


def mail(raw: bytes) -> EmailMessage:
    """A message as ``email`` reads it in strict mode (a defect is an error), with one
    recipient in To and none in Cc or Bcc."""
    message = email.message_from_bytes(raw, policy=email.policy.strict)
    assert isinstance(message, EmailMessage)
    assert len(message["To"].addresses) == 1, message["To"]
    assert message["Cc"] is None and message["Bcc"] is None
    return message


def body_text(message: EmailMessage) -> str:
    """The text of a message's body, with LF line ends."""
    body = message.get_body()
    assert isinstance(body, EmailMessage)
    text = body.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def written_mails(out: Path, pattern: str = "*.eml") -> list[EmailMessage]:
    """The mails a run wrote to ``out/mail`` whose file names match ``pattern``, in name
    order, each read as :func:`mail` reads it."""
    return [mail(path.read_bytes()) for path in sorted((out / "mail").glob(pattern))]


def same_words(a: str, b: str) -> bool:
    """Equal but for runs of spaces, which a display name's encoded-words may shift (the
    standard library's parser puts a space between two adjacent encoded-words)."""
    return "".join(a.split()) == "".join(b.split())


def log_lines(text: str) -> list[str]:
    """Lines of command output a CI log shows, checked to be text and no workflow command."""
    lines = text.splitlines()
    for line in lines:
        assert not line.lstrip().startswith(WORKFLOW_COMMAND_STARTS), line
        assert "##[" not in line, line  # the runner reads the older commands anywhere
        assert unsafe_characters(line) == [], line  # no control, format or separator
    return lines
