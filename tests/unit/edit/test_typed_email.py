"""Whatever is typed as a new user's e-mail, the edit refuses it in words, or accepts an
address the schema takes: never a crash, never a file that ``validate`` would refuse."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accessreg import i18n
from accessreg.edit import Draft, finish
from accessreg.edit.users import UserSpec, add
from accessreg.errors import AccessregError
from accessreg.model import base
from accessreg.model.problems import Level
from tests.helpers.regfactory import RegistryFactory

_DOMAIN = "@test-gas.example.co.jp"
# What a window person's keyboard, a pasted cell or an attacker may give: anything; text
# before the domain; the input method's widths, spaces, marks and a path around a valid one.
TYPED = st.one_of(
    st.text(max_size=40),
    st.text(max_size=20).map(lambda s: s + _DOMAIN),
    st.text("ａｂｃ＠．-_/\\ 　@.\u200b\u202e\n木村", max_size=12).map(lambda s: s + _DOMAIN),
    st.from_regex(r"\A[a-z][a-z0-9._-]{0,12}[a-z0-9]\Z").map(lambda s: s + _DOMAIN),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=TYPED)
def test_a_typed_email_is_refused_in_words_or_is_a_login_id(
    reg: RegistryFactory, typed: str
) -> None:
    draft = Draft(reg.root, "registry", date(2026, 11, 24))
    spec = UserSpec("TESTOP01", typed, "木村 花子", "キムラ ハナコ", permissions={"taxis": "1011"})
    try:
        add(draft, spec)
        result = finish(draft, write=False)
    except AccessregError as refused:
        assert i18n.text(refused.message).strip()  # a sentence, not a traceback
        return
    if result.ok:
        assert re.fullmatch(base.LOGIN_ID, typed.strip()), typed
        assert len(typed.strip()) <= base.LOGIN_ID_MAX
    else:
        errors = [p for p in (*result.problems, *result.standing) if p.level is Level.ERROR]
        assert errors and all(p.message for p in errors)
        assert any(p.file.startswith("registry/users/TESTOP01/") for p in errors), errors
