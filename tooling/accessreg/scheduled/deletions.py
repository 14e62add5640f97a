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


def _action(user: UserAge, shown: Callable[[str], str]) -> str:
    if not user.kept_systems:
        return "利用者ファイルを削除"
    kept = ", ".join(shown(s) for s in user.kept_systems)
    return f"{', '.join(shown(s) for s in user.systems)} の権限を抹消（{kept} は残す）"


def _body(name: str, users: tuple[UserAge, ...], shown: Callable[[str], str]) -> str:
    """The pull request's description, every text of the registry (the operator's name,
    login IDs, system IDs) given by ``shown``. GitHub fills a pull request from a branch of
    one commit with the commit's subject and the rest of its message, so this is the
    commit's too: no line starts with ``#``, which git drops as a comment when a commit is
    edited."""
    lines = [
        f"事業者: {name}",
        "",
        "認証システムは、最終ログイン日（一度もログインしていないIDは発行日）から"
        f"{DELETE_DAYS}日を経過した"
        "IDを自動で抹消します（000 §5-7）。自動抹消されたIDについても、システム窓口責任者による"
        "利用権限の抹消申請（000 §5-3）が必要です（000 §5-7 留意事項）。この変更がその申請です。",
        "利用を続ける場合は、抹消申請とあわせて新規の設定申請（000 §5-1）が必要です。",
        "",
        "| ID | 最終ログイン | 起算日 | 抹消日 | 申請内容 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for u in users:
        last = u.last_login.isoformat() if u.last_login else "（ログインなし）"
        cells = (shown(u.login_id), last, str(u.since), str(u.delete_on), _action(u, shown))
        lines.append(f"| {' | '.join(cells)} |")
    lines += ["", f"対象 {len(users)} 件。このブランチは毎日自動で更新されます。", ""]
    return "\n".join(lines)


def _committed(text: str) -> str:
    """A text of the registry in the commit's description: shown as written in the pull
    request (``escape.markdown``), and acting on nothing in the commit either, where GitHub
    reads references and closing keywords whatever the code spans (``escape.commit_text``:
    an ID such as ``fixes.gh-5@…`` is shown with a fullwidth hyphen there)."""
    return markdown(commit_text(text))


def applications(
    result: StaleResult, registry: Registry, read: Callable[[str], bytes]
) -> list[DeletionApplication]:
    """One application per operator with IDs at the deleted stage; ``read`` reads a file.
    Its title and body are the pull request's, as written (``escape.markdown``); its commit
    message is the same title and body, from which GitHub fills the pull request the
    window person opens from the branch."""
    found = []
    for operator, users in sorted(result.deleted().items()):
        ordered = tuple(sorted(users, key=lambda u: u.login_id.lower()))
        removals = tuple(u.file for u in ordered if not u.kept_systems)
        entry = registry.operators.get(operator)
        name = entry.operator.name if entry else operator
        title = f"{operator}: 長期未使用IDの抹消申請（{len(ordered)}件）"
        body = _body(f"{markdown(operator)} {markdown(name)}", ordered, markdown)
        committed = _body(f"{_committed(operator)} {_committed(name)}", ordered, _committed)
        message = f"{title}\n\n{committed}"
        found.append(DeletionApplication(operator, ordered, removals, title, body, message, read))
    return found


def stale_branch_operators(branches: list[str]) -> set[str]:
    """Operators that have a deletion branch (to drop those no longer needed)."""
    return {b[len(BRANCH_PREFIX) :] for b in branches if b.startswith(BRANCH_PREFIX)}
