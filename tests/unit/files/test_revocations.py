"""What a file with errors still revokes over the version downstream holds: every narrowing
that can be read, and nothing that widens access."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accessreg.files.loading import model_of, parse
from accessreg.files.revocations import narrows_only, revoked
from accessreg.files.schemacheck import checker
from accessreg.files.schemagen import generate
from accessreg.model import Operator, User, layout
from accessreg.model.layout import Kind
from tests.helpers.regfactory import OPERATOR, USER, certificate, contact, operator_data

IP_A = {"cidr": "41.203.64.10/32", "reason": "シンガポール拠点", "expires_on": "2027-09-30"}
IP_B = {"cidr": "41.203.64.20/32", "reason": "香港拠点", "expires_on": "2027-09-30"}
KEPT: dict[str, Any] = {
    **{k: v for k, v in operator_data().items() if k != "subcontractors"},
    "contacts": [contact(), contact("deputy", 2)],
    "certificates": [certificate(1), certificate(2)],
    "ip_allowlist": [IP_A, IP_B],
}


def _file(kind: Kind, rel: str, data: dict[str, Any]) -> bytes:
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return f"{layout.schema_comment(kind, rel)}\n{body}".encode()


def _operator(**over: Any) -> bytes:
    return _file(Kind.OPERATOR, OPERATOR, {**KEPT, **over})


def _loaded(kind: Kind, rel: str, raw: bytes) -> Any:
    """``raw`` as a load reads it: a model, and no error."""
    model, problems = model_of(parse(rel, kind, raw, checker(generate(kind, None))))
    assert [p for p in problems if p.level.value == "error"] == []
    return model


def _taken(broken: bytes, kept: bytes | None = None) -> Operator:
    found = revoked(OPERATOR, kept or _operator(), broken)
    assert found is not None
    operator = _loaded(Kind.OPERATOR, OPERATOR, found)
    assert isinstance(operator, Operator)
    assert revoked(OPERATOR, found, broken) is None  # taken once: nothing more to take
    return operator


def test_every_revocation_goes_out_over_the_kept_version_and_the_error_stays_behind() -> None:
    broken = _operator(
        occto_member="maybe",  # the schema error that holds the file back
        certificates=[certificate(1, suspended_on="2026-12-07")],  # 1 suspended, 2 removed
        ip_allowlist=[IP_B],
        contacts=[contact()],
        systems=["taxis", "johs", "juju"],
        suspensions=[{"system": "juju", "suspended_on": "2026-12-08", "reason": "不正利用の疑い"}],
        status="terminated",
        terminated_on="2026-12-31",
    )
    op = _taken(broken)
    assert op.occto_member is False
    assert [(c.serial, c.suspended_on and c.suspended_on.isoformat()) for c in op.certificates] == [
        ("7A0001", "2026-12-07")
    ]
    assert [e.cidr for e in op.ip_allowlist] == [IP_B["cidr"]]
    assert [c.email for c in op.contacts] == ["window1@test-gas.example.co.jp"]
    assert op.systems == ("taxis", "johs", "juju")
    assert [(s.system, s.reason) for s in op.suspensions] == [("juju", "不正利用の疑い")]
    assert (op.status, str(op.terminated_on)) == ("terminated", "2026-12-31")


def test_nothing_that_widens_access_is_taken() -> None:
    kept = _operator(
        certificates=[certificate(1, suspended_on="2026-10-05")],
        suspensions=[{"system": "juju", "suspended_on": "2026-10-05", "reason": "紛失"}],
        status="terminated",
        terminated_on="2026-12-31",
    )
    broken = _operator(
        occto_member="maybe",
        certificates=[certificate(1), certificate(2), certificate(3)],  # lifted, new ones
        ip_allowlist=[IP_A, IP_B, {**IP_A, "cidr": "41.203.64.30/32"}],
        contacts=[contact(), contact("deputy", 2), contact("deputy", 3)],
        systems=["taxis", "johs", "juju", "loacus", "wheeling_api"],
        suspensions=[],
        status="active",
    )
    assert revoked(OPERATOR, kept, broken) is None
    later = _operator(occto_member="maybe", status="terminated", terminated_on="2027-01-31")
    assert revoked(OPERATOR, kept, later) is None  # a later end ends nothing sooner


def test_a_file_that_does_not_parse_revokes_nothing() -> None:
    assert revoked(OPERATOR, _operator(), b"code: [\n") is None
    assert revoked(OPERATOR, _operator(), b"- a list\n") is None


def test_a_list_it_cannot_read_revokes_nothing_of_that_list() -> None:
    # An item without its serial may be either certificate: neither is removed, but the
    # suspension of the one it names is read.
    unread = {k: v for k, v in certificate(2).items() if k != "serial"}
    op = _taken(
        _operator(certificates=[certificate(1, suspended_on="2026-12-07"), unread], roles="x")
    )
    assert [c.serial for c in op.certificates] == ["7A0001", "7A0002"]
    assert op.certificates[0].suspended_on is not None
    # The address list left out beside a key the file should not have (its name misspelt):
    # not read as emptied. Without that key, left out is empty.
    data = {k: v for k, v in KEPT.items() if k != "ip_allowlist"}
    misspelt = _file(Kind.OPERATOR, OPERATOR, {**data, "ip_alowlist": [IP_A]})
    assert revoked(OPERATOR, _operator(), misspelt) is None
    assert _taken(_file(Kind.OPERATOR, OPERATOR, {**data, "roles": "x"})).ip_allowlist == ()
    # Not a list at all.
    assert revoked(OPERATOR, _operator(), _operator(ip_allowlist="41.203.64.20/32")) is None


def test_each_revocation_must_be_well_formed_on_its_own() -> None:
    bad_days = [
        certificate(1, suspended_on="2026-13-01"),
        certificate(2, suspended_on="tomorrow"),
    ]
    assert revoked(OPERATOR, _operator(), _operator(certificates=bad_days)) is None
    # A suspension of a system the operator does not use, or without a proper reason.
    suspensions = [
        {"system": "switching", "suspended_on": "2026-12-08", "reason": "不正利用の疑い"},
        {"system": "juju", "suspended_on": "2026-12-08", "reason": "停止\x1b[2J"},
        {"system": "taxis", "suspended_on": "2026-12-08"},
    ]
    assert revoked(OPERATOR, _operator(), _operator(suspensions=suspensions)) is None
    # An end without a date that is one.
    assert revoked(OPERATOR, _operator(), _operator(status="terminated")) is None
    # Every window person removed: a file names one at least, so none is.
    assert revoked(OPERATOR, _operator(), _operator(contacts=[])) is None


def test_the_same_item_written_otherwise_is_no_removal() -> None:
    written = _operator(
        occto_member="maybe",
        certificates=[certificate(1, serial="7a0001"), certificate(2)],
        ip_allowlist=[{**IP_A, "cidr": "41.203.64.10"}, IP_B],
        contacts=[contact(email="Window1@Test-Gas.example.co.jp"), contact("deputy", 2)],
    )
    assert revoked(OPERATOR, _operator(), written) is None


def _user(**over: Any) -> bytes:
    data = {
        "email": "user1@test-gas.example.co.jp",
        "name": "試験 太郎",
        "name_kana": "シケン タロウ",
        "affiliation": "TESTOP01",
        "permissions": {"taxis": "1011", "johs": "J1010"},
    }
    return _file(Kind.USER, USER, {**data, **over})


def test_a_user_s_suspension_and_a_permission_removed_go_out() -> None:
    broken = _user(name_kana="しけん", permissions={"taxis": "1011"}, suspended_on="2026-12-07")
    found = revoked(USER, _user(), broken)
    assert found is not None
    user = _loaded(Kind.USER, USER, found)
    assert isinstance(user, User)
    assert (user.name_kana, user.permissions) == ("シケン タロウ", {"taxis": "1011"})
    assert str(user.suspended_on) == "2026-12-07"
    # Every permission removed: the file is deleted for that; only the suspension is read.
    found = revoked(USER, _user(), _user(permissions={}, suspended_on="2026-12-07"))
    assert found is not None
    assert _loaded(Kind.USER, USER, found).permissions == {"taxis": "1011", "johs": "J1010"}
    # A code changed, a permission added, a suspension lifted: nothing.
    widening = _user(permissions={"taxis": "1012", "johs": "J1010", "juju": "granted"})
    assert revoked(USER, _user(), widening) is None
    assert revoked(USER, _user(suspended_on="2026-10-05"), _user()) is None


def test_a_change_that_only_takes_access_away_is_told_from_one_that_does_more() -> None:
    broken = _operator(occto_member="maybe")
    assert narrows_only(OPERATOR, broken, _operator(occto_member="maybe", ip_allowlist=[IP_B]))
    no_ips = {k: v for k, v in KEPT.items() if k != "ip_allowlist"}  # the last one, key and all
    assert narrows_only(
        OPERATOR,
        _operator(occto_member="maybe", ip_allowlist=[IP_B]),
        _file(Kind.OPERATOR, OPERATOR, {**no_ips, "occto_member": "maybe"}),
    )
    ended = _operator(occto_member="maybe", status="terminated", terminated_on="2026-12-31")
    assert narrows_only(OPERATOR, broken, ended)
    assert narrows_only(OPERATOR, broken, _operator(occto_member="maybe", contacts=[contact()]))
    # The error fixed, or anything else changed beside: more than a revocation.
    assert not narrows_only(OPERATOR, broken, _operator(ip_allowlist=[IP_B]))
    more = _operator(occto_member="maybe", ip_allowlist=[IP_B], name="別名株式会社")
    assert not narrows_only(OPERATOR, broken, more)
    assert not narrows_only(OPERATOR, broken, broken)  # no change at all
    assert not narrows_only(OPERATOR, broken, _operator(occto_member="maybe", contacts=[]))
    assert not narrows_only(OPERATOR, b"code: [\n", broken)
    assert narrows_only(USER, _user(name_kana="x"), _user(name_kana="x", suspended_on="2026-12-07"))


# --- whatever the version with errors says, nothing taken widens access ---------------------

_DAY = st.dates(date(2025, 1, 1), date(2028, 12, 31)).map(date.isoformat)  # about the kept days
_DAYS = st.one_of(  # mostly days: a day taken is where access could widen
    _DAY, _DAY, _DAY, st.sampled_from(["2026-13-01", "明日", "", "2026-1-5", 3, None])
)
_JUNK: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.integers(), st.text(max_size=5), st.just({})
)


def _items(known: list[Any], fresh: Any, key: str) -> st.SearchStrategy[Any]:
    """A list as a version with errors may write it: known items kept, changed, dated or
    broken, new ones and junk among them; or no list at all."""
    dated = st.builds(lambda i, on: {**i, "suspended_on": on}, st.sampled_from(known), _DAYS)
    item = st.one_of(
        st.sampled_from(known),
        dated,
        dated,
        st.builds(lambda i: {k: v for k, v in i.items() if k != key}, st.sampled_from(known)),
        st.just(fresh),
        _JUNK,
    )
    return st.one_of(st.lists(item, max_size=4), st.lists(item, max_size=4), _JUNK)


_LOST = {"certificates": [certificate(1, suspended_on="2026-10-05"), certificate(2)]}
_SUSPENSION = st.fixed_dictionaries(
    {"system": st.sampled_from(["taxis", "juju", "wheeling_api", "TAXIS"]), "suspended_on": _DAYS},
    optional={"reason": st.one_of(st.just("不正利用の疑い"), st.just("a\x1bb"), _JUNK)},
)
_BROKEN = st.fixed_dictionaries(
    {"occto_member": st.just("maybe")},  # the error that holds the file back
    optional={
        "certificates": _items(KEPT["certificates"], certificate(3), "serial"),
        "ip_allowlist": _items(KEPT["ip_allowlist"], {**IP_A, "cidr": "41.203.64.30"}, "cidr"),
        "contacts": _items(KEPT["contacts"], contact("deputy", 3), "email"),
        "systems": st.one_of(
            st.lists(st.sampled_from(["taxis", "JOHS", "juju", "loacus", "wheeling_api"])), _JUNK
        ),
        "suspensions": st.one_of(st.lists(_SUSPENSION, max_size=3), _JUNK),
        "status": st.sampled_from(["terminated", "terminated", "active", "suspended", 1]),
        "terminated_on": _DAYS,
        "name": st.just("別名株式会社"),
        "certificate": st.just([]),  # a misspelt list's name
    },
)
_SUSPENDED = {"suspensions": [{"system": "juju", "suspended_on": "2026-10-05", "reason": "紛失"}]}
_ENDED = {"status": "terminated", "terminated_on": "2026-12-31"}
_KEPT_ENDS = st.sampled_from([{}, _SUSPENDED, _ENDED, _LOST, {**_SUSPENDED, **_ENDED, **_LOST}])


def _day(value: date | None) -> date:
    return value or date.max


@settings(max_examples=400, deadline=None)
@given(over=_KEPT_ENDS, changes=_BROKEN)
@example(  # a lost certificate's suspension put later: rare among the random lists
    over=_LOST,
    changes={"occto_member": "maybe", "certificates": [certificate(1, suspended_on="2027-01-05")]},
)
def test_nothing_taken_from_any_version_with_errors_widens_access(
    over: dict[str, Any], changes: dict[str, Any]
) -> None:
    """Whatever a version with errors writes, what is taken from it is the kept version with
    some of its access gone: no certificate, address, window person or system it lacks, no
    suspension or end later or lifted, and every other field as it was."""
    kept_raw = _operator(**over)
    kept = _loaded(Kind.OPERATOR, OPERATOR, kept_raw)
    broken = {k: v for k, v in {**KEPT, **over, **changes}.items()}
    found = revoked(OPERATOR, kept_raw, _file(Kind.OPERATOR, OPERATOR, broken))
    if found is None:
        return
    op = _loaded(Kind.OPERATOR, OPERATOR, found)
    assert isinstance(op, Operator) and isinstance(kept, Operator)
    was = {c.serial: c for c in kept.certificates}
    assert {c.serial for c in op.certificates} <= set(was)
    for c in op.certificates:
        assert _day(c.suspended_on) <= _day(was[c.serial].suspended_on)
    assert {e.cidr for e in op.ip_allowlist} <= {e.cidr for e in kept.ip_allowlist}
    assert {c.email for c in op.contacts} <= {c.email for c in kept.contacts}
    assert op.contacts  # one window person at least stays
    assert set(op.systems) <= set(kept.systems)
    stopped = {s.system: s.suspended_on for s in op.suspensions}
    for s in kept.suspensions:
        assert s.system not in op.systems or _day(stopped.get(s.system)) <= s.suspended_on
    if kept.status == "terminated":
        assert op.status == "terminated"
        assert _day(op.terminated_on) <= _day(kept.terminated_on)
    untouched = set(Operator.model_fields) - {
        "certificates", "ip_allowlist", "contacts", "systems", "suspensions", "status",
        "terminated_on",
    }  # fmt: skip
    assert {f: getattr(op, f) for f in untouched} == {f: getattr(kept, f) for f in untouched}
