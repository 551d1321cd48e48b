#!/usr/bin/env bash
# make test: the whole suite against a slapd the session starts itself; "no tests ran" fails.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
# The axe-core engine the accessibility test injects into pages, at the version package-lock.json pins.
[ -f tests/browser/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests/browser --no-audit --no-fund --silent
# The suite starts its own directory: a LDAP_URL from the caller's shell must not leak into it.
unset LDAP_URL LDAP_BIND_DN LDAP_BIND_PASSWORD LDAP_BIND_PASSWORD_FILE LDAP_BASE_DN DATABASE_URL
.venv/bin/ruff check .
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ $status -eq 5 ]; then echo "pytest ran no tests: failing." >&2; exit 1; fi
exit $status
