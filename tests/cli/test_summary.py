"""``accessreg summary``: a job summary's section shows the reports as written, rendered by
GitHub's own markdown parser, whatever text of the registry they hold."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from accessreg.cli.summary_cmd import LIMIT
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


def test_a_report_too_long_for_a_summary_is_cut_at_a_line_and_says_where_the_rest_is(
    tmp_path: Path,
) -> None:
    """GitHub drops a step's summary of more than 1 MiB whole: a long report (every held
    file of a large forced merge) is cut to what ``LIMIT`` holds."""
    lines = [f"registry/users/OP{n:05d}/利用者{n}@example.jp: エラー" for n in range(20_000)]
    (tmp_path / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_cli("--lang", "ja", "summary", "--heading", HEADING, "report.txt", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    shown = githubmd.render(out.stdout)
    assert shown.tags == ["h2", "pre", "code"]
    body = "".join(shown.literal).splitlines()
    assert len(out.stdout.encode("utf-8")) < LIMIT + 1024
    assert body[: len(body) - 1] == lines[: len(body) - 1]
    assert (
        body[-1]
        == f"…ほか {len(lines) - len(body) + 1} 行は、この報告を書いたステップのログにあります"
    )
    (tmp_path / "report.txt").write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    short = run_cli("summary", "--heading", HEADING, "report.txt", cwd=tmp_path)
    assert "".join(githubmd.render(short.stdout).literal).splitlines() == lines[:10]
