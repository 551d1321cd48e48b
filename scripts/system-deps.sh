#!/usr/bin/env bash
# Install the Debian packages a mode needs, only when something is missing; never start their services.
#   run:  slapd and ldap-utils (only when LDAP_URL does not point at a real directory)
#   test: those, plus Chromium for the browser tests, Postfix/Dovecot (LDAP, IMAP) for the mail-stack checks,
#         Node.js/npm to install the axe-core accessibility engine (skipped when a node and npm are already on
#         PATH), PostgreSQL (the suite runs a throwaway cluster of its own), nginx (docs/deploy.md's site: nginx -t,
#         and run by the test) and systemd (systemd-analyze verify of the guide's units); no service is started
set -euo pipefail
mode=${1:-run}
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
want() { for p in "$@"; do have "$p" || need+=("$p"); done; }

if [ "$mode" = test ] || [ -z "${LDAP_URL:-}" ]; then want slapd ldap-utils; fi
if [ "$mode" = test ]; then
  want chromium postfix postfix-ldap dovecot-core dovecot-ldap dovecot-imapd dovecot-sieve gettext postgresql nginx systemd
fi
if [ "$mode" = test ] && ! { command -v node && command -v npm; } >/dev/null; then want nodejs npm; fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${need[*]}. Install them as root: apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Keep packages from starting services, and slapd from creating a default instance.
[ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
echo 'slapd slapd/no_configuration boolean true' | debconf-set-selections
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
echo "Installing Debian packages: ${need[*]}"
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
