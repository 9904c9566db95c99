#!/usr/bin/env bash
# The OpenLDAP peer of bench/ldap.sh: a throw-away slapd (mdb, equality indexes, memberof) on
# 127.0.0.1 holding the same users and groups as the Edgepass seed (bench/ldap-seed.ts), with the
# same argon2id PHC string as every user's password (`{ARGON2}` + PHC, LDAP reference §6.3).
#
#   bench/ldap-slapd.sh <dir> <port> <PHC hash> [users=10000] [groups=50]
#
# Writes <dir>/slapd.conf and <dir>/seed.ldif, loads them with slapadd (offline: seconds rather
# than a minute of ldapadd, and no overlay work per entry, so memberOf is written out in the
# LDIF), starts slapd (it daemonises; its pid is in <dir>/slapd.pid) and waits until it answers.
# Prints nothing on success. Stop it with: kill "$(cat <dir>/slapd.pid)".
set -euo pipefail

dir=${1:?usage: ldap-slapd.sh <dir> <port> <PHC hash> [users] [groups]}
port=${2:?port}
hash=${3:?PHC hash}
users=${4:-10000}
groups=${5:-50}
suffix='dc=bench'
# The root DN needs no entry; it sits where Edgepass's admin bind does (cn=admin,ou=system).
rootdn="cn=admin,ou=system,$suffix"
rootpw=${SLAPD_ROOTPW:-bench-admin-secret}

mkdir -p "$dir/db"
cat >"$dir/slapd.conf" <<EOF
include    /etc/ldap/schema/core.schema
include    /etc/ldap/schema/cosine.schema
include    /etc/ldap/schema/inetorgperson.schema
include    /etc/ldap/schema/nis.schema
pidfile    $dir/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
# Same parameters as Edgepass's ARGON2ID_PARAMS (src/security/passwords.ts); they only matter for
# hashes slapd makes itself. Verification reads the parameters from each stored PHC string.
moduleload argon2 m=19456 t=2 p=1
password-hash {ARGON2}
sizelimit  1000
loglevel   0
database   mdb
maxsize    1073741824
suffix     "$suffix"
rootdn     "$rootdn"
rootpw     $rootpw
directory  $dir/db
index      objectClass,uid,cn,mail,member eq
overlay    memberof
memberof-group-oc    groupOfNames
memberof-member-ad   member
memberof-memberof-ad memberOf
memberof-refint      TRUE
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by anonymous auth
EOF

# users uid=userNNNN,ou=people (user i in group i mod groups), then groups cn=groupNN,ou=groups.
awk -v users="$users" -v groups="$groups" -v suffix="$suffix" -v hash="$hash" 'BEGIN {
  printf "dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: bench\no: bench\n\n", suffix
  printf "dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n", suffix
  printf "dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n", suffix
  for (i = 0; i < users; i++) {
    u = sprintf("user%04d", i)
    printf "dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: User %04d\n", u, suffix, u, i
    printf "sn: %04d\ngivenName: User\nmail: %s@example.org\nuserPassword: {ARGON2}%s\n", i, u, hash
    if (groups > 0) printf "memberOf: cn=group%02d,ou=groups,%s\n", i % groups, suffix
    printf "\n"
  }
  for (g = 0; g < groups; g++) {
    printf "dn: cn=group%02d,ou=groups,%s\nobjectClass: groupOfNames\ncn: group%02d\n", g, suffix, g
    for (i = g; i < users; i += groups) printf "member: uid=user%04d,ou=people,%s\n", i, suffix
    printf "\n"
  }
}' >"$dir/seed.ldif"

slapadd -q -f "$dir/slapd.conf" -l "$dir/seed.ldif"
slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/" -s 0
for _ in $(seq 100); do
  ldapsearch -x -H "ldap://127.0.0.1:$port" -b '' -s base namingContexts >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "slapd did not answer on 127.0.0.1:$port" >&2
exit 1
