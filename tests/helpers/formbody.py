"""Render an issue body exactly as GitHub does for a submitted issue form.

It reads the committed form files (.github/ISSUE_TEMPLATE/*.yml), not the code that generates
them, so a form and its reader cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

import yaml

from tests.helpers.regfactory import ROOT

NO_RESPONSE = "_No response_"


def template(kind: str) -> dict[str, Any]:
    path = ROOT / ".github" / "ISSUE_TEMPLATE" / f"{kind}.yml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def render(kind: str, answers: dict[str, Any], newline: str = "\n") -> str:
    """``answers`` by field id: a string, a list of ticked option labels, or absent (blank)."""
    parts = []
    for item in template(kind)["body"]:
        if item["type"] == "markdown":
            continue
        attrs = item["attributes"]
        value = answers.get(item["id"])
        if item["type"] == "checkboxes":
            ticked = value or []
            text = "\n".join(
                f"- [{'X' if o['label'] in ticked else ' '}] {o['label']}" for o in attrs["options"]
            )
        elif value in (None, ""):
            text = NO_RESPONSE
        elif attrs.get("render"):
            text = f"```{attrs['render']}\n{value}\n```"
        else:
            text = value
        parts.append(f"### {attrs['label']}\n\n{text}")
    return "\n\n".join(parts).replace("\n", newline)


def confirm(kind: str) -> list[str]:
    item = next(i for i in template(kind)["body"] if i.get("id") == "confirm")
    return [o["label"] for o in item["attributes"]["options"]]
