"""Each operator's share of the snapshot outputs, rendered on its own.

Every snapshot (the import CSVs, SCIM, LDIF, the info-sharing site's pages) lists holders by
operator, then login, and a group's members in the same order. So a snapshot is its header,
then each operator's share in operator order: a run renders the shares of the operators it
changes and takes the others as they were (``provision.fragments`` keeps them), and both give
the same bytes as rendering everything. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from accessreg.model import Catalog
from accessreg.model.content import Content, Piece, joined
from accessreg.model.messages import Message
from accessreg.model.registry import Registry
from accessreg.outputs import csv_, info_site, ldif, scim
from accessreg.outputs.access import Holder
from accessreg.outputs.csv_ import CannotEncode, Encoding


def import_systems(catalog: Catalog) -> list[str]:
    """The systems with an import file: the 託送API has none (the operator uses it, no user
    holds a code)."""
    return [s.id for s in catalog.systems if s.level == "user"]


def snapshot_name(system: str) -> str:
    return f"imports/{system}/snapshot.csv"


@dataclass(frozen=True)
class Fragment:
    """One operator's share of every snapshot: its pieces rendered now (bytes) or lying in
    the cache (``model.content.Slice``)."""

    logins: tuple[str, ...]  # its holders, in login order
    imports: Mapping[str, Piece]  # system → its rows of imports/<system>/snapshot.csv
    scim: scim.Part
    ldif: ldif.Part
    pages: Piece  # its rows of info_site/pages.csv
    # file → the cells the encoding cannot hold (the run then writes nothing)
    failures: Mapping[str, tuple[Message, ...]] = field(default_factory=dict)

    def pieces(self) -> dict[str, Piece]:
        """Every piece by a name of its own (how the cache stores them)."""
        found: dict[str, Piece] = {f"imports/{k}": v for k, v in self.imports.items()}
        found["scim"], found["ldif"], found["pages"] = self.scim[0], self.ldif[0], self.pages
        found.update({f"scim-group/{g}": v for g, v in self.scim[1].items()})
        found.update({f"ldif-group/{g}": v for g, v in self.ldif[1].items()})
        return found

    @classmethod
    def of_pieces(
        cls,
        logins: tuple[str, ...],
        pieces: Mapping[str, Piece],
        failures: Mapping[str, tuple[Message, ...]],
    ) -> Fragment:
        """The fragment whose :meth:`pieces` are ``pieces``."""

        def under(prefix: str) -> dict[str, Piece]:
            return {k[len(prefix) :]: v for k, v in pieces.items() if k.startswith(prefix)}

        return cls(
            logins=logins,
            imports=under("imports/"),
            scim=(pieces["scim"], under("scim-group/")),
            ldif=(pieces["ldif"], under("ldif-group/")),
            pages=pieces["pages"],
            failures=failures,
        )


def render(
    people: Sequence[Holder], registry: Registry, encoding: Encoding, ldap_base: str
) -> Fragment:
    """The share of ``people``, one operator's holders in login order; ``registry`` holds
    that operator's file (the site's pages follow the systems it uses)."""
    catalog = registry.catalog
    failures: dict[str, tuple[Message, ...]] = {}
    imports = {}
    for system in import_systems(catalog):
        holding = [p for p in people if system in p.permissions]
        if not holding:
            continue
        label = snapshot_name(system)
        try:
            imports[system] = csv_.snapshot_rows(label, holding, system, catalog, encoding)
        except CannotEncode as exc:
            failures[label] = tuple(exc.lines)
    readable = info_site.pages(registry, {p.login: p for p in people})
    try:
        pages = info_site.pages_rows(catalog, people, readable, encoding)
    except CannotEncode as exc:
        failures[info_site.PAGES] = tuple(exc.lines)
        pages = b""
    return Fragment(
        logins=tuple(p.login for p in people),
        imports=imports,
        scim=scim.people_part(people),
        ldif=ldif.people_part(people, ldap_base),
        pages=pages,
        failures=failures,
    )


def assemble(
    catalog: Catalog, fragments: Sequence[Fragment], encoding: Encoding, ldap_base: str
) -> tuple[dict[str, Content], dict[str, list[Message]]]:
    """Every snapshot from the operators' shares in operator order, and by file the cells
    the encoding cannot hold."""
    failures: dict[str, list[Message]] = {}
    for fragment in fragments:
        for label, lines in fragment.failures.items():
            failures.setdefault(label, []).extend(lines)
    header = csv_.snapshot_header(catalog, encoding)
    files: dict[str, Content] = {
        snapshot_name(system): joined([header, *(f.imports.get(system, b"") for f in fragments)])
        for system in import_systems(catalog)
    }
    files["scim/snapshot.json"] = scim.document(f.scim for f in fragments)
    files["ldif/snapshot.ldif"] = ldif.document((f.ldif for f in fragments), ldap_base)
    pages = info_site.pages_header(catalog, encoding)
    files[info_site.PAGES] = joined([pages, *(f.pages for f in fragments)])
    return files, failures
