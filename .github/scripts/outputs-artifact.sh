#!/bin/sh
# The name an apply's outputs (the folder $1) are kept under, for the merge workflow and the
# daily one alike. Outputs carry recorded.json once the state records their run. Those of a
# run that stopped before (the state's push refused, a kill) look like a batch and are none:
# the next run makes it again. They are kept, for diagnosis, under a name that says they were
# not recorded and must not be imported (README "Outputs").
set -eu
if [ -f "$1/recorded.json" ]; then
  echo "artifact=provision" >> "$GITHUB_OUTPUT"
else
  echo "artifact=unrecorded-do-not-import-provision" >> "$GITHUB_OUTPUT"
fi
