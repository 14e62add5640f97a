"""What every editing command shares: the catalog's permission options, the common options,
and how an edit's result is shown.

The permission options (``--taxis 1011``, ``--juju``, ...) are made from the catalog of the
registry being edited when the command line is parsed, so ``--help`` lists exactly the codes
the catalog allows, with their Japanese labels. Derived systems are never applied for.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from accessreg import i18n
from accessreg.cli import localized
from accessreg.cli.localized import WordedOption
from accessreg.cli.options import registry_option, today_option
from accessreg.cli.verdict import Verdict
from accessreg.edit import Draft, EditResult, finish
from accessreg.edit.draft import BadValueError
from accessreg.edit.users import NONE
from accessreg.errors import ConfigError
from accessreg.escape import quote
from accessreg.files import workspace
from accessreg.files.loading import load_catalog
from accessreg.files.sources import DirectorySource
from accessreg.model import Catalog, System, layout
from accessreg.model.layout import REGISTRY_DIR
from accessreg.model.messages import Verbatim, msg, nmsg
from accessreg.model.problems import Level
from accessreg.reporting import reporters
from accessreg.timeline import clock

F = TypeVar("F", bound=Callable[..., Any])
PERM_PREFIX = "perm_"


def _registry_arg(args: Sequence[str]) -> Path:
    for i, arg in enumerate(args):
        if arg == "--registry" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--registry="):
            return Path(arg.split("=", 1)[1])
    return workspace.repository_root() / REGISTRY_DIR


def _catalog(args: Sequence[str]) -> Catalog | None:
    root = _registry_arg(args)
    if not (root / layout.CATALOG_FILE).is_file():
        return None
    catalog, _ = load_catalog(DirectorySource(root), [layout.CATALOG_FILE])
    return catalog


def option_name(system: System) -> str:
    return "--" + system.id.replace("_", "-")


class CodeChoice(click.Choice[str]):
    """A system's permission codes, where a refusal names the mistake: a code typed in
    full-width digits, or an abolished code, with the code its holders moved to."""

    def __init__(self, system: System, choices: Sequence[str]) -> None:
        super().__init__(choices)
        self.system = system

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if text in self.choices:
            return text
        narrow = unicodedata.normalize("NFKC", text)
        if narrow != text and narrow in self.choices:
            self.fail(
                i18n.text(
                    msg(
                        "{value} is written in full-width characters: write {code} in "
                        "half-width ones",
                        value=quote(text),
                        code=narrow,
                    )
                ),
                param,
                ctx,
            )
        code = next((c for c in self.system.codes if c.code == narrow), None)
        if code is not None and code.abolished_on is not None:
            self.fail(
                i18n.text(
                    msg(
                        "{code} was abolished on {day}; its holders moved to {replacement}: "
                        "write {replacement}",
                        code=code.code,
                        day=code.abolished_on,
                        replacement=code.replaced_by or "",
                    )
                    if code.replaced_by
                    else msg(
                        "{code} was abolished on {day}: write one of {allowed}",
                        code=code.code,
                        day=code.abolished_on,
                        allowed=tuple(self.choices),
                    )
                ),
                param,
                ctx,
            )
        return str(super().convert(value, param, ctx))


def _permission_option(system: System, removable: bool) -> click.Option:
    codes = [c for c in system.codes if c.abolished_on is None]
    choices = [c.code for c in codes] + ([NONE] if removable else [])
    listed = "; ".join(f"{c.code} {c.label}" for c in codes)
    worded = [
        msg(
            "{system}: {codes}.",
            system=system.titled,
            codes=Verbatim(listed),
        )
    ]
    if len(codes) == 1:
        worded.append(msg("Alone, the option means {code}.", code=codes[0].code))
    if removable:
        worded.append(msg("{none}: remove the permission.", none=NONE))
    return WordedOption(
        [option_name(system), PERM_PREFIX + system.id],
        worded=tuple(worded),
        type=CodeChoice(system, choices),
        is_flag=False,
        flag_value=codes[0].code if len(codes) == 1 else None,
        default=None,
        metavar="CODE",
    )


class SystemsOption(WordedOption):
    """An option taking systems one applies for (``--add-system``): its help lists them
    from the catalog of the registry being edited, as the forms name them
    (託送システム（taxis））; the edit reads a value through ``catalog.system_key``."""

    def listing(self, catalog: Catalog, lang: str) -> click.Option:
        view = copy.copy(self)
        systems = tuple(catalog.named(s.id) for s in catalog.applied_systems)
        view.worded = (
            *self.worded,
            msg("One of {systems} (the name on the forms will do).", systems=systems),
        )
        return localized.parameter(view, lang)


class CatalogCommand(click.Command):
    """A command whose help lists what the catalog of the registry being edited holds
    (``SystemsOption``), read when its line is parsed, as ``PermissionCommand`` reads it."""

    _CATALOG = "accessreg.catalog"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[self._CATALOG] = _catalog(args)
        return super().parse_args(ctx, args)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        catalog: Catalog | None = ctx.meta.get(self._CATALOG)
        lang = i18n.current()
        return [
            p.listing(catalog, lang) if isinstance(p, SystemsOption) and catalog else p
            for p in super().get_params(ctx)
        ]


class PermissionCommand(click.Command):
    """A command with one option per system of the catalog, made when its line is parsed.

    The options belong to the invocation (its context), never to the command object: one
    process may edit registries with different catalogs, and the options of one must not
    leak into the next.
    """

    removable = False  # whether `none` is offered (changing, not adding)
    _META = "accessreg.permission_options"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        catalog = _catalog(args)
        if catalog is None and not ctx.resilient_parsing and not set(args) & {"--help", "-h"}:
            # Said before click, which would call a permission option the guide gives unknown.
            root = workspace.registry_dir(_registry_arg(args))
            raise ConfigError(
                msg(
                    "No catalog {file} in {path}: give --registry DIR, the registry of the "
                    "repository",
                    file=layout.CATALOG_FILE,
                    path=workspace.display(root),
                )
            )
        extra: list[click.Parameter] = []
        if catalog is not None:
            known = {p.name for p in self.params}
            extra = [
                _permission_option(system, self.removable)
                for system in catalog.user_systems
                if PERM_PREFIX + system.id not in known
            ]
        ctx.meta[self._META] = (catalog is not None, extra)
        return super().parse_args(ctx, args)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        _, extra = ctx.meta.get(self._META, (True, []))
        params: list[click.Parameter] = super().get_params(ctx)
        added = [p for p in params if p not in self.params]  # the help option
        lang = i18n.current()
        return [*self.params, *(localized.parameter(p, lang) for p in extra), *added]

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        found, _ = ctx.meta.get(self._META, (True, []))
        if not found:
            formatter.write_paragraph()
            missing = msg(
                "(The catalog {file} was not found: give --registry DIR to see the "
                "permission options.)",
                file=layout.repo_path(layout.CATALOG_FILE),
            )
            formatter.write_text(i18n.text(missing, i18n.current(), cap=False))
        super().format_epilog(ctx, formatter)


class RemovablePermissionCommand(PermissionCommand):
    removable = True


def permissions(kwargs: dict[str, Any]) -> dict[str, str]:
    """The permission options given, by system id, taken out of ``kwargs``."""
    found: dict[str, str] = {}
    for name in [k for k in kwargs if k.startswith(PERM_PREFIX)]:
        value = kwargs.pop(name)
        if value is not None:
            found[name[len(PERM_PREFIX) :]] = value
    return found


def edit_options(f: F) -> F:
    """--registry, --today and --dry-run, for every editing command."""
    f = click.option(
        "--dry-run", is_flag=True, help="Validate and show the change; write nothing."
    )(f)
    return registry_option(today_option(f))


def open_draft(registry: Path | None, today: date | None) -> Draft:
    root = workspace.registry_dir(registry)
    return Draft(root, workspace.display(root), today or clock.today_in_japan())


_DONE = {"added": msg("added: {file}"), "modified": msg("modified: {file}"),
         "removed": msg("removed: {file}")}  # fmt: skip
_WOULD = {
    "added": msg("would add: {file}"),
    "modified": msg("would modify: {file}"),
    "removed": msg("would remove: {file}"),
}


def render(result: EditResult, dry_run: bool = False) -> str:
    """The result as lines: files, notes, then problems in `accessreg validate`'s format;
    on a dry run, the diff that would be written."""
    table = _DONE if result.written else _WOULD
    lines = [
        i18n.text(replace(table[c.action], params=(("file", f"{result.label}/{c.rel}"),)))
        for c in result.changes
    ]
    text = "\n".join(lines) + ("\n" if lines else "")
    if dry_run and result.ok:
        text += result.diff
    text += reporters.text(result.problems)
    if result.standing:
        text += i18n.text(
            msg(
                "Errors already in the registry before this change, in what it touches: the "
                "change waits until a maintainer fixes them:"
            )
        )
        text += "\n" + reporters.text(result.standing)
    if result.due_notice is not None:
        text += i18n.text(result.due_notice) + "\n" + reporters.text(result.due)
    if result.kept:
        text += i18n.text(
            msg(
                "Errors already in the files this change only takes access away from: they do "
                "not hold it, and what it takes away goes out at merge even while they stand; "
                "a maintainer fixes them:"
            )
        )
        text += "\n" + reporters.text(result.kept)
    return text


def conclude(draft: Draft, dry_run: bool) -> Verdict:
    """Validate and write (unless --dry-run), print, and conclude: done when clean."""
    result = finish(draft, write=not dry_run)
    click.echo(render(result, dry_run), nl=False)
    if result.elsewhere_notice is not None:
        click.echo(i18n.text(result.elsewhere_notice), err=True)
    errors = sum(p.level is Level.ERROR for p in (*result.problems, *result.standing, *result.due))
    warnings = len(result.problems) - sum(p.level is Level.ERROR for p in result.problems)
    warnings += len(result.kept)
    if not result.ok:
        summary = msg(
            "Nothing written: {errors}, {warnings}",
            errors=nmsg("{count} error", "{count} errors", errors),
            warnings=nmsg("{count} warning", "{count} warnings", warnings),
        )
        if result.usage:  # an option's value names nothing: the command was called wrongly
            raise BadValueError(summary)
        click.echo(i18n.text(summary), err=True)
        return Verdict.FAILED
    heading = (
        msg("Written, the application's items:")
        if result.written
        else msg("Would be written (nothing is, with --dry-run), the application's items:")
    )
    click.echo(i18n.text(heading), err=True)
    for note in result.notes:
        click.echo(f"  {i18n.text(note)}", err=True)
    if warnings:
        click.echo(
            i18n.text(
                nmsg(
                    "{count} warning: it does not block the application",
                    "{count} warnings: they do not block the application",
                    warnings,
                )
            ),
            err=True,
        )
    return Verdict.DONE
