"""The core of ``accessreg apply``: plan since the last applied revision, then carry it out.

``plan`` computes everything a run would do, without doing any of it: the range from the last
applied revision (the state) to HEAD, whose errors hold back exactly the files they involve
(``holding``: the rest is applied), and which must pass the removal rails; every output
rendered in memory; the notices; and, with ``confirm``, the state records (the
completion notices delivered, then the new applied revision and its batch). The session
(``effects.session``) carries it out: the output directory replaced at once, then, with
``confirm`` and ``send``, the mails one by one through the outbox, and only then the records,
so that a failure at any point loses nothing and repeats nothing. Without ``confirm`` it is a
dry run: the outputs and the .eml files are written, nothing is sent and nothing is recorded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from accessreg.effects.plan import Outgoing, Record, RunPlan, When
from accessreg.effects.session import InDoubt, MailOutcome, Session, TransportFactory, smtp_session
from accessreg.errors import ConfigError, UsageError
from accessreg.files import atomic, gcpause
from accessreg.files.parsecache import cache_dir
from accessreg.gitio.repo import GitRepository
from accessreg.gitio.state import STATE_REF
from accessreg.mail.compose import Composed, Later, deferred
from accessreg.mail.smtp import DeliveryError
from accessreg.model.catalog import Catalog
from accessreg.model.messages import Message, Verbatim, msg
from accessreg.model.registry import Registry
from accessreg.model.removal import DEFAULT_MAX_REMOVAL_SHARE, NOTHING_REMOVED, Removal
from accessreg.model.removal import removal as removal_of
from accessreg.outputs.csv_ import Encoding
from accessreg.outputs.ldif import DEFAULT_BASE
from accessreg.plan.waits import Waits
from accessreg.provision import bundle, completion, notices, safety
from accessreg.provision import state as recorded
from accessreg.provision.holding import Hold, Isolation, isolate
from accessreg.provision.merges import History, MergedPullRequest, Snapshots, history
from accessreg.provision.owed import mails as completion_mails
from accessreg.provision.shares import (
    Carried,
    LoginClashError,
    Shares,
    carried,
    collect,
    joined,
    options_key,
    whitelists,
)
from accessreg.provision.state import ApplicationRecord, BatchRecord, State, SystemProgress
from accessreg.timeline.clock import JST
from accessreg.timeline.effective import Events


@dataclass(frozen=True)
class ApplyRequest:
    root: Path  # anywhere inside the repository
    out: Path
    today: date
    head: str = "HEAD"
    base: str | None = None  # overrides the recorded applied revision
    initial: bool = False  # nothing was applied before: everything is new
    # The pull requests by merge commit (from the merge workflow), and the command's own
    # options for the events of any merge not listed.
    merged: Mapping[str, MergedPullRequest] = field(default_factory=dict)
    entered_on: date | None = None
    accepted_on: date | None = None
    merged_on: date | None = None
    send: bool = False
    confirm: bool = False
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    allow_mass_removal: bool = False
    full: bool = False  # read and render everything, whatever the cache holds
    # The CSV encoding and the LDIF base DN; None: as the last apply recorded them
    # (``options``).
    encoding: Encoding | None = None
    ldap_base: str | None = None
    state_remote: str | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass(frozen=True)
class ApplyPlan:
    """Everything one apply would do, computed before anything is done."""

    history: History
    removal: Removal
    applications: list[ApplicationRecord]
    batch: BatchRecord | None
    run: RunPlan
    hold: Hold
    released: frozenset[str]  # files held back before, applied now
    shares: Shares
    revoked: frozenset[str] = frozenset()  # files held back whose revocations are applied
    entries: Removal = NOTHING_REMOVED  # the whitelists'


@dataclass(frozen=True)
class ApplyResult:
    base: str | None
    head: str
    batch: BatchRecord | None
    applications: list[ApplicationRecord]
    rows: dict[str, int]  # delta rows per system
    removal: Removal
    files: list[str]
    mails: list[MailOutcome]
    recorded: bool
    dry_run: bool
    in_doubt: list[InDoubt] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    hold: Hold = field(default_factory=lambda: Hold(frozenset(), (), ()))
    released: frozenset[str] = frozenset()  # files held back before, applied now
    revoked: frozenset[str] = frozenset()  # files held back whose revocations are applied
    # Operators whose share of the snapshots was rendered, of all (the rest: the cache).
    rendered: tuple[int, int] = (0, 0)
    read: int = 0  # operators whose users the run read (the others: their shares alone)
    catalog: Catalog | None = None  # the head's, naming the systems in the report
    entries: Removal = NOTHING_REMOVED  # the whitelists'
    # What ends the run, recorded all the same, once it is reported (``Done.stopped``).
    stopped: DeliveryError | None = None
    # The merge the removal rail refused: the run applied the merges before it alone, and
    # it and those after it wait (``safety.Refused``).
    refused: safety.Refused | None = None
    # The revision applied before is not in HEAD's history (a rewritten ``main``): the run
    # compared HEAD with it all the same, so what downstream holds of it alone is withdrawn.
    rewritten: bool = False


def _merged_on(repo: GitRepository, head: str) -> date:
    """The day ``head`` was committed, in Japan."""
    return repo.commit(head).committed_at.astimezone(JST).date()


def batch_id(today: date, head: str, taken: Collection[str]) -> str:
    """``<YYYYMMDD>-<head>``; a head applied twice the same day (``--base``) gets a suffix."""
    found = f"{today:%Y%m%d}-{head[:8]}"
    n = 2
    while found in taken:
        found = f"{today:%Y%m%d}-{head[:8]}.{n}"
        n += 1
    return found


def _batch(
    found: History,
    today: date,
    apps: list[ApplicationRecord],
    state: State,
    pins: dict[str, str | None],
    later: dict[tuple[str, str], date],
    revoked: dict[str, tuple[str, ...]],
) -> BatchRecord | None:
    # The systems the range writes files for, and those whose operator does a manual step
    # for one of its applications (no file: the batch's part there is that step, which
    # ``confirm --system`` records as for any other).
    named = set(found.systems()) | {s for a in apps for s in a.systems}
    systems = [s.id for s in found.after.catalog.systems if s.id in named]
    if not systems and not apps:
        return None
    # A move on the day its item records says nothing more (a new user's permissions).
    dated = {(i.system, i.key.lower()): i.on for a in apps for i in a.items if i.system}
    moves = {key: on for key, on in later.items() if dated.get(key) != on}
    return BatchRecord(
        id=batch_id(today, found.head, state.batches),
        number=len(state.batches) + 1,
        base=found.base,
        head=found.head,
        created_on=today,
        applications=tuple(apps),
        systems={s: SystemProgress(generated_on=today) for s in systems},
        pins=pins,
        revoked={rel: chain for rel, chain in revoked.items() if rel in pins},
        moves=recorded.by_system(moves),
    )


def _unique(accepted: list[notices.Accepted], state: State) -> list[notices.Accepted]:
    """A release, or the revocations of a file held back, attributed to a merge whose other
    items were applied already is an application of its own (``<id>+2``), with its own
    notices; so is what a rewritten main takes away, attributed to a merge applied before
    from another revision (``Step.rewound``). Other ids stay as they are: applying a range
    again must name (and so send) the same notices."""
    taken = {app.id: app.parent for _, app in state.applications()}
    out = []
    for a in accepted:
        found, n = a.record.id, 2
        while found in taken and (
            a.record.released
            or a.record.revoked
            or (a.step.rewound and taken[found] != a.record.parent)
        ):
            found, n = f"{a.record.id}+{n}", n + 1
        taken[found] = a.record.parent
        record = a.record if found == a.record.id else a.record.model_copy(update={"id": found})
        out.append(notices.Accepted(record, a.step))
    return out


def base_of(request: ApplyRequest, state: State) -> str | None:
    if request.confirm and state.applied_on is not None and request.today < state.applied_on:
        # Its batch would be recorded after a later one, its mails dated before what
        # they announce, and ``status`` would order the two the wrong way round.
        raise UsageError(
            msg(
                "The last run recorded was on {recorded}: a run on {today} cannot be recorded "
                "after it; give --today {recorded} or a later day",
                recorded=state.applied_on,
                today=request.today,
            )
        )
    base = request.base or state.applied
    if base is None and not request.initial:
        raise UsageError(
            msg(
                "No applied revision is recorded yet: run once with --initial "
                "(the workflow's initial: every user is new) or --base REV (its base: the "
                "revision downstream systems already hold)"
            )
        )
    if request.initial and request.base is None and state.applied is not None:
        # It would be an ordinary run from the recorded revision, saying nothing of it.
        raise UsageError(
            msg(
                "--initial is for the first run, and {applied} is recorded as applied: "
                "leave it out to apply what was merged since, or give --base REV (the "
                "workflow's base), the revision downstream systems hold",
                applied=Verbatim(state.applied[:12]),
            )
        )
    return base


def options(request: ApplyRequest, state: State) -> bundle.Options:
    """The run's CSV encoding and LDIF base DN: as the command asks, or else as the last apply
    recorded them (UTF-8 and ``ldif.DEFAULT_BASE`` before any). A choice is made once, and
    every run that names none (the scheduled one, a run by hand) writes as the merges' runs
    do. UsageError for another base DN than the one recorded: downstream's directory holds
    its entries there, and no delta moves them; unless ``--base`` says what downstream holds
    now (a directory whose entries were moved by other means)."""
    recorded, asked = state.ldap_base, request.ldap_base
    restarts = state.applied is None or request.base is not None
    if recorded is not None and asked not in (None, recorded) and not restarts:
        raise UsageError(
            msg(
                "Downstream's directory holds its entries under {recorded}, which an earlier "
                "apply recorded, and no delta moves them under {asked}: leave --ldap-base "
                "out, or give it {recorded}; if they were moved by other means, run with "
                "--base REV, the revision downstream holds",
                recorded=recorded,
                asked=asked,
            )
        )
    return bundle.Options(request.encoding or state.encoding, asked or recorded or DEFAULT_BASE)


def upgrading(request: ApplyRequest, state: State) -> bool:
    """Whether this run sets up downstream's standing groups (``bundle.UPGRADE_FILES``): the
    state was applied by a version whose groups came and went with their holders, and the run
    starts from what downstream holds (a first apply loads an empty tree). ConfigError while
    a delta of that version still creates or deletes a group: it would fail on, or take away,
    a group that stands."""
    if request.initial or state.groups == "standing":
        return False
    coming = state.groups_to_come(request.today)
    if coming:
        last = max(coming.values())
        raise ConfigError(
            msg(
                "Downstream's directory groups came and went with their holders until this "
                "version, and a delta of an earlier version still creates or deletes {count} "
                "of them, the last on {day} ({groups}): keep applying with the earlier "
                "version until then, and with this one from {day}",
                count=len(coming),
                day=last,
                groups=", ".join(f"{system}-{code}" for system, code in sorted(coming)[:5]),
            )
        )
    return True


def plan(
    repo: GitRepository,
    state: State,
    request: ApplyRequest,
    sender: str,
    head: str,
    isolated: Isolation,
    sent: Callable[[str], bool] = lambda _: False,
    scratch: Path | None = None,
) -> ApplyPlan:
    """What applying ``head`` would do, holding back what ``isolated`` holds; reads git,
    changes nothing. ``sent`` tells a Message-ID the outbox has already delivered.

    Only the operators the range changes are read (``isolated.scope``), the other
    operators' share of the snapshots coming from the cache; a login ID clashing across
    that line makes it read everything, as ``--full`` does. ``scratch``: an empty directory
    where a run without the cache (``--full``) puts the operators' shares as it renders
    them; the outputs copy from there, so it must last until they are written."""
    try:
        return _plan(repo, state, request, sender, head, isolated, sent, isolated.scope, scratch)
    except LoginClashError:
        return _plan(repo, state, request, sender, head, isolated, sent, None, scratch)


def _plan(
    repo: GitRepository,
    state: State,
    request: ApplyRequest,
    sender: str,
    head: str,
    isolated: Isolation,
    sent: Callable[[str], bool],
    scope: frozenset[str] | None,
    scratch: Path | None,
) -> ApplyPlan:
    cache = None if request.full else cache_dir(repo.common_dir)
    base = base_of(request, state)
    chosen = options(request, state)
    # Snapshots hold what is in effect on the day: the operators with an applied
    # permission still to come are read again until it has come, but for those the range
    # leaves as they were, whose share on the day the last run carried.
    waiting = state.waiting(request.today)
    taken: dict[str, Carried] = {}
    if waiting is not None and scope is not None:
        if cache is not None and base is not None and request.base is None:
            idle = waiting.operators - scope
            rendered_with = options_key(chosen.encoding, chosen.ldap_base)
            taken = carried(cache, repo, base, head, idle, rendered_with, request.today)
        scope = scope | (waiting.operators - taken.keys())
    snapshots = Snapshots(
        repo, isolated.pins, scope, cache if scope is not None else None, isolated.loaded
    )
    if isolated.registry is not None:
        snapshots.keep(head, isolated.registry)
    # Applications already recorded, with their own pins: read from what validation loaded
    # too (a batch owing its notices is rebuilt from HEAD's registry, ``read_whole``).
    plain = Snapshots(repo, cache=cache, shared=isolated.loaded)
    default = Events(request.entered_on, request.accepted_on, request.merged_on)
    known = {app.id: app for _, app in state.applications()}
    waits = waiting.waits if waiting is not None else Waits()
    upgrade = upgrading(request, state)

    def since(
        rev: str | None,
        start: Registry | None = None,
        read: Snapshots = snapshots,
        before: Waits = waits,
    ) -> History:
        return history(
            read,
            rev,
            head,
            request.today,
            request.merged,
            default,
            known,
            isolated.released,
            before,
            start,
            isolated.revoked,
        )

    found = since(base)
    reading = waiting.operators if waiting is not None else frozenset()
    if scope is not None:
        reading = reading & scope
    # The day's snapshots: the waiting operators' from the oldest batch with a permission
    # still to come, whose own dates, recorded at acceptance, say what holds today (000
    # §5-1: M+6); the others' from the applied revision, where all of theirs is in effect.
    # Weeks of merges lie since that batch: an operator goes through them only while it
    # waits, and what another one waits for does not change its share.
    on_day = bundle.day_access(found, request.today, found)
    keeps = cache is not None  # the runs after take shares from the cache only
    lasting = bundle.lasting(found, request.today, found, reading, keeps)
    if waiting is not None and waiting.base not in (None, found.base) and reading:
        read = snapshots.narrowed(reading)
        held = read.as_held(waiting.base, waiting.pins, waiting.revoked)
        # From the oldest batch with anything still to come, nothing before it is: each
        # merge waits for what the ones before it in the range make come (``Coming``), not
        # for what a later batch recorded (a new user's permission dated by its own change).
        day = since(waiting.base, held, read, Waits())
        try:
            on_day = joined(on_day, bundle.day_access(day, request.today, found), reading)
        except LoginClashError:  # which of them holds the ID: the history of both knows
            held = snapshots.as_held(waiting.base, waiting.pins, waiting.revoked)
            day = since(waiting.base, held, before=Waits())
            on_day = bundle.day_access(day, request.today, found)
        # The others' dates to come all lie in the range applied now: the same either way.
        lasting = lasting.but(reading, bundle.lasting(day, request.today, found, reading, keeps))
    rewritten = found.base if found.rewritten else None

    # A first apply loads the registry as it stands: what it holds is in effect now, so no
    # item waits for a date of its own, and none is recorded (200,000 users' dates were
    # made, 150 MB and 4 s of them, only to be dropped).
    dated = found.base is not None
    accepted = _unique([a for s in found.steps for a in notices.applications(s, dated)], state)
    apps = [a.record for a in accepted]
    later = bundle.later_moves(found, request.today)
    batch = _batch(found, request.today, apps, state, isolated.revs, later, isolated.chains)
    # Owed notices name what this run's batch removes or changes of their IDs too; and a
    # certificate or an address of this run's batch in effect today is told today. Every
    # notice goes to the window persons of the day, a change of them this run applies
    # still to come among them.
    with_run = recorded.with_batch(state, batch) if batch is not None else state
    # The head with its held files as downstream holds them, however much the run read: a
    # held operator file is named as downstream knows the operator, not as broken at HEAD.
    addressing = completion.Handovers(with_run, plain, request.today, lambda: snapshots.at(head))
    told = [
        (a.record.id, deferred(n, sender))
        for a in accepted
        for n in notices.acceptance_notices(a, addressing)
    ]
    mails: list[Composed | Later] = [m for _, m in told]
    holding = notices.held_notices(isolated.hold, snapshots.at(head), head, request.today)
    mails += [deferred(n, sender) for n in holding]
    due, completed = completion_mails(with_run, plain, sender, addressing)
    mails += completed
    registered = completion.registrations_due(with_run, plain, addressing)
    mails += [m for n in registered if not sent((m := deferred(n, sender)).message_id)]
    # 受付 notices an earlier run was recorded without (the SMTP server unreachable).
    owing, again = completion.acceptances_due(state, plain, addressing)
    mails += [m for n in again if not sent((m := deferred(n, sender)).message_id)]
    # Rendered after the notices owed are made: the shares and a batch's rebuilt
    # registry (200,000 users' first batch) are not held at once.
    shares = collect(
        snapshots,
        found,
        on_day,
        chosen.encoding,
        chosen.ldap_base,
        cache if cache is not None else scratch,  # an empty store of the run's own
        lasting.until,
        taken,
        request.today,
        lasting.after,
    )
    removal = removal_of(found.before_access, found.after_access, shares.outside)
    batches = [*state.ordered(), *([batch] if batch is not None else [])]
    admitted = bundle.admitted(batches)
    # The whitelists' rail, once the batch dates what the range admits.
    taken_away = safety.entry_removal(found.before, found.after, request.today, admitted)
    if rewritten is not None:  # the whole difference is what downstream gets
        wholes: tuple[tuple[safety.Kind, Removal], ...] = (
            ("logins", removal),
            ("entries", taken_away),
        )
        for kind, whole in wholes:
            safety.check_removal(
                whole, request.max_removal_share, request.allow_mass_removal, kind, rewritten
            )
    elif found.base is not None:  # a first apply takes nothing away downstream holds
        safety.merges(
            found.steps,
            removal.before,
            request.max_removal_share,
            request.allow_mass_removal,
            request.today,
            admitted,
        )
    whitelisted = whitelists(
        snapshots,
        found,
        request.today,
        admitted,
        lambda: bundle.whitelist_files(found.after, request.today, batches),
        cache,
    )
    files, manifest = bundle.render(
        found,
        request.today,
        batch.id if batch else None,
        mails,
        chosen,
        shares.fragments,
        whitelisted,
        upgrade,
    )

    sending = request.confirm and request.send
    records = []
    if request.confirm:
        after = state
        if sending:
            for what, then in completion.notified_states(after, due, registered, owing):
                records.append(Record.fixed(STATE_REF, what, recorded.dump(then), When.AFTER_MAILS))
                after = then
        # A first run with --base HEAD changes nothing but says where downstream is.
        moved = state.applied != found.head or state.held != isolated.held or upgrade
        moved = moved or state.encoding != chosen.encoding  # what the plans judge held by
        # The base DN once a run named one (the default is left unrecorded, as before it).
        named = request.ldap_base or state.ldap_base
        moved = moved or named != state.ldap_base
        if batch is not None or moved:

            def applied(over: State) -> State:
                return recorded.applied(
                    over, found.head, request.today, batch, isolated.held, chosen.encoding, named
                )

            after = applied(after)
            if sending and batch is not None:
                # This run's own 登録完了連絡, sent with its 受付 notices: the batch is
                # recorded with them delivered (the records before it knew no batch).
                own = {a.id for a in batch.applications} & {n.application for n in registered}
                after = recorded.registrations_notified(after, own) if own else after
            what = f"applied {found.head[:12]}: {f'batch {batch.id}' if batch else 'no changes'}"
            if isolated.held:
                what += f", {len(isolated.held)} file(s) held back"
            # Where the server could not take the mails, the run is recorded all the same:
            # over the state as it was (nothing it owed is told yet), with the applications
            # whose 受付 notices were not all sent owing them. A deletion never waits for mail.
            unsent = applied(state)
            mids: dict[str, set[str]] = {}
            for app_id, mail in told:
                mids.setdefault(app_id, set()).add(mail.message_id)

            def instead(sent: frozenset[str]) -> Mapping[str, bytes]:
                owed = {app_id for app_id, ids in mids.items() if not ids <= sent}
                return recorded.dump(recorded.acceptances_owed(unsent, owed))

            records.append(
                Record.fixed(STATE_REF, what, recorded.dump(after), When.AFTER_MAILS, instead)
            )
    run = RunPlan(
        out=request.out,
        files=files,
        mails=tuple(Outgoing(c) for c in mails),
        send=sending,
        records=tuple(records),
        listing=manifest,
        # Outputs a downstream system may import as a batch: those of a run recorded.
        seal=bundle.recorded(batch.id if batch else None, found.head) if request.confirm else None,
    )
    released = frozenset(r for s in found.steps for r in s.released)
    revoked = frozenset(r for s in found.steps for r in s.revoked)
    return ApplyPlan(
        found, removal, apps, batch, run, isolated.hold, released, shares, revoked, taken_away
    )


def examine(repo: GitRepository, state: State, request: ApplyRequest, head: str) -> Isolation:
    """HEAD validated as of the day it was merged, and what its errors (and its values the
    CSVs cannot hold in the run's encoding) hold back. Downstream
    holds the applied revision but for the files held back before; an explicit ``--base``
    says it holds exactly that revision."""
    previous = state.held if request.base is None else {}
    base = base_of(request, state)
    encoding = options(request, state).encoding
    return isolate(repo, head, base, previous, _merged_on(repo, head), request.full, encoding)


def delivered(session: Session) -> Callable[[str], bool]:
    """Whether the outbox has delivered a Message-ID (notices owed again on every run, such
    as a 登録完了連絡, are then not written again)."""
    return lambda message_id: session.outbox.status(message_id) is not None


def run(request: ApplyRequest, transport: TransportFactory = smtp_session) -> ApplyResult:
    if not 0 <= request.max_removal_share <= 1:
        raise UsageError(msg("--max-removal-share must be between 0 and 1"))
    with Session.open(
        request.root,
        send=request.confirm and request.send,
        remote=request.state_remote,
        env=request.env,
        transport=transport,
        out=request.out,
    ) as session:
        state = recorded.load(session.state.files)
        base_of(request, state)
        upgrading(request, state)
        head = session.repo.resolve(request.head)
        # The registries of both ends, their accesses and the cached findings are millions of
        # objects without cycles: the collector's full passes over them found nothing and
        # cost a third of a merge's run. What planning made is kept out of its passes while
        # the outputs are written and mailed.
        with gcpause.kept() as keep, ExitStack() as stack:
            # Without the cache, the shares are put beside the outputs as they are rendered.
            spill = stack.enter_context(atomic.scratch(request.out)) if request.full else None
            refused: safety.Refused | None = None
            with gcpause.paused():
                try:
                    isolated, planned = _examined(session, state, request, head, spill)
                except safety.Refused as tripped:
                    if tripped.before is None:
                        raise
                    # Without its traceback, which holds everything the first plan made.
                    refused, head = tripped.with_traceback(None), tripped.before
                if refused is not None:
                    # A merge the rail refuses holds back itself and the merges after it,
                    # not those before it, which are applied as a run up to them would.
                    isolated, planned = _examined(session, state, request, head, spill)
                keep()
            done = session.carry_out(planned.run)
            gcpause.hold(isolated, planned)  # the registries and outputs: not freed one by one
    found = planned.history
    rows: dict[str, int] = {}
    for row in found.rows:
        rows[row.change.system] = rows.get(row.change.system, 0) + 1
    return ApplyResult(
        base=found.base,
        head=found.head,
        batch=planned.batch,
        applications=planned.applications,
        rows=rows,
        removal=planned.removal,
        files=planned.run.names(),
        mails=done.mails,
        recorded=request.confirm,
        dry_run=not request.confirm,
        in_doubt=done.in_doubt,
        notes=done.notes,
        hold=planned.hold,
        released=planned.released,
        revoked=planned.revoked,
        rendered=(planned.shares.rendered, planned.shares.operators),
        read=planned.shares.read,
        catalog=found.after.catalog,
        entries=planned.entries,
        stopped=done.stopped,
        rewritten=found.rewritten,
        refused=refused,
    )


def _examined(
    session: Session, state: State, request: ApplyRequest, head: str, spill: Path | None
) -> tuple[Isolation, ApplyPlan]:
    """What an error at ``head`` holds back, and what applying ``head`` would do."""
    isolated = examine(session.repo, state, request, head)
    planned = plan(
        session.repo, state, request, session.sender, head, isolated, delivered(session), spill
    )
    return isolated, planned
