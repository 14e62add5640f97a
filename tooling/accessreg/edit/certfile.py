"""Read a client certificate file (cryptography lives here and nowhere else).

The registry records what the reverse proxy matches and what the issuer notifies about: the
serial as nginx's ``$ssl_client_serial`` prints it, the CN and the validity dates (in Japan).
A file is refused, with the reason, when it holds a private key, is not exactly one
certificate, is a CA certificate, is valid longer than an EPPCERT client certificate (two
years, 000 §4-1), or has expired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from accessreg.edit.draft import EditRefused
from accessreg.model.messages import msg
from accessreg.timeline.clock import JST
from accessreg.timeline.periods import certificate_validity_fits

_PEM_LABEL = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
KEY_ADVICE = msg(
    "a private key must never leave the PC it belongs to: give the certificate alone "
    "(.cer/.crt/.pem, without the key)"
)


@dataclass(frozen=True)
class CertificateFacts:
    serial: str
    cn: str
    not_before: date
    not_after: date


def nginx_serial(number: int) -> str:
    """Upper-case hex of the serial's magnitude bytes, no separators, no leading 00 byte."""
    digits = f"{number:X}"
    return digits if len(digits) % 2 == 0 else f"0{digits}"


def _looks_like_pkcs12(raw: bytes) -> bool:
    # PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, ... } (RFC 7292)
    if len(raw) < 8 or raw[0] != 0x30:
        return False
    i = 2 + (raw[1] & 0x7F if raw[1] & 0x80 else 0)
    return raw[i : i + 3] == b"\x02\x01\x03"


def _der_holds_key(raw: bytes) -> bool:
    try:
        serialization.load_der_private_key(raw, password=None)
        return True
    except TypeError:  # an encrypted key: it asks for a password
        return True
    except (ValueError, UnsupportedAlgorithm):
        pass
    try:
        pkcs12.load_key_and_certificates(raw, None)
        return True
    except (ValueError, TypeError):
        return _looks_like_pkcs12(raw)


def _load(raw: bytes) -> x509.Certificate:
    if b"-----BEGIN" in raw:
        labels = [m.decode() for m in _PEM_LABEL.findall(raw)]
        if any("PRIVATE KEY" in label for label in labels):
            raise EditRefused(msg("The file holds a private key: {advice}", advice=KEY_ADVICE))
        certs = [label for label in labels if label.endswith("CERTIFICATE")]
        if not certs:
            raise EditRefused(
                msg("The file is not a certificate (it holds {labels})", labels=tuple(labels))
            )
        if len(certs) > 1:
            raise EditRefused(
                msg(
                    "The file holds {count} certificates: give the client certificate alone",
                    count=len(certs),
                )
            )
        try:
            return x509.load_pem_x509_certificate(raw)
        except ValueError:
            raise EditRefused(
                msg("The certificate in the file cannot be read: export it again as PEM or DER")
            ) from None
    try:
        return x509.load_der_x509_certificate(raw)
    except ValueError:
        pass
    if _der_holds_key(raw):
        raise EditRefused(
            msg("The file holds a private key (PKCS#8/PKCS#12): {advice}", advice=KEY_ADVICE)
        )
    raise EditRefused(msg("The file is not a certificate in PEM or DER form"))


def read(raw: bytes, today: date) -> CertificateFacts:
    """The facts of the one client certificate in ``raw``; refused with the reason if unfit."""
    cert = _load(raw)
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and constraints.ca:
        raise EditRefused(
            msg("This is a CA certificate, not a client certificate: give the client's own")
        )
    if cert.serial_number < 0:
        raise EditRefused(msg("The certificate's serial number is negative: it is malformed"))
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        raise EditRefused(msg("The certificate has no CN in its subject"))
    value = names[0].value
    cn = value if isinstance(value, str) else value.decode("utf-8", "replace")
    not_before = cert.not_valid_before_utc.astimezone(JST).date()
    not_after = cert.not_valid_after_utc.astimezone(JST).date()
    if not certificate_validity_fits(not_before, not_after):
        # The dates are the file's own: copying them again would change nothing.
        raise EditRefused(
            msg(
                "The certificate is valid from {start} to {end}, not within the two years of "
                "a client certificate EPPCERT issues for these systems (000 §4-1): it does "
                "not look like one; give the client certificate file EPPCERT issued",
                start=not_before,
                end=not_after,
            )
        )
    if not_after < today:
        raise EditRefused(
            msg("The certificate expired on {day}: register its renewal instead", day=not_after)
        )
    return CertificateFacts(nginx_serial(cert.serial_number), cn, not_before, not_after)
