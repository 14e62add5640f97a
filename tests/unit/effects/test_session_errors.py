"""A run's errors about a mail the server took read in the run's language, whole."""

from __future__ import annotations

from accessreg import i18n
from accessreg.effects.session import _taken
from accessreg.gitio.state import StateConflictError
from accessreg.model.messages import msg


def test_a_state_that_moved_under_a_sent_mail_is_said_in_one_language() -> None:
    moved = StateConflictError(
        msg(
            "{ref} moved while this run was using it (another run recorded state); run the "
            "command again",
            ref="refs/accessreg/state",
        )
    )
    error = _taken(moved, "<1@reception.example.jp>")
    ja = i18n.text(error.message, "ja", cap=False)
    assert ja.startswith("実行中に refs/accessreg/state が動きました")
    assert "<1@reception.example.jp>" in ja
    assert "moved while" not in ja and "run the command" not in ja, ja
    en = i18n.text(error.message, "en", cap=False)
    assert en.startswith("refs/accessreg/state moved while this run was using it")
