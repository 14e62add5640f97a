"""Why the system refused to read or write a file, as the user reads it: the reasons a
window person or an operator of the workflows can act on are the catalog's words; the
system's own text (in English) stays for the rest."""

from __future__ import annotations

import errno

from accessreg.model.messages import Param, Verbatim, msg

_KNOWN = {
    errno.ENOENT: msg("there is no such file or directory"),
    errno.EACCES: msg("permission denied"),
    errno.EPERM: msg("permission denied"),
    errno.EISDIR: msg("it is a directory, not a file"),
    errno.ENOTDIR: msg("a part of the path is not a directory"),
    errno.EEXIST: msg("a file of that name is in the way"),
    errno.ENOSPC: msg("no space is left on the disk"),
    errno.EROFS: msg("the file system is read-only"),
}


def os_reason(exc: OSError) -> Param:
    """Why ``exc`` happened, for a message's ``{why}``."""
    found = _KNOWN.get(exc.errno) if exc.errno is not None else None
    return found if found is not None else Verbatim(exc.strerror or str(exc))
