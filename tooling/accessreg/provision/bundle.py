"""Every output of one run, as files in memory: rendered completely before anything is written.

Layout (relative to ``--out``)::

    manifest.json                         what this run covers, every file with its SHA-256
    imports/<system>/snapshot.csv         every holder of the system's permissions
    imports/<system>/delta-<M>.csv        new / change / delete rows of processing day M
    scim/snapshot.json, scim/delta.json   SCIM 2.0 bulk requests
    ldif/snapshot.ldif, ldif/delta.ldif   LDIF content and changes
    whitelist/<system>/ip-geo.conf        nginx geo block of allowlisted addresses
    whitelist/<system>/cert-map.conf      nginx map of whitelisted certificate serials
    whitelist/<system>/allowlist.txt|json the same for other proxies and WAFs
    info_site/subscribers.csv             window persons told of the info-sharing site's updates
    info_site/subscribers-delta.csv       addresses to register provisionally, or to remove
    info_site/pages.csv                   the site's pages each user may read
    mail/<date>-<kind>-<id>.eml           the notices, as RFC 5322 messages

The same input gives the same bytes: everything is sorted, and the only dates are the ones
given (acceptance, processing days, the day of the whitelists).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from accessreg.mail.compose import Composed, eml_name
from accessreg.model.registry import Registry
from accessreg.outputs import csv_, info_site, ldif, nginx, scim, whitelist_text
from accessreg.outputs.access import holders
from accessreg.outputs.csv_ import CannotEncode, DatedChange, Encoding
from accessreg.outputs.whitelist import whitelists
from accessreg.provision.merges import History

FORMAT = "accessreg-apply/1"


@dataclass(frozen=True)
class Options:
    encoding: Encoding = Encoding.UTF8
    ldap_base: str = ldif.DEFAULT_BASE


def delta_name(system: str, processing_day: date) -> str:
    return f"imports/{system}/delta-{processing_day.isoformat()}.csv"


def _imports(history: History, options: Options) -> dict[str, bytes]:
    catalog = history.after.catalog
    files: dict[str, bytes] = {}
    failures: list[str] = []
    by_file: dict[str, list[DatedChange]] = {}
    for row in history.rows:
        by_file.setdefault(delta_name(row.change.system, row.processing_day), []).append(row)
    for system in catalog.systems:
        if system.level != "user":
            continue  # the 託送API: the operator uses it, no user holds a code
        label = f"imports/{system.id}/snapshot.csv"
        try:
            people = holders(history.after_access, system.id)
            files[label] = csv_.snapshot(label, people, system.id, catalog, options.encoding)
        except CannotEncode as exc:
            failures.extend(exc.lines)
        for name in sorted(n for n in by_file if n.startswith(f"imports/{system.id}/delta-")):
            try:
                files[name] = csv_.delta(name, by_file[name], system.id, catalog, options.encoding)
            except CannotEncode as exc:
                failures.extend(exc.lines)
    if failures:
        raise CannotEncode(failures)
    return files


def _info_site(history: History, today: date, options: Options) -> dict[str, bytes]:
    """The info-sharing site's subscribers, their changes and each reader's pages (000 §7)."""
    before = info_site.subscribers(history.before)
    after = info_site.subscribers(history.after)
    changes = info_site.subscriber_changes(before, after)
    readable = info_site.pages(history.after, history.after_access)
    catalog, encoding = history.after.catalog, options.encoding
    return {
        "info_site/subscribers.csv": info_site.subscribers_csv(after.values(), encoding),
        "info_site/subscribers-delta.csv": info_site.subscriber_delta_csv(changes, today, encoding),
        "info_site/pages.csv": info_site.pages_csv(
            catalog, history.after_access, readable, encoding
        ),
    }


def _whitelists(history: History, today: date) -> dict[str, bytes]:
    return whitelist_files(history.after, today)


def whitelist_files(registry: Registry, today: date) -> dict[str, bytes]:
    """``whitelist/<system>/...`` as valid on ``today`` (the daily run regenerates them)."""
    files = {}
    for wl in whitelists(registry, today):
        where = f"whitelist/{wl.system}"
        if wl.blocks_overseas:
            files[f"{where}/ip-geo.conf"] = nginx.geo(wl)
        if wl.checks_certificates:
            files[f"{where}/cert-map.conf"] = nginx.certificate_map(wl)
        files[f"{where}/allowlist.txt"] = whitelist_text.text(wl)
        files[f"{where}/allowlist.json"] = whitelist_text.document(wl)
    return files


def render(
    history: History,
    today: date,
    batch: str | None,
    mails: Sequence[Composed],
    options: Options,
) -> dict[str, bytes]:
    """Every file of the run, or CannotEncode listing every cell that cannot be written."""
    before, after = history.before_access, history.after_access
    files: dict[str, bytes] = {}
    failures: list[str] = []
    parts: list[Callable[[], dict[str, bytes]]] = [
        lambda: _imports(history, options),
        lambda: _info_site(history, today, options),
    ]
    for part in parts:
        try:
            files.update(part())
        except CannotEncode as exc:
            failures.extend(exc.lines)
    if failures:
        raise CannotEncode(failures)
    files["scim/snapshot.json"] = scim.snapshot(after)
    files["scim/delta.json"] = scim.delta(before, after)
    files["ldif/snapshot.ldif"] = ldif.snapshot(after, options.ldap_base)
    files["ldif/delta.ldif"] = ldif.delta(before, after, options.ldap_base)
    files.update(_whitelists(history, today))
    for composed in mails:
        files[f"mail/{eml_name(composed)}"] = composed.message.as_bytes()
    files["manifest.json"] = _manifest(history, today, batch, options, files)
    return dict(sorted(files.items()))


def _manifest(
    history: History, today: date, batch: str | None, options: Options, files: dict[str, bytes]
) -> bytes:
    body = {
        "format": FORMAT,
        "batch": batch,
        "base": history.base,
        "head": history.head,
        "day": today.isoformat(),
        "encoding": str(options.encoding),
        "ldap_base": options.ldap_base,
        "processing_days": sorted({r.processing_day.isoformat() for r in history.rows}),
        "merges": [
            {
                "commit": s.commit.sha,
                "subject": s.commit.subject,
                "accepted_on": s.accepted_on.isoformat(),
            }
            for s in history.steps
        ],
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(files.items())
        },
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
