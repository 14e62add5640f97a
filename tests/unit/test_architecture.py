"""The folders of the package and which of them each may import: the table of the README's
"Code layout" section, enforced. Dependencies point one way, towards ``model``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.helpers.regfactory import ROOT

PACKAGE = ROOT / "tooling" / "accessreg"
# Everything may import ``errors`` (the one exception root), ``escape`` (the one home of
# output escaping) and the package's ``__version__``; those two import nothing of the package.
EVERYWHERE = {"errors", "escape", "__version__"}
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "i18n": {"model"},
    "timeline": {"model"},
    "files": {"model", "i18n"},
    "gitio": {"model", "files", "timeline"},
    "mail": {"model", "timeline"},
    "rules": {"model", "timeline"},
    "validation": {"model", "files", "gitio", "rules"},
    "plan": {"model", "files", "gitio", "timeline", "i18n"},
    "review": {"model", "files", "gitio", "timeline", "rules", "plan", "outputs"},
    "outputs": {"model", "timeline"},
    "reporting": {"model", "i18n", "timeline", "rules", "review"},
    "edit": {"model", "files", "timeline", "validation"},
    "forms": {"model", "i18n", "files", "rules", "edit", "review", "reporting"},
    "effects": {"model", "i18n", "files", "gitio", "timeline", "mail", "validation", "reporting"},
    "provision": {
        "model", "i18n", "files", "gitio", "timeline", "mail", "validation", "plan", "outputs",
        "reporting", "effects",
    },
    "scheduled": {
        "model", "i18n", "files", "gitio", "timeline", "mail", "rules", "outputs", "reporting",
        "edit", "effects", "provision",
    },
    "cli": {
        "model", "i18n", "files", "gitio", "timeline", "validation", "plan", "review",
        "outputs", "reporting", "edit", "forms", "effects", "provision", "scheduled",
    },
}  # fmt: skip


# Each third-party library (and the standard library's mail modules) and its one room: the
# module, or the folders (ending in /), that may import it.
ROOMS: dict[str, tuple[str, ...]] = {
    "click": ("cli/",),
    "subprocess": ("gitio/runner.py",),  # git is the one program the tool starts
    "git": (),  # GitPython: the tests' helper only; the tool runs git itself
    "ruamel": ("edit/yamldoc.py",),
    "yaml": ("files/yamlsafe.py",),
    "jsonschema": ("files/schemacheck.py",),
    "fastjsonschema": ("files/schemacheck.py",),
    "pydantic": ("model/", "files/"),
    "pydantic_core": ("model/base.py",),  # pydantic's serializer, for JSON documents
    "jinja2": ("mail/",),
    "email": ("mail/",),
    "smtplib": ("mail/",),
    "holidays": ("timeline/",),
    "cryptography": ("edit/certfile.py",),
    "babel": ("i18n/",),
}


def _folder(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def _imported(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "accessreg":
                found |= {parts[1]} if len(parts) > 1 else {n.name for n in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("accessreg.")}
    return found


def imports_by_folder() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        folder = _folder(path)
        graph.setdefault(folder, set()).update(_imported(ast.parse(path.read_bytes())) - {folder})
    return graph


def test_every_import_points_the_allowed_way() -> None:
    graph = imports_by_folder()
    wrong = {
        (folder, target)
        for folder, targets in graph.items()
        if folder not in ("__init__", "__main__")
        for target in targets - EVERYWHERE - ALLOWED.get(folder, set())
    }
    assert not wrong, f"imports against the layout (folder, imported): {sorted(wrong)}"


def _libraries(tree: ast.AST) -> set[str]:
    """The top-level modules a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
    return found


def test_each_library_lives_in_one_room() -> None:
    wrong = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        for library in _libraries(ast.parse(path.read_bytes())) & set(ROOMS):
            if not any(rel == room or rel.startswith(room) for room in ROOMS[library]):
                wrong.add((library, rel))
    assert not wrong, f"libraries imported outside their room (library, module): {sorted(wrong)}"


def test_every_folder_has_a_row_and_no_cycle() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(ALLOWED)
    seen: list[str] = []
    remaining = dict(ALLOWED)
    while remaining:  # a topological order exists exactly when there is no cycle
        ready = [f for f, deps in remaining.items() if deps <= set(seen)]
        assert ready, f"a cycle among {sorted(remaining)}"
        seen += ready
        for f in ready:
            del remaining[f]


def test_the_readme_table_matches() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Code layout", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)/` \| [^|]+ \| ([^|]+) \|$", section, flags=re.M)
    table = {name: set(re.findall(r"`([a-z0-9_]+)`", deps)) for name, deps in rows}
    assert table == ALLOWED


def test_exit_codes_are_decided_at_the_edge_only() -> None:
    """Commands return a verdict or raise the tool's errors; ``cli/__init__.py`` alone turns
    them into exit codes (no ``sys.exit`` or ``ctx.exit`` elsewhere in the package)."""
    edge = PACKAGE / "cli" / "__init__.py"
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("exit", "_exit")
                and path != edge
            ):
                calls.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not calls, f"exit codes decided outside cli/__init__.py: {calls}"
