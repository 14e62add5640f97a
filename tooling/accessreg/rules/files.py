"""Rules tying a file's name and place to its content."""

from __future__ import annotations

from collections.abc import Iterator

from accessreg.model import layout
from accessreg.model.messages import msg
from accessreg.model.problems import Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Scope, finding, rule


@rule("file-name", "000 §5-1 note 3", Scope.OPERATOR)
def file_name(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A file's name does not match its content.

    An operator file is named after its code; a user file after the user's e-mail in lower
    case, because IDs that differ only in letter case are the same ID, which makes an e-mail
    of more than 250 characters a name no file system takes (255 bytes).
    """
    for code, entry in reg.operators.items():
        if entry.operator.code != code:
            yield finding(
                entry.file,
                msg(
                    "The code {code} differs from the file name {file}: name the file after "
                    "the operator's code",
                    code=entry.operator.code,
                    file=code + ".yaml",
                ),
                ("code",),
            )
    for u in reg.users:
        expected = layout.user_file(u.operator_code, u.user.email)
        name = expected.rsplit("/", 1)[-1]
        if len(name.encode()) > layout.FILE_NAME_MAX:
            yield finding(
                u.file,
                msg(
                    "The file name {name}… would have {length} bytes, more than the {limit} a "
                    "file system takes: this e-mail cannot be a login ID here; use one of at "
                    "most {most} characters",
                    name=name[:40],
                    length=len(name.encode()),
                    limit=layout.FILE_NAME_MAX,
                    most=layout.FILE_NAME_MAX - len(".yaml"),
                ),
                ("email",),
            )
        elif u.file != expected:
            yield finding(
                u.file,
                msg(
                    "Name this user's file {name} (the e-mail in lower case)",
                    name=expected.rsplit("/", 1)[-1],
                ),
                ("email",),
            )


@rule("user-operator-unknown", "000 §5-1", Scope.OPERATOR)
def user_operator_unknown(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """A user file sits in the directory of an operator that has no operator file."""
    for u in reg.users:
        if layout.operator_file(u.operator_code) not in reg.files:
            yield finding(
                u.file,
                msg(
                    "There is no operator {code} (operators/{code}.yaml): put the user in the "
                    "folder of their operator",
                    code=u.operator_code,
                ),
            )


RULES = (file_name, user_operator_unknown)
