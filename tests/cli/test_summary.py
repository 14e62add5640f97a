"""``accessreg summary``: a job summary's section shows the reports as written, rendered by
GitHub's own markdown parser, whatever text of the registry they hold."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.escape import markdown_block
from tests.helpers import githubmd
from tests.helpers.regfactory import run_cli

HEADING = "## 反映 / Provisioning"
# A login ID may hold a backtick (000 §5-1 note 3), a name anything printable.
HOSTILE = "利用者ID\tAOBAGS01\ta```b@aoba-gas.example.co.jp\n```\n<img src=x> @uketsuke #12 :x:\n"


def _summary(tmp_path: Path, *args: str) -> str:
    result = run_cli("summary", *args, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def test_what_a_report_holds_stays_inside_its_block(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(HOSTILE, encoding="utf-8")
    (tmp_path / "status.txt").write_text("申請番号\t受付日\n", encoding="utf-8")
    shown = githubmd.render(_summary(tmp_path, "--heading", HEADING, "report.txt", "status.txt"))
    assert shown.tags == ["h2", "pre", "code"]  # one heading, one block, nothing else
    assert [t for t in shown.text if t.strip()] == ["反映 / Provisioning"]
    assert shown.processed() == []
    assert "".join(shown.literal) == HOSTILE.expandtabs() + "申請番号\t受付日\n".expandtabs()


def test_a_report_a_failed_step_did_not_write_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "in-doubt.txt").write_text("送信不明: なし\n", encoding="utf-8")
    out = _summary(tmp_path, "--heading", "### x", "missing.txt", "in-doubt.txt")
    assert githubmd.render(out).literal == ["送信不明: なし\n"]
    empty = _summary(
        tmp_path, "--heading", "### x", "--empty", "（報告はありません）", "missing.txt"
    )
    assert githubmd.render(empty).literal == ["（報告はありません）\n"]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_no_text_leaves_the_block(text: str) -> None:
    """The command's block is ``escape.markdown_block``: whatever the text, GitHub shows a
    heading and one code block, and nothing of the text as markdown or HTML."""
    shown = githubmd.render(f"{HEADING}\n\n{markdown_block(text)}\n")
    assert shown.tags == ["h2", "pre", "code"], text
    assert [t for t in shown.text if t.strip()] == ["反映 / Provisioning"]
