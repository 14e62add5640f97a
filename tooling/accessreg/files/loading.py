"""Read a registry: parse every file strictly, check it against its schema, build the models.

Every problem is collected. Large registries are read, parsed, checked and modelled on every
core by forked workers, which send back finished models; the main process assembles them.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from accessreg.errors import ConfigError, ProblemsFound
from accessreg.escape import is_safe_text, unsafe_characters
from accessreg.files import gcpause, schemagen, workspace, yamlsafe
from accessreg.files.reasons import os_reason
from accessreg.files.salvage import salvage as salvaged_model
from accessreg.files.schemacheck import SchemaChecker, checker, field_name, named_character
from accessreg.files.sources import (
    DirectorySource,
    Entry,
    Identified,
    Irregular,
    Prefetching,
    Source,
    irregular_message,
)
from accessreg.model import CalendarFile, Catalog, MaintainersFile, Operator, User, layout
from accessreg.model.base import DAY_RANGE_MESSAGE, EARLIEST_DAY, LATEST_DAY
from accessreg.model.kinds import MODELS
from accessreg.model.layout import Kind
from accessreg.model.messages import Message, msg
from accessreg.model.problems import DataPath, Level, Problem, problem
from accessreg.model.registry import OperatorEntry, Registry, UserEntry

PARALLEL_MIN_FILES = 4000
BOM = b"\xef\xbb\xbf"
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


@dataclass(frozen=True)
class Parsed:
    """A file as read and checked. A user file is modelled at once (``model``, its
    problems among ``problems``) and keeps no data: the parse cache holds 200,000 of them,
    and a model is read back from it in half the time it takes to build one again."""

    rel: str
    kind: Kind
    data: Any  # None when the file did not load or failed its schema, or is a user's
    problems: tuple[Problem, ...]
    partial: Any = None  # what a file that failed its schema holds (for ``salvage``)
    model: BaseModel | None = None  # a user file's (None: it has none)

    def __reduce__(self) -> tuple[Callable[..., Parsed], tuple[Any, ...]]:
        # Pickled as a dataclass, each was rebuilt through its class's state and its kind's
        # enum lookup (a sixth of reading one).
        return _parsed, (
            self.rel, self.kind.value, self.data, self.problems, self.partial, self.model,
        )  # fmt: skip


_KINDS = {kind.value: kind for kind in Kind}


def _parsed(
    rel: str,
    kind: str,
    data: Any,
    problems: tuple[Problem, ...],
    partial: Any,
    model: BaseModel | None,
) -> Parsed:
    return Parsed(rel, _KINDS[kind], data, problems, partial, model)


@dataclass(frozen=True)
class LoadResult:
    registry: Registry | None  # None when the catalog itself cannot be read
    problems: list[Problem]


# Free-text fields that may hold several lines (a form's textarea writes them).
MULTILINE_FIELDS = frozenset({"memo", "reason", "note"})
TEXT_RULE = "text-control"


def _printable(data: Any) -> bool:
    """Whether every key and text value is printable (ideographic spaces aside): the common
    case, decided without building a data path per value."""
    stack = [data]
    while stack:
        value = stack.pop()
        if type(value) is str:
            if not is_safe_text(value) and not is_safe_text(value.replace("\u3000", " ")):
                return False
        elif type(value) is dict:
            for key, item in value.items():
                if type(key) is str and not is_safe_text(key):
                    return False
                stack.append(item)
        elif type(value) is list:
            stack.extend(value)
    return True


def _text_problems(rel: str, data: Any, named: Callable[[DataPath], Message]) -> list[Problem]:
    """Every key and text value holding a control, format or separator character (NUL,
    ESC, U+202E, U+2028, ...; line breaks and tabs outside multi-line fields). YAML's
    escapes (``"\\x1b"``) let a file hold them although its bytes are printable."""
    if _printable(data):
        return []
    found: list[Problem] = []
    stack: list[tuple[Any, DataPath]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and (bad := unsafe_characters(key)):
                    found.append(_text_problem(rel, msg("a key"), (*path, key), bad))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
        elif isinstance(value, str):
            field = next((p for p in reversed(path) if isinstance(p, str)), "")
            if bad := unsafe_characters(value, multiline=field in MULTILINE_FIELDS):
                found.append(_text_problem(rel, named(path), path, bad))
    return sorted(found, key=lambda p: [str(step) for step in p.path])


def mistyped_code(code: str, guess: str | None) -> Message | None:
    """The refusal of an operator code that no operator has because it holds characters
    codes are not written with (half-width letters and digits, and a provisional key's
    hyphen): a look-alike of another script (Cyrillic А for A) or an invisible one (U+200B)
    reads as the code it was meant to be, so each is named (``named_character``); None
    when it holds none. An empty code (an option given as ``--operator ''``) is named as
    missing: 「事業者  はありません」 read as if the tool had lost it."""
    if not code.strip():
        return msg("No operator code was given: give the operator code (事業者コード)")
    bad = list(dict.fromkeys(c for c in code if not (c.isascii() and (c.isalnum() or c == "-"))))
    if not bad:
        return None
    shown = tuple(named_character(ch) for ch in bad[:3])
    if guess:
        return msg(
            "There is no operator {code}: the code holds {chars}, not a half-width letter or "
            "digit; type it again in half-width letters and digits (did you mean {guess}?)",
            code=code,
            chars=shown,
            guess=guess,
        )
    return msg(
        "There is no operator {code}: the code holds {chars}, not a half-width letter or "
        "digit; type it again in half-width letters and digits",
        code=code,
        chars=shown,
    )


def _text_problem(rel: str, what: Message, path: DataPath, bad: list[str]) -> Problem:
    shown = tuple(named_character(ch) for ch in bad[:3])
    message = (
        msg(
            "{what} holds {chars} and more: retype it without control, format, "
            "line-separator or invisible characters, and its spaces as half-width or "
            "full-width ones",
            what=what,
            chars=shown,
        )
        if len(bad) > 3
        else msg(
            "{what} holds {chars}: retype it without control, format, line-separator or "
            "invisible characters, and its spaces as half-width or full-width ones",
            what=what,
            chars=shown,
        )
    )
    return problem(rel, TEXT_RULE, message, path)


def parse(rel: str, kind: Kind, raw: bytes, checker: SchemaChecker) -> Parsed:
    # One Parsed a file, made once its model is known: a frozen dataclass is dear to build,
    # and a registry has 200,000 user files.
    data, found, partial = _checked(rel, kind, raw, checker)
    if kind is not Kind.USER:
        return Parsed(rel, kind, data, tuple(found), partial)
    model = _modelled(rel, data, partial, MODELS[kind], found)
    return Parsed(rel, kind, None, tuple(found), None, model)


def _checked(
    rel: str, kind: Kind, raw: bytes, checker: SchemaChecker
) -> tuple[Any, list[Problem], Any]:
    """A file's data (None when it did not load or failed its schema), its problems, and
    what one that failed its schema holds."""
    found: list[Problem] = []
    # A byte-order mark (some Windows editors write one) is allowed before the modeline.
    if not raw.removeprefix(BOM).startswith(b"# yaml-language-server: $schema="):
        found.append(
            problem(
                rel,
                "schema-comment",
                msg(
                    "Make the first line {line} so that editors check the file as it is typed",
                    line=layout.schema_comment(kind, rel),
                ),
                level=Level.WARNING,
            ).located(1, 1)  # it is about the first line, whatever the document holds
        )
    try:
        data = yamlsafe.load(raw)
    except yamlsafe.YamlProblem as exc:
        found.append(Problem(rel, exc.line, exc.col, exc.rule, Level.ERROR, exc.message))
        return None, found, None
    if not isinstance(data, dict):
        found.append(
            problem(
                rel, "schema", msg("Write the file as keys and values (key: value), one per line")
            )
        )
        return None, found, None
    # Named as the schema check names a field (a permission by its system's name).
    if text := _text_problems(rel, data, checker.field_name):
        found.extend(text)
        return None, found, data
    violations = checker.violations(data, yamlsafe.Composed(raw).scalar)
    found.extend(problem(rel, "schema", message, path) for path, message in violations)
    if violations:
        return None, found, data
    return data, found, None


Items = list[tuple[str, Kind]]
# The forked workers' task and its items, set just before the pool forks: workers inherit
# them (and the source and checkers the task holds) instead of unpickling them; only slice
# bounds go to the workers, and results come back.
_TASK: Callable[[Items], Any] | None = None
_ITEMS: Items | None = None


def _run_task(bounds: tuple[int, int]) -> Any:
    assert _TASK is not None and _ITEMS is not None
    return _TASK(_ITEMS[slice(*bounds)])


def _in_slices(
    task: Callable[[Items], R],
    items: Items,
    by_kind: Mapping[Kind, SchemaChecker],
    slices_per_worker: int,
) -> Iterator[R]:
    """``task`` over consecutive slices of ``items``, results in order: on every core in
    forked workers for a large registry, else here in one slice."""
    global _TASK, _ITEMS
    workers = os.cpu_count() or 1
    if len(items) < PARALLEL_MIN_FILES or workers < 2:
        yield task(items)
        return
    for kind in {kind for _, kind in items}:
        by_kind[kind].compile()  # once, before the fork, not once per worker
    step = max(1, len(items) // (workers * slices_per_worker))
    bounds = [(i, min(i + step, len(items))) for i in range(0, len(items), step)]
    _TASK, _ITEMS = task, items
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            yield from pool.map(_run_task, bounds)
    finally:
        _TASK, _ITEMS = None, None


def _fetched(source: Source, part: Items) -> None:
    """A slice's files read at once where the source can (``Prefetching``). Read one by
    one from git, each would start a process: a first apply's history, loading the files
    each merge changed, started 20,000 for a 20,000-user registry built in ten merges."""
    if isinstance(source, Prefetching):
        source.prefetch(rel for rel, _ in part)


def parse_all(source: Source, by_kind: Mapping[Kind, SchemaChecker], items: Items) -> list[Parsed]:
    def parse_slice(part: Items) -> list[Parsed]:
        _fetched(source, part)
        return [parse(rel, kind, source.read(rel), by_kind[kind]) for rel, kind in part]

    return [p for chunk in _in_slices(parse_slice, items, by_kind, 8) for p in chunk]


def _model(parsed: Parsed, cls: type[M], found: list[Problem]) -> M | None:
    return _modelled(parsed.rel, parsed.data, parsed.partial, cls, found)


def _modelled(rel: str, data: Any, partial: Any, cls: type[M], found: list[Problem]) -> M | None:
    if data is None:
        return salvaged_model(cls, partial) if partial is not None else None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            found.append(problem(rel, "schema", _model_message(err), tuple(err["loc"])))
        return salvaged_model(cls, data)


def _model_message(err: Any) -> Message:
    """What the models refuse that the schema let through (a date that does not exist)."""
    what = field_name(tuple(err["loc"]))
    given = err["input"]
    written = given.isoformat() if isinstance(given, date) else str(given)
    if err["type"] == "value_error" and DAY_RANGE_MESSAGE in str(err["msg"]):
        return msg(
            "{value} is not a date from {earliest} to {latest}, the years whose business days "
            "the tool can count: check the year of {what}",
            value=written,
            earliest=EARLIEST_DAY,
            latest=LATEST_DAY,
            what=what,
        )
    if str(err["type"]).startswith("date"):
        return msg(
            "{value} is not a date: write {what} as year-month-day, e.g. 2026-04-01",
            value=written,
            what=what,
        )
    return msg(
        "{what} is not written as this file expects: compare it with the sample registry",
        what=what,
    )


def model_of(parsed: Parsed) -> tuple[BaseModel | None, list[Problem]]:
    """One parsed file's model and its problems. A file with errors may still have a model
    (``files.salvage``): for the rules only, so ``load`` keeps it only when asked."""
    found = list(parsed.problems)
    if parsed.kind is Kind.USER:  # modelled as it was parsed
        return parsed.model, found
    return _model(parsed, MODELS[parsed.kind], found), found


@dataclass(frozen=True)
class _Batch:
    """What a worker sends back for a slice of files: little to pickle when all is well."""

    models: list[BaseModel | None]  # one per file of the slice
    problems: dict[int, list[Problem]]  # by position in the slice; only files with problems


def _load_all(
    source: Source, by_kind: Mapping[Kind, SchemaChecker], items: Items
) -> Iterator[tuple[BaseModel | None, list[Problem]]]:
    """Every file's model and problems, in the order of ``items``.

    A large registry is read, parsed, checked and modelled on every core: the workers send
    back finished models, so the main process only assembles them.
    """

    def load_slice(part: Items) -> _Batch:
        _fetched(source, part)
        batch = _Batch([], {})
        for i, (rel, kind) in enumerate(part):
            model, found = model_of(parse(rel, kind, source.read(rel), by_kind[kind]))
            batch.models.append(model)
            if found:
                batch.problems[i] = found
        return batch

    # Small slices even out the workers' ends.
    for batch in _in_slices(load_slice, items, by_kind, 16):
        for i, model in enumerate(batch.models):
            yield model, batch.problems.get(i, [])


def load_catalog(source: Source, rels: Sequence[str]) -> tuple[Catalog | None, list[Problem]]:
    rel = layout.CATALOG_FILE
    if rel not in rels:
        message = msg(
            "The catalog {path} is missing: restore it from git", path=layout.repo_path(rel)
        )
        return None, [problem(rel, "file-missing", message)]
    # Known by its blob id where the source knows it unread (git's trees), else by its bytes.
    key: str | bytes = source.blob(rel) if isinstance(source, Identified) else source.read(rel)
    found = _CATALOGS.get(key)
    if found is None:
        found = _catalog(key if isinstance(key, bytes) else source.read(rel))
        if len(_CATALOGS) >= 8:
            _CATALOGS.clear()
        _CATALOGS[key] = found
    return found[0], list(found[1])


# A run loads a registry at every merge of its range (52 loads in one at 200,000 users), and
# each load read the catalog again: reading it from git and parsing it cost 4 ms a time,
# where the content seldom changes. Catalogs are frozen models and problems frozen records,
# shared by every load of the same content.
_CATALOGS: dict[str | bytes, tuple[Catalog | None, tuple[Problem, ...]]] = {}


def _catalog(raw: bytes) -> tuple[Catalog | None, tuple[Problem, ...]]:
    catalog_checker = checker(schemagen.generate(Kind.CATALOG, None))
    parsed = parse(layout.CATALOG_FILE, Kind.CATALOG, raw, catalog_checker)
    found = list(parsed.problems)
    catalog = _model(parsed, Catalog, found)
    # Nothing is judged against a catalog with errors, not even what it still holds.
    return (None if any(p.level is Level.ERROR for p in found) else catalog), tuple(found)


class DoesNotLoad(ProblemsFound):
    """A file the command cannot do without does not load; ``problems`` (located) say why."""

    def __init__(self, what: str | Message, problems: Sequence[Problem]) -> None:
        super().__init__(
            msg("{what} does not load: nothing was done; the problems above say why", what=what)
        )
        self.problems: Sequence[Problem] = list(problems)


def locate(p: Problem, raw: bytes, label: str) -> Problem:
    """``p`` as reported: its file under ``label`` (``registry``), with a line and column
    found in ``raw`` unless it has them already."""
    return _located(p, yamlsafe.Composed(raw) if not p.line else None, label)


def _located(p: Problem, positions: yamlsafe.Composed | None, label: str) -> Problem:
    line, col = (p.line, p.col) if positions is None else positions.position(p.path)
    prefix = f"{label}/" if label else ""
    return replace(p, file=f"{prefix}{p.file}", line=line, col=col)


def locate_each(
    problems: Iterable[Problem], source: Source, present: Collection[str] | None = None
) -> list[Problem]:
    """Every problem located (``locate``), each file read and composed once however many
    problems it has; ``present``: the source's paths, when the caller has them (listing a
    large directory again takes a while). A file not among them is empty."""
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        by_file[p.file].append(p)
    existing = (present if present is not None else set(source.paths())) if by_file else set()
    located: list[Problem] = []
    for rel, group in by_file.items():
        positions = None
        if any(not p.line for p in group):
            positions = yamlsafe.Composed(source.read(rel) if rel in existing else b"")
        located.extend(_located(p, None if p.line else positions, source.label) for p in group)
    return located


def _does_not_load(source: Source, what: str | Message, problems: Sequence[Problem]) -> DoesNotLoad:
    return DoesNotLoad(what, locate_each([p for p in problems if p.level is Level.ERROR], source))


def require_catalog(source: Source) -> Catalog:
    """The catalog, or :class:`DoesNotLoad` with its located problems."""
    catalog, problems = load_catalog(source, source.paths())
    if catalog is None:
        raise _does_not_load(
            source,
            msg("the catalog {file}", file=source.label + "/" + layout.CATALOG_FILE),
            problems,
        )
    return catalog


def load_maintainers(registry: Path) -> MaintainersFile:
    """The maintainers' list on its own (CODEOWNERS is generated from it), read and checked
    as ``validate`` reads it; :class:`DoesNotLoad` with its located problems otherwise."""
    source = DirectorySource(registry, workspace.display(registry))
    rel = layout.MAINTAINERS_FILE
    try:
        raw = source.read(rel)
    except OSError as exc:
        raise ConfigError(
            msg("Cannot read {file}: {why}", file=source.label + "/" + rel, why=os_reason(exc))
        ) from None
    schema = checker(schemagen.generate(Kind.MAINTAINERS, None))
    model, problems = model_of(parse(rel, Kind.MAINTAINERS, raw, schema))
    if not isinstance(model, MaintainersFile) or any(p.level is Level.ERROR for p in problems):
        raise _does_not_load(source, f"{source.label}/{rel}", problems)
    return model


# A parsed file's id → the file and its model: models are frozen, so loads of two snapshots
# that share parsed files may share their models too.
Models = dict[int, tuple[Parsed, tuple[BaseModel | None, list[Problem]]]]
# What one file gives a load: its model (None: it has none) and its problems.
Contribution = tuple[BaseModel | None, list[Problem]]


def load(
    source: Source,
    reuse: Mapping[str, Parsed] | None = None,
    models: Models | None = None,
    salvage: bool = False,
    known: Mapping[str, Contribution] | None = None,
) -> LoadResult:
    """Load every file of ``source``; files in ``reuse`` are taken as already parsed (by
    incremental validation, from its cache) instead of being read again, and their models
    are taken from ``models`` (and kept there) if given; a file in ``known`` gives what an
    earlier load of the same blob gave (a kept registry patched, ``cachedload``).

    With ``salvage`` (validation), a file with errors is in the registry with what it still
    holds (``files.salvage``), so the rules judge it too; it is in ``broken`` either way.
    """
    with gcpause.paused():  # forked workers inherit the pause
        return _load(source, reuse or {}, models, salvage, known or {})


IRREGULAR_RULE = "file-type"


def irregular_problems(entries: Mapping[str, Entry]) -> list[Problem]:
    """Each entry that stands where a file would but is none, as a located error: the
    checks, the plan and the outputs read files only, so such an entry would otherwise
    pass every check unseen."""
    return [
        problem(rel, IRREGULAR_RULE, irregular_message(what)).located(1, 1)
        for rel, what in sorted(entries.items())
    ]


def _reused(parsed: Parsed, models: Models | None) -> tuple[BaseModel | None, list[Problem]]:
    if models is None:  # nothing shared with another load: the parsed file may go at once
        return model_of(parsed)
    if (known := models.get(id(parsed))) is None:
        known = models[id(parsed)] = (parsed, model_of(parsed))
    return known[1]


def _load(
    source: Source,
    reuse: Mapping[str, Parsed],
    models: Models | None,
    salvage: bool,
    known: Mapping[str, Contribution],
) -> LoadResult:
    rels = source.paths()
    odd = source.irregular() if isinstance(source, Irregular) else {}
    found: list[Problem] = irregular_problems(odd)
    items: list[tuple[str, Kind]] = []
    codes: dict[str, str] = {}  # an operator's or user's file: its operator's code
    for rel in rels:
        kind, code = layout.split(rel)  # one pass over 200,000 paths, not three
        if code is not None:
            codes[rel] = sys.intern(code)  # every user of a registry holds it
        if kind is None and not layout.readable_name(rel):
            found.append(
                problem(
                    rel,
                    "file-name-text",
                    msg(
                        "The file name is not UTF-8 text or holds a control character: rename "
                        "it as the layout says"
                    ),
                ).located(1, 1)
            )
        elif kind is None:
            if not layout.is_ignored(rel):
                found.append(
                    problem(
                        rel,
                        "file-location",
                        msg(
                            "No file belongs here: an operator goes in operators/<CODE>.yaml, a "
                            "user in users/<CODE>/<e-mail in lower case>.yaml"
                        ),
                    )
                )
        elif kind is not Kind.CATALOG:
            items.append((rel, kind))

    catalog, catalog_problems = load_catalog(source, rels)
    found.extend(catalog_problems)
    if catalog is None:
        return LoadResult(None, found)

    by_kind = schemagen.checks(catalog).checkers
    operators: dict[str, OperatorEntry] = {}
    users: list[UserEntry] = []
    maintainers: MaintainersFile | None = None
    calendar: CalendarFile | None = None
    broken: set[str] = set()
    fresh = _load_all(
        source, by_kind, [item for item in items if item[0] not in reuse and item[0] not in known]
    )
    for rel, kind in items:
        if (given := known.get(rel)) is not None:
            model, problems = given
        elif rel in reuse:
            model, problems = _reused(reuse[rel], models)
        else:
            model, problems = next(fresh)
        found.extend(problems)
        if any(p.level is Level.ERROR for p in problems):
            broken.add(rel)
            if not salvage:
                model = None
        if kind is Kind.USER:
            if isinstance(model, User):
                users.append(UserEntry(rel, codes.get(rel, ""), model))
            else:
                broken.add(rel)
        elif kind is Kind.OPERATOR:
            if isinstance(model, Operator):
                operators[codes.get(rel, "")] = OperatorEntry(rel, model)
            else:
                broken.add(rel)
        elif kind is Kind.MAINTAINERS:
            maintainers = model if isinstance(model, MaintainersFile) else None
        elif kind is Kind.CALENDAR:
            calendar = model if isinstance(model, CalendarFile) else None
    registry = Registry(
        catalog=catalog,
        operators=operators,
        users=tuple(users),
        maintainers=maintainers,
        calendar=calendar,
        files=frozenset(rels),
        broken=frozenset(broken) | frozenset(odd),
        irregular=dict(odd),
    )
    return LoadResult(registry, found)
