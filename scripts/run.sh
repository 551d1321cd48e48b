#!/usr/bin/env bash
# make run: a directory (the throwaway one unless LDAP_URL is set), migrations, a first superadmin, gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}; PORT=${2:-8000}
PY=.venv/bin/python
mkdir -p var
if [ -z "${LDAP_URL:-}" ]; then
  $PY scripts/devdirectory.py up
  set -a; . var/ldap/app.env; set +a
  $PY manage.py migrate --noinput -v 0
  if [ ! -e var/ldap/seeded ]; then $PY manage.py demodata && touch var/ldap/seeded; fi
else
  echo "Directory: $LDAP_URL (from LDAP_URL)"
  $PY manage.py migrate --noinput -v 0
  $PY manage.py initdirectory
fi
$PY manage.py collectstatic --noinput -v 0
$PY manage.py ensuresuperadmin --password-file var/superadmin.txt
echo "Console: http://$HOST:$PORT/  sign in as admin, password: $(cat var/superadmin.txt)"
exec .venv/bin/gunicorn mailadmin.wsgi:application --bind "$HOST:$PORT" --workers 2 --timeout 30 --access-logfile -
