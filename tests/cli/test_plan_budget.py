"""The plan comment keeps within ``--max-chars`` whatever the pull request holds: paths
thousands of characters long, names, refusals, window persons of many operators. GitHub
refuses a comment over 65,536 characters, and the plan of an earlier commit (perhaps
*Authorized*) would stay standing; the heading, the revisions compared and the verdict are
never cut."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accessreg import i18n
from accessreg.escape import PATH_LIMIT
from accessreg.gitio.repo import GitRepository
from accessreg.model.messages import Verbatim, msg
from accessreg.plan import Plan, render_markdown, wording
from accessreg.reporting import authorize_report
from accessreg.review.authorize import Decision
from accessreg.review.pullrequest import read_pull_request
from accessreg.timeline.effective import Events
from tests.helpers.gitrepo import GitRegistry
from tests.helpers.regfactory import run_cli

WINDOW = "window-1"  # the baseline operator's window person (window1@test-gas…)
DAY = date(2026, 12, 3)
HEADING = {"ja": "## accessreg プラン\n", "en": "## accessreg plan\n"}
COMPARED = {"ja": re.compile(r"^比較: マージベース `\w+` → ヘッド `\w+`$", re.M),
            "en": re.compile(r"^Compared: merge base `\w+` → head `\w+`$", re.M)}  # fmt: skip


def deep_path(i: int, depth: int = 17) -> str:
    """A path of about 3,400 characters, as git allows: folders of 200 characters."""
    return "/".join([f"d{i:02d}", *["a" * 200] * depth, "f.txt"])


@pytest.fixture
def gr(on_pr: GitRegistry) -> GitRegistry:
    return on_pr


def comment(gr: GitRegistry, *more: str) -> str:
    result = run_cli("plan", "--base", "main", "--head", "pr", "--format", "markdown",
                     "--today", "2026-12-03", "--actor", WINDOW, *more, cwd=gr.path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def note_of(text: str, label: str) -> list[str]:
    """The lines of the note of paths that starts with ``label``, to its blank line."""
    return text.split(f"\n{label}", 1)[1].split("\n\n", 1)[0].split("\n")


@pytest.mark.parametrize(("files", "max_chars"), [(20, None), (25, None), (20, 5000),
                                                  (20, 1000)])  # fmt: skip
def test_twenty_deep_paths_keep_the_comment_within_its_size(
    gr: GitRegistry, files: int, max_chars: int | None
) -> None:
    """Twenty changed files under folders 3,400 characters deep made a comment of 82,920
    characters: each path is now shortened in its middle (its start and file name kept), the
    note lists as many as fit, twenty at most, and says how many more the JSON holds."""
    for i in range(files):
        gr.write(deep_path(i), "x\n")
    gr.commit("deep files")
    text = comment(gr, *(["--max-chars", str(max_chars)] if max_chars else []))
    assert len(text) <= (max_chars or 60_000)
    assert text.startswith(HEADING["ja"]) and COMPARED["ja"].search(text)
    assert (
        "\n**申請権限なし**: window-1（TESTOP01 の窓口責任者） はこの変更を申請できません。\n"
        in (text)
    )
    label = "そのほかの変更されたファイル（受付担当者のみ変更可）: "
    if max_chars == 1000:  # no room for the note: the verdict and heading still stand
        return
    first, *said = note_of(text, label)
    shown = first.split(", ")
    assert 0 < len(shown) <= 20
    for i, path in enumerate(shown):
        assert len(path) == PATH_LIMIT and path.endswith("…/f.txt")
        assert path.startswith(f"d{i:02d}/aaa")
    left = files - len(shown)
    assert said == (
        [f"_ほか {left} 件のパスはここに表示していません。すべて JSON（`plan.json`）にあります。_"]
        if left
        else []
    )
    assert (files, max_chars) != (20, None) or left == 0  # the default has room for all


def test_refusals_of_deep_paths_shorten_them_and_show_them_all(gr: GitRegistry) -> None:
    """A refusal line kept its path whole: twenty paths 3,400 characters deep let four
    refusals show, and sixteen were told as "more lines". Each refused path is now shortened
    as the plan's lists shorten it, so that every refusal of the twenty is shown."""
    for i in range(20):
        gr.write(deep_path(i), "x\n")
    gr.commit("deep files")
    refused = [line for line in comment(gr).splitlines() if line.startswith("- 拒否 ")]
    assert len(refused) == 20
    for i, line in enumerate(refused):
        path = line.removeprefix("- 拒否 ").split(": ", 1)[0]
        assert len(path) == PATH_LIMIT and path.startswith(f"d{i:02d}/aaa")
        assert path.endswith("…/f.txt")


def test_files_that_do_not_load_say_how_many_are_not_listed(gr: GitRegistry) -> None:
    """Only twenty files that do not load were listed, the rest left out unsaid."""
    for i in range(23):
        gr.reg.write(f"users/TESTOP01/broken{i:02d}@test-gas.example.co.jp.yaml", "email: [\n")
    gr.commit("broken files")
    text = comment(gr, "--actor", "maintainer-1")
    first, *said = note_of(text, "読み込めないファイル（検査結果を参照）: ")
    assert first.count("registry/users/TESTOP01/broken") == 20
    assert said == [
        "_ほか 3 件のパスはここに表示していません。すべて JSON（`plan.json`）にあります。_"
    ]


def test_a_verdict_names_ten_operators_at_most() -> None:
    """The verdict is never cut: a window person of many operators is named with ten of
    them and how many more."""
    codes = tuple(f"OP{i:06d}" for i in range(15))
    decision = Decision(actor="window-1", maintainer=False, acts_for=codes, paths=("x",))
    (line,) = authorize_report.markdown_verdict(decision)
    assert line == (
        f"**申請権限あり**: window-1（{'、'.join(codes[:10])} ほか 5 事業者の窓口責任者） は"
        "この変更を申請できます。"
    )
    with i18n.using("en"):
        (said,) = authorize_report.verdict_lines(replace(decision, acts_for=codes[:11]))
    assert said.endswith(f"(window person of {', '.join(codes[:10])} and 1 more)")


# Paths of any characters, one deep in folders of up to 255 characters among them.
PATHS = st.one_of(
    st.text(min_size=1, max_size=300),
    st.lists(st.text(min_size=1, max_size=255), min_size=2, max_size=20).map("/".join),
    st.integers(min_value=0, max_value=30).map(deep_path),
)
DEEP = [deep_path(i) for i in range(30)]
# Names of any characters, and long ones.
NAMES = st.one_of(st.text(max_size=300), st.integers(min_value=0, max_value=5000).map("名".__mul__))
# Small comments most often: where the lines that say what is left out weigh the most.
SIZES = st.one_of(st.integers(min_value=200, max_value=1200),
                  st.integers(min_value=1000, max_value=4000),
                  st.integers(min_value=1000, max_value=70_000))  # fmt: skip
# A window person of up to forty operators (the verdict names ten).
CODES = st.integers(min_value=0, max_value=40).map(lambda n: [f"OP{i:06d}" for i in range(n)])


@pytest.fixture
def change(gr: GitRegistry) -> tuple[Plan, Decision]:
    """A real plan and authorization: thirty new users, and a window person granting
    themselves a permission (a second look) and changing a file only maintainers may (a
    refusal)."""
    for i in range(30):
        gr.reg.user(email=f"user{i:02d}@test-gas.example.co.jp")
    gr.reg.user(email="window1@test-gas.example.co.jp", permissions={"taxis": "1011"})
    gr.write("docs/notes.md", "x\n")
    gr.commit("users, a self-grant and another file")
    with GitRepository(gr.path) as repo:
        pr = read_pull_request(repo, "main", "pr", Events(accepted=DAY), DAY, WINDOW)
    assert pr.decision is not None and pr.decision.refused and pr.plan.notes
    return pr.plan, pr.decision


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    other=st.lists(PATHS, max_size=30),
    unreadable=st.lists(PATHS, max_size=30),
    revoking=st.lists(PATHS, max_size=30),
    refused=st.lists(PATHS, max_size=30),
    name=NAMES,
    codes=CODES,
    max_chars=SIZES,
    lang=st.sampled_from(["ja", "en"]),
)
# The smallest comment, each part full: in English, a verdict of ten operators.
@example(other=DEEP, unreadable=DEEP, revoking=DEEP, refused=DEEP, name="名" * 5000,
         codes=[f"OP{i:06d}" for i in range(40)], max_chars=1000, lang="en")  # fmt: skip
def test_the_comment_never_exceeds_its_size_and_keeps_its_verdict(
    change: tuple[Plan, Decision],
    other: list[str],
    unreadable: list[str],
    revoking: list[str],
    refused: list[str],
    name: str,
    codes: list[str],
    max_chars: int,
    lang: str,
) -> None:
    """Whatever the paths, names and refusals, and the size asked: the comment is within it,
    starts with its heading, names the revisions compared and holds the verdict whole; the
    lines before the plan take a quarter of it at most, the notes of paths an eighth."""
    base_plan, base_decision = change
    plan = replace(
        base_plan,
        other_paths=tuple(other),
        unreadable=tuple(unreadable),
        revoking=tuple(revoking),
        operators=tuple(replace(op, name=name) for op in base_plan.operators),
    )
    problem = base_decision.refused[0]
    decision = replace(
        base_decision,
        acts_for=tuple(codes) or base_decision.acts_for,
        problems=(*base_decision.problems, *(replace(problem, file=p) for p in refused)),
    )
    with i18n.using(lang):
        verdict = authorize_report.markdown_verdict(decision)
        lines = authorize_report.markdown_lines(decision)
        text = render_markdown.render(plan, max_chars, preamble=lines, verdict=verdict)
        labels = [
            i18n.text(msg("Other files changed (maintainers only): {paths}", paths=Verbatim(""))),
            i18n.text(msg("Files that do not load (see validate): {paths}", paths=Verbatim(""))),
            i18n.text(wording.revoking_note(Verbatim(""))),
        ]
    assert text.startswith(HEADING[lang]) and COMPARED[lang].search(text)
    said = "".join(f"\n{line}" for line in verdict) + "\n"
    assert said in text
    after = text.index(said) + len(said)
    # Below the command's least --max-chars, the heading and verdict may not fit: kept.
    assert len(text) <= max(max_chars, after + 1)
    assert text.index("\n\n", after - 1) - after <= max_chars // 4
    notes = [text.find(f"\n{label}") for label in labels if f"\n{label}" in text]
    if notes:  # the notes of paths: paragraphs, each starting with its label
        start = min(notes) + 1
        paragraphs = text[start:].split("\n\n")
        taken = next(i for i, p in enumerate(paragraphs) if not p.startswith(tuple(labels)))
        assert len("\n\n".join(paragraphs[:taken])) + 2 <= max_chars // 8
