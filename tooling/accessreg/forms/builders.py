"""Turn a form's answers into the edit the matching command makes.

Each builder returns the operation (the same core call as the command line), the operator it
concerns, and the problems of the answers themselves (a date that is not a date, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from accessreg.edit import Draft, Operation, certificates, contacts, ips, operators, users
from accessreg.forms.body import Answer, FormProblem
from accessreg.forms.definitions import FORMER_DELETED, Form
from accessreg.model.base import PROVISIONAL_PREFIX, is_provisional_key


@dataclass
class Answers:
    """A form's answers, read with the problems of reading them noted by field label."""

    form: Form
    values: dict[str, Answer]
    author: str
    problems: list[FormProblem] = field(default_factory=list)

    def text(self, fid: str) -> str | None:
        value = self.values.get(fid)
        return value if isinstance(value, str) else None

    def need(self, fid: str, why: str = "") -> str:
        value = self.text(fid)
        if value is None:
            self.problems.append(
                FormProblem(self._label(fid), f"入力が必要です / this field is required{why}")
            )
            return ""
        return value

    def ticked(self, fid: str) -> tuple[str, ...]:
        value = self.values.get(fid)
        return value if isinstance(value, tuple) else ()

    def day(self, fid: str) -> date | None:
        value = self.text(fid)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problems.append(
                FormProblem(
                    self._label(fid), "日付は YYYY-MM-DD で入力してください / write YYYY-MM-DD"
                )
            )
            return None

    def pairs(self, fid: str) -> tuple[tuple[str, str], ...]:
        """Lines of `CODE name` (a space, comma or colon between them)."""
        out = []
        for line in (self.text(fid) or "").splitlines():
            if not line.strip():
                continue
            parts = re.split(r"[\s,、：:]+", line.strip().lstrip("-* "), maxsplit=1)
            if len(parts) != 2:
                self.problems.append(
                    FormProblem(
                        self._label(fid),
                        f"「コード 名称」の形で書いてください / write `CODE name`: {line.strip()}",
                    )
                )
                continue
            out.append((parts[0], parts[1]))
        return tuple(out)

    def lines(self, fid: str) -> tuple[str, ...]:
        return tuple(
            x.strip().lstrip("-* ") for x in (self.text(fid) or "").splitlines() if x.strip()
        )

    def problem(self, fid: str, message: str) -> None:
        """Note what is wrong with field ``fid`` (Japanese, then English)."""
        self.problems.append(FormProblem(self._label(fid), message))

    def _label(self, fid: str) -> str:
        f = self.form.field(fid)
        return f.label if f else fid


def _permissions(a: Answers) -> dict[str, str]:
    return {
        fid[len("perm_") :]: value
        for fid, value in a.values.items()
        if fid.startswith("perm_") and isinstance(value, str)
    }


def _former_admin(a: Answers) -> users.FormerAdmin | None:
    """The admin the form's user takes over from (002 §3.2.2), if it names one."""
    keeps = a.text("former_admin_keeps")
    email = a.text("former_admin")
    if email is None:
        # The dropdown shows its first choice (ID を抹消する) unless changed: only another
        # choice asks for the admin it is for.
        if keeps not in (None, FORMER_DELETED):
            a.need("former_admin", " (the admin who gives up the admin ID)")
        return None
    return users.FormerAdmin(email, None if keeps in (None, FORMER_DELETED) else keeps)


def user_add(a: Answers) -> Operation:
    spec = users.UserSpec(
        a.need("operator"), a.need("email"), a.need("name"), a.need("name_kana"),
        a.text("affiliation"), a.text("memo"), _permissions(a),
    )  # fmt: skip
    former = _former_admin(a)
    return lambda d: users.add(d, spec, former)


def user_change(a: Answers) -> Operation:
    spec = users.UserSpec(
        a.need("operator"), a.need("email"), a.text("name"), a.text("name_kana"),
        a.text("affiliation"), a.text("memo"), _permissions(a),
    )  # fmt: skip
    former = _former_admin(a)
    return lambda d: users.change(d, spec, former)


def user_remove(a: Answers) -> Operation:
    operator, email = a.need("operator"), a.need("email")
    return lambda d: users.remove(d, operator, email)


def _contact(a: Answers, role: str) -> operators.ContactSpec:
    return operators.ContactSpec(
        role, a.need("contact_name"), a.need("contact_name_kana"), a.need("contact_email"),
        a.need("contact_phone"), a.text("contact_github") or a.author,
    )  # fmt: skip


def _new_membership(a: Answers, member: bool) -> str | None:
    """The OCCTO membership a new usage application records (003 §2.2), refused where the
    command refuses it (a day with no status, the member box ticked for an applicant, a
    provisional key for anyone else): told under the field to change, in the form's words."""
    status, on = a.text("membership"), a.text("membership_on")
    if on is not None and status is None:
        a.need("membership", " (the membership status the date is for)")
    if member and status == "provisional":
        a.problem(
            "occto_member",
            "加入仮申請中の事業者はまだ広域機関の会員ではありません。チェックを外してください"
            "（会員資格は「広域機関の会員資格」の選択どおりに記録されます） / a provisional "
            "applicant is not an OCCTO member yet: untick it (the membership chosen sets it)",
        )
    if is_provisional_key(a.text("operator") or "") and status != "provisional":
        a.problem(
            "membership",
            f"仮のキー（{PROVISIONAL_PREFIX}…）で登録できるのは、広域機関に加入仮申請中の事業者"
            "だけです。「加入仮申請」を選ぶか、「事業者コード」欄に広域機関から付与された事業者"
            f"コードを入力してください / a provisional key ({PROVISIONAL_PREFIX}…) is for an "
            "OCCTO membership applicant only: choose provisional application, or enter the "
            "operator code OCCTO issued",
        )
    return status


def operator_new(a: Answers) -> Operation:
    member = "yes" in a.ticked("occto_member")
    if not a.ticked("systems"):
        # A usage application is for systems (000 §3-1): with none, the operator would be
        # registered using nothing, and nobody asked what it applies for.
        a.problem(
            "systems",
            "利用するシステムを 1 つ以上選んでください / choose at least one system to use",
        )
    status, on = _new_membership(a, member), a.day("membership_on")
    spec = operators.NewOperator(
        code=a.need("operator"),
        name=a.need("name"),
        name_kana=a.need("name_kana"),
        roles=a.ticked("roles"),
        privacy_policy_url=a.need("privacy_policy_url"),
        systems=a.ticked("systems"),
        primary=_contact(a, "primary"),
        subcontractors=a.pairs("subcontractors"),
        occto_member=True if member else None,
    )
    certificate = _certificate(a)

    def run(d: Draft) -> None:
        membership = None if status is None else operators.MembershipChange(status, on or d.today)
        operators.new(d, replace(spec, membership=membership))
        if certificate is not None:
            certificates.with_usage_application(d, spec.code, *certificate)

    return run


def operator_change(a: Answers) -> Operation:
    code = a.need("operator")
    change = operators.OperatorChange(
        code=code,
        name=a.text("name"),
        name_kana=a.text("name_kana"),
        privacy_policy_url=a.text("privacy_policy_url"),
        add_systems=a.ticked("add_systems"),
        remove_systems=a.ticked("remove_systems"),
        add_subcontractors=a.pairs("add_subcontractors"),
        remove_subcontractors=a.lines("remove_subcontractors"),
    )
    status, on = a.text("membership"), a.day("membership_on")
    # A provisional key receiving its code (003 §2.2): the form's operator stays the key,
    # whose window persons file for it, and the membership becomes the full one with it.
    issued = a.text("issued_code")
    if issued is not None and status not in (None, "member"):
        a.problem(
            "membership",
            "事業者コードの発番では会員資格は会員（本申請）になります。「変更しない」か"
            "「会員（本申請）」を選んでください / with an issued operator code the membership "
            "becomes member: choose 変更しない or member",
        )
    if issued is not None:
        status = None
    elif on is not None and status is None:
        a.need("membership", " (the membership status the date is for)")
    role = a.text("contact_role")
    contact = None
    promoted = None
    if role == "swap":  # a deputy becomes the primary, who stays as a deputy
        promoted = a.need("contact_email", " (the deputy who becomes the primary)")
        for fid in ("contact_name", "contact_name_kana", "contact_phone", "contact_github"):
            if a.text(fid) is not None:
                a.problem(
                    fid,
                    "入れ替えでは新たに正担当となる副担当のメールアドレスだけを入力してください"
                    " / a swap takes only the deputy's e-mail",
                )
    elif role is not None:
        if a.text("contact_github") is None:
            a.need("contact_github", " (the new window person's GitHub login)")
        contact = _contact(a, role)
    removed = a.text("contact_remove")
    if role == "primary" and removed is None:
        a.need("contact_remove", " (the primary being replaced)")
    touches_operator = status is not None or change != operators.OperatorChange(code=code)

    def run(d: Draft) -> None:
        if touches_operator:
            membership = (
                None if status is None else operators.MembershipChange(status, on or d.today)
            )
            operators.change(d, replace(change, membership=membership))
        if promoted is not None:
            contacts.promote(d, code, promoted, contacts.FORMER_DEPUTY)
        if contact is not None:
            contacts.add(d, code, contact, removed if role == "primary" else None)
        if removed is not None and role != "primary":
            contacts.remove(d, code, removed)
        if issued is not None:  # last: the changes above are made to the file it moves
            operators.issue_code(d, code, issued, on or d.today)

    return run


def operator_terminate(a: Answers) -> Operation:
    code, on = a.need("operator"), a.day("terminated_on")
    return lambda d: operators.terminate(d, code, on or d.today)


PEM_LINES = ("-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----")
CERTIFICATE_DETAILS = ("cert_id", "location", "holder")


def _certificate(a: Answers) -> tuple[bytes, certificates.CertificateSpec] | None:
    """The certificate the form gives: the pasted PEM and what the issuer and the operator
    say of it; None when the form gives none (a new usage application may not)."""
    field = a.form.field("certificate")
    if field is not None and not field.required and a.text("certificate") is None:
        if any(a.text(fid) for fid in CERTIFICATE_DETAILS):
            a.need("certificate")
        return None
    pasted = a.need("certificate")
    if pasted and not all(line in pasted for line in PEM_LINES):
        # A file is read as PEM or DER; a paste is the PEM text, its first and last lines too.
        a.problem(
            "certificate",
            f"{PEM_LINES[0]} から {PEM_LINES[1]} までの行も含めて、証明書のテキストを"
            f"すべて貼り付けてください / paste the whole certificate text, from the line "
            f"{PEM_LINES[0]} to the line {PEM_LINES[1]}",
        )
    spec = certificates.CertificateSpec(
        a.need("cert_id"), a.need("location"), a.need("holder"),
        a.text("purpose") or "web", a.text("medium") or "DL",
    )  # fmt: skip
    return pasted.encode("utf-8"), spec


def cert_add(a: Answers) -> Operation:
    code = a.need("operator")
    given = _certificate(a)
    assert given is not None  # the registration's certificate is a required field
    raw, spec = given
    return lambda d: certificates.add(d, code, raw, spec)


def ip(a: Answers) -> Operation:
    code, cidr = a.need("operator"), a.need("cidr")
    if a.text("action") == "remove":
        return lambda d: ips.remove(d, code, cidr)
    reason = a.need("reason", " for adding")
    expires = a.day("expires_on") if a.text("expires_on") else None
    if expires is None and a.text("expires_on") is None:
        a.need("expires_on", " for adding")

    def run(d: Draft) -> None:
        assert expires is not None  # the answers' problems are checked before running
        ips.add(d, code, cidr, reason, expires)

    return run


BUILDERS: dict[str, Callable[[Answers], Operation]] = {
    "user-add": user_add,
    "user-change": user_change,
    "user-remove": user_remove,
    "operator-new": operator_new,
    "operator-change": operator_change,
    "operator-terminate": operator_terminate,
    "cert-add": cert_add,
    "ip": ip,
}
