"""The merge workflow's list of pull requests: what GitHub gives, which no validation has seen."""

from __future__ import annotations

import json

from accessreg.escape import unsafe_characters
from accessreg.provision.pullrequests import parse

SHA = "a" * 40


def test_a_title_is_kept_as_one_line_of_printable_text() -> None:
    title = "利用者追加\n\n以上です。\x1b[31mRED\x1b[0m \u202eexe.txt\u202c\u200b\t##[error]x"
    found = parse(json.dumps([{"merge_commit": SHA, "number": 12, "title": title}]), "prs.json")
    shown = found[SHA].title
    assert (
        shown == "利用者追加 以上です。\\x1b[31mRED\\x1b[0m \\u202eexe.txt\\u202c\\u200b ##[error]x"
    )
    assert unsafe_characters(shown) == []
