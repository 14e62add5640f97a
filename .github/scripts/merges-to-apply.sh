#!/bin/sh
# The merges the next apply takes, for the merge workflow and the daily one alike: every
# first-parent commit of HEAD since the applied revision that refs/accessreg/state records,
# oldest first, one a line in merges.txt (empty before the first run). The applied revision
# goes to the step's outputs as `applied` (empty: none recorded yet).
#
# The remote's state is read where the tool fetches it, beside the local one, never over it:
# a record the local one holds and the remote does not yet (a push that failed earlier in
# the run) is pushed by the tool's next change, not lost here.
set -eu
remote=refs/remotes/origin/accessreg/state
git fetch --no-tags origin "+refs/accessreg/state:$remote" || true
applied=$(git show "$remote:state.json" 2>/dev/null \
  | python3 -c 'import json, sys; print(json.load(sys.stdin).get("applied") or "")' \
  || true)
if [ -n "$applied" ]; then
  git rev-list --reverse --first-parent "$applied..HEAD" > merges.txt
else
  : > merges.txt
fi
echo "applied=$applied" >> "${GITHUB_OUTPUT:-/dev/null}"
