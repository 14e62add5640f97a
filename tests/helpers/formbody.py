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


def operator_new(github: str | None, subcontractors: str = "") -> str:
    """The body of a new operator's form (NAGIGS01), its window person's GitHub account
    ``github`` (None: not given)."""
    answers: dict[str, Any] = {
        "operator": "NAGIGS01", "name": "なぎさガス株式会社",
        "name_kana": "ナギサガス カブシキガイシャ",
        "roles": ["ガス小売事業者 / gas retailer"],
        "privacy_policy_url": "https://nagisa-gas.example.co.jp/privacy",
        "systems": ["託送情報開示システム（johs）"],
        "contact_name": "渚 一郎", "contact_name_kana": "ナギサ イチロウ",
        "contact_email": "ichiro.nagisa@nagisa-gas.example.co.jp",
        "contact_phone": "03-0000-0901", "contact_github": github,
        "confirm": confirm("operator-new"),
    }  # fmt: skip
    if subcontractors:
        answers["subcontractors"] = subcontractors
    return render("operator-new", answers)
