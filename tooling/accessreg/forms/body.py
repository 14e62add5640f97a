"""Read the body GitHub writes for a submitted issue form.

GitHub renders each field as a ``### <label>`` heading, a blank line and the value; a blank
field is ``_No response_``, checkboxes are ``- [X] option`` / ``- [ ] option``, and a textarea
with ``render`` is wrapped in a code fence. Only the form's own labels start a field, so a
value may itself hold markdown, even a ``###`` heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accessreg.forms.definitions import Field, Form

NO_RESPONSE = "_No response_"
_HEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*$")
_CHECKBOX = re.compile(r"^\s*[-*]\s+\[([ xX])\]\s+(.*?)\s*$")
_FENCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n(.*?)\n?\1[ \t]*$", re.DOTALL)

Answer = str | tuple[str, ...] | None


@dataclass(frozen=True)
class FormProblem:
    field: str  # the field's label, as the applicant saw it ("" for the form as a whole)
    message: str  # Japanese, then English


def sections(body: str, labels: list[str]) -> dict[str, str]:
    """The raw text under each known ``### label`` heading, in body order."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        m = _HEADING.match(line)
        if m and m.group(1) in labels and m.group(1) not in found:
            current = found[m.group(1)] = []
        elif current is not None:
            current.append(line)
    return {label: "\n".join(lines).strip("\n") for label, lines in found.items()}


def _text(field: Field, raw: str) -> str | None:
    value = raw.strip()
    if value in ("", NO_RESPONSE, "None"):
        return None
    if field.render:
        m = _FENCE.match(value)
        if m:
            value = m.group(2).strip()
    return value or None


def parse(form: Form, body: str) -> tuple[dict[str, Answer], list[FormProblem]]:
    """Each field's answer (None when blank), and what is wrong with the form as filled in."""
    raw = sections(body, [f.label for f in form.fields])
    answers: dict[str, Answer] = {}
    problems: list[FormProblem] = []
    for field in form.fields:
        text = raw.get(field.label)
        if field.type == "checkboxes":
            ticked = []
            for line in (text or "").split("\n"):
                m = _CHECKBOX.match(line)
                if m and m.group(1) in "xX":
                    choice = next((c for c in field.choices if c.means(m.group(2))), None)
                    if choice is None or choice.value is None:
                        problems.append(
                            FormProblem(
                                field.label, f"選択肢にない値です / not a choice: {m.group(2)}"
                            )
                        )
                    else:
                        ticked.append(choice.value)
            answers[field.id] = tuple(ticked)
            if field.required and len(ticked) < len(field.choices):
                problems.append(
                    FormProblem(field.label, "確認欄にチェックがありません / tick the confirmation")
                )
            continue
        value = _text(field, text or "")
        if field.type == "dropdown" and value is not None:
            choice = next((c for c in field.choices if c.means(value)), None)
            if choice is None:
                problems.append(
                    FormProblem(field.label, f"選択肢にない値です / not a choice: {value}")
                )
                value = None
            else:
                value = choice.value
        answers[field.id] = value
        if field.required and value is None and not any(p.field == field.label for p in problems):
            problems.append(FormProblem(field.label, "入力が必要です / this field is required"))
    return answers, problems


def _misfits(form: Form, raw: dict[str, str]) -> int:
    """How many of the body's dropdown and ticked answers are not choices of ``form``."""
    count = 0
    for field in form.fields:
        text = raw.get(field.label)
        if text is None or not field.choices:
            continue
        texts = {t for c in field.choices for t in (c.text, *c.formerly)}
        if field.type == "checkboxes":
            given = [m.group(2) for m in map(_CHECKBOX.match, text.split("\n")) if m]
        else:
            value = _text(field, text)
            given = [value] if value is not None else []
        count += sum(1 for g in given if g not in texts)
    return count


def _in_order(form: Form, present: dict[str, str]) -> bool:
    """Whether the body (``present``: its sections, in body order) has the form's labels in
    the form's own order, as GitHub writes them: two forms may share every label."""
    labels = [f.label for f in form.fields]
    return list(present) == sorted(present, key=labels.index)


def detect(forms: tuple[Form, ...], body: str) -> tuple[Form, ...]:
    """The forms the body reads as, best first: every required label present, then the most
    labels, the fewest answers that are not the form's choices (変更しない is a choice of a
    change form only), the labels in the form's order. One form: the body's; more: the body
    fits each of them equally and is not guessed; none: it is no form's."""
    ranked: list[tuple[tuple[int, int, int, bool], Form]] = []
    for form in forms:
        present = sections(body, [f.label for f in form.fields])
        if not all(f.label in present for f in form.fields if f.required):
            continue
        missing = len(form.fields) - len(present)
        score = (len(present), -missing, -_misfits(form, present), _in_order(form, present))
        ranked.append((score, form))
    if not ranked:
        return ()
    best = max(score for score, _ in ranked)
    return tuple(form for score, form in ranked if score == best)
