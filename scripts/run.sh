#!/usr/bin/env bash
# make run: a directory (the throwaway one unless LDAP_URL is set), migrations, a first superadmin, gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}; PORT=${2:-8000}
PY=.venv/bin/python
mkdir -p var
if [ -z "${LDAP_URL:-}" ]; then
  out=$($PY scripts/devdirectory.py up)
  echo "$out" | grep -v '^NEW$'
  set -a; . var/ldap/app.env; set +a
  if echo "$out" | grep -q '^NEW$'; then $PY manage.py demodata; fi
else
  echo "Directory: $LDAP_URL (from LDAP_URL)"
  $PY manage.py initdirectory
fi
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
$PY manage.py ensuresuperadmin --password-file var/superadmin.txt
echo "Sign in at http://$HOST:$PORT/ as admin with the password in var/superadmin.txt: $(cat var/superadmin.txt 2>/dev/null)"
exec .venv/bin/gunicorn mailadmin.wsgi:application --bind "$HOST:$PORT" --workers 2 --timeout 30 --access-logfile -
