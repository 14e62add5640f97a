"""A login ID's limits (``base.LOGIN_ID``, ``base.LoginId``): the models and the JSON Schema
validate checks take an address of the right form exactly when it is within them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.files import schemacheck, schemagen
from accessreg.model import base
from accessreg.model.layout import Kind
from accessreg.model.meta import MaintainersFile

_LOCAL_CHARS = "abcdefghijklmnopqrstuvwxyzABC0123456789_~$&'`^=-"
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _filled(length: int, fill: str) -> str:
    return (fill * length)[:length]


# Lengths drawn evenly, so that every limit is as often under as over.
_ATOM = st.builds(_filled, st.integers(1, 70), st.text(_LOCAL_CHARS, min_size=1, max_size=4))
_LABEL = st.builds(
    lambda length, fill: "a" if length == 1 else f"a{_filled(length - 2, fill)}z",
    st.integers(1, 70),
    st.text(_ALNUM + "-", min_size=1, max_size=4),
)
# Of the right form (dot-atoms before the @, labels of letters, digits and inner hyphens,
# two at least), of any length around the limits.
ADDRESSES = st.builds(
    lambda atoms, labels: ".".join(atoms) + "@" + ".".join(labels),
    st.lists(_ATOM, min_size=1, max_size=3),
    st.lists(_LABEL, min_size=2, max_size=6),
)
_SCHEMA = schemacheck.checker(schemagen.generate(Kind.MAINTAINERS, None))


def _file(email: str) -> dict[str, object]:
    return {"maintainers": [{"github": "sato", "name": "佐藤 花子", "email": email}]}


def _by_the_model(email: str) -> bool:
    try:
        MaintainersFile.model_validate(_file(email))
    except ValueError:
        return False
    return True


def _within(email: str) -> bool:
    local, _, domain = email.partition("@")
    return (
        len(local) <= base.LOCAL_PART_MAX
        and max(len(label) for label in domain.split(".")) <= base.DOMAIN_LABEL_MAX
        and len(email) <= base.LOGIN_ID_MAX
    )


@settings(max_examples=300)
@given(ADDRESSES)
def test_an_address_of_the_right_form_is_taken_exactly_within_the_limits(email: str) -> None:
    taken = _by_the_model(email)
    assert taken == (not _SCHEMA.violations(_file(email)))  # the models and validate agree
    assert taken == _within(email)


@given(ADDRESSES)
def test_an_address_the_model_takes_is_within_every_limit(email: str) -> None:
    if _by_the_model(email):
        local, _, domain = email.partition("@")
        assert len(local) <= 64
        assert all(len(label) <= 63 for label in domain.split("."))
        assert len(email) <= 254
