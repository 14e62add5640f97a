"""The one layer that acts: a session holding the repository, the state refs, the outbox and
the SMTP transport, which carries out a ``RunPlan`` (see ``effects.plan`` for the order).

``apply``, ``confirm`` and the scheduled duties each compute their plan without any effect
and hand it here; SMTP settings, opening git and the state, the check that HEAD's registry is
sound, writing the outputs at once, moving branches and sending are done here only.

Sending goes through the outbox (``effects.outbox``) so that a crash at any point sends no
mail twice and loses none silently: each mail is recorded as in flight (and pushed) before
it is handed to SMTP, and recorded as sent right after the server's 250 (pushed with the next
mail's in-flight record, one push a mail, or at the end). A refusal by the
server withdraws the record; anything else that stops the run in between leaves the mail in
doubt, for a person to settle (``resend`` or ``delivered``). A server that cannot be reached
or stops taking mail stops the sending, not the run: the records that say what to record
``instead`` are recorded (``apply``'s, with the notices not sent owed), or what a plan that
``owes_mails`` keeps stands (``confirm``'s import, the duties' branches and notice log), and
the run then ends with ``MailsOwed``, once its caller has reported it (``Done.stopped``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext, suppress
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from accessreg.effects import outbox as outbox_files
from accessreg.effects.outbox import Outbox
from accessreg.effects.plan import BranchSet, Kept, Outgoing, Record, RunPlan, Seal, When
from accessreg.errors import AccessregError, ConfigError
from accessreg.files import atomic
from accessreg.files.cachedload import load_snapshot
from accessreg.files.loading import load_catalog, locate_each
from accessreg.files.parsecache import cache_dir
from accessreg.files.reasons import os_reason
from accessreg.gitio.branches import BranchChange, Branches
from accessreg.gitio.repo import BlobSource, GitRepository
from accessreg.gitio.state import STATE_REF, Merge, StatePushError, StateStore
from accessreg.mail.compose import Composed, Later
from accessreg.mail.smtp import (
    DeliveryError,
    Envelope,
    MailRefused,
    Message,
    RecipientDeferred,
    SettingsUnusable,
    SmtpSettings,
    SmtpTransport,
    Transport,
    Undeliverable,
    dated,
    parsed,
    sender_from_env,
)
from accessreg.model.catalog import Catalog
from accessreg.model.layout import CATALOG_FILE, REGISTRY_DIR
from accessreg.model.mail import MailStatus
from accessreg.model.messages import Message as Worded
from accessreg.model.messages import msg, nmsg
from accessreg.model.problems import Level, Problem
from accessreg.model.registry import Registry
from accessreg.timeline.clock import JST

TransportFactory = Callable[[SmtpSettings], AbstractContextManager[Transport]]


class RecipientsHeld(DeliveryError):  # noqa: N818 - see MailRefused
    """The server refused some mails for good (their recipient, or the message itself): the
    rest was sent and the run recorded; those are held for a human (``accessreg outbox
    list``)."""

    def __init__(self, message_ids: list[str]) -> None:
        super().__init__(
            msg(
                "SMTP refused {count} for good (the recipient, or the message itself): {ids}. "
                "The rest was sent and the run recorded; each is held and never sent again by "
                "itself (`accessreg outbox list` gives the server's answer). Check the address "
                "with the operator, or the refusal with the server's administrator: once the "
                "server takes it, `accessreg outbox resend ID`; if they were told another way, "
                "`accessreg outbox delivered ID`",
                count=nmsg("{count} mail", "{count} mails", len(message_ids)),
                ids=tuple(message_ids),
            )
        )


class MailsOwed(DeliveryError):  # noqa: N818 - see MailRefused
    """The SMTP server could not be reached, or stopped taking mail, and the run was
    recorded all the same: its outputs are the batch (apply's, ``kept`` None), or what the
    plan keeps stands without them (``Kept``; the duties' deletion branches ``moved`` or
    not), and the mails not sent are owed to the next run."""

    def __init__(
        self, cause: DeliveryError, count: int, kept: Kept | None = None, moved: bool = False
    ) -> None:
        said = cause.message if isinstance(cause.message, Worded) else str(cause)
        if isinstance(cause, RecipientDeferred):  # the server takes mail: the others went
            super().__init__(
                msg(
                    "{cause}. The SMTP server refused the recipient of {count} for now (a "
                    "4xx: greylisting, a full mailbox) and took the others; the run is "
                    "recorded all the same, and what it refused is owed, to go out with the "
                    "next run",
                    cause=said,
                    count=nmsg("{count} mail", "{count} mails", count),
                )
            )
            return
        if kept is Kept.IMPORT:
            super().__init__(_import_kept(cause, said, count))
            return
        if kept is Kept.DUTIES:
            super().__init__(_duties_kept(cause, said, count, moved))
            return
        if isinstance(cause, SettingsUnusable):  # nothing was handed over: all are owed
            super().__init__(
                msg(
                    "{problem}. The run is recorded all the same: its outputs are the batch "
                    "(recorded.json), to import as any batch, and what was not sent ({count}) "
                    "is owed, to go out with the next run once it is set. Set it (in the "
                    "workflows, the repository's secret of that name), then run the job again",
                    problem=cause.problem,
                    count=nmsg("{count} mail", "{count} mails", count),
                )
            )
            return
        if not count:  # the one mail the session broke on is in doubt; none is owed
            super().__init__(
                msg(
                    "{cause}. The run is recorded all the same: its outputs are the batch "
                    "(recorded.json), to import as any batch",
                    cause=said,
                )
            )
            return
        super().__init__(
            msg(
                "{cause}. The run is recorded all the same: its outputs are the batch "
                "(recorded.json), to import as any batch, and what was not sent ({count}) is "
                "owed, to go out with the next run that reaches the server. Once it takes mail "
                "again, run the job again",
                cause=said,
                count=nmsg("{count} mail", "{count} mails", count),
            )
        )


def _import_kept(cause: DeliveryError, said: Worded | str, count: int) -> Worded:
    """What a confirmation the server did not serve says: the import stays recorded, and
    the notices go out with the next run; the server's words a detail after it, so that
    the sentence stands without them."""
    mails = nmsg("{count} mail", "{count} mails", count)
    if isinstance(cause, SettingsUnusable):
        return msg(
            "The import is recorded all the same; what was not sent ({count}) is owed, to go "
            "out with the next run once it is set: {problem}. Set it (in the workflows, the "
            "repository's secret of that name), then run the job again",
            count=mails,
            problem=cause.problem,
        )
    if not count:  # the one mail the session broke on is in doubt; none is owed
        return msg("The import is recorded all the same. {cause}", cause=said)
    return msg(
        "The import is recorded all the same; what was not sent ({count}) is owed, and goes "
        "out with the next run (apply, confirm or the daily run) once the SMTP server takes "
        "mail again: run the job again then. Details: {cause}",
        count=mails,
        cause=said,
    )


def _duties_kept(cause: DeliveryError, said: Worded | str, count: int, moved: bool) -> Worded:
    """What a scheduled run the server did not serve says: the deletion branches it
    ``moved`` stay (the workflow pushes them whatever the run's end), and the notice log
    records only what was sent, so the items of a mail not sent are due again: the next
    run sends them, at the stage each has reached by then. The server's words last."""
    kept = (
        msg(
            "The deletion branches are moved as listed above (the workflow pushes them all "
            "the same), and the notice log records only the mails sent"
        )
        if moved
        else msg("The notice log records only the mails sent")
    )
    mails = nmsg("{count} mail", "{count} mails", count)
    if isinstance(cause, SettingsUnusable):
        return msg(
            "{kept}; what was not sent ({count}) is not recorded as told, and goes out with "
            "the next scheduled run once it is set, each item at the stage it has reached by "
            "then: {problem}. Set it (in the workflows, the repository's secret of that "
            "name), then run the job again",
            kept=kept,
            count=mails,
            problem=cause.problem,
        )
    if not count:  # the one mail the session broke on is in doubt; none is owed
        return msg("{kept}. {cause}", kept=kept, cause=said)
    return msg(
        "{kept}; what was not sent ({count}) is not recorded as told, and goes out with the "
        "next scheduled run once the SMTP server takes mail again, each item at the stage it "
        "has reached by then: run the job again then. Details: {cause}",
        kept=kept,
        count=mails,
        cause=said,
    )


def smtp_session(settings: SmtpSettings) -> SmtpTransport:
    return SmtpTransport(settings)


@dataclass(frozen=True)
class MailOutcome:
    composed: Composed | Later
    status: MailStatus


@dataclass(frozen=True)
class InDoubt:
    """A mail held for a human: handed to SMTP by a run that stopped before the answer was
    recorded, or one whose recipient the server ``refused`` (its answer)."""

    message_id: str
    kind: str
    application: str
    since: datetime
    refused: str = ""


@dataclass(frozen=True)
class Done:
    """What carrying out a plan did."""

    mails: list[MailOutcome]  # in the plan's order
    branches: list[BranchChange]
    in_doubt: list[InDoubt]  # every mail of the outbox in doubt once the run is over
    notes: list[Worded]  # what reconciling the state with the remote did
    # What ends a run recorded all the same (mails owed, recipients held), for the caller
    # to raise once it has reported what the run did; None: the run is done.
    stopped: DeliveryError | None = None


def three_way(special: Callable[[str], bool] | None = None, how: Merge | None = None) -> Merge:
    """Merge the files of two states that both moved: ``how`` merges the files ``special``
    says are its own (and returns them all); any other file may have changed on one side
    only."""

    def merge(
        base: Mapping[str, bytes], ours: Mapping[str, bytes], theirs: Mapping[str, bytes]
    ) -> dict[str, bytes]:
        merged: dict[str, bytes] = {}
        if how is not None:
            merged.update(how(base, ours, theirs))
        mine = special or (lambda name: False)
        for name in sorted(n for n in set(ours) | set(theirs) if not mine(n)):
            b, o, t = base.get(name), ours.get(name), theirs.get(name)
            if o == t or t == b:
                kept = o
            elif o == b:
                kept = t
            else:
                raise ConfigError(
                    msg(
                        "{name} of the state changed here and on the remote since "
                        "they last agreed; nothing was done. Compare the two with "
                        "`git show` and set the state ref to the one to keep",
                        name=name,
                    )
                )
            if kept is not None:
                merged[name] = kept
        return merged

    return merge


# The state ref holds the outbox, whose two copies merge into their union.
STATE_MERGE = three_way(outbox_files.is_outbox_file, outbox_files.merge)


class StateRef:
    """One state ref as this run sees it: its files, every change written through at once."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        store.fetch()
        self.commit = store.head()
        self.files = store.read(self.commit)
        # Not on the remote yet: written here with ``push=False``, or found ahead of it (a
        # push that failed before, a merge of both copies).
        self.unpushed = store.ahead

    def write(
        self,
        updates: Mapping[str, bytes | None],
        message: str,
        all_or_nothing: bool = False,
        push: bool = True,
    ) -> None:
        """Record ``updates`` (files replaced, or removed: None) on the current state. With a
        remote that does not take it, an ``all_or_nothing`` change is withdrawn here too (and
        only it: what was written before stays); any other stays recorded here, to be pushed
        by the next run. Without ``push``, the change goes to the remote with the next one
        (or ``push``)."""
        files = {name: data for name, data in {**self.files, **updates}.items() if data is not None}
        try:
            commit = self.store.write(files, message, self.commit, push)
        except StatePushError as exc:
            if not all_or_nothing:
                self.commit, self.files = exc.commit, files
                raise
            self.store.reset(self.commit, exc.commit)
            raise StatePushError(
                msg(
                    "Cannot push {ref} to {remote}: {value}. The change is withdrawn here "
                    "too: run the command again, from the state as {remote} has it",
                    ref=self.store.ref,
                    remote=str(self.store.remote),
                    value=exc.cause or msg("git push failed"),
                ),
                exc.commit,
                exc.cause,
            ) from None
        self.commit, self.files = commit, files
        self.unpushed = not push

    def push(self) -> None:
        """Send the changes written without ``push`` to the remote."""
        if self.unpushed:
            self.store.push()
            self.unpushed = False


class Session:
    """Open with ``Session.open``. With ``send``, the SMTP settings are read at once, and
    ones missing or malformed stop the sending before any mail is handed over, as a server
    that cannot be reached does: what does not wait for mail is carried out all the same."""

    def __init__(
        self,
        root: Path,
        env: Mapping[str, str],
        send: bool,
        remote: str | None,
        transport: TransportFactory,
    ) -> None:
        self.settings: SmtpSettings | None = None
        self._unusable: SettingsUnusable | None = None
        if send:
            try:
                self.settings = SmtpSettings.from_env(env)
            except SettingsUnusable as exc:
                self._unusable = exc
        # The sender the mails are composed with (and their Message-IDs made from), the same
        # whether or not the other settings can be used.
        self.sender = self.settings.sender if self.settings else sender_from_env(env)
        self.remote = remote
        self._transport = transport
        self._stack = ExitStack()
        self.repo = self._stack.enter_context(GitRepository(root))
        self._refs: dict[str, StateRef] = {}
        self._outbox: Outbox | None = None

    @classmethod
    @contextmanager
    def open(
        cls,
        root: Path,
        *,
        send: bool = False,
        remote: str | None = None,
        env: Mapping[str, str] | None = None,
        transport: TransportFactory = smtp_session,
        out: Path | None = None,
    ) -> Iterator[Session]:
        """With ``out``, the output directory is this run's alone from before the state is
        read until the run is over: a second run on it is refused at once, and can never
        replace the outputs of a run that recorded them."""
        with _claimed(out) if out is not None else nullcontext():
            session = cls(root, dict(os.environ) if env is None else env, send, remote, transport)
            with session._stack:
                yield session

    # -- reading -----------------------------------------------------------------------------

    def ref(self, name: str, merge: Merge | None = None) -> StateRef:
        """A state ref, fetched from the remote (and reconciled) on first use; ``merge``
        merges two copies that both moved."""
        if name not in self._refs:
            if name == STATE_REF:
                merge = STATE_MERGE
            store = self._stack.enter_context(
                StateStore(self.repo.root, name, self.remote, merge or three_way())
            )
            self._refs[name] = StateRef(store)
        return self._refs[name]

    @property
    def state(self) -> StateRef:
        """``refs/accessreg/state``: provisioning's record and the outbox."""
        return self.ref(STATE_REF)

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            self._outbox = Outbox(self.state.files)
        return self._outbox

    @property
    def notes(self) -> list[Worded]:
        return [note for ref in self._refs.values() for note in ref.store.notes]

    def registry_at(
        self, head: str, pins: Mapping[str, bytes | None] | None = None
    ) -> tuple[Registry | None, BlobSource, list[Problem]]:
        """The registry at ``head`` with ``pins`` laid over it (the files held back, as
        downstream systems have them), and the errors of the files that do not load,
        located; None for a registry without a catalog. Date-driven findings are a duty's
        business; what an error holds back the caller decides (``provision.holding``).

        Files the cache of incremental validation holds (by path and blob id) are not read
        or parsed again: a daily run on an unchanged registry parses nothing, and reads back
        the registry the last run loaded whole."""
        source = self.repo.blob_source(head, REGISTRY_DIR).pinned(pins or {})
        loaded = load_snapshot(source, cache_dir(self.repo.common_dir))
        problems = locate_each(loaded.problems, source, set(source.blobs))
        return loaded.registry, source, [p for p in problems if p.level is Level.ERROR]

    def catalog_at(self, rev: str) -> Catalog | None:
        """The catalog alone at ``rev``, for a report to name systems with; None where it
        does not load (the report then shows their keys)."""
        source = self.repo.blob_source(rev, REGISTRY_DIR, under=[CATALOG_FILE])
        catalog, _ = load_catalog(source, source.paths())
        return catalog

    def in_doubt(self) -> list[InDoubt]:
        return [
            InDoubt(mid, held.kind, held.application, held.since, held.refused)
            for mid, held in self.outbox.in_doubt()
        ]

    # -- acting ------------------------------------------------------------------------------

    def carry_out(self, plan: RunPlan) -> Done:
        for record in plan.recorded(When.FIRST):
            self._record(record)
        replaced = self._write(plan.out, plan) if plan.out is not None else None
        moved: list[BranchChange] = []
        outage: DeliveryError | None = None
        statuses: dict[str, MailStatus] = {}  # those handed over, also when sending stopped
        recorded = False  # the records that say the run is done: written
        try:
            try:
                for branch_set in plan.branches:
                    moved += self._branches(branch_set)
                try:
                    self._deliver(plan.mails, plan.send, statuses)
                except DeliveryError as exc:
                    # The server unreachable, or no longer taking mail: what does not wait
                    # for mail is recorded all the same, what was not sent owed to the next
                    # run.
                    instead = [
                        replace(r, files=r.instead)
                        for r in plan.recorded(When.AFTER_MAILS)
                        if r.instead is not None
                    ]
                    if not instead and plan.owes_mails is None:
                        raise
                    outage = exc
                    for record in instead:
                        self._record(record)
                else:
                    for record in plan.recorded(When.AFTER_MAILS):
                        self._record(record)
                recorded = True
            finally:  # also when sending stopped half-way: what was sent is recorded
                for record in plan.recorded(When.ALWAYS):
                    self._record(record)
        except BaseException:
            # A run that stops before its records never leaves its outputs in place of
            # those of a run that recorded them: they are that run's batch, which no later
            # run writes again.
            seal = plan.seal.name if plan.seal is not None else None
            if replaced is not None and seal is not None and not recorded and replaced.had(seal):
                with suppress(OSError):
                    replaced.restore()
            raise
        finally:
            if replaced is not None:
                replaced.done()
        if plan.out is not None and plan.seal is not None:  # a held recipient's run too
            self._seal(plan.out, plan.seal)
        # The one the session broke on is in doubt; those never handed over, owed.
        mails = [
            MailOutcome(
                m.composed,
                statuses.get(m.message_id) or self.outbox.status(m.message_id) or MailStatus.OWED,
            )
            for m in plan.mails
        ]
        stopped: DeliveryError | None = None
        refused = [mid for mid, status in statuses.items() if status is MailStatus.REFUSED]
        if outage is not None:
            owed = [m for m in mails if m.status is MailStatus.OWED]
            branched = any(c.action in ("created", "updated", "deleted") for c in moved)
            stopped = MailsOwed(outage, len(owed), plan.owes_mails, branched)
        elif refused:  # the run is recorded: a red run says what is left to a human
            stopped = RecipientsHeld(refused)
        return Done(mails, moved, self.in_doubt(), self.notes, stopped)

    def _write(self, out: Path, plan: RunPlan) -> atomic.Replaced:
        """The plan's outputs swapped in at ``out``; the directory they replace kept aside
        until the run is over."""
        try:
            # Read one file at a time: a file of the plan may be made only when read.
            return atomic.swap_in(out, plan.files, plan.listing)
        except atomic.NotAnOutputDirectoryError as exc:
            raise ConfigError(
                msg(
                    "{dir} already holds files this tool did not write: give an empty or "
                    "new directory for the outputs",
                    dir=str(exc.path),
                )
            ) from None
        except OSError as exc:
            raise ConfigError(msg("Cannot write the outputs: {why}", why=os_reason(exc))) from None

    def _seal(self, out: Path, seal: Seal) -> None:
        """Say in the outputs that the run is recorded: the one change that turns them from
        outputs a downstream system must not import into its batch. The state it names is
        on the remote first: a run that recorded nothing new, over a state ahead of its
        remote, pushes it (and is not sealed if the remote does not take it)."""
        self.state.push()
        try:
            atomic.write_bytes(out.absolute() / seal.name, seal.render(self.state.commit))
        except OSError as exc:
            raise ConfigError(
                msg(
                    "The run is recorded, but {file} could not be written into {dir}: {why}. "
                    "The outputs there are the batch their manifest.json names, which the "
                    "state records: import them once, as they are",
                    file=seal.name,
                    dir=str(out),
                    why=os_reason(exc),
                )
            ) from None

    def _record(self, record: Record) -> None:
        files = record.files(frozenset(self.outbox.sent) if self._outbox else frozenset())
        ref = self.ref(record.ref)
        if files and any(ref.files.get(name) != data for name, data in files.items()):
            # A record of state.json that the remote does not take is withdrawn here too: it
            # was made from the state this run read, and kept here while another run records
            # its own on the remote, the two copies could never be merged (both changed
            # state.json), and every later run in this clone would stop. The notice log of
            # the duties merges as a union: kept, and pushed by the next run.
            ref.write(files, record.message, all_or_nothing=record.ref == STATE_REF)

    def _branches(self, branch_set: BranchSet) -> list[BranchChange]:
        changes = []
        with Branches(self.repo.root) as branches:
            for p in branch_set.proposals:
                changes.append(branches.put(p.branch, p.base, p.removals, p.writes, p.message))
            wanted = {p.branch for p in branch_set.proposals}
            for name in branches.names(branch_set.prefix):
                if name not in wanted:
                    changes.append(branches.delete(name))
        return changes

    def _deliver(
        self, mails: Sequence[Outgoing], send: bool, statuses: dict[str, MailStatus]
    ) -> None:
        """Each mail's status into ``statuses``, as it is known (what was handed over stays
        there when sending stops); with ``send``, what the outbox lacks is sent. A mail whose
        recipient the server refuses for now is owed, and the others are sent first (one
        operator's greylisting holds back no other's notices): the first such refusal then
        ends the sending as a server that stopped taking mail does, so that the run records
        what it owes."""
        deferred: list[RecipientDeferred] = []
        due: dict[str, Outgoing] = {}
        for mail in mails:
            known = self.outbox.status(mail.message_id)
            if known is not None:
                statuses[mail.message_id] = known
            elif send:
                due.setdefault(mail.message_id, mail)
            else:
                statuses[mail.message_id] = MailStatus.WRITTEN
        if due:
            with self._transport(self._usable()) as smtp:
                last = ""
                try:
                    for mail in due.values():
                        now = datetime.now(JST)
                        composed = mail.made()
                        copy = dated(composed.message, now)
                        held = self.outbox.hold(composed, copy.as_bytes(), mail.covers, now)
                        notice = mail.composed.notice
                        what = f"{notice.kind} for {notice.application}"
                        # Recorded (and pushed) before the server sees it: a crash from here
                        # on leaves it in doubt rather than sent again. The push carries the
                        # last mail's sent record too: one push a mail, not two.
                        self.state.write(held, f"sending {what}", all_or_nothing=True)
                        try:
                            self._hand_over(
                                smtp, mail.message_id, what, copy, composed.envelope, push=False
                            )
                        except Undeliverable:
                            statuses[mail.message_id] = MailStatus.REFUSED
                            continue
                        except RecipientDeferred as exc:  # released: the next run sends it
                            statuses[mail.message_id] = MailStatus.OWED
                            deferred.append(exc)
                            continue
                        last = mail.message_id
                        statuses[mail.message_id] = MailStatus.SENT
                    if deferred:
                        raise deferred[0]
                except BaseException:
                    # Whatever stopped the run, the sent records go to the remote if it
                    # takes them (kept here otherwise, and pushed by the next run).
                    with suppress(StatePushError):
                        self.state.push()
                    raise
                try:
                    self.state.push()
                except StatePushError as exc:
                    raise _taken(exc, last) from None

    def _usable(self) -> SmtpSettings:
        """The settings to open a session with; raises SettingsUnusable, before anything is
        handed over, where they are missing or malformed."""
        if self._unusable is not None:
            raise self._unusable
        assert self.settings is not None, "a session that sends is opened with send=True"
        return self.settings

    def _hand_over(
        self,
        smtp: Transport,
        message_id: str,
        what: str,
        message: Message,
        envelope: Envelope | None = None,
        fresh: bool = True,
        push: bool = True,
    ) -> None:
        """Hand a mail recorded as in flight to the server, and record its answer. A ``fresh``
        mail the server refuses is released for the next run; a resent one stays in doubt
        (whether the first attempt arrived is still unknown). Without ``push``, the sent
        record goes to the remote with the state's next push."""
        try:
            smtp.send(message, envelope)
        except Undeliverable as exc:
            # This mail's own address, or its content, refused for good: held rather than
            # tried by every run, which would only be refused again (a human settles it).
            if fresh:
                self.state.write(self.outbox.refuse(message_id, exc.answer), f"refused {what}")
            raise
        except MailRefused:
            if fresh:  # certainly not taken: the next run may send it
                self.state.write(self.outbox.release(message_id), f"refused {what}")
            raise
        sent = self.outbox.mark_sent(message_id, datetime.now(JST))
        try:
            self.state.write(sent, f"sent {what}", push=push)
        except AccessregError as exc:
            raise _taken(exc, message_id) from None

    # -- settling a mail in doubt ------------------------------------------------------------

    def resend(self, message_id: str) -> InDoubt:
        """Send a mail in doubt again, exactly as it was handed over, and record it as sent."""
        settings = self._usable()
        held = self.outbox.held_message(message_id)
        message = parsed(held.message)
        with self._transport(settings) as smtp:
            what = f"{held.kind} for {held.application} again"
            self._hand_over(smtp, message_id, what, message, fresh=False)
        return InDoubt(message_id, held.kind, held.application, held.since)

    def delivered(self, message_id: str) -> InDoubt:
        """Record a mail in doubt as sent: its recipient has it (the server's log says so)."""
        held = self.outbox.held_message(message_id)
        what = f"{held.kind} for {held.application}"
        self.state.write(self.outbox.mark_sent(message_id, datetime.now(JST)), f"delivered {what}")
        return InDoubt(message_id, held.kind, held.application, held.since)


@contextmanager
def _claimed(out: Path) -> Iterator[None]:
    """The lock on ``out`` held while the block runs; what the block raises goes through
    untouched (only taking the lock is told here)."""
    with ExitStack() as held:
        _claim(held, out)
        yield


def _claim(held: ExitStack, out: Path) -> None:
    try:
        held.enter_context(atomic.claimed(out))
    except atomic.OutputsBusyError as exc:
        raise ConfigError(
            msg(
                "Another run is writing its outputs to {dir}; nothing was done. Wait for it "
                "to end (and take its outputs if it recorded a batch), then run again",
                dir=str(exc.path),
            )
        ) from None
    except atomic.LockUnusableError as exc:
        raise ConfigError(
            msg(
                "Cannot use {lock}, the file that keeps two runs from writing the same "
                "outputs ({why}); nothing was done. If no run is writing them, remove it "
                "and run again",
                lock=str(exc.lock),
                why=os_reason(exc.cause),
            )
        ) from None
    except OSError as exc:
        raise ConfigError(msg("Cannot write the outputs: {why}", why=os_reason(exc))) from None


def _taken(exc: AccessregError, message_id: str) -> ConfigError:
    """The error of a run that could not record, or push, a mail the server took."""
    return ConfigError(
        msg(
            "{exc}. The server had taken {message_id}; wherever this record is missing it is "
            "a mail in doubt (`accessreg outbox list`)",
            exc=exc.message if isinstance(exc.message, Worded) else str(exc),  # its language
            message_id=message_id,
        )
    )
