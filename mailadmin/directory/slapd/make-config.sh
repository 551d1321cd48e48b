#!/usr/bin/env bash
# Writes slapd.conf for a throwaway directory in $LDAP_DIR (tests and `make run`); starts nothing.
# The first `slapd -f slapd.conf -F slapd.d` converts it to cn=config.
set -euo pipefail
D=${LDAP_DIR:?}
SCHEMA=${MAIL_SCHEMA:-$(dirname "$0")/mail.schema}
SUFFIX=${LDAP_SUFFIX:-dc=example,dc=org}
ROOTDN=cn=admin,$SUFFIX
SVCDN=cn=mailadmin,ou=system,$SUFFIX
MAILDN=cn=mailserver,ou=system,$SUFFIX  # Postfix's and Dovecot's read-only account (docs/deploy.md)
# Read from a file, never from argv: the root password must not show in the process list.
ROOTPW_FILE=${LDAP_ROOTPW_FILE:?}
HASH=$(/usr/sbin/slappasswd -T "$ROOTPW_FILE")
PEER="gidNumber=$(id -g)+uidNumber=$(id -u),cn=peercred,cn=external,cn=auth"
rm -rf "$D/slapd.d" "$D/data" "$D/accesslog"; mkdir -p "$D/slapd.d" "$D/data" "$D/accesslog"
# Optional, for tests: LDAP_NO_MAIL_SCHEMA=1 leaves the mail schema out (a directory not yet prepared);
# LDAP_ALLOW adds an `allow` line (e.g. bind_anon_cred); LDAP_TLS_CERT/LDAP_TLS_KEY (+ LDAP_TLS_CA) enable TLS.
MAIL_INCLUDE="include $SCHEMA"
# mailalias also gets `sub`: the console's search box looks for parts of aliases, as it does for mail, uid and names.
MAIL_INDEX="index maildrop,virtualdomain,mailenable eq
index mailalias eq,sub"
# Older MDS schemas have no mailaliasmember (nor mailAlias): index it only where the schema defines it.
grep -qi "NAME 'mailaliasmember'" "$SCHEMA" && MAIL_INDEX="$MAIL_INDEX
index mailaliasmember eq"
ALIAS_UNIQUE="unique_uri ldap:///$SUFFIX?mailalias?sub"
if [ -n "${LDAP_NO_MAIL_SCHEMA:-}" ]; then MAIL_INCLUDE=""; MAIL_INDEX=""; ALIAS_UNIQUE=""; fi
ALLOW=""
[ -n "${LDAP_ALLOW:-}" ] && ALLOW="allow $LDAP_ALLOW"
# LDAP_PROFILE=stock: a directory as MDS's how-to and Debian's slapd leave it (the test suite's second profile): no
# overlays, Debian's default indexes and ACLs, no limits for any account (the rootdn writes), LDAP_EXTRA_SCHEMA
# (MMC's mmc.schema) before the mail schema.
EXTRA_INCLUDE=""
[ -n "${LDAP_EXTRA_SCHEMA:-}" ] && EXTRA_INCLUDE="include $LDAP_EXTRA_SCHEMA"
if [ "${LDAP_PROFILE:-project}" = stock ]; then
  MODULES="moduleload back_mdb"
  ACCESSLOG_DB=""
  INDEXES="index objectClass eq
index cn,uid eq
index uidNumber,gidNumber eq
index member,memberUid eq"
  ACCESS="access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to attrs=shadowLastChange
  by self write
  by * read
access to *
  by * read"
  OVERLAYS=""
else
  MODULES="moduleload back_mdb
moduleload unique
moduleload syncprov
moduleload accesslog
moduleload sssvlv
moduleload ppolicy"
  ACCESSLOG_DB="database mdb
suffix cn=accesslog
directory $D/accesslog
rootdn $ROOTDN
maxsize 268435456
dbnosync
index entryCSN,objectClass,reqEnd,reqResult,reqStart,reqDN eq"
  INDEXES="index objectClass,entryCSN,entryUUID eq
index uid eq,sub
$MAIL_INDEX
index mail eq,sub
index cn,sn,givenName eq,sub"
  ACCESS="access to attrs=userPassword
  by dn.exact=\"$SVCDN\" write
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact=\"$SVCDN\" write
  by dn.exact=\"$MAILDN\" read
  by * read
limits dn.exact=\"$SVCDN\" size.soft=unlimited size.hard=unlimited size.prtotal=unlimited"
  OVERLAYS="overlay unique
unique_uri ldap:///ou=Users,$SUFFIX?mail?sub
$ALIAS_UNIQUE
overlay syncprov
overlay accesslog
logdb cn=accesslog
logops writes
logsuccess TRUE
logpurge 07+00:00 01+00:00
overlay sssvlv
# Sorted windows (domain pages) and counts run concurrently: the default allows only half the server threads.
sssvlv-max 64
overlay ppolicy
ppolicy_default cn=default,ou=policies,$SUFFIX"
fi
TLS=""
if [ -n "${LDAP_TLS_CERT:-}" ]; then
  TLS="TLSCertificateFile $LDAP_TLS_CERT
TLSCertificateKeyFile ${LDAP_TLS_KEY:?}"
  [ -n "${LDAP_TLS_CA:-}" ] && TLS="$TLS
TLSCACertificateFile $LDAP_TLS_CA"
fi
# Multi-provider replication (LDAP_SERVER_ID and LDAP_PEERS, the other providers' URIs separated by spaces): every
# provider takes writes and pulls the others' with syncrepl (refreshAndPersist) from their syncprov overlay. The
# consumers bind as the rootdn, which no ACL or size limit restricts; retry every second, for ever.
SERVER_ID=""; SYNCREPL=""
if [ -n "${LDAP_PEERS:-}" ]; then
  SERVER_ID="serverID ${LDAP_SERVER_ID:?}"
  ROOTPW=$(cat "$ROOTPW_FILE")
  rid=0
  for peer in $LDAP_PEERS; do
    rid=$((rid + 1))
    SYNCREPL="$SYNCREPL
syncrepl rid=$(printf %03d $rid) provider=$peer bindmethod=simple binddn=\"$ROOTDN\" credentials=\"$ROOTPW\"
  searchbase=\"$SUFFIX\" type=refreshAndPersist retry=\"1 +\" timeout=3 network-timeout=3"
  done
  SYNCREPL="$SYNCREPL
multiprovider on"
fi
cat > "$D/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
$EXTRA_INCLUDE
$MAIL_INCLUDE
$ALLOW
$TLS
modulepath /usr/lib/ldap
$MODULES
$SERVER_ID
pidfile $D/slapd.pid
loglevel none
authz-policy to
password-hash {SSHA}
sizelimit ${LDAP_SIZELIMIT:-500}
database config
access to * by dn.exact="$PEER" manage by * break
$ACCESSLOG_DB
database mdb
suffix $SUFFIX
directory $D/data
rootdn $ROOTDN
rootpw $HASH
maxsize 4294967296
dbnosync
$INDEXES
$SYNCREPL
$ACCESS
$OVERLAYS
CONF
