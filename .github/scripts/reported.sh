#!/bin/sh
# A command run for the job summary: what it prints is shown in the log and kept in REPORT;
# what it says on standard error (why the run stopped, a duty skipped, a mail not sent) is
# shown in the log after it and kept in the file REPORT names with "-said" before ".txt",
# which the summary shows after the report (`accessreg summary`): the summary said what a
# run did, and not why it stopped. Exits as the command does.
# usage: reported.sh REPORT COMMAND [ARG]...
set -u
report=$1
shift
said="${report%.txt}-said.txt"
status=$(mktemp)
{
  "$@" 2>"$said"
  echo "$?" >"$status"
} | tee "$report"
code=$(cat "$status")
rm -f "$status"
cat "$said" >&2
exit "$code"
