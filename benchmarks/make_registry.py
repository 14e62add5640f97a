"""Generate a synthetic registry for the validation benchmark.

    python benchmarks/make_registry.py OUT [--operators 2000] [--users 200000] [--seed 1]
                                           [--today 2026-11-22] [--broken K] [--force]

OUT becomes a small repository: ``OUT/registry/`` (the catalog, maintainers and calendar of
this repository, plus generated operators and users), ``OUT/schemas/`` (this repository's
schemas) and ``OUT/manifest.json`` (parameters, counts and the planted problems).

The data is fictional and consistent with every rule, so ``accessreg validate --strict
--today TODAY`` finds nothing: invented Japanese names with katakana readings, example.co.jp
and example.jp domains, every role and every non-abolished code of every system the operators
use, within the per-operator limits. The same seed gives the same registry, byte for byte.

``--broken K`` plants K known problems in K random files (one problem each; a few kinds touch
a second file); ``manifest.json`` lists every problem validation must report, with its file,
line and rule, and nothing else may be reported.
"""

from __future__ import annotations

import argparse
import bisect
import ipaddress
import json
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import namedata
from namedata import Word
from yamlemit import DataPath, emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tooling"))

from accessreg.files.loading import load_catalog  # noqa: E402
from accessreg.files.sources import DirectorySource  # noqa: E402
from accessreg.model import Catalog, layout  # noqa: E402
from accessreg.model.layout import Kind  # noqa: E402

DEFAULT_TODAY = date(2026, 11, 22)
COPIED = ("systems.yaml", "maintainers.yaml", "calendar.yaml")
POWER_USERS = 3  # the first users of an operator hold every system it uses (and are contacts)
# How likely an ordinary user is to hold each system the operator uses.
ODDS = {"taxis": 0.75, "johs": 0.55, "juju": 0.03, "loacus": 0.35, "switching": 0.85}
DEFAULT_ODDS = 0.35


@dataclass(frozen=True)
class Profile:
    """A kind of operator: its roles, the systems it uses and the words its name is made of."""

    key: str
    weight: int
    roles: tuple[str, ...]
    systems: tuple[str, ...]
    businesses: tuple[Word, ...]
    membership: str | None = None  # OCCTO membership status
    terminated: bool = False


GAS: Word = ("ガス", "ガス", "gas")
PROFILES = (
    Profile(
        "city-gas",
        30,
        ("gas_retailer", "wheeling_client"),
        ("taxis", "johs", "juju", "loacus"),
        (GAS, ("瓦斯", "ガス", "gas"), ("ガスサービス", "ガスサービス", "gas-service")),
    ),
    Profile(
        "manufacturer",
        8,
        ("manufacturer", "wheeling_client"),
        ("taxis", "johs", "juju", "loacus"),
        (("LNG", "エルエヌジー", "lng"), ("ガス製造", "ガスセイゾウ", "gas-mfg")),
    ),
    Profile(
        "gas-retail", 10, ("gas_retailer",), ("johs",), (GAS, ("ガス販売", "ガスハンバイ", "gas"))
    ),
    Profile(
        "gas-withdrawn",
        3,
        ("gas_retailer", "wheeling_client"),
        ("taxis", "johs", "loacus"),
        (GAS,),
        membership="withdrawn",
    ),
    Profile(
        "electricity",
        20,
        ("electricity_retailer",),
        ("switching", "member_portal"),
        (
            ("電力", "デンリョク", "denryoku"),
            ("でんき", "デンキ", "denki"),
            ("パワー", "パワー", "power"),
        ),
        membership="member",
    ),
    Profile(
        "multi-utility",
        12,
        ("gas_retailer", "wheeling_client", "electricity_retailer"),
        ("taxis", "johs", "juju", "loacus", "switching", "member_portal"),
        (("エナジー", "エナジー", "energy"), ("エネルギー", "エネルギー", "energy")),
        membership="member",
    ),
    Profile(
        "demand-response",
        7,
        ("demand_response",),
        ("switching",),
        (
            ("需給サービス", "ジュキュウサービス", "dr"),
            ("エネルギーマネジメント", "エネルギーマネジメント", "ems"),
        ),
    ),
    Profile(
        "provisional",
        5,
        ("gas_retailer", "electricity_retailer"),
        ("johs", "member_portal"),
        (("でんき", "デンキ", "denki"), ("エナジー", "エナジー", "energy")),
        membership="provisional",
    ),
    Profile("terminated", 3, ("gas_retailer",), (), (GAS,), terminated=True),
)


@dataclass(frozen=True)
class Person:
    surname: Word
    given: Word

    @property
    def name(self) -> str:
        return f"{self.surname[0]} {self.given[0]}"

    @property
    def kana(self) -> str:
        return f"{self.surname[1]} {self.given[1]}"


@dataclass
class OperatorPlan:
    index: int
    code: str
    profile: Profile
    name: str
    kana: str
    domain: str
    users: int
    deputies: int
    subcontractors: list[tuple[str, str, str]]  # (code, name, e-mail domain)


@dataclass(frozen=True)
class Expected:
    file: str  # relative to the registry directory
    line: int
    rule: str
    kind: str


@dataclass
class Defect:
    kind: str
    partner: tuple[int, int] | None = None  # a second file the problem involves


@dataclass
class UserRecord:
    rel: str
    permissions: dict[str, Any]
    where: dict[DataPath, int]


# Problems a user file can be given, and problems an operator file can be given.
USER_DEFECTS = (
    "abolished-code",
    "undeclared-affiliation",
    "derived-permission",
    "unquoted-code",
    "login-id-characters",
    "duplicate-key",
    "tab-indent",
    "anchor",
    "not-approved",
    "login-id-clash",
    "admin-limit",
)
OPERATOR_DEFECTS = ("private-ip", "second-primary", "serial-form", "validity-too-long")


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), at least 1 each."""
    n = len(weights)
    if n == 0:
        return []
    base = 1 if total >= n else 0
    rest = total - base * n
    scale = rest / sum(weights)
    shares = [w * scale for w in weights]
    counts = [base + int(s) for s in shares]
    left = total - sum(counts)
    by_fraction = sorted(range(n), key=lambda i: (int(shares[i]) - shares[i], i))
    for i in by_fraction[:left]:
        counts[i] += 1
    return counts


class Generator:
    def __init__(
        self, catalog: Catalog, operators: int, users: int, seed: int, today: date
    ) -> None:
        self.catalog = catalog
        self.today = today
        self.rng = random.Random(seed)
        self.defect_rng = random.Random(seed ^ 0x5EED)
        self.serials: set[str] = set()
        self.logins: set[str] = set()
        self.cert_number = 0
        self.locals: dict[str, set[str]] = {}
        self._code_cache: dict[tuple[tuple[str, ...], str], tuple[list[str], dict[str, int]]] = {}
        self.plans = self._plan_operators(operators, users)
        self.defects: dict[tuple[int, int], Defect] = {}
        self.expected: list[Expected] = []
        # Users another operator's user will clash with: planned, then their file, e-mail
        # and the line of the e-mail once written.
        self.victim_slots: set[tuple[int, int]] = set()
        self.victims: dict[tuple[int, int], tuple[str, str, int]] = {}

    # -- operators ---------------------------------------------------------------------------

    def _plan_operators(self, count: int, users: int) -> list[OperatorPlan]:
        rng = self.rng
        weights = [p.weight for p in PROFILES]
        # One operator of each profile first, so even a tiny registry uses every role and code.
        profiles = list(PROFILES[:count]) + rng.choices(
            PROFILES, weights, k=max(0, count - len(PROFILES))
        )
        active = [i for i, p in enumerate(profiles) if not p.terminated]
        sizes = apportion(users, [rng.lognormvariate(0, 1) for _ in active])
        for i in range(min(len(active), len(PROFILES))):  # enough users to cover every code
            while sizes[i] < POWER_USERS + 1 and max(sizes) > POWER_USERS + 1:
                sizes[sizes.index(max(sizes))] -= 1
                sizes[i] += 1
        users_of = dict(zip(active, sizes, strict=True))
        plans = []
        for i, profile in enumerate(profiles):
            prefix, middle, business = (
                rng.choice(namedata.PREFIXES),
                rng.choice(namedata.MIDDLES),
                rng.choice(profile.businesses),
            )
            code = f"{(prefix[2] + business[2]).replace('-', '').upper()[:4]}{i + 1:04d}"
            slug = "-".join(w for w in (prefix[2], middle[2], business[2]) if w)
            tld = rng.choice(("example.co.jp", "example.co.jp", "example.jp"))
            size = users_of.get(i, 0)
            subs = []
            for k in range(rng.choice((0, 0, 1, 1, 2, 3)) if size > POWER_USERS else 0):
                sub = namedata.SUBCONTRACTOR_KINDS[(i + k) % len(namedata.SUBCONTRACTOR_KINDS)]
                subs.append(
                    (
                        f"{prefix[2].upper()[:3]}{i + 1:04d}{k + 1}",
                        f"{prefix[0]}{sub[0]}株式会社",
                        f"{prefix[2]}-{sub[2]}{i + 1}.{tld}",
                    )
                )
            plans.append(
                OperatorPlan(
                    index=i,
                    code=code,
                    profile=profile,
                    name=f"{prefix[0]}{middle[0]}{business[0]}株式会社",
                    kana=f"{prefix[1]}{middle[1]}{business[1]} カブシキガイシャ",
                    domain=f"{slug}{i + 1}.{tld}",
                    users=size,
                    deputies=min(rng.choice((0, 1, 1, 2)), max(0, size - 1)),
                    subcontractors=subs,
                )
            )
        return plans

    def _day(self, earliest: int, latest: int) -> date:
        """A day between ``earliest`` and ``latest`` days from today."""
        return self.today + timedelta(days=self.rng.randint(earliest, latest))

    def _serial(self) -> str:
        while True:
            serial = f"{self.rng.getrandbits(64) | 1 << 60:016X}"  # first byte never 00
            if serial not in self.serials:
                self.serials.add(serial)
                return serial

    def _certificate(
        self, plan: OperatorPlan, n: int, purpose: str, not_before: date, holder: Person
    ) -> dict[str, Any]:
        rng = self.rng
        self.cert_number += 1
        not_after = years_later(not_before, 2) - timedelta(days=1)
        office, department = rng.choice(namedata.OFFICES), rng.choice(namedata.DEPARTMENTS)
        api = purpose == "api"
        cert: dict[str, Any] = {
            "id": f"EP{not_before.year}-{self.cert_number:06d}",
            "serial": self._serial(),
            "cn": f"{plan.code}-API{n:02d}" if api else f"{plan.code}-PC{n:03d}",
            "medium": "DL" if api else rng.choice(("DL", "DL", "DL", "UT", "UM", "CD")),
            "purpose": purpose,
            "not_before": not_before,
            "not_after": not_after,
            "location": "データセンター 託送API連携サーバ"
            if api
            else f"{office} {department} 端末 PC{n:03d}",
            "holder": f"{department} {holder.name}",
        }
        # Systems that take certificates; the member system takes none (003).
        systems = [s for s in plan.profile.systems if self.catalog.by_id[s].certificates]
        if not api and len(systems) > 1 and rng.random() < 0.25:
            named = set(rng.sample(systems, rng.randint(1, len(systems) - 1)))
            # The switching support system is applied for with a certificate (002 §3.1).
            cert["systems"] = sorted(named | ({"switching"} & set(systems)))
        return cert

    def _certificates(self, plan: OperatorPlan, staff: list[Person]) -> list[dict[str, Any]]:
        rng = self.rng
        certs = []
        for n in range(1, rng.randint(1, 1 + min(plan.users // 40, 9)) + 1):
            # Issued within the last two years, or a renewal starting within 180 days; the
            # first one valid today.
            start = self._day(-700, -1 if n == 1 else 170)
            certs.append(self._certificate(plan, n, "web", start, rng.choice(staff)))
        tokyo_gas = {"taxis", "johs", "juju", "loacus"} & set(plan.profile.systems)
        if tokyo_gas and rng.random() < 0.4:
            current = self._day(-700, -1)
            certs.append(self._certificate(plan, 1, "api", current, rng.choice(staff)))
            if rng.random() < 0.25:  # its renewal, valid from a day still ahead
                renewal = self._day(1, 170)
                certs.append(self._certificate(plan, 2, "api", renewal, rng.choice(staff)))
        return certs

    def _allowlist(self) -> list[dict[str, Any]]:
        rng = self.rng
        entries: list[dict[str, Any]] = []
        while len(entries) < rng.choice((1, 1, 2)):
            if rng.random() < 0.7:
                address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.IPv4Address(
                    rng.randrange(1 << 24, 224 << 24)
                )
                prefix = rng.choice((32, 32, 32, 30, 29, 28))
            else:
                address = ipaddress.IPv6Address((0x2400 + rng.randrange(0x100)) << 112)
                address += rng.getrandbits(96) << 16
                prefix = rng.choice((48, 56, 64, 128))
            net = ipaddress.ip_network((address, prefix), strict=False)
            if not net.is_global or net.is_multicast or net.is_reserved:
                continue
            entries.append(
                {
                    "cidr": str(net),
                    "reason": rng.choice(namedata.IP_REASONS),
                    "expires_on": self._day(30, 540),
                }
            )
        return entries

    def _membership(self, status: str) -> dict[str, Any]:
        if status == "provisional":
            return {"status": status, "provisional_since": self._day(-330, -10)}
        since = self._day(-3650, -900)
        doc: dict[str, Any] = {
            "status": status,
            "provisional_since": since,
            "member_since": since + timedelta(days=self.rng.randint(30, 200)),
        }
        if status == "withdrawn":
            doc["withdrawn_on"] = doc["member_since"] + timedelta(days=self.rng.randint(60, 600))
        return doc

    def _operator_doc(
        self, plan: OperatorPlan, staff: list[Person], addresses: list[str]
    ) -> dict[str, Any]:
        rng = self.rng
        profile = plan.profile
        member = profile.membership == "member"
        doc: dict[str, Any] = {
            "code": plan.code,
            "name": plan.name,
            "name_kana": plan.kana,
            "roles": list(profile.roles),
            "occto_member": member,
            "privacy_policy_url": f"https://www.{plan.domain}/privacy/joint-use",
            "status": "terminated" if profile.terminated else "active",
        }
        if profile.terminated:
            doc["terminated_on"] = self._day(-900, -1)
        doc["systems"] = list(profile.systems)
        doc["contacts"] = [
            self._contact(plan, staff[n], addresses[n], "primary" if n == 0 else "deputy", n)
            for n in range(plan.deputies + 1)
        ]
        if plan.subcontractors:
            doc["subcontractors"] = [{"code": c, "name": n} for c, n, _ in plan.subcontractors]
        if not profile.terminated:
            doc["certificates"] = self._certificates(plan, staff)
            if any(c["purpose"] == "api" for c in doc["certificates"]):
                doc["systems"].append("wheeling_api")  # the wheeling API (000 §1, §7-2)
            if rng.random() < 0.12:
                doc["ip_allowlist"] = self._allowlist()
        if profile.membership is not None:
            doc["membership"] = self._membership(profile.membership)
        if rng.random() < 0.7:
            doc["last_inventory"] = self._day(-365, 0)
        return doc

    def _contact(
        self, plan: OperatorPlan, person: Person, email: str, role: str, n: int
    ) -> dict[str, Any]:
        login = f"{person.surname[2]}-{person.given[2]}"
        k = 1
        while login in self.logins:
            k += 1
            login = f"{person.surname[2]}-{person.given[2]}{k}"
        self.logins.add(login)
        area, exchange = self.rng.choice((("03", "0000"), ("06", "0000"), ("045", "000")))
        return {
            "role": role,
            "name": person.name,
            "name_kana": person.kana,
            "email": email,
            "phone": f"{area}-{exchange}-{(plan.index * 4 + n) % 10000:04d}",
            "github": login,
        }

    # -- users -------------------------------------------------------------------------------

    def _person(self) -> Person:
        return Person(self.rng.choice(namedata.SURNAMES), self.rng.choice(namedata.GIVEN_NAMES))

    def _email(self, domain: str, person: Person) -> str:
        """A new address at ``domain``, in one of the styles companies use."""
        rng = self.rng
        surname, given = person.surname[2], person.given[2]
        style = rng.random()
        if style < 0.6:
            local = f"{given}.{surname}"
        elif style < 0.75:
            local = f"{surname}.{given}"
        elif style < 0.88:
            local = f"{surname}_{given}"
        else:
            local = f"{given[0]}-{surname}"
        if rng.random() < 0.04:  # written with capitals: the file name is still lower case
            local = local[0].upper() + local[1:]
        taken = self.locals.setdefault(domain, set())
        unique, n = local, 1
        while unique.lower() in taken:
            n += 1
            unique = f"{local}{n}"
        taken.add(unique.lower())
        return f"{unique}@{domain}"

    def _codes(self, roles: tuple[str, ...], system_id: str) -> tuple[list[str], dict[str, int]]:
        """The codes an operator with ``roles`` may apply for, and their per-operator limits."""
        key = (roles, system_id)
        if key not in self._code_cache:
            system = self.catalog.by_id[system_id]
            allowed = [
                c.code
                for c in system.codes
                if (c.abolished_on is None or c.abolished_on > self.today)
                and (not c.roles or set(roles) & set(c.roles))
            ]
            limits = {
                lim.code: lim.max_per_operator
                for lim in system.limits
                if lim.max_per_operator is not None
            }
            self._code_cache[key] = (allowed, limits)
        return self._code_cache[key]

    def _grant(
        self, plan: OperatorPlan, system_id: str, holders: dict[str, dict[str, int]]
    ) -> str | None:
        """A code of ``system_id`` for one more user, within the limits; None if none is left."""
        allowed, limits = self._codes(plan.profile.roles, system_id)
        held = holders.setdefault(system_id, {})
        free = [c for c in allowed if held.get(c, 0) < limits.get(c, len(self.plans) << 20)]
        if not free:
            return None
        total = sum(held.values())
        # Holders take the codes in turn first, so every code is in use; then at random.
        code = allowed[total] if total < len(allowed) and allowed[total] in free else None
        code = code or self.rng.choice(free)
        held[code] = held.get(code, 0) + 1
        return code

    def _permissions(
        self, plan: OperatorPlan, power: bool, holders: dict[str, dict[str, int]]
    ) -> dict[str, str]:
        rng = self.rng
        systems = plan.profile.systems
        granted: dict[str, str] = {}
        for system_id in systems:
            if power or rng.random() < ODDS.get(system_id, DEFAULT_ODDS):
                code = self._grant(plan, system_id, holders)
                if code is not None:
                    granted[system_id] = code
        while not granted:  # everyone holds something; some system has no limit
            system_id = rng.choice(systems)
            code = self._grant(plan, system_id, holders)
            if code is not None:
                granted[system_id] = code
        return granted

    def _user_doc(
        self,
        plan: OperatorPlan,
        j: int,
        person: Person,
        addresses: list[str],
        holders: dict[str, dict[str, int]],
    ) -> dict[str, Any]:
        rng = self.rng
        if j < len(addresses):  # a window person, or one of the first users
            affiliation, email = plan.code, addresses[j]
        else:
            affiliation, domain = plan.code, plan.domain
            if plan.subcontractors and rng.random() < 0.25:
                affiliation, _, domain = rng.choice(plan.subcontractors)
            email = self._email(domain, person)
        doc: dict[str, Any] = {
            "email": email,
            "name": person.name,
            "name_kana": person.kana,
            "affiliation": affiliation,
            "permissions": self._permissions(plan, j < POWER_USERS, holders),
        }
        if rng.random() < 0.08:
            doc["memo"] = rng.choice(namedata.MEMOS)
        return doc

    # -- planted problems --------------------------------------------------------------------

    def plan_defects(self, count: int) -> None:
        rng = self.defect_rng
        sizes = [p.users for p in self.plans]
        starts = [0]
        for size in sizes:
            starts.append(starts[-1] + size)
        total = starts[-1]
        used: set[tuple[int, int]] = set()
        touched_ops: set[int] = set()

        def random_user(pred: Any, min_j: int = 0) -> tuple[int, int] | None:
            for _ in range(2000):
                if total == 0:
                    return None
                g = rng.randrange(total)
                op = bisect.bisect_right(starts, g) - 1
                j = g - starts[op]
                if j >= min_j and (op, j) not in used and op not in touched_ops and pred(op):
                    return op, j
            return None

        kinds = list(OPERATOR_DEFECTS + USER_DEFECTS)
        rng.shuffle(kinds)
        chosen = (kinds * (count // len(kinds) + 1))[:count]
        # Operator problems first: users of those operators are then left alone, so a broken
        # operator never hides a user's problem.
        for kind in sorted(chosen, key=lambda k: k not in OPERATOR_DEFECTS):
            target: tuple[int, int] | None
            partner: tuple[int, int] | None = None
            if kind in OPERATOR_DEFECTS:
                candidates = [
                    p.index
                    for p in self.plans
                    if not p.profile.terminated
                    and p.index not in touched_ops
                    and (kind != "second-primary" or p.deputies > 0)
                ]
                target = (rng.choice(candidates), -1) if candidates else None
                if target:
                    touched_ops.add(target[0])
            elif kind == "login-id-clash":
                target = random_user(lambda op: op > 0, POWER_USERS)
                if target:
                    earlier = [p.index for p in self.plans[: target[0]] if p.users > POWER_USERS]
                    victim = rng.choice(earlier) if earlier else None
                    if victim is not None:
                        partner = (victim, rng.randrange(POWER_USERS, sizes[victim]))
                    if partner is None or partner in used:
                        target = None
            elif kind == "admin-limit":
                target = random_user(
                    lambda op: "switching" in self.plans[op].profile.systems, POWER_USERS
                )
                if target:
                    partner = (target[0], 0)
                    if partner in used:
                        target = None
            else:
                needs = {
                    "abolished-code": "taxis",
                    "unquoted-code": "taxis",
                }.get(kind)
                excluded = "member_portal" if kind == "not-approved" else None
                target = random_user(
                    lambda op, n=needs, x=excluded: (
                        (n is None or n in self.plans[op].profile.systems)
                        and (x is None or x not in self.plans[op].profile.systems)
                    )
                )
            if target is None:
                target = random_user(lambda op: True)
                kind = "duplicate-key"
            if target is None:
                raise SystemExit(f"cannot plant {count} problems in so small a registry")
            used.add(target)
            if partner:
                used.add(partner)
            self.defects[target] = Defect(kind, partner)
            if kind == "login-id-clash" and partner:
                self.victim_slots.add(partner)

    def _expect(self, rel: str, line: int, rule: str, kind: str) -> None:
        self.expected.append(Expected(rel, line, rule, kind))

    def _bend_user(
        self, plan: OperatorPlan, doc: dict[str, Any], kind: str
    ) -> tuple[DataPath, str] | None:
        """Change ``doc`` for a problem found from its data; None for a problem of the text."""
        perms: dict[str, Any] = doc["permissions"]
        if kind == "abolished-code":
            perms["taxis"] = "1110"
            return ("permissions", "taxis"), "permission-abolished"
        if kind == "undeclared-affiliation":
            doc["affiliation"] = self.plans[(plan.index + 1) % len(self.plans)].code
            return ("affiliation",), "affiliation"
        if kind == "derived-permission":
            system_id = self.defect_rng.choice(("info_site", "admin_console"))
            perms[system_id] = "granted"
            return ("permissions", system_id), "permission-derived"
        if kind == "unquoted-code":
            perms["taxis"] = 1011  # written unquoted, YAML reads a number
            return ("permissions", "taxis"), "schema"
        if kind == "login-id-characters":
            local, domain = doc["email"].split("@")
            doc["email"] = f"{local}+taxis@{domain}"
            return ("email",), "schema"
        if kind == "not-approved":
            perms["member_portal"] = "user"
            return ("permissions", "member_portal"), "system-not-approved"
        return None

    def _break_user(
        self,
        plan: OperatorPlan,
        rel: str,
        doc: dict[str, Any],
        defect: Defect,
        earlier: list[UserRecord],
    ) -> tuple[str, list[str], dict[DataPath, int]]:
        kind = defect.kind
        if kind == "admin-limit":
            return self._break_admin_limit(plan, rel, doc, earlier)
        if kind == "login-id-clash":
            # The same person registered by a second operator, the address in capitals.
            assert defect.partner is not None
            victim_rel, victim_email, victim_line = self.victims[defect.partner]
            doc["email"] = victim_email.upper()
            rel = layout.user_file(plan.code, victim_email)
            self._expect(victim_rel, victim_line, "login-id-unique", kind)
        bent = self._bend_user(plan, doc, kind)
        lines, where = emit(doc, layout.schema_comment(Kind.USER, rel))
        if kind == "login-id-clash":
            self._expect(rel, where[("email",)], "login-id-unique", kind)
        elif bent is not None:
            path, rule = bent
            self._expect(rel, where[path], rule, kind)
        elif kind == "duplicate-key":
            lines.append(f"name: {doc['name']}")
            self._expect(rel, len(lines), "yaml-duplicate-key", kind)
        elif kind == "tab-indent":
            line = where[("permissions", next(iter(doc["permissions"])))]
            lines[line - 1] = "\t" + lines[line - 1].lstrip(" ")
            self._expect(rel, line, "yaml-syntax", kind)
        elif kind == "anchor":
            line = where[("permissions",)]
            lines[line - 1] += " &permissions"
            self._expect(rel, line, "yaml-anchor", kind)
        return rel, lines, where

    def _break_admin_limit(
        self, plan: OperatorPlan, rel: str, doc: dict[str, Any], earlier: list[UserRecord]
    ) -> tuple[str, list[str], dict[DataPath, int]]:
        # One admin ID per operator and role (002 §3.2); the member system has no limit.
        system_id = "switching"
        for code in ("retailer_admin", "dr_admin"):
            admins = [u for u in earlier if u.permissions.get(system_id) == code]
            if admins:
                doc["permissions"][system_id] = code
                lines, where = emit(doc, layout.schema_comment(Kind.USER, rel))
                # The limit is reported on the holder past it, in file order.
                later = max(
                    [admins[0], UserRecord(rel, doc["permissions"], where)], key=lambda u: u.rel
                )
                self._expect(
                    later.rel,
                    later.where[("permissions", system_id)],
                    "permission-limit",
                    "admin-limit",
                )
                return rel, lines, where
        raise AssertionError(f"no admin among the first users of {plan.code}")

    def _break_operator(
        self, doc: dict[str, Any], kind: str
    ) -> tuple[list[str], dict[DataPath, int], DataPath, str]:
        rng = self.defect_rng
        if kind == "private-ip":
            entries = doc.setdefault("ip_allowlist", [])
            entries.append(
                {
                    "cidr": rng.choice(("10.1.20.5/32", "192.168.10.0/28", "172.16.5.4/32")),
                    "reason": "社内LANからの接続",
                    "expires_on": self.today + timedelta(days=90),
                }
            )
            path: DataPath = ("ip_allowlist", len(entries) - 1, "cidr")
            rule = "ip-allowlist-address"
        elif kind == "second-primary":
            doc["contacts"][1]["role"] = "primary"
            path, rule = ("contacts", 1), "contact-primary"
        elif kind == "serial-form":
            i = rng.randrange(len(doc["certificates"]))
            serial = doc["certificates"][i]["serial"]
            doc["certificates"][i]["serial"] = ":".join(
                serial[k : k + 2] for k in range(0, len(serial), 2)
            )  # as openssl prints it
            path, rule = ("certificates", i, "serial"), "schema"
        else:  # validity-too-long
            webs = [i for i, c in enumerate(doc["certificates"]) if c["purpose"] == "web"]
            i = rng.choice(webs)
            cert = doc["certificates"][i]
            cert["not_after"] = years_later(cert["not_after"], 1)
            path, rule = ("certificates", i, "not_after"), "certificate-validity"
        rel = layout.operator_file(doc["code"])
        lines, where = emit(doc, layout.schema_comment(Kind.OPERATOR, rel))
        return lines, where, path, rule

    # -- output ------------------------------------------------------------------------------

    def files(self) -> Iterator[tuple[str, list[str]]]:
        """Every generated file (path relative to the registry, lines), operator by operator."""
        for plan in self.plans:
            holders: dict[str, dict[str, int]] = {}
            staff = [self._person() for _ in range(max(plan.users, plan.deputies + 1))]
            # Window persons are the first users; their address is the same in both files.
            first = max(POWER_USERS, plan.deputies + 1)
            addresses = [self._email(plan.domain, person) for person in staff[:first]]
            records: list[UserRecord] = []
            for j in range(plan.users):
                doc = self._user_doc(plan, j, staff[j], addresses, holders)
                rel = layout.user_file(plan.code, doc["email"])
                defect = self.defects.get((plan.index, j))
                if defect is None:
                    lines, where = emit(doc, layout.schema_comment(Kind.USER, rel))
                else:
                    rel, lines, where = self._break_user(plan, rel, doc, defect, records)
                if (plan.index, j) in self.victim_slots:
                    self.victims[(plan.index, j)] = (rel, doc["email"], where[("email",)])
                records.append(UserRecord(rel, doc["permissions"], where))
                yield rel, lines
            op_doc = self._operator_doc(plan, staff, addresses)
            rel = layout.operator_file(plan.code)
            defect = self.defects.get((plan.index, -1))
            if defect is None:
                lines, _ = emit(op_doc, layout.schema_comment(Kind.OPERATOR, rel))
            else:
                lines, where, path, rule = self._break_operator(op_doc, defect.kind)
                self._expect(rel, where[path], rule, defect.kind)
            yield rel, lines


def write(out: Path, generator: Generator, params: dict[str, Any]) -> dict[str, Any]:
    registry = out / layout.REGISTRY_DIR
    (registry / "operators").mkdir(parents=True)
    for name in COPIED:
        shutil.copyfile(ROOT / layout.REGISTRY_DIR / name, registry / name)
    shutil.copytree(ROOT / layout.SCHEMAS_DIR, out / layout.SCHEMAS_DIR)
    made_dirs: set[str] = set()
    count = 0
    for rel, lines in generator.files():
        parent = rel.rsplit("/", 1)[0]
        if parent not in made_dirs:
            (registry / parent).mkdir(parents=True, exist_ok=True)
            made_dirs.add(parent)
        with open(registry / rel, "w", encoding="utf-8") as f:  # noqa: PTH123 - 200,000 files
            f.write("\n".join(lines) + "\n")
        count += 1
    manifest = {
        **params,
        "files": count + len(COPIED),
        "operators": len(generator.plans),
        "users": sum(p.users for p in generator.plans),
        "expected": [
            e.__dict__ for e in sorted(generator.expected, key=lambda e: (e.file, e.line))
        ],
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to create (a small repository)")
    parser.add_argument("--operators", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY)
    parser.add_argument("--broken", type=int, default=0, metavar="K", help="plant K problems")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    if not 1 <= args.operators <= 9999:
        parser.error("--operators must be between 1 and 9999 (operator codes have 4 digits)")
    if args.out.exists():
        if not args.force:
            parser.error(f"{args.out} exists (use --force to replace it)")
        shutil.rmtree(args.out)
    source = DirectorySource(ROOT / layout.REGISTRY_DIR)
    catalog, problems = load_catalog(source, source.paths())
    if catalog is None:
        parser.error(f"the catalog of this repository does not load: {problems}")
    generator = Generator(catalog, args.operators, args.users, args.seed, args.today)
    generator.plan_defects(args.broken)
    params = {
        "seed": args.seed,
        "today": args.today.isoformat(),
        "broken": args.broken,
    }
    manifest = write(args.out, generator, params)
    print(
        f"{args.out}: {manifest['operators']} operators, {manifest['users']} users, "
        f"{manifest['files']} files, {len(manifest['expected'])} planted problems"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
