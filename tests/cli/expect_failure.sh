#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: expect_failure.sh MESSAGE COMMAND [ARGS...]
# Passes when COMMAND exits non-zero and its standard error contains MESSAGE.
message=$1
shift
stderr=$("$@" 2>&1 >/dev/null)
status=$?
if [ "$status" -eq 0 ]; then
  echo "expected a failure, got exit status 0"
  exit 1
fi
case "$stderr" in
  *"$message"*) exit 0 ;;
esac
echo "exit status $status, but standard error lacks '$message':"
echo "$stderr"
exit 1
