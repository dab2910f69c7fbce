#!/bin/sh
# ctest entry of the dashboard's browser tests: tests/ui/run.sh /path/to/rampart
# Without Node.js the tests cannot even start: fail in CI, skip (77) elsewhere.
if ! command -v node >/dev/null 2>&1; then
  echo "ui_e2e: missing Node.js (run scripts/setup-ui)"
  [ "${CI:-}" = "true" ] && exit 1
  echo "ui_e2e: SKIPPED"
  exit 77
fi
exec node "$(dirname "$0")/dashboard.test.mjs" "$@"
