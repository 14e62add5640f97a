"""What apply and confirm did (or would do), as text for the terminal and the job log, in
the run's language.

Only counts, codes and file names: no names or addresses (a job log is read by every
operator's window persons), and no user file's name, which is its login ID.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from accessreg import i18n
from accessreg.effects.report import at_most, in_doubt_lines, status
from accessreg.effects.session import MailOutcome
from accessreg.escape import terminal_path
from accessreg.model import layout
from accessreg.model.catalog import Catalog, system_named
from accessreg.model.mail import notice_name
from accessreg.model.messages import Message, Param, Verbatim, msg, nmsg
from accessreg.model.problems import Problem
from accessreg.plan.wording import kinds_text
from accessreg.provision.apply import ApplyResult
from accessreg.provision.bundle import UPGRADE_FILES
from accessreg.provision.confirm import ConfirmResult, Unconfirmed
from accessreg.provision.holding import Hold
from accessreg.provision.safety import rewrite_note
from accessreg.provision.state import ApplicationRecord
from accessreg.reporting import reporters


def _t(message: Message) -> str:
    return i18n.text(message)


def _mails(outcomes: list[MailOutcome], dry_run: bool, catalog: Catalog | None) -> list[str]:
    if not outcomes:
        return [_t(msg("mails: none"))]
    counts = Counter(o.status for o in outcomes)
    parts = Verbatim(", ".join(f"{n} {status(s)}" for s, n in sorted(counts.items())))
    head = msg("would send: {count} ({parts})") if dry_run else msg("mails: {count} ({parts})")
    lines = [_t(msg(head.text, count=len(outcomes), parts=parts))]
    # Per notice, not per recipient: a job log needs no list of addresses.
    grouped = Counter(
        (o.status, o.composed.notice.kind, o.composed.notice.application) for o in outcomes
    )

    def line(group: tuple[tuple[str, str, str], int]) -> str:
        (s, kind, application), n = group
        return _t(
            msg(
                "{status}: {kind} for {application} ({recipients})",
                status=Verbatim(status(s)),
                kind=notice_name(kind, catalog),
                application=application,
                recipients=nmsg("{count} recipient", "{count} recipients", n),
            )
        )

    return lines + at_most(sorted(grouped.items()), line)


def _held(result: ApplyResult) -> list[str]:
    """What the run held back and why, per operator; what it released, and the files held
    back whose revocations it applied."""
    lines = []
    if result.released:
        lines.append(
            _t(
                msg(
                    "released: {files} held back before, applied now",
                    files=nmsg("{count} file", "{count} files", len(result.released)),
                )
            )
        )
    if result.revoked:
        lines.append(
            _t(
                msg(
                    "revocations of {files} held back applied: what their version at HEAD takes "
                    "away goes out now, the rest waits for the fix",
                    files=nmsg("{count} file", "{count} files", len(result.revoked)),
                )
            )
        )
    return lines + held_lines(
        result.hold,
        msg(
            "held back: {files} of {operators}, for errors at HEAD; applied by the first run "
            "after a fix is merged"
        ),
    )


def held_lines(hold: Hold, heading: Message) -> list[str]:
    """What ``hold`` holds back, under ``heading`` (its ``{files}`` and ``{operators}``
    counted), and per operator the errors that hold it; nothing when it holds nothing."""
    if not hold.problems:
        return []
    by_operator = hold.operators()
    lines = [
        _t(
            msg(
                heading.text,
                files=nmsg("{count} file", "{count} files", len(hold.files)),
                # A file where no file belongs is listed under no operator, counted as none.
                operators=nmsg(
                    "{count} operator", "{count} operators", len(by_operator.keys() - {""})
                ),
            )
        )
    ]
    for code, problems in by_operator.items():
        files = nmsg("{count} file", "{count} files", len(hold.files_of(code)))
        if code:
            # The code is a folder's name in a pull request: the line starts with it.
            named = terminal_path(code)
            lines.append("  " + _t(msg("{operator}: {files}", operator=named, files=files)))
        else:  # no operator's: held by nothing, never applied
            lines.append("  " + _t(msg("files where no file belongs (never applied):")))
        shown = [_logged(p) for p in problems]
        lines += [f"    {line}" for line in reporters.text(shown).splitlines()]
    return lines


def _logged(problem: Problem) -> Problem:
    """A held file's problem as the job log shows it: a user file by its operator's folder,
    not its name, which is the login ID (every operator reads the log). The line stays;
    the reviewers' 【保留】 mail names the file, and its operator is told above."""
    rel = layout.registry_rel(problem.file)
    code = layout.operator_of(rel) if rel is not None else None
    if rel is None or code is None or layout.user_stem(rel) is None:
        return problem
    return replace(problem, file=f"{layout.repo_path(layout.users_dir(code))}/…")


def apply_text(result: ApplyResult, out: str) -> str:
    base = result.base[:12] if result.base else _t(msg("(nothing applied yet)"))
    head = (
        msg("dry run (nothing sent, nothing recorded): {base} → {head}")
        if result.dry_run
        else msg("applied: {base} → {head}")
    )
    lines = [_t(msg(head.text, base=Verbatim(base), head=result.head[:12]))]
    if result.refused is not None:
        lines.append(
            _t(
                msg(
                    "up to {head} only: the merge after it is refused as a mass removal "
                    "(below); it and the merges after it wait",
                    head=result.head[:12],
                )
            )
        )
    if result.rewritten and result.base is not None:
        lines.append(_t(rewrite_note(result.base)))
    catalog = result.catalog
    if result.batch is not None:
        lines.append(
            _t(
                msg(
                    "batch: {id} (systems: {systems})",
                    id=result.batch.id,
                    # A batch of certificates or addresses alone has no import files.
                    systems=tuple(system_named(catalog, s) for s in result.batch.systems)
                    or msg("none (no import file for any system)"),
                )
            )
        )
    else:
        lines.append(_t(msg("batch: none (no change to provision)")))
    lines.extend(_t(_application_line(app)) for app in result.applications)
    for system, n in result.rows.items():
        lines.append(
            _t(
                msg(
                    "delta {system}: {rows}",
                    system=system_named(catalog, system),
                    rows=nmsg("{count} row", "{count} rows", n),
                )
            )
        )
    r, e = result.removal.counts(), result.entries.counts()
    lines.append(_t(msg("login IDs: {before} → {after} ({removed} removed)", **r)))
    lines.append(_t(msg("whitelist entries: {before} → {after} ({removed} removed)", **e)))
    lines += _held(result)
    rendered, operators = result.rendered
    snapshots = (
        msg(
            "snapshots: {rendered} of {operators} operators rendered, the others from the cache",
            rendered=rendered,
            operators=operators,
        )
        if rendered < operators
        else msg(
            "snapshots: {rendered} of {operators} operators rendered, none from the cache",
            rendered=rendered,
            operators=operators,
        )
    )
    lines.append(_t(snapshots))
    lines.append(
        _t(
            msg(
                "users read: {read} of {operators} operators", read=result.read, operators=operators
            )
        )
    )
    lines.append(_t(msg("outputs: {count} files in {dir}", count=len(result.files), dir=out)))
    if set(UPGRADE_FILES) <= set(result.files):
        ldif_file, scim_file = UPGRADE_FILES
        lines.append(
            _t(
                msg(
                    "directory groups: this version keeps every group of the catalog, held "
                    "or not; apply {ldif} (ldapmodify -c: what is there already is refused "
                    "and skipped) and {scim} before this run's deltas, once",
                    ldif=ldif_file,
                    scim=scim_file,
                )
            )
        )
    lines += _mails(result.mails, result.dry_run, catalog)
    if result.recorded:
        lines.append(_t(msg("state: applied revision {rev} recorded", rev=result.head[:12])))
    lines += [_t(msg("state: {note}", note=note)) for note in result.notes]
    lines += in_doubt_lines(result.in_doubt, catalog)
    return "\n".join(lines) + "\n"


def confirm_text(result: ConfirmResult) -> str:
    """Each system as the forms name it, with the key ``--system`` takes."""
    batch, catalog = result.batch, result.catalog
    done: Param = (
        tuple(system_named(catalog, s) for s in result.newly_imported)
        if result.newly_imported
        else msg("nothing new")
    )
    lines = [_t(msg("batch {id}: recorded as imported: {systems}", id=batch.id, systems=done))]
    for system, progress in batch.systems.items():
        state = (
            msg("imported {day}", day=progress.imported_on)
            if progress.imported_on
            else msg("generated")
        )
        named = system_named(catalog, system)
        lines.append("  " + _t(msg("{system}: {state}", system=named, state=state)))
    lines += [_t(_unconfirmed_line(u, catalog)) for u in result.unconfirmed]
    lines += _mails(result.mails, False, catalog)
    lines += [_t(msg("state: {note}", note=note)) for note in result.notes]
    lines += in_doubt_lines(result.in_doubt, catalog)
    return "\n".join(lines) + "\n"


def _unconfirmed_line(earlier: Unconfirmed, catalog: Catalog | None) -> Message:
    """An earlier batch still 未済 for a system, by its holders' count: a job log names no
    one."""
    return msg(
        "warning: the earlier batch {batch} is still not done for {system}, and changes the "
        "permission there of {holders} this batch changes too: its setting (000 §5-1 ⑨⑩) is "
        "not recorded as done, so this batch's completion notices, telling the change "
        "(§5-2), reach them before that setting's own. If the system has done that batch's "
        "work too, record it: accessreg confirm {batch} --system {key}",
        batch=earlier.batch,
        system=system_named(catalog, earlier.system),
        holders=nmsg("{count} user", "{count} users", earlier.holders),
        key=earlier.system,
    )


def _application_line(app: ApplicationRecord) -> Message:
    """An application, its 受付日 and its M: none for one that only suspends or lifts (at
    once, 001 p46), nor for one no M batch processes (a deletion, a usage application, an
    overseas address: ``timeline.effective.processing_days``), nor for one of systems whose
    operator processes no batches (OCCTO's)."""
    fields: dict[str, Param] = {
        "id": app.id,
        "kinds": kinds_text(app.kinds),
        "accepted": app.accepted_on,
    }
    if app.processing_days:
        return msg(
            "application {id}: {kinds}, accepted {accepted}, M {m}",
            m=app.processing_days,
            **fields,
        )
    if app.items and all(i.keyed == "suspended_on" for i in app.items):
        return msg("application {id}: {kinds}, accepted {accepted}, at once", **fields)
    return msg("application {id}: {kinds}, accepted {accepted}, no processing day M", **fields)
