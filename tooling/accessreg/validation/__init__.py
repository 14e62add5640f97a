"""Running the rules: ``validate`` over a whole registry, and incremental validation.

Incremental validation (``accessreg validate --changed-since REV``): the same problems as
a full run, re-reading only what changed.

The registry checked is the work tree, or with ``head`` a commit read from git (nothing on
disk is stat'ed: what CI wants on a fresh checkout). What it holds is known without listing
200,000 paths: a small *tree state* per registry tree id (every non-user file with its blob
id; per operator, a digest of its users' paths and blob ids) is cached, and the changes
from ``REV`` (``git diff``/untracked files, or ``git diff-tree``) are applied to it; only
the operators they touch are listed again. A file already parsed is taken from the cache by
path and blob id.

Rules are run according to their declared scope (``rules.base.Scope``):

- ``operator`` rules are run per operator *group* (its operator file, its users, operator
  files that claim its code): a group whose files, the shared files (catalog, calendar,
  maintainers) and the day are unchanged takes its findings from the cache;
- ``operators`` rules (never reading users) run on every operator file, every time;
- ``login`` rules run on the holders of login IDs held more than once (the logins of every
  user are kept per group in the cache);
- any other rule runs on the whole registry (every user's model, built from the cache).

Files git ignores are not seen (a full run reads the directory and would see them).
"""

from accessreg.validation.incremental import Stats, validate_incremental
from accessreg.validation.snapshot import Snapshot, TreeState

__all__ = ["Snapshot", "Stats", "TreeState", "validate_incremental"]
