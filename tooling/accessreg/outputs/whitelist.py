"""What the reverse proxies in front of each system let through on a given day.

Per system, as its catalog entry says: the client certificates registered for it (a
certificate without ``systems`` is registered for every system of its operator) of a purpose
it takes, valid on the day and not suspended (000 §4, 001 p46), when it checks certificates;
and the allowlisted overseas addresses not yet expired, when it blocks access from abroad
(000 §2-8). The OCCTO member system does neither (IDs and passwords only, 003), the switching
support system only the first. A certificate or an address enters on the effective date its
application was given at acceptance (``Admitted``: M+6 for a certificate, 000 §4-2), or on
the day the system operator's manual step is confirmed (OCCTO's help desk, 001 p13), not on
its merge; a system a usage change adds to an operator, from the day that change takes
effect (``Admitted.uses``), though the file lists it at once. A derived system (the
info-sharing site, the permission-management system) is
reached with the certificates and addresses of the systems it serves. A suspended
certificate, or an operator whose use of a system is suspended (002 §2.6, §3.4.4), has none
there from the day recorded for the suspension (at once, 001 p46); a terminated one keeps
them until its ``terminated_on`` (000 §3-3); one that withdraws from OCCTO keeps the systems
it loses with the membership until the day recorded for the withdrawal (003 §2.7.1, 002
§2.1.1 ①(イ)), and one that gives a system up by a usage change keeps it until the change
is done (000 §3-2, as the 受付 mail dates it), though its file no longer lists them, or lists
it again by a later change done later still. Pure.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TypeVar

from accessreg.model import Catalog, Certificate, Operator, System
from accessreg.model.registry import Registry
from accessreg.timeline.effective import SuspensionDays

K = TypeVar("K")


@dataclass(frozen=True)
class Admitted:
    """From which day each certificate (by serial) and address (by operator and CIDR) is
    let through, as recorded at its acceptance; None: not yet (a manual step of the system
    operator not confirmed). One not listed has no recorded date (it predates the records):
    it is let through as soon as it is in the registry. And from which day each suspension
    stops a certificate or an operator's use of a system, as the deltas and mails date it
    (``SuspensionDays``). And until which day an operator keeps each system its OCCTO
    withdrawal takes from it (by operator code, then system), as recorded at acceptance,
    and the certificates (by operator code, serials) registered since, which do not."""

    certificates: Mapping[str, date | None] = field(default_factory=dict)
    networks: Mapping[tuple[str, str], date | None] = field(default_factory=dict)
    suspensions: SuspensionDays = field(default_factory=SuspensionDays)
    withdrawals: Mapping[str, Mapping[str, date]] = field(default_factory=dict)
    registered_since: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # (operator code, system) → the day a usage change adding the system takes effect (None:
    # its manual step not confirmed): the operator's certificates and addresses reach the
    # system no earlier, though its file lists it from the merge (002 §3.1, §2.1.2: the help
    # desk registers them with the application). One not listed: in use as listed.
    uses: Mapping[tuple[str, str], date | None] = field(default_factory=dict)
    # Operator code → each system a usage change takes from it → until which day it keeps
    # the system (None: the change's manual step not confirmed), though its file drops it at
    # once: the change is done then, as the 受付 mail says (000 §3-2, about 15 business
    # days). With the certificates registered for each then (by operator code and system,
    # serials): they keep it, though the file drops it from their own list too; one
    # registered since gains nothing from it. A later change taking the system back leaves
    # it recorded: the system is kept until then all the same (``given_up``).
    dropped: Mapping[str, Mapping[str, date | None]] = field(default_factory=dict)
    reached_when_dropped: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    # The same for each system an OCCTO withdrawal takes (recorded since the records name
    # them; before, ``held_at_withdrawal`` alone decides)
    reached_when_withdrawn: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    # Serial → provider → from which day that provider lets it through, for a certificate
    # registered with several providers on days of their own (``CertificateChange.part``);
    # for a provider not listed, ``certificates`` says.
    certificate_parts: Mapping[str, Mapping[str, date | None]] = field(default_factory=dict)

    def key_lines(self) -> list[str]:
        """Every recorded date as text, for a cache keyed on what the whitelists follow:
        one line per entry of every field, so that no field can be left out of the key."""
        lines: list[str] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, SuspensionDays):
                value = {"recorded": value.recorded, "waiting": sorted(value.waiting)}
            lines += sorted(f"{f.name}:{k}:{v}" for k, v in _flat(value))
        return lines

    def certificate(self, serial: str, day: date, provider: str | None = None) -> bool:
        """Whether ``serial`` is let through on ``day`` into ``provider``'s systems; with no
        provider, whether every provider it is registered with lets it through."""
        parts = self.certificate_parts.get(serial, {})
        if provider is None and parts:
            return all(_from(parts, p, day) for p in parts)
        if provider is not None and provider in parts:
            return _from(parts, provider, day)
        return _from(self.certificates, serial, day)

    def certificate_on(self, serial: str) -> date | None:
        """From which day ``serial`` is let through by every provider it is registered with,
        as recorded; None while one has not dated it (or none recorded it)."""
        parts = self.certificate_parts.get(serial, {})
        days = list(parts.values()) if parts else [self.certificates.get(serial)]
        return None if None in days else max(d for d in days if d is not None)

    def network(self, operator: str, cidr: str, day: date) -> bool:
        return _from(self.networks, (operator, network_of(cidr)), day)

    def certificate_suspended(self, cert: Certificate, day: date) -> bool:
        """Whether ``cert`` is suspended on ``day`` (001 p46)."""
        on = cert.suspended_on
        return on is not None and self.suspensions.since("certificate", cert.id, None, on) <= day

    def still_member(self, op: Operator, day: date) -> set[str]:
        """The systems ``op`` still uses on ``day`` as an OCCTO member, its withdrawal
        applied but not yet come: the file drops them with the application that files it.
        The file as it stands decides: a re-join ends what was kept (a system dropped since
        is removed as any other), and a withdrawal moved earlier ends it on the new day; one
        moved later does not bring back what the recorded day ended (the users' IDs of it
        end on that day too)."""
        withdrawn = op.withdrawn_on
        if withdrawn is None:
            return set()
        ends = self.withdrawals.get(op.code, {})
        return {s for s, until in ends.items() if day < min(until, withdrawn)}

    def given_up(self, op: Operator, day: date) -> set[str]:
        """The systems a usage change took from ``op`` that it still uses on ``day``: the
        change not done yet (``dropped``), as the 受付 mail dates it. Also one a later
        change takes back before that day, until the later use begins (``use_begun``):
        each application is done on its own day (000 §3-2), so the system is kept until
        the first's and used again from the second's."""
        return {
            system
            for system, until in self.dropped.get(op.code, {}).items()
            if (until is None or day < until)
            and (system not in op.systems or not self.use_begun(op, system, day))
        }

    def registered_when_given_up(self, op: Operator, system: str, cert: Certificate) -> bool:
        """Whether ``cert`` was registered for ``system`` when ``op`` gave it up, by a
        usage change (``given_up``) or with its OCCTO membership (``still_member``), as
        recorded then: one registered since, or for other systems, gains nothing from it."""
        key = (op.code, system)
        return cert.serial in self.reached_when_dropped.get(key, ()) or (
            cert.serial in self.reached_when_withdrawn.get(key, ())
        )

    def held_at_withdrawal(self, op: Operator, cert: Certificate) -> bool:
        """Whether ``cert`` was ``op``'s when it withdrew: one registered (or changed)
        since gains none of the systems the withdrawal takes (``still_member``)."""
        return cert.serial not in self.registered_since.get(op.code, frozenset())

    def use_begun(self, op: Operator, system: str, day: date) -> bool:
        """Whether ``op``'s use of ``system``, added by a usage change, has begun on ``day``."""
        return _from(self.uses, (op.code, system), day)

    def use_suspended(self, op: Operator, system: str, day: date) -> bool:
        """Whether ``op``'s use of ``system`` is suspended on ``day`` (002 §2.6, §3.4.4)."""
        since = self.suspensions.since
        return any(
            s.system == system and since("operator", op.code, system, s.suspended_on) <= day
            for s in op.suspensions
        )


def _flat(value: object) -> list[tuple[object, object]]:
    """A mapping's entries, nested mappings spelt out (``Admitted.key_lines``)."""
    if not isinstance(value, Mapping):
        return [("", value)]
    return [
        (f"{k}/{inner}" if inner != "" else k, v)
        for k, item in value.items()
        for inner, v in _flat(item)
    ]


def _from(starts: Mapping[K, date | None], key: K, day: date) -> bool:
    if key not in starts:
        return True
    start = starts[key]
    return start is not None and start <= day


NOTHING_RECORDED = Admitted()


def in_use_on(op: Operator, day: date) -> bool:
    """An operator uses the systems on ``day``: active, or terminated on a later day."""
    if op.status == "active":
        return True
    return op.terminated_on is not None and day < op.terminated_on


@dataclass(frozen=True)
class AllowedCertificate:
    serial: str
    operator: str
    id: str
    cn: str
    not_before: date
    not_after: date


@dataclass(frozen=True)
class AllowedNetwork:
    cidr: str  # normalised: the network address with its prefix length
    operator: str
    expires_on: date


@dataclass(frozen=True)
class Whitelist:
    system: str
    day: date
    certificates: tuple[AllowedCertificate, ...]  # by serial
    networks: tuple[AllowedNetwork, ...]  # by address
    checks_certificates: bool = True  # the system takes client certificates
    blocks_overseas: bool = True  # the system refuses addresses abroad but the allowlisted
    # The seed sections its provider registers certificates and overseas addresses by (the
    # catalog's sources): a file's header cites them, OCCTO's for OCCTO's system
    certificates_cited: str = ""
    addresses_cited: str = ""


def _reaches_addresses(catalog: Catalog, system: System, systems: set[str]) -> bool:
    """Whether an operator using ``systems`` reaches ``system`` at all (for its addresses)."""
    rule = system.derived
    if rule is None:
        return system.id in systems
    if rule.kind == "users_of":
        return system.id in catalog.brought_by(systems)
    return any(
        (s := catalog.by_id.get(sid)) is not None and s.provider == system.provider
        for sid in systems
    )


@functools.lru_cache(maxsize=65536)
def network_of(cidr: str) -> str:
    """An address as its network (parsed once: every system's whitelist asks again)."""
    return str(ipaddress.ip_network(cidr, strict=False))


@functools.lru_cache(maxsize=65536)
def _address_key(cidr: str) -> tuple[int, int, int]:
    parsed = ipaddress.ip_network(cidr)
    return parsed.version, int(parsed.network_address), parsed.prefixlen


def _sort_key(net: AllowedNetwork) -> tuple[int, int, int]:
    return _address_key(net.cidr)


def whitelist(
    reg: Registry, system: System, day: date, admitted: Admitted = NOTHING_RECORDED
) -> Whitelist:
    certs: dict[str, AllowedCertificate] = {}
    nets: list[AllowedNetwork] = []
    for entry in reg.iter_operators():
        op = entry.operator
        if not in_use_on(op, day):
            continue
        listed = {
            sid
            for sid in op.systems
            if admitted.use_begun(op, sid, day) and not admitted.use_suspended(op, sid, day)
        }
        kept = {
            sid
            for sid in admitted.still_member(op, day) - listed
            if not admitted.use_suspended(op, sid, day)
        }
        # One taken back is the file's again: its use's suspension stops it.
        dropped = {
            sid
            for sid in admitted.given_up(op, day) - listed - kept
            if not admitted.use_suspended(op, sid, day)
        }
        using = listed | kept | dropped
        if not using:
            continue
        if system.certificates is not None:
            for cert in op.certificates:
                reach = (listed | kept) if admitted.held_at_withdrawal(op, cert) else listed
                # The systems given up that it was registered for, whatever its own list
                # says now: validation has the file drop them from it with the change.
                given = {
                    s for s in dropped | kept if admitted.registered_when_given_up(op, s, cert)
                }
                if (
                    (reach or given)
                    and cert.within_validity(day)
                    and not admitted.certificate_suspended(cert, day)
                    and admitted.certificate(cert.serial, day, system.provider)
                    and (
                        op.reaches(reg.catalog, system, cert, reach)
                        or (bool(given) and op.reaches(reg.catalog, system, _unlisted(cert), given))
                    )
                ):
                    certs.setdefault(cert.serial, _allowed(cert, op.code))
        if system.overseas_block and _reaches_addresses(reg.catalog, system, using):
            nets.extend(
                AllowedNetwork(network_of(a.cidr), op.code, a.expires_on)
                for a in op.ip_allowlist
                if a.expires_on >= day and admitted.network(op.code, a.cidr, day)
            )
    return Whitelist(
        system.id,
        day,
        tuple(certs[s] for s in sorted(certs)),
        tuple(sorted(set(nets), key=lambda n: (_sort_key(n), n.operator))),
        system.certificates is not None,
        system.overseas_block,
        reg.catalog.citation("certificate_registration", [system.id]),
        reg.catalog.citation("overseas_ip", [system.id]),
    )


def _unlisted(cert: Certificate) -> Certificate:
    """``cert`` as registered for every system it is asked about (``Operator.reaches``)."""
    return cert.model_copy(update={"systems": ()})


def _allowed(cert: Certificate, operator: str) -> AllowedCertificate:
    return AllowedCertificate(
        cert.serial, operator, cert.id, cert.cn, cert.not_before, cert.not_after
    )


def whitelists(reg: Registry, day: date, admitted: Admitted = NOTHING_RECORDED) -> list[Whitelist]:
    """One whitelist per system of the catalog that has a gate (certificates, or the block
    of overseas addresses), in catalog order."""
    return [
        whitelist(reg, system, day, admitted)
        for system in reg.catalog.systems
        if system.certificates is not None or system.overseas_block
    ]
