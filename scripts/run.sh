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
PASSWORD_FILE=${SUPERADMIN_PASSWORD_FILE:-var/superadmin.txt}
$PY manage.py ensuresuperadmin --password-file "$PASSWORD_FILE"
[ -e "$PASSWORD_FILE" ] && echo "Console: http://$HOST:$PORT/  sign in as admin, password: $(cat "$PASSWORD_FILE")"
# Workers x threads: what bench/load_bench.py measured best on a 2-core host (see README, "Load").
# gunicorn.conf.py: each worker remembers in the background what the first pages need (README, "Warm-up").
exec .venv/bin/gunicorn mailadmin.wsgi:application --config gunicorn.conf.py --bind "$HOST:$PORT" \
  --workers "${GUNICORN_WORKERS:-5}" --threads "${GUNICORN_THREADS:-2}" --timeout 30 --access-logfile "${GUNICORN_ACCESS_LOG:--}"
