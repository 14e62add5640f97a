"""The reviewers' deadlines (000 §3-1 ②, §3-1 to §3-3): open applications past them.

The reception centre reviews an application by the second business day after it was filed
(翌々営業日, 000 §3-1 ②) and completes a usage application in about 15 business days (§3-1
to §3-3); the catalog's providers say how long (`review_business_days`,
`usage_application`). An open pull request is an application filed on the day it was entered
(in Japan): opened, or last marked ready for review (``entered_at``, which the workflow adds
from its timeline as the plan reads it; ``created_at`` where it is absent). Those past their
review deadline are listed for the reviewers, and once more when they are past the
completion period too: one reminder per pull request and stage.

The open pull requests come as the JSON the GitHub REST API returns for ``GET
/repos/{owner}/{repo}/pulls?state=open`` (the workflow fetches it): pure, no I/O here. A pull
request is an application unless it is a draft, or a maintainer's own without the
`application` label (changes of the tooling and the catalog are not applications).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from accessreg.escape import one_line
from accessreg.model.catalog import Catalog, Provider
from accessreg.model.messages import Message, msg
from accessreg.model.problems import Level, Problem, problem
from accessreg.model.registry import Registry
from accessreg.scheduled.duty import DutyResult, Inputs, Options, Table
from accessreg.scheduled.keyed_notices import Digest
from accessreg.timeline.business_days import BusinessCalendar
from accessreg.timeline.clock import JST

APPLICATION_LABEL = "application"
RULE = "open-pulls"  # problems with the input are reported under this name


@dataclass(frozen=True)
class OpenPull:
    number: int
    title: str
    url: str
    author: str
    filed_on: date  # entered (opened, or last marked ready), in Japan
    labels: tuple[str, ...] = ()
    draft: bool = False


def _pull(item: object) -> tuple[OpenPull | None, Message | None]:
    if not isinstance(item, dict):
        return None, msg("not an object")
    try:
        number, title, url = item["number"], item["title"], item["html_url"]
        author = item["user"]["login"]
        entered = item.get("entered_at") or item["created_at"]
        opened = datetime.fromisoformat(str(entered).replace("Z", "+00:00"))
        labels = tuple(str(label["name"]) for label in item.get("labels") or ())
    except (KeyError, TypeError, ValueError) as exc:
        return None, msg("no readable {field}", field=str(exc.args[0] if exc.args else "field"))
    if not isinstance(number, int) or not isinstance(title, str) or not isinstance(url, str):
        return None, msg("number, title or html_url of the wrong type")
    if opened.tzinfo is None:
        return None, msg("created_at without a time zone")
    filed_on = opened.astimezone(JST).date()
    draft = bool(item.get("draft", False))
    # What GitHub gives, unchecked by validation: one line of text each (escape.one_line).
    pull = OpenPull(number, one_line(title), one_line(url), one_line(str(author)), filed_on,
                    tuple(one_line(label) for label in labels), draft)  # fmt: skip
    return pull, None


@dataclass(frozen=True)
class OpenPulls:
    """The list read, and the problems of reading it."""

    pulls: tuple[OpenPull, ...]
    problems: tuple[Problem, ...] = ()


def read_pulls(data: bytes, source: str) -> OpenPulls:
    """The pull requests of the API's JSON list; an entry that cannot be read is a problem
    naming its index, and is left out."""
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = msg("Not a JSON list of pull requests ({why})", why=str(exc))
        return OpenPulls((), (problem(source, RULE, reason),))
    if not isinstance(items, list):
        return OpenPulls((), (problem(source, RULE, msg("Not a JSON list of pull requests")),))
    pulls, problems = [], []
    for i, item in enumerate(items):
        pull, why = _pull(item)
        if pull is None:
            problems.append(
                problem(
                    source,
                    RULE,
                    msg("Pull request [{i}]: {why}: it is left out", i=i, why=why or msg("?")),
                    (i,),
                    Level.WARNING,
                )
            )
        else:
            pulls.append(pull)
    return OpenPulls(tuple(pulls), tuple(problems))


@dataclass(frozen=True)
class Overdue:
    pull: OpenPull
    stage: str  # "review": past the review deadline; "completion": past the standard period
    due_on: date
    business_days_over: int

    @property
    def key(self) -> str:
        return f"reviews/{self.pull.number}/{self.pull.filed_on}/{self.stage}"


def is_application(pull: OpenPull, maintainers: Iterable[str]) -> bool:
    if pull.draft:
        return False
    staff = {m.lower() for m in maintainers}
    return APPLICATION_LABEL in pull.labels or pull.author.lower() not in staff


def _reviewing(catalog: Catalog) -> Provider | None:
    """The provider whose reception reviews the repository's applications."""
    return next((p for p in catalog.providers if p.review_business_days is not None), None)


def overdue(
    pulls: Iterable[OpenPull],
    catalog: Catalog,
    calendar: BusinessCalendar,
    maintainers: Iterable[str],
    today: date,
) -> list[Overdue]:
    """Open applications past their review deadline, or past the completion period, by
    stage then pull request number. A deadline is past from the first business day after
    it (the review may still happen on the second business day; on a closed day after it
    the centre has missed nothing yet, ``BusinessCalendar.days_past``): the notice,
    mailed once, reaches the reviewers on a day they work, at least one day over."""
    provider = _reviewing(catalog)
    if provider is None or provider.review_business_days is None:
        return []
    staff = list(maintainers)
    period = provider.usage_application
    found = []
    for pull in pulls:
        if not is_application(pull, staff):
            continue
        review = calendar.add_business_days(pull.filed_on, provider.review_business_days)
        stages = [("review", review)]
        if period is not None and period.start != "manual":
            stages.append(("completion", calendar.add_business_days(review, period.business_days)))
        for stage, due in reversed(stages):  # the latest stage reached only
            if over := calendar.days_past(due, today):
                found.append(Overdue(pull, stage, due, over))
                break
    return sorted(found, key=lambda o: (o.stage != "completion", o.pull.number))


# In the words of the reviewers' mail: an application is a pull request, filed when opened.
TABLE_HEADER = (
    "プルリクエスト番号",
    "件名",
    "URL",
    "申請者（GitHub アカウント）",
    "申請日",
    "段階",
    "期限",
    "超過営業日数",
)
# The values of 段階, as the mails are titled: past the review deadline (翌々営業日, 000 §3-1
# ②), or past the standard completion period (about 15 business days, §3-1 to §3-3).
STAGE_LABELS = {"review": "審査期限超過", "completion": "処理期間超過"}


def _periods(provider: Provider | None) -> tuple[tuple[str, object], ...]:
    """The deadlines as the mail words them, from the catalog ``overdue`` counts by: the
    review's (翌々営業日 for two business days) and the completion period's."""
    review = provider.review_business_days if provider else None
    period = provider.usage_application if provider else None
    named = {1: "翌営業日", 2: "翌々営業日"}
    return (
        ("review_by", named.get(review, f"{review} 営業日後") if review else ""),
        ("completion_days", period.business_days if period else ""),
    )


def reviews(registry: Registry, pulls: OpenPulls, today: date) -> DutyResult:
    """The daily duty: one notice to the reviewers per stage, listing the pull requests that
    reached it; each is mailed once per stage (its key names the stage)."""
    maintainers = (
        [m.github for m in registry.maintainers.maintainers] if registry.maintainers else []
    )
    calendar = BusinessCalendar.from_file(registry.calendar)
    found = overdue(pulls.pulls, registry.catalog, calendar, maintainers, today)
    context = _periods(_reviewing(registry.catalog))
    notices = [
        Digest("review-deadlines", stage, "reviewers", None, items, context=context)
        for stage in ("review", "completion")
        if (items := tuple(o for o in found if o.stage == stage))
    ]
    rows = tuple(
        (
            str(o.pull.number),
            o.pull.title,
            o.pull.url,
            o.pull.author,
            o.pull.filed_on.isoformat(),
            STAGE_LABELS[o.stage],
            o.due_on.isoformat(),
            str(o.business_days_over),
        )
        for o in found
    )
    return DutyResult(
        tuple(notices), (Table("reviews", TABLE_HEADER, rows),), problems=pulls.problems
    )


# -- as a duty (scheduled.duties) -------------------------------------------------------------

NEEDS_HISTORY = False
NEEDS_EXPORT = False
TITLE = msg("applications past their review period")
NEEDS_PULLS = True


def check(options: Options) -> None:
    """Nothing to check: the run reads the list (``--open-pulls``)."""


def judge(inputs: Inputs) -> DutyResult:
    assert inputs.pulls is not None  # the run reads the list for a duty that needs it
    return reviews(inputs.registry, inputs.pulls, inputs.today)
