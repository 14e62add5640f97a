"""The core of ``accessreg from-issue``: a submitted issue form in, an edit and a PR text out.

The form is read with the definitions it was generated from, turned into the same edit as the
matching command, checked against who filed it (authorization, decided from the registry as it
is before the change: whether they may file for the form's operator at all before the edit
reads its users, then the edit's every file), validated with the whole registry, and written
only if all is well.
The result is data: what the workflow needs to open the pull request, or the problems in plain
words for a comment on the issue.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from accessreg import i18n
from accessreg.edit import Draft, EditRefused, FileChange, finish, targets
from accessreg.edit.draft import BadValueError, UnknownOperatorError
from accessreg.errors import ConfigError, UsageError
from accessreg.escape import commit_text, markdown, markdown_block
from accessreg.files.loading import load_catalog
from accessreg.files.sources import DirectorySource
from accessreg.forms import authority, body, wording
from accessreg.forms.builders import BUILDERS, Answers
from accessreg.forms.definitions import Form, forms
from accessreg.model import layout
from accessreg.model.base import GITHUB_LOGIN, GITHUB_LOGIN_MAX, OPERATOR_KEY
from accessreg.model.messages import msg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry, admin_change
from accessreg.review.pullrequest import Standing, standing


@dataclass(frozen=True)
class IntakeResult:
    ok: bool
    author: str
    issue: int | None
    kind: str | None = None
    operator: str | None = None
    branch: str | None = None
    title: str | None = None
    body: str | None = None
    commit_message: str | None = None
    changes: tuple[FileChange, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    # Markdown lines, Japanese then English: what the registry holds elsewhere that does
    # not hold the application (errors already in other operators' files, counted).
    notices: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # markdown list lines, plain words
    written: bool = False
    label: str = "registry"
    comment: str | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "kind": self.kind,
            "operator": self.operator,
            "author": self.author,
            "issue": self.issue,
            "branch": self.branch,
            "title": self.title,
            "body": self.body,
            "commit_message": self.commit_message,
            "changes": [
                {"file": f"{self.label}/{c.rel}", "action": c.action} for c in self.changes
            ],
            "notes": list(self.notes),
            "warnings": [p.as_dict(i18n.text) for p in self.warnings],
            "notices": list(self.notices),
            "problems": list(self.problems),
            "comment": self.comment,
            "written": self.written,
        }


def _comment(problems: list[str], form: Form | None) -> str:
    name = f"「{form.name}」" if form else ""
    return (
        f"この申請{name}には次の問題があるため、プルリクエストは作成していません。"
        "内容を直してこの issue を編集すると、もう一度確認します。\n"
        "This application has the problems below, so no pull request was opened. "
        "Edit this issue to have it checked again.\n\n" + "\n".join(problems) + "\n"
    )


def _refused(
    author: str, issue: int | None, form: Form | None, problems: list[str], label: str
) -> IntakeResult:
    return IntakeResult(
        ok=False,
        author=author,
        issue=issue,
        kind=form.kind if form else None,
        problems=tuple(problems),
        comment=_comment(problems, form),
        label=label,
    )


# A private key in any of PEM's spellings (PKCS#8, its encrypted form, RSA, EC, OpenSSH).
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
# What a filer who pasted a private key must do: the key is public from the moment the issue
# was submitted, and an edit leaves it in the issue's history. A leaked certificate is
# suspended first (001 p46), then replaced.
_LEAKED = (
    "この issue には秘密鍵（PRIVATE KEY）が貼り付けられているため、プルリクエストは作成して"
    "いません。この issue を読めるすべての人に秘密鍵が知られたものとして扱ってください。"
    "issue を編集して消しても、編集履歴に残ります。\n"
    "1. この issue を削除してください（削除できない場合は、受付担当者に削除を依頼してください）。\n"
    "2. この秘密鍵の証明書の利用停止を、直ちに受付窓口に申し出てください（001 p46）。\n"
    "3. 証明書を発行し直し、新しい issue で、証明書だけ（秘密鍵を含めない）を貼り付けて申請して"
    "ください。\n\n"
    "This issue holds a private key (PRIVATE KEY), so no pull request was opened. Treat the "
    "key as known to everyone who can read this issue: an edit leaves it in the issue's "
    "history.\n"
    "1. Delete this issue (or ask a maintainer to delete it).\n"
    "2. Have the certificate of this key suspended at once: tell the system operator's desk "
    "(001 p46).\n"
    "3. Have the certificate issued again, and file it in a new issue with the certificate "
    "alone, without its key.\n"
)


def leaked(author: str, issue: int | None, label: str) -> IntakeResult:
    """The refusal of a body holding a private key, in whatever field: what to do now that
    it is public, and nothing of the body itself repeated."""
    line = "- 秘密鍵が貼り付けられています / a private key was pasted"
    return IntakeResult(
        ok=False,
        author=author,
        issue=issue,
        problems=(line,),
        comment=f"{_LEAKED}\n{line}\n",
        label=label,
    )


def undecodable(author: str, issue: int | None, label: str) -> IntakeResult:
    """The refusal of a body that is not UTF-8 text (GitHub writes UTF-8; anything else
    was not typed into the form)."""
    line = "- 本文を UTF-8 のテキストとして読めません / the body is not UTF-8 text"
    return _refused(author, issue, None, [line], label)


# The refusals that are about who filed: the filer is not a window person of the operator
# (at the base revision; of the new operator, as its file names them) nor a maintainer.
_NOT_THEIRS = frozenset({"operator-files", "new-operator-contact"})


def _not_authorized(
    author: str, problem: Problem, where: str = "", form: Form | None = None
) -> str:
    """The comment's line for a refusal of authority, its own reason first, in both
    languages: under the field of ``form`` that gives the value refused, as the other
    refusals are, or else each naming the file refused (``where``, escaped for markdown)
    when given. That only the operator's window persons and the maintainers may file is
    said only when that is why: a window person refused for what the change does is told
    what it does."""
    field = wording.field_at(form, problem.path) if form is not None else None
    if field is not None and problem.rule not in _NOT_THEIRS:
        return f"- **{field.label}**: {wording.both(problem.message)} ({problem.rule})"
    if problem.rule not in _NOT_THEIRS:
        at = f"{where}: " if where else ""
        ja, en = (markdown(i18n.text(problem.message, lang)) for lang in ("ja", "en"))
        return f"- {at}{ja} / {at}{en} ({problem.rule})"
    return (
        f"- @{author} はこの変更を申請できません{f'（{where}）' if where else ''}。申請できる"
        "のは、その事業者のシステム窓口責任者として登録された GitHub アカウントか受付担当者"
        f"です。 / @{author} may not file this change{f' ({where})' if where else ''}: only "
        "a GitHub account registered as the operator's window person, or a maintainer, may.  \n"
        f"  {wording.both(problem.message)} ({problem.rule})"
    )


def _standing(draft: Draft, code: str | None) -> Standing | None:
    """Where authority over the form's operator comes from; None for an operator the
    registry does not hold (a new one, a code that is not one): that is left to the edit
    and to the authority decided on it."""
    if code is None or not re.match(OPERATOR_KEY, code):
        return None
    if not draft.exists(layout.operator_file(code)):
        return None
    repo = draft.tree.repo if draft.tree is not None else None
    return standing(draft.registry, code, repo)


def _branch(form: Form, issue: int | None, author: str, body_text: str) -> str:
    """The pull request's branch. For an issue it names the issue's author, as the workflow
    got it from GitHub: the pull-request checks read who filed from there (the body holds
    what the filer typed, so it could name anyone)."""
    if issue is not None:
        return f"application/issue-{issue}-by-{author}"
    digest = hashlib.sha256(body_text.encode("utf-8")).hexdigest()[:10]
    return f"application/{form.kind}-{digest}"


def _pr_text(
    form: Form, operator: str, author: str, issue: int | None, notes: tuple[str, ...],
    changes: tuple[FileChange, ...], warnings: tuple[Problem, ...], label: str,
    review: tuple[str, ...] = (), notices: tuple[str, ...] = (),
    stated: tuple[tuple[str, str], ...] = (),
) -> tuple[str, str, str]:  # fmt: skip
    ref = f" (#{issue})" if issue is not None else ""
    title = f"[{operator}] {form.name} / {form.name_en}{ref}"
    lines = [
        f"**{form.name}** / {form.name_en} ({form.seed})",
        "",
        f"申請者 / Filed by: @{author}" + (f" through issue #{issue}" if issue else ""),
    ]
    if issue is not None:
        lines += ["", f"Closes #{issue}"]
    lines += ["", "### 申請内容 / What changes", "", markdown_block("\n".join(notes)), ""]
    for heading, text in stated:  # what the filer wrote for the reviewer, as written
        lines += [f"### {heading} / As the filer states it", "", markdown_block(text), ""]
    lines += ["### ファイル / Files", ""]
    lines += [f"- {markdown(f'{label}/{c.rel}')} ({c.action})" for c in changes]
    if review:
        lines += ["", "### 受付担当者の確認が必要 / A maintainer must review", ""]
        lines += [f"- {markdown(r)}" for r in review]
    if warnings:
        lines += ["", "### 注意 / Warnings (they do not block the application)", ""]
        lines += [f"- {wording.both(p.message)} ({p.rule})" for p in warnings]
    if notices:
        lines += ["", "### お知らせ / Notice", ""]
        lines += [f"- {n}" for n in notices]
    lines += [
        "",
        "承認（受付）は受付担当者のレビューで行います。 / A reviewer's approval is the acceptance.",
    ]
    # The commit message holds no text the filer typed (names, memos: the body shows them):
    # GitHub reads references, mentions and closing keywords ("Fixes #5") in commits.
    files = [f"- {commit_text(f'{label}/{c.rel}')} ({c.action})" for c in changes]
    message = f"{form.name}: {commit_text(operator)}{ref}\n\nFiled by @{author}{ref}.\n\n"
    return title, "\n".join(lines) + "\n", message + "\n".join(files) + "\n"


# How much of a text the filer states a pull request quotes: GitHub refuses a body over
# 65,536 characters, and the issue keeps the whole.
STATED_LIMIT = 2_000


def _quoted(text: str, issue: int | None) -> str:
    """``text`` as the pull request quotes it: whole, or its start and where the rest is."""
    if len(text) <= STATED_LIMIT:
        return text
    where = f" #{issue}" if issue is not None else ""
    rest = len(text) - STATED_LIMIT
    return (
        f"{text[:STATED_LIMIT]}\n…（以下 {rest} 文字は issue{where} にあります / "
        f"{rest} more characters in the issue{where}）"
    )


def _applied_as(
    all_forms: tuple[Form, ...], form: Form, before: Registry, after: Registry, answers: Answers
) -> Form:
    """The application a filled-in form amounts to: a new user who takes over the admin ID
    from an admin the same form changes or deletes is the change of admin (002 §3.2.2), as
    the plan names it (``registry.admin_change``), whichever user form filed it."""
    code, email = answers.text("operator"), (answers.text("email") or "").lower()
    if form.kind != "user-add" or code is None:
        return form
    user = next((u.user for u in after.users_of(code) if u.user.email.lower() == email), None)
    if user is None or not admin_change(before, after, code, user.permissions):
        return form
    return next((f for f in all_forms if f.kind == "user-change"), form)


def _known_as(answers: Answers) -> str:
    """The operator a form's pull request is for, by the key it is known by once merged: an
    applicant receiving its operator code (003 §2.2) by the code OCCTO issued, not by the
    provisional key the form names (the body's items say which key moves to it)."""
    return answers.text("issued_code") or answers.text("operator") or ""


def from_issue(
    root: Path,
    label: str,
    today: date,
    body_text: str,
    author: str,
    kind: str | None = None,
    issue: int | None = None,
    write: bool = True,
) -> IntakeResult:
    catalog, _ = load_catalog(DirectorySource(root), [layout.CATALOG_FILE])
    if catalog is None:
        raise ConfigError(
            msg("The catalog {file} does not load", file=layout.repo_path(layout.CATALOG_FILE))
        )
    if not re.fullmatch(GITHUB_LOGIN, author) or len(author) > GITHUB_LOGIN_MAX:
        raise UsageError(msg("'{author}' is not a GitHub login", author=author))
    if _PRIVATE_KEY.search(body_text):
        return leaked(author, issue, label)
    all_forms = forms(catalog)
    if kind is not None:
        form = next((f for f in all_forms if f.kind == kind), None)
        if form is None:
            raise ConfigError(
                msg(
                    "No application form '{kind}' (known: {known})",
                    kind=kind,
                    known=tuple(f.kind for f in all_forms),
                )
            )
    else:
        candidates = body.detect(all_forms, body_text)
        form = candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1:
            names = "」「".join(f.name for f in candidates)
            names_en = " and ".join(f.name_en for f in candidates)
            unsure = (
                f"- 本文は「{names}」のいずれとしても読めるため、どの申請か決められません。"
                "申請フォームを選び直して提出してください / the body reads equally as "
                f"{names_en}: file it again from the form meant"
            )
            return _refused(author, issue, None, [unsure], label)
    if form is None:
        unread = (
            "- 申請フォームの本文として読めません / the body is not one of the application forms"
        )
        return _refused(author, issue, None, [unread], label)

    values, problems = body.parse(form, body_text)
    answers = Answers(form, values, author, problems)
    operation = BUILDERS[form.kind](answers)
    if answers.problems:
        lines = [f"- **{p.field}**: {markdown(p.message)}" for p in answers.problems]
        return _refused(author, issue, form, lines, label)

    draft = Draft(root, label, today)
    try:
        # Authority first: a refusal must not tell what only the edit finds out (not even
        # that the operator's file has errors). An operator whose file has errors is refused
        # by the edit, unless the form only takes access away (a deletion of its users, an
        # overseas address or a window person removed, a termination): nothing delays that.
        # A code in another case is the operator it spells (``targets.meant``): the edit's
        # checks that depend on the operator are run against it, after its authority.
        given = answers.text("operator")
        code = (given and targets.meant(draft, given)) or given
        standing = _standing(draft, code)
        if standing is not None and code is not None:
            unauthorized = authority.may_file(standing, code, author)
            if unauthorized is not None:
                lines = [_not_authorized(author, unauthorized)]
                return _refused(author, issue, form, lines, label)
        operation(draft)
        changed = draft.changed()
        before, after, user_paths = draft.around(changed)
        if after is None:  # the catalog itself is what changed: not an application form's doing
            raise EditRefused(msg("The change leaves a registry that does not load"))
        decision = authority.check(before, after, changed, author, user_paths, standing, draft)
        applied = _applied_as(all_forms, form, before, after, answers)
        # The reviewer reads these in the pull request, the filer in the issue: both languages.
        review = tuple(
            f"{p.file}: {i18n.text(p.message, 'ja')} / {i18n.text(p.message, 'en')}"
            for p in decision.review
        )
        if decision.refused:
            lines = [_not_authorized(author, p, markdown(p.file), form) for p in decision.refused]
            return _refused(author, issue, form, lines, label)
        outcome = finish(draft, write)
    except UnknownOperatorError as exc:
        # Under the field that names it; beside it, what the other fields' values are worth.
        field = form.field("operator")
        lead = f"**{field.label}**: " if field else ""
        others = [wording.explain(form, p) for p in exc.problems if isinstance(p, Problem)]
        return _refused(
            author, issue, form, [f"- {lead}{wording.both(exc.message)}", *others], label
        )
    except (EditRefused, BadValueError) as exc:
        # Where the registry stands in the way, in the words the other problems use.
        where = ["  " + wording.explain(form, p) for p in exc.problems if isinstance(p, Problem)]
        placed = wording.field_at(form, exc.at or ())  # the field giving the value refused
        lead = f"**{placed.label}**: " if placed else ""
        return _refused(
            author, issue, form, [f"- {lead}{wording.both(exc.message)}", *where], label
        )
    finally:
        draft.close()

    if not outcome.ok:
        lines = [wording.explain(form, p) for p in outcome.problems if p.level is Level.ERROR]
        if outcome.standing:
            lines.append(
                "- この申請が関わるファイルに以前からのエラーがあり、受付担当者の修正が必要です / "
                "the files this application touches already have errors a maintainer must fix "
                "first:"
            )
            lines += ["  " + wording.explain(form, p) for p in outcome.standing]
        if outcome.due_notice is not None:
            lines.append(f"- {wording.both(outcome.due_notice)}")
            lines += ["  " + wording.explain(form, p) for p in outcome.due]
        return _refused(author, issue, form, lines, label)

    operator = _known_as(answers)
    warnings = tuple(p for p in outcome.problems if p.level is Level.WARNING) + outcome.kept
    notes = tuple(i18n.text(n, "ja") for n in outcome.notes)  # the application's items
    told = (outcome.kept_notice, outcome.elsewhere_notice)
    notices = tuple(wording.both(notice) for notice in told if notice is not None)
    stated = tuple(
        (f.label, _quoted(text, issue))
        for f in form.fields
        if f.stated and (text := answers.text(f.id))
    )
    title, pr_body, message = _pr_text(
        applied, operator, author, issue, notes, outcome.changes, warnings, label, review, notices,
        stated,
    )  # fmt: skip
    return IntakeResult(
        ok=True,
        author=author,
        issue=issue,
        kind=form.kind,
        operator=operator,
        branch=_branch(form, issue, author, body_text),
        title=title,
        body=pr_body,
        commit_message=message,
        changes=outcome.changes,
        notes=notes,
        warnings=warnings,
        notices=notices,
        written=outcome.written,
        label=label,
    )
