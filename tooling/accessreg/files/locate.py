"""Find the line and column of a data path, by composing only the files that have problems."""

from __future__ import annotations

import yaml

from accessreg.model.problems import DataPath


def _key_matches(node: yaml.Node, key: str | int) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == str(key)


def scalar_text(raw: bytes, path: DataPath) -> str | None:
    """The scalar at ``path`` as the file writes it (``02010``, not the number YAML reads),
    or None when ``path`` is not a scalar of ``raw``."""
    try:
        node = yaml.compose(raw, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    for step in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if _key_matches(k, step)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            child = node.value[step] if 0 <= step < len(node.value) else None
        if child is None:
            return None
        node = child
    return node.value if isinstance(node, yaml.ScalarNode) else None


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
