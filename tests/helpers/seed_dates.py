"""The dates the seeds promise, as a table: each case's events and the dates of its items.

Derived by hand from the seeds (000 §3-3, §4-2, §5-1..§5-3, §5-7; 001 p46, 002 §2.4, §2.6,
§3.4.4 for suspensions; 003 §2.7.1 for an OCCTO withdrawal) and the calendar of
``registry/calendar.yaml`` (year-end closure 12-31..01-04, 000 §5-1 example), never computed
by the code under test. Shared by the core's test and the test that every output agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Kind = Literal[
    "user_add",
    "user_change",
    "user_remove",
    "certificate",
    "termination",
    "suspension",
    "lifting",
    "withdrawal",
]
# What a suspension stops (001 p46, 002 §2.6, §3.4.4): a user ID, a client certificate, or
# the operator's use of a system.
Stops = Literal["user", "certificate", "system"]


def d(text: str) -> date:
    return date.fromisoformat(text)


@dataclass(frozen=True)
class SeedCase:
    id: str
    seed: str
    kind: Kind
    entered: date
    accepted: date
    merged: date
    # The effective date per system (a user's item), or of "certificate" / "operator".
    expected: dict[str, date | None]
    processing_day: date | None = None
    terminated_on: date | None = None
    # Where a permission change moves from and to (user_change): system -> (old, new).
    change: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # The business day an approval on a closed day counts as (the 受付 mail's date).
    counted: date | None = None
    # A suspension's or a lifting's: what it stops, and the day the suspension's file names.
    stops: Stops | None = None
    suspended_on: date | None = None
    # A certificate's validity start (004: EPPCERT may set it up to 179 days ahead); None:
    # well before the case.
    valid_from: date | None = None
    # The day a certificate is registered (M+6, 000 §4-2 ⑤) where it is usable only later,
    # from ``valid_from``; None: registered on its effective date.
    registered_on: date | None = None
    # An OCCTO withdrawal's day, as the operator file's ``membership`` names it, and the
    # roles through which the operator uses the switching support system meanwhile.
    withdrawn_on: date | None = None
    switching_roles: tuple[str, ...] = ()

    @property
    def accepted_counts(self) -> date:
        return self.counted or self.accepted


TG = ("taxis", "johs", "juju", "loacus")


def _suspension(
    id: str, stops: Stops, entered: str, approved: str, on: str, suspended_on: str | None
) -> SeedCase:
    """001 p46 (「まずは停止します」), 002 §2.4 (「事前の通知や承諾なしに」), §2.6, §3.4.4:
    the system operator stops first and without notice, so a suspension is no application
    the centre accepts on its business days, nor one of its batches. It takes effect at
    once, on the day its file names but never before the merge (nothing is applied
    before), whatever day of the week; a lifting, whose file names no day, on the merge.
    Accepted on the approval's own day (a Saturday here), with no processing day M."""
    return SeedCase(
        id,
        "001 p46, 002 §2.4",
        "suspension" if suspended_on else "lifting",
        d(entered),
        d(approved),
        d(approved),
        {stops: d(on)},
        stops=stops,
        suspended_on=d(suspended_on) if suspended_on else None,
    )


def _new_user(
    id: str,
    entered: str,
    accepted: str,
    m: str,
    taxis_johs: str,
    juju_loacus: str,
    counted: str | None = None,
) -> SeedCase:
    """000 §5-1: keyed on ②新規申請受付; TAXIS/JOHS from M+6, JUJU/LOACUS from M+9."""
    a, b = d(taxis_johs), d(juju_loacus)
    return SeedCase(
        id,
        "000 §5-1",
        "user_add",
        d(entered),
        d(accepted),
        d(accepted),
        {"taxis": a, "johs": a, "juju": b, "loacus": b},
        processing_day=d(m),
        counted=d(counted) if counted else None,
    )


CASES: tuple[SeedCase, ...] = (
    # 000 §5-1 ≪参考≫, the five cases of Dec 2018 - Jan 2019 (① entry, ② acceptance, ③ M,
    # ⑧ TAXIS/JOHS, ⑫ JUJU/LOACUS). 12/24 is a 振替休日, 12/31 and 1/2-1/4 the centre's.
    _new_user("worked-1", "2018-12-03", "2018-12-04", "2018-12-17", "2018-12-26", "2019-01-07"),
    _new_user("worked-2", "2018-12-13", "2018-12-14", "2018-12-17", "2018-12-26", "2019-01-07"),
    _new_user("worked-3", "2018-12-14", "2018-12-17", "2019-01-07", "2019-01-16", "2019-01-21"),
    _new_user("worked-4", "2018-12-27", "2018-12-28", "2019-01-07", "2019-01-16", "2019-01-21"),
    _new_user("worked-5", "2018-12-28", "2019-01-07", "2019-01-16", "2019-01-24", "2019-01-29"),
    # Golden Week 2026: accepted 4/20 → M 5/1; 5/3-5/6 holidays (5/6 振替休日).
    _new_user("golden-week", "2026-04-17", "2026-04-20", "2026-05-01", "2026-05-14", "2026-05-19"),
    # The year-end: accepted 12/16 → nominal M 1/1 (holiday), 1/2-3 weekend, 1/4 closed →
    # M 1/5; 1/11 成人の日.
    _new_user("year-end", "2026-12-15", "2026-12-16", "2027-01-05", "2027-01-14", "2027-01-19"),
    # 振替休日: approved on 2027-03-22 (春分の日 3/21 is a Sunday) → counts as 3/23 → M 4/1.
    _new_user(
        "substitute",
        "2027-03-19",
        "2027-03-22",
        "2027-04-01",
        "2027-04-09",
        "2027-04-14",
        counted="2027-03-23",
    ),
    # 000 §5-2: keyed on ①変更申請入力 (entered on the 15th: the batch of the 16th, though
    # approved and merged on the 17th); TAXIS at once, LOACUS M+9.
    SeedCase(
        "change",
        "000 §5-2",
        "user_change",
        d("2026-12-15"),
        d("2026-12-17"),
        d("2026-12-17"),
        {"taxis": d("2026-12-17"), "loacus": d("2026-12-29")},
        processing_day=d("2026-12-16"),
        change={"taxis": ("1010", "1011"), "loacus": ("02011", "02010")},
    ),
    # 000 §5-2 ③: the batch is that of the day of ①変更申請入力, which the system takes on any
    # day (「当月１日から当月１５日までの期間で①変更申請入力を行ったもの」). Entered on Sunday
    # 2026-11-15 → M Monday 11/16, though approved and merged on 11/16 (an acceptance on
    # the 16th would be in the batch of 12/1). TAXIS at once, not before the merge: 11/16.
    # LOACUS M+9: 11/17, 18, 19, 20, (21-22 weekend, 23 勤労感謝の日) 24, 25, 26, 27,
    # (28-29 weekend) 30.
    SeedCase(
        "change-entered-on-sunday-15th",
        "000 §5-2",
        "user_change",
        d("2026-11-15"),
        d("2026-11-16"),
        d("2026-11-16"),
        {"taxis": d("2026-11-16"), "loacus": d("2026-11-30")},
        processing_day=d("2026-11-16"),
        change={"taxis": ("1010", "1011"), "loacus": ("02011", "02010")},
    ),
    # The same, entered on the centre's closed 12/31 (16th-end → nominal M 1/1, a holiday;
    # 1/2-3 weekend; 1/4 closed → M 1/5), approved and merged on 1/5, whose own batch
    # would be that of 1/18. LOACUS M+9: 1/6, 7, 8, (9-10 weekend, 11 成人の日) 12, 13, 14,
    # 15, (16-17 weekend) 18, 19.
    SeedCase(
        "change-entered-on-a-closed-day",
        "000 §5-2",
        "user_change",
        d("2026-12-31"),
        d("2027-01-05"),
        d("2027-01-05"),
        {"taxis": d("2027-01-05"), "loacus": d("2027-01-19")},
        processing_day=d("2027-01-05"),
        change={"taxis": ("1010", "1011"), "loacus": ("02011", "02010")},
    ),
    # 000 §5-3: TAXIS/JOHS the day after the application day (entry, a Sunday here: the
    # system takes it at once), not before the merge; JUJU after a manual step.
    SeedCase(
        "deletion",
        "000 §5-3",
        "user_remove",
        d("2026-11-29"),
        d("2026-11-30"),
        d("2026-11-30"),
        {"taxis": d("2026-11-30"), "johs": d("2026-11-30"), "juju": None},
    ),
    # 000 §4-2: keyed on the review passing (審査OK: the approval) 12/15 → M 12/16 → M+6.
    SeedCase(
        "certificate",
        "000 §4-2",
        "certificate",
        d("2026-12-14"),
        d("2026-12-15"),
        d("2026-12-15"),
        {"certificate": d("2026-12-24")},
        processing_day=d("2026-12-16"),
    ),
    # 004: a renewal valid only from 2027-01-08, after its M+6 (12/24): registered at M+6
    # with its batch (000 §4-2 ⑤), but no server takes it before its validity starts, so it
    # is usable and whitelisted only from then.
    SeedCase(
        "certificate-valid-later",
        "000 §4-2, 004",
        "certificate",
        d("2026-12-14"),
        d("2026-12-15"),
        d("2026-12-15"),
        {"certificate": d("2027-01-08")},
        processing_day=d("2026-12-16"),
        valid_from=d("2027-01-08"),
        registered_on=d("2026-12-24"),
    ),
    # 000 §3-3: a termination chosen for 12/31, merged 12/2: everything ends on 12/31.
    SeedCase(
        "termination",
        "000 §3-3",
        "termination",
        d("2026-12-01"),
        d("2026-12-02"),
        d("2026-12-02"),
        {"operator": d("2026-12-31"), "taxis": d("2026-12-31"), "certificate": d("2026-12-31")},
        terminated_on=d("2026-12-31"),
    ),
    # 003 §2.7.1: the member system's contract ends when the OCCTO membership is lost
    # (「本機関の会員の資格を喪失した時点で終了する」). A withdrawal filed for 12/23 and merged
    # on 12/2 ends the operator's use of it, and its users' IDs, on 12/23, not on the merge.
    # Until then the operator is a member (002 §2.1.1 ①(イ)): its retailer IDs on the
    # switching support system, which it keeps as a demand-response contractor, end on
    # 12/23 too.
    SeedCase(
        "withdrawal",
        "003 §2.7.1",
        "withdrawal",
        d("2026-12-01"),
        d("2026-12-02"),
        d("2026-12-02"),
        {
            "operator": d("2026-12-23"),
            "member_portal": d("2026-12-23"),
            "switching": d("2026-12-23"),
        },
        withdrawn_on=d("2026-12-23"),
        switching_roles=("electricity_retailer", "demand_response"),
    ),
    # The same, filed after the withdrawal of 11/30: it ends on the merge, never before.
    SeedCase(
        "withdrawal-past",
        "003 §2.7.1",
        "withdrawal",
        d("2026-12-01"),
        d("2026-12-02"),
        d("2026-12-02"),
        {
            "operator": d("2026-12-02"),
            "member_portal": d("2026-12-02"),
            "switching": d("2026-12-02"),
        },
        withdrawn_on=d("2026-11-30"),
        switching_roles=("electricity_retailer", "demand_response"),
    ),
    # An electricity retailer alone uses the switching support system only as a member (002
    # §2.1.1 ①(イ)): it leaves the system, its certificate and its users' IDs with the
    # member system, on the withdrawal's day 12/23.
    SeedCase(
        "withdrawal-retailer-alone",
        "003 §2.7.1",
        "withdrawal",
        d("2026-12-01"),
        d("2026-12-02"),
        d("2026-12-02"),
        {
            "operator": d("2026-12-23"),
            "member_portal": d("2026-12-23"),
            "switching": d("2026-12-23"),
        },
        withdrawn_on=d("2026-12-23"),
        switching_roles=("electricity_retailer",),
    ),
    # Approved and merged on Saturday 2027-01-16: on that day, not Monday 1/18.
    _suspension("suspend-user", "user", "2027-01-15", "2027-01-16", "2027-01-16", "2027-01-16"),
    # The file names Friday 1/15, the day the certificate was lost: stopped on the merge.
    _suspension(
        "suspend-certificate", "certificate", "2027-01-15", "2027-01-16", "2027-01-16", "2027-01-15"
    ),
    _suspension("suspend-system", "system", "2027-01-15", "2027-01-16", "2027-01-16", "2027-01-16"),
    _suspension("lift-user", "user", "2027-01-15", "2027-01-16", "2027-01-16", None),
    _suspension("lift-certificate", "certificate", "2027-01-15", "2027-01-16", "2027-01-16", None),
    _suspension("lift-system", "system", "2027-01-15", "2027-01-16", "2027-01-16", None),
)

# 000 §5-7 ※1: an ID never used counts from the day it was issued. The case "golden-week"
# above issues its TAXIS ID on 2026-05-14; 120 days later is the first warning.
NEVER_USED = ("golden-week", "taxis", d("2026-05-14"), d("2026-09-11"))
