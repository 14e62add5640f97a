"""The deletion application for IDs the authentication system deleted (000 §5-7 留意事項).

Auto-deletion removes an ID from the authentication system only; the window person must
still file the deletion application (5-3) for every such ID. The registry prepares it: per
operator, one change removing the user files of IDs at the deleted stage, for a pull request
the window person approves. A user who also holds permissions in another provider's systems
keeps the file, with only the provider's permissions removed. Pure: content in, content out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from accessreg.edit.yamldoc import without_keys
from accessreg.escape import commit_text, markdown
from accessreg.model.registry import Registry
from accessreg.scheduled.idstages import DELETE_DAYS

if TYPE_CHECKING:  # stale builds the applications with this module
    from accessreg.scheduled.stale import StaleResult, UserAge

BRANCH_PREFIX = "accessreg/stale-deletions/"


def branch_name(operator: str) -> str:
    return f"{BRANCH_PREFIX}{operator}"


def _no_file(rel: str) -> bytes:
    raise KeyError(rel)


@dataclass(frozen=True)
class DeletionApplication:
    operator: str
    users: tuple[UserAge, ...]
    removals: tuple[str, ...]  # user files (relative to the registry) to remove
    title: str = ""
    body: str = ""  # the pull request's description (markdown)
    message: str = ""  # the commit message
    read: Callable[[str], bytes] = field(default=_no_file, compare=False, repr=False)

    @property
    def branch(self) -> str:
        return branch_name(self.operator)

    @property
    def edited(self) -> tuple[str, ...]:
        """The user files kept, without the provider's permissions (relative paths)."""
        return tuple(u.file for u in self.users if u.kept_systems)

    @functools.cached_property
    def edits(self) -> dict[str, bytes]:
        """The files of :attr:`edited` as rewritten; made only for the branch (a round-trip
        edit of each costs milliseconds, and a dry run shows the body alone)."""
        return {
            u.file: without_keys(self.read(u.file), "permissions", u.systems)
            for u in self.users
            if u.kept_systems
        }


def _action(user: UserAge) -> str:
    if not user.kept_systems:
        return "利用者ファイルを削除"
    kept = ", ".join(markdown(s) for s in user.kept_systems)
    return f"{', '.join(markdown(s) for s in user.systems)} の権限を抹消（{kept} は残す）"


def _body(operator: str, name: str, users: tuple[UserAge, ...]) -> str:
    """The pull request's description: every text of the registry (the operator's name, login
    IDs, system IDs) shown by ``escape.markdown``, as written and acting on nothing."""
    lines = [
        f"## 長期未使用IDの抹消申請（{markdown(operator)} {markdown(name)}）",
        "",
        "認証システムは、最終ログイン日（一度もログインしていないIDは発行日）から"
        f"{DELETE_DAYS}日を経過した"
        "IDを自動で抹消します（000 §5-7）。自動抹消されたIDについても、システム窓口責任者による"
        "利用権限の抹消申請（5-3）が必要です。この変更がその申請です。",
        "内容を確認のうえ承認してください。継続して利用する場合は、抹消ではなく新規の設定申請が必要です。",
        "",
        "| ID | 最終ログイン | 起算日 | 抹消日 | 申請内容 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for u in users:
        last = u.last_login.isoformat() if u.last_login else "（ログインなし）"
        lines.append(
            f"| {markdown(u.login_id)} | {last} | {u.since} | {u.delete_on} | {_action(u)} |"
        )
    lines += ["", f"対象 {len(users)} 件。このブランチは `accessreg stale` が毎日更新します。", ""]
    return "\n".join(lines)


def applications(
    result: StaleResult, registry: Registry, read: Callable[[str], bytes]
) -> list[DeletionApplication]:
    """One application per operator with IDs at the deleted stage; ``read`` reads a file."""
    found = []
    for operator, users in sorted(result.deleted().items()):
        ordered = tuple(sorted(users, key=lambda u: u.login_id.lower()))
        removals = tuple(u.file for u in ordered if not u.kept_systems)
        entry = registry.operators.get(operator)
        name = entry.operator.name if entry else operator
        title = f"{operator}: 長期未使用IDの抹消申請（{len(ordered)}件）"
        message = "\n".join(
            [
                f"{operator}: deletion application for {len(ordered)} long-unused IDs",
                "",
                "The authentication system deleted these IDs after 210 days without a login",
                "(000 §5-7); the window person must still file their deletion (5-3).",
                "",
                *(f"- {commit_text(u.login_id)}" for u in ordered),
            ]
        )
        found.append(
            DeletionApplication(
                operator, ordered, removals, title, _body(operator, name, ordered), message, read
            )
        )
    return found


def stale_branch_operators(branches: list[str]) -> set[str]:
    """Operators that have a deletion branch (to drop those no longer needed)."""
    return {b[len(BRANCH_PREFIX) :] for b in branches if b.startswith(BRANCH_PREFIX)}
