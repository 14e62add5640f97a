"""What apply and confirm did (or would do), as text for the terminal and the job log.

Only counts, codes, IDs and file names: no names or addresses (a job log is widely read).
"""

from __future__ import annotations

from collections import Counter

from accessreg.effects.report import in_doubt_lines
from accessreg.effects.session import MailOutcome
from accessreg.provision.apply import ApplyResult
from accessreg.provision.confirm import ConfirmResult
from accessreg.reporting import reporters


def _mails(outcomes: list[MailOutcome], dry_run: bool) -> list[str]:
    if not outcomes:
        return ["mails: none"]
    counts = Counter(o.status for o in outcomes)
    verb = "would send" if dry_run else "mails"
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    lines = [f"{verb}: {len(outcomes)} ({parts})"]
    # Per notice, not per recipient: a job log needs no list of addresses.
    grouped = Counter(
        (o.status, o.composed.notice.kind, o.composed.notice.application) for o in outcomes
    )
    lines += [
        f"  {status}: {kind} for {application} ({n} recipient{'s' if n > 1 else ''})"
        for (status, kind, application), n in sorted(grouped.items())
    ]
    return lines


def _held(result: ApplyResult) -> list[str]:
    """What the run held back and why, per operator; what it released."""
    lines = []
    if result.released:
        lines.append(f"released: {len(result.released)} file(s) held back before, applied now")
    hold = result.hold
    if not hold.problems:
        return lines
    by_operator = hold.operators()
    lines.append(
        f"held back: {len(hold.files)} file(s) of {len(by_operator)} operator(s), for errors "
        "at HEAD; applied by the first run after a fix is merged"
    )
    for code, problems in by_operator.items():
        lines.append(f"  {code or '(no operator)'}: {len(hold.files_of(code))} file(s)")
        lines += [f"    {line}" for line in reporters.text(problems).splitlines()]
    return lines


def apply_text(result: ApplyResult, out: str) -> str:
    mode = "dry run (nothing sent, nothing recorded)" if result.dry_run else "applied"
    base = result.base[:12] if result.base else "(nothing applied yet)"
    lines = [f"{mode}: {base} → {result.head[:12]}"]
    if result.batch is not None:
        lines.append(f"batch: {result.batch.id} (systems: {', '.join(result.batch.systems)})")
    else:
        lines.append("batch: none (no change to provision)")
    for app in result.applications:
        lines.append(
            f"application {app.id}: {'・'.join(app.kinds)}, accepted {app.accepted_on}, "
            f"M {app.processing_day}"
        )
    for system, n in result.rows.items():
        lines.append(f"delta {system}: {n} row(s)")
    r = result.removal
    lines.append(f"login IDs: {r.before} → {r.after} ({r.removed} removed)")
    lines += _held(result)
    lines.append(f"outputs: {len(result.files)} files in {out}")
    lines += _mails(result.mails, result.dry_run)
    if result.recorded:
        lines.append(f"state: applied revision {result.head[:12]} recorded")
    lines += [f"state: {note}" for note in result.notes]
    lines += in_doubt_lines(result.in_doubt)
    return "\n".join(lines) + "\n"


def confirm_text(result: ConfirmResult) -> str:
    batch = result.batch
    done = ", ".join(result.newly_imported) or "nothing new"
    lines = [f"batch {batch.id}: recorded as imported: {done}"]
    for system, progress in batch.systems.items():
        state = f"imported {progress.imported_on}" if progress.imported_on else "generated"
        lines.append(f"  {system}: {state}")
    lines += _mails(result.mails, dry_run=False)
    lines += [f"state: {note}" for note in result.notes]
    lines += in_doubt_lines(result.in_doubt)
    return "\n".join(lines) + "\n"
