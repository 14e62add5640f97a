"""GitHub accounts: who files applications and who reviews them (000 §2-4, §3-1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from accessreg.model import layout
from accessreg.model.messages import msg
from accessreg.model.problems import DataPath, Problem
from accessreg.model.registry import Registry
from accessreg.rules.base import Context, Scope, finding, rule


@dataclass(frozen=True)
class _Holder:
    file: str
    path: DataPath
    email: str  # the person, by their e-mail in lower case
    maintainer: bool
    login: str  # the account as this file writes it


@rule("github-account-unique", "002 §3.3, 001 p46; 000 §2-4, §3-1", Scope.OPERATORS)
def github_account_unique(reg: Registry, ctx: Context) -> Iterator[Problem]:
    """One GitHub account stands for two people, ignoring letter case.

    Who may change what is decided by the account (authorize), and GitHub logins ignore
    letter case: an account on two window persons (different e-mails, of any operators)
    lets one act as the other, and a reviewer's account on a window person lets the
    reviewer examine their own application. An ID is one person's, never shared (002 §3.3,
    001 p46). One person (one e-mail) holding the account twice is no clash here: whether
    an e-mail may stand twice is the login-ID rule's question. Reported at every account
    the change added or altered; at every one when the change touched none.
    """
    held: dict[str, list[_Holder]] = defaultdict(list)
    for entry in reg.iter_operators():
        for i, c in enumerate(entry.operator.contacts):
            held[c.github.lower()].append(
                _Holder(entry.file, ("contacts", i, "github"), c.email.lower(), False, c.github)
            )
    if reg.maintainers is not None:
        for i, m in enumerate(reg.maintainers.maintainers):
            held[m.github.lower()].append(
                _Holder(layout.MAINTAINERS_FILE, ("maintainers", i, "github"), "", True, m.github)
            )
    for login, holders in held.items():
        window = {h.email for h in holders if not h.maintainer}
        reviewers = [h for h in holders if h.maintainer]
        if len(window) < 2 and not (window and reviewers):
            continue
        # Each message names nobody: anyone may type a login into a form, and annotations,
        # plan comments and issue comments are read by every operator's window persons.
        # That the account is another person's is all the remedy needs (register one's
        # own); a reviewer finds the other holder at that holder's own finding.
        for h in holders:
            if h.maintainer:
                message = msg(
                    "The GitHub account {login} is also registered to a window person: a "
                    "reviewer would examine applications filed with their own account; a "
                    "reviewer and a window person never share an account",
                    login=h.login,
                )
            elif reviewers:
                message = msg(
                    "The GitHub account {login} is a reviewer's (maintainers.yaml): a reviewer "
                    "examines applications and may not file them; register the window "
                    "person's own account",
                    login=h.login,
                )
            else:
                message = msg(
                    "The GitHub account {login} is also registered to another window person "
                    "(logins differing only in letter case are the same account): an account "
                    "is one person's and never shared; register this window person's own",
                    login=h.login,
                )
            yield finding(h.file, message, h.path, clash=f"github {login}")


RULES = (github_account_unique,)
