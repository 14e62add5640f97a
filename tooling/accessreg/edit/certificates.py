"""Client-certificate registration (クライアント証明書登録申請, 000 §4-2)."""

from __future__ import annotations

from dataclasses import dataclass

from accessreg.edit import certfile, targets, yamldoc
from accessreg.edit.draft import Draft, EditRefused
from accessreg.edit.operators import OPERATOR_FIELDS
from accessreg.model import layout
from accessreg.model.messages import msg


@dataclass(frozen=True)
class CertificateSpec:
    id: str  # the issuer's certificate ID (証明書ID)
    location: str  # where it is installed
    holder: str  # who answers for it there
    purpose: str = "web"  # web | api
    medium: str = "DL"  # DL | CD | UM | UT
    systems: tuple[str, ...] = ()


def add(draft: Draft, code: str, raw: bytes, spec: CertificateSpec) -> None:
    """Register the certificate in ``raw`` for operator ``code``, facts taken from the file."""
    targets.operator(draft, code)
    with_usage_application(draft, code, raw, spec)


def with_usage_application(draft: Draft, code: str, raw: bytes, spec: CertificateSpec) -> None:
    """Register the certificate an operator being registered in this same edit gives with its
    new usage application: a system such as the switching support system is applied for
    with a certificate already obtained, its details part of the application (002 §3.1,
    001 p13)."""
    facts = certfile.read(raw, draft.today)
    for entry in draft.registry.iter_operators():
        for cert in entry.operator.certificates:
            if cert.serial.upper() == facts.serial:
                raise EditRefused(
                    msg(
                        "The serial {serial} is already registered (certificate {id} of {code})",
                        serial=facts.serial,
                        id=cert.id,
                        code=entry.operator.code,
                    )
                )
    doc = draft.document(layout.operator_file(code))
    certs = yamldoc.seq_at(doc, "certificates", OPERATOR_FIELDS)
    fields = [
        ("id", spec.id),
        ("serial", yamldoc.code(facts.serial)),  # all-digit serials must stay strings
        ("cn", facts.cn),
        ("medium", spec.medium),
        ("purpose", spec.purpose),
        ("not_before", facts.not_before),
        ("not_after", facts.not_after),
        ("location", spec.location),
        ("holder", spec.holder),
    ]
    if spec.systems:
        fields.append(("systems", yamldoc.sequence(spec.systems, flow=True)))
    certs.append(yamldoc.mapping(fields))
    draft.note(
        msg(
            "new certificate: {code}: {id} serial {serial} CN {cn} ({start} to {end}, {purpose})",
            code=code,
            id=spec.id,
            serial=facts.serial,
            cn=facts.cn,
            start=facts.not_before,
            end=facts.not_after,
            purpose=spec.purpose,
        )
    )
