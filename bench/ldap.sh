#!/usr/bin/env bash
# LDAP benchmark (issue 7, "LDAP directory server"): binds/s and exact-match searches/s with
# 10,000 users, the Edgepass LDAP worker (workers/ldap, Bun over the embedded libSQL file) side by
# side with OpenLDAP slapd (mdb, equality indexes) on the same machine, in the same run, measured
# by the same client: ldclt from Debian's 389-ds-base, extracted, not installed (LDAP reference
# §6.2). Both servers hold the same argon2id PHC string (m=19456,t=2,p=1) as every user's
# password, so a bind costs one argon2id verification on each side (§6.3). Prints a Markdown
# section for bench/RESULTS.md on stdout; progress goes to stderr.
#
#   bench/ldap.sh [samples=3] [threads=4]
#
# Each mode runs <samples> ldclt samples of 10 s; with the defaults the whole run takes ~2 min.
# Needs slapd and ldap-utils (apt-get install slapd ldap-utils) and apt-get/dpkg to fetch ldclt
# into ${TMPDIR:-/tmp}/edgepass-bench. ONLY=slapd skips the Edgepass half; LDAP_WORKER=<file>
# runs another entry point than workers/ldap/main.ts (an older build, say) under the same
# contract; KEEP=1 keeps the working directory (databases, logs, ldclt output).
set -euo pipefail

samples=${1:-3}
threads=${2:-4}
users=10000
groups=50
repo=$(cd "$(dirname "$0")/.." && pwd)
bun="$repo/node_modules/.bin/bun"
cache="${TMPDIR:-/tmp}/edgepass-bench"
mkdir -p "$cache"
work=$(mktemp -d "$cache/run.XXXXXX")
worker_pid=''
ldclt_pid=''

log() { echo "ldap bench: $*" >&2; }
die() {
  log "$*"
  exit 1
}

cleanup() {
  if [ -n "$ldclt_pid" ]; then kill "$ldclt_pid" 2>/dev/null || true; fi
  if [ -n "$worker_pid" ]; then kill "$worker_pid" 2>/dev/null || true; fi
  if [ -f "$work/slapd/slapd.pid" ]; then kill "$(cat "$work/slapd/slapd.pid")" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ "${KEEP:-}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ldclt: extracted once from the Debian package; its libraries (NSS, NSPR, libldap) come with
# ldap-utils. 389-ds itself (systemd, Perl, Python) is never installed.
ldclt="$cache/389-ds-base/usr/bin/ldclt"
if [ ! -x "$ldclt" ]; then
  log "fetching ldclt (389-ds-base) into $cache"
  (cd "$cache" && apt-get download 389-ds-base >/dev/null 2>&1) || die 'apt-get download 389-ds-base failed'
  dpkg -x "$(ls -t "$cache"/389-ds-base_*.deb | head -1)" "$cache/389-ds-base"
fi
if ldd "$ldclt" | grep -q 'not found'; then
  die "ldclt misses libraries: $(ldd "$ldclt" | grep 'not found' | tr -s ' \t' ' ')"
fi
command -v slapd >/dev/null || [ -x /usr/sbin/slapd ] || die 'slapd is not installed'
export PATH="$PATH:/usr/sbin"

free_port() {
  "$bun" -e 'const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }); console.log(s.port); s.stop(true)'
}

# rss <pid>: resident set, its anonymous part and its peak, in MiB. The anonymous part is what
# the process allocated; the rest is mapped files (slapd's mdb file, Bun's executable), which
# count in VmRSS once touched.
rss() {
  awk '/^VmRSS|^VmHWM|^RssAnon/ { kb[$1] = $2 }
    END { printf "%.0f MiB (anon %.0f MiB; peak %.0f MiB)", kb["VmRSS:"] / 1024, kb["RssAnon:"] / 1024, kb["VmHWM:"] / 1024 }' "/proc/$1/status"
}

# The same checks on both servers before timing anything: ldclt counts a search that finds
# nothing as a success, so a filter that matches no entry would look fast.
sanity() { # <port> <user DN> <admin DN> <admin pw> <base> <filter>
  # A bind, then a rootDSE read, whose answer does not matter: the exit status is the LDAP result
  # code, and a failed bind is 49 (WhoAmI would do, were it certain to be implemented).
  local rc=0 found
  ldapsearch -x -H "ldap://127.0.0.1:$1" -D "$2" -w "$password" -b '' -s base 1.1 >/dev/null 2>&1 || rc=$?
  case $rc in
  0 | 32 | 50) ;;
  *) die "bind as $2 on port $1: ldapsearch exit status $rc (49: invalid credentials)" ;;
  esac
  found=$(ldapsearch -x -LLL -H "ldap://127.0.0.1:$1" -D "$3" -w "$4" -b "$5" "($6)" dn | grep -c '^dn:' || true)
  [ "$found" = 1 ] || die "search ($6) under $5 found $found entries on port $1, expected 1"
}

# run_ldclt <name> <ldclt args…>: fills rate_of[name] (global average, operations/s),
# samples_of[name] (each 10 s sample) and errors_of[name]; the full output stays in
# $work/<name>.log. ldclt seeds its random generator the same way on every run, so both servers
# are asked for the same users in the same order.
declare -A rate_of samples_of errors_of
run_ldclt() {
  local name=$1
  shift
  log "$name: $samples × 10 s, $threads threads"
  # In the background, so that a signal to this script runs the cleanup at once, not after ldclt.
  "$ldclt" -h 127.0.0.1 -n "$threads" -N "$samples" "$@" >"$work/$name.log" 2>&1 &
  ldclt_pid=$!
  wait "$ldclt_pid" || true
  ldclt_pid=''
  rate_of[$name]=$(sed -n 's/.*Global average rate:.*( *\([0-9.]*\)\/sec).*/\1/p' "$work/$name.log")
  samples_of[$name]=$(sed -n 's/.*\]: Average rate:.*( *\([0-9.]*\)\/sec).*/\1/p' "$work/$name.log" |
    awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 }')
  errors_of[$name]=$(grep -E 'Global error|dead threads|Exit status [1-9]' "$work/$name.log" |
    sed 's/.*ldclt\[[0-9]*\]: //' | paste -sd ';' || true)
  if [ -n "${errors_of[$name]}" ]; then log "$name: ${errors_of[$name]}"; fi
}

# 1. Edgepass: seed the database file, start the worker, wait for "ldap listening".
password=''
edgepass=no
worker_main=${LDAP_WORKER:-$repo/workers/ldap/main.ts}
if [ "${ONLY:-}" != slapd ]; then
  [ -f "$worker_main" ] || die "$worker_main not found (ONLY=slapd runs the slapd half alone)"
  edgepass=yes
fi
secret_key=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
db="$work/edgepass.db"
log "seeding $users users and $groups groups"
DATABASE_URL="file:$db" SECRET_KEY="$secret_key" "$bun" "$repo/bench/ldap-seed.ts" "$users" "$groups" >"$work/seed.json"
read -r suffix admin_dn admin_secret password hash seed_seconds < <("$bun" -e '
  const s = JSON.parse(await Bun.file(process.argv[1]).text())
  console.log([s.suffix, s.adminDn, s.adminSecret, s.password, s.passwordHash, s.seedSeconds].join(" "))
' "$work/seed.json")

if [ "$edgepass" = yes ]; then
  edgepass_port=$(free_port)
  log "starting the Edgepass LDAP worker on 127.0.0.1:$edgepass_port"
  started=$(date +%s%N)
  DATABASE_URL="file:$db" SECRET_KEY="$secret_key" LDAP_HOST=127.0.0.1 LDAP_PORT="$edgepass_port" \
    "$bun" "$worker_main" >"$work/worker.log" 2>&1 &
  worker_pid=$!
  for _ in $(seq 300); do
    grep -q '"ldap listening"' "$work/worker.log" 2>/dev/null && break
    kill -0 "$worker_pid" 2>/dev/null || die "the worker exited: $(tail -5 "$work/worker.log")"
    sleep 0.1
  done
  grep -q '"ldap listening"' "$work/worker.log" || die 'the worker did not log "ldap listening" within 30 s'
  ready_ms=$((($(date +%s%N) - started) / 1000000))
  rss_ready=$(rss "$worker_pid")
  # Users by username (uid=<username> names a username unless it starts with uid-, LDAP reference
  # §2); `uid` is the account id there (Cloudron's layout), so the search matches `username`.
  sanity "$edgepass_port" "uid=user0042,ou=users,$suffix" "$admin_dn" "$admin_secret" \
    "ou=users,$suffix" 'username=user0042'
fi

# 2. slapd: the same users, groups and hash.
slapd_port=$(free_port)
slapd_root_pw=$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')
log "starting slapd on 127.0.0.1:$slapd_port"
SLAPD_ROOTPW="$slapd_root_pw" "$repo/bench/ldap-slapd.sh" "$work/slapd" "$slapd_port" "$hash" "$users" "$groups"
slapd_pid=$(cat "$work/slapd/slapd.pid")
sanity "$slapd_port" "uid=user0042,ou=people,$suffix" "cn=admin,ou=system,$suffix" "$slapd_root_pw" \
  "ou=people,$suffix" 'uid=user0042'

# 3. Load. Binds: a new connection, a simple bind as a random user of 10,000, an unbind.
#    Searches: each thread binds once as the directory admin, then exact searches for random users.
range=(-r0 -R$((users - 1)))
bind_mode=(-e "bindeach,bindonly,randombinddn,randombinddnlow=0,randombinddnhigh=$((users - 1))")
search_mode=(-e esearch,random "${range[@]}")
run_ldclt slapd-binds -p "$slapd_port" -D "uid=userXXXX,ou=people,$suffix" -w "$password" "${bind_mode[@]}"
run_ldclt slapd-searches -p "$slapd_port" -D "cn=admin,ou=system,$suffix" -w "$slapd_root_pw" \
  -b "ou=people,$suffix" -f 'uid=userXXXX' "${search_mode[@]}"
rss_slapd=$(rss "$slapd_pid")
if [ "$edgepass" = yes ]; then
  run_ldclt edgepass-binds -p "$edgepass_port" -D "uid=userXXXX,ou=users,$suffix" -w "$password" "${bind_mode[@]}"
  run_ldclt edgepass-searches -p "$edgepass_port" -D "$admin_dn" -w "$admin_secret" \
    -b "ou=users,$suffix" -f 'username=userXXXX' "${search_mode[@]}"
  kill -0 "$worker_pid" 2>/dev/null || die "the worker died during the run: $(tail -5 "$work/worker.log")"
  rss_after=$(rss "$worker_pid")
fi

# 4. Report.
ratio() { # <name> <name>
  awk -v a="${rate_of[$1]:-0}" -v b="${rate_of[$2]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'
}
cell() { # <name>
  local text
  text=$(printf '%.0f/s (samples: %s)' "${rate_of[$1]:-0}" "${samples_of[$1]:-—}")
  if [ -n "${errors_of[$1]:-}" ]; then text="$text **${errors_of[$1]}**"; fi
  echo "$text"
}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ram=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
slapd_version=$(slapd -VV 2>&1 | sed -n 's/.*slapd \([^ ]*\) .*/\1/p' | head -1)
ldclt_version=$(sed -n 's/^ldclt version //p' "$work/slapd-binds.log" | head -1)

cat <<EOF
### LDAP — $(date +%F)

Machine: $(nproc) × $cpu, $ram, Linux $(uname -r); Bun $("$bun" --version), OpenLDAP slapd $slapd_version (mdb, equality indexes on objectClass, uid, cn, mail, member; memberof overlay), ldclt $ldclt_version (389-ds-base, extracted). Client and servers share the machine; one run, $threads ldclt threads, $samples × 10 s samples per row. $users users in $groups groups on each side; every user's password is the same argon2id PHC string (m=19456, t=2, p=1, made by Edgepass's hasher), stored as \`{ARGON2}\`+PHC in slapd.

EOF
if [ "$edgepass" = yes ]; then
  cat <<EOF
| measure | Edgepass (Bun, libSQL file) | OpenLDAP slapd | ratio Edgepass/slapd |
| --- | --- | --- | --- |
| binds/s: new connection, bind as a random user, unbind | $(cell edgepass-binds) | $(cell slapd-binds) | $(ratio edgepass-binds slapd-binds) |
| exact searches/s: one admin bind per thread, equality filter on a random user | $(cell edgepass-searches) | $(cell slapd-searches) | $(ratio edgepass-searches slapd-searches) |
| memory after the run: VmRSS (RssAnon; peak VmHWM) | $rss_after | $rss_slapd | |

Edgepass worker: ready ${ready_ms} ms after start ("ldap listening"), $rss_ready then; database seeded in ${seed_seconds} s.
EOF
else
  cat <<EOF
| measure | OpenLDAP slapd |
| --- | --- |
| binds/s: new connection, bind as a random user, unbind | $(cell slapd-binds) |
| exact searches/s: one admin bind per thread, equality filter on a random user | $(cell slapd-searches) |
| memory after the run: VmRSS (RssAnon; peak VmHWM) | $rss_slapd |

Edgepass half not run (ONLY=slapd).
EOF
fi
cat <<EOF

Script: \`bench/ldap.sh $samples $threads\`. ldclt modes: binds \`-e bindeach,bindonly,randombinddn,randombinddnlow=0,randombinddnhigh=$((users - 1)) -D uid=userXXXX,<users ou>\`; searches \`-e esearch,random -r0 -R$((users - 1))\` with filter \`uid=userXXXX\` on slapd and \`username=userXXXX\` on Edgepass, whose \`uid\` is the account id (Cloudron's layout): both are equality matches on an indexed attribute returning one entry with all its user attributes. User DNs: \`uid=userNNNN,ou=people,dc=bench\` (slapd), \`uid=userNNNN,ou=users,dc=bench\` (Edgepass, by username). The search bind is slapd's rootdn, which skips ACL evaluation, and Edgepass's admin secret (\`cn=admin,ou=system,dc=bench\`). A bind is one argon2id verification on each side, so binds/s is bounded by cores ÷ ~50 ms.
EOF
