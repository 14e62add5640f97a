"""Find the line and column of a data path, by composing only the files that have problems."""

from __future__ import annotations

import yaml

from accessreg.model.problems import DataPath, Problem


def _key_matches(node: yaml.Node, key: str | int) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == str(key)


def position(raw: bytes, path: DataPath) -> tuple[int, int]:
    """1-based (line, column) of the deepest node of ``path`` present in ``raw``.

    A key that is missing (a required property, say) points at its parent mapping, and a
    document that does not compose points at its start: a position is always given.
    """
    try:
        node = yaml.compose(raw, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return 1, 1
    if node is None:
        return 1, 1
    mark = node.start_mark
    for step in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if _key_matches(key_node, step):
                    mark = key_node.start_mark
                    child = value_node
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(node.value)
        ):
            child = node.value[step]
            mark = child.start_mark
        if child is None:
            break
        node = child
    return mark.line + 1, mark.column + 1


def located(p: Problem, raw: bytes, label: str) -> Problem:
    """``p`` as reported: its file under ``label`` (``registry``), with a line and column
    found in ``raw`` unless it has them already."""
    line, col = (p.line, p.col) if p.line else position(raw, p.path)
    prefix = f"{label}/" if label else ""
    return Problem(f"{prefix}{p.file}", line, col, p.rule, p.level, p.message, p.path)
