/**
 * A private, throw-away OpenLDAP slapd on 127.0.0.1: the external directory the connector suites
 * (issue 8) sync from and log in against, set up as in LDAP reference §6.1.
 *
 * Each instance owns a temp directory (config, mdb database, pidfile, TLS files) and loopback
 * ports. Entries go in through ldapadd rather than slapadd so the memberof overlay writes
 * `memberOf` exactly as it would in a real directory.
 *
 * Size limits mirror Active Directory's MaxPageSize: a search by an ordinary bind returns at most
 * 1,000 entries (then `sizeLimitExceeded`, code 4) unless it pages, and paging has no total limit.
 * The admin is slapd's rootdn, which no limit applies to, paged or not.
 *
 * @example
 * const slapd = await startSlapd({ tls: true })
 * afterAll(() => slapd.destroy())
 * const client = new Client({ url: slapd.url })
 * await client.bind(slapd.adminDn, slapd.adminPassword)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { freePort } from './process'

const SLAPD = '/usr/sbin/slapd'
const SLAPTEST = '/usr/sbin/slaptest'
const DEFAULT_SUFFIX = 'dc=example,dc=org'
const READY_TIMEOUT_MS = 5_000
const STOP_TIMEOUT_MS = 5_000

export interface SlapdOptions {
  /** The naming context; its first RDN must be `dc=` or `o=`. Default `dc=example,dc=org`. */
  suffix?: string
  /**
   * Seed entries as LDIF text, added after the base (suffix, ou=people, ou=groups) is created.
   * Default: {@link seedLdif} for the suffix ({@link SEED_LDIF} for the default one); `''` for none.
   */
  seed?: string
  /** Also listen on ldaps:// with a self-signed certificate for 127.0.0.1/localhost (openssl). */
  tls?: boolean
}

export interface Slapd {
  /** `ldap://127.0.0.1:<port>` (StartTLS is offered too when `tls` is on). */
  url: string
  /** `ldaps://127.0.0.1:<port>` when `tls`. */
  ldapsUrl?: string
  /** The self-signed certificate (PEM) when `tls`: trust it with `tlsOptions: { ca: [...] }`. */
  caCertPath?: string
  suffix: string
  /** `cn=admin,<suffix>`: slapd's rootdn (no entry behind it, no size limits). */
  adminDn: string
  adminPassword: string
  /** The instance's temp directory (slapd.conf, db/, slapd.pid, TLS files). */
  dir: string
  /** ldapadd with the admin bind, LDIF on stdin; throws with stderr on failure. */
  add(ldif: string): Promise<void>
  /** ldapmodify with the admin bind, LDIF on stdin; throws with stderr on failure. */
  modify(ldif: string): Promise<void>
  /** ldapdelete of one entry with the admin bind; throws with stderr on failure. */
  delete(dn: string): Promise<void>
  /** The entryUUID of an entry (operational attribute, the connector's sync key). */
  entryUuid(dn: string): Promise<string>
  /**
   * Stops slapd (SIGTERM to the pid in the pidfile) and waits until the process is gone. The data
   * stays for {@link Slapd.start}; the directory goes with {@link Slapd.destroy} or, at the latest,
   * when this process exits.
   */
  stop(): Promise<void>
  /** Starts slapd again on the same ports and data (for "server down then back" tests). */
  start(): Promise<void>
  /** Stops slapd and removes the temp directory; the instance cannot start again. */
  destroy(): Promise<void>
  isRunning(): boolean
}

/**
 * The §6.1 seed under `suffix`: alice, bob and carol in ou=people (carol has no givenName and no
 * group), cn=engineering (alice, bob) and cn=admins (alice) in ou=groups. Passwords are stored
 * in plain text: `<uid>-pass`.
 */
export function seedLdif(suffix: string = DEFAULT_SUFFIX): string {
  const person = (uid: string, givenName: string | undefined, sn: string) =>
    ldifEntry(`uid=${uid},ou=people,${suffix}`, {
      objectClass: ['inetOrgPerson'],
      uid: [uid],
      cn: [givenName ? `${givenName} ${sn}` : `${uid[0]!.toUpperCase()}${uid.slice(1)} ${sn}`],
      sn: [sn],
      givenName: givenName ? [givenName] : [],
      mail: [`${uid}@example.org`],
      userPassword: [`${uid}-pass`],
    })
  const group = (cn: string, uids: string[]) =>
    ldifEntry(`cn=${cn},ou=groups,${suffix}`, {
      objectClass: ['groupOfNames'],
      cn: [cn],
      member: uids.map((uid) => `uid=${uid},ou=people,${suffix}`),
    })
  return [
    person('alice', 'Alice', 'Adams'),
    person('bob', 'Bob', 'Brown'),
    person('carol', undefined, 'Clark'),
    group('engineering', ['alice', 'bob']),
    group('admins', ['alice']),
  ].join('')
}

/** {@link seedLdif} for `dc=example,dc=org`. */
export const SEED_LDIF: string = seedLdif()

/**
 * One LDIF record; attributes with no values are left out. Values must be plain single-line
 * text (no base64 encoding here).
 *
 * @example
 * ldifEntry('uid=dave,ou=people,dc=example,dc=org', { objectClass: ['inetOrgPerson'], uid: ['dave'] })
 */
export function ldifEntry(dn: string, attributes: Record<string, string[]>): string {
  const lines = [`dn: ${dn}`]
  for (const [name, values] of Object.entries(attributes)) {
    for (const value of values) lines.push(`${name}: ${value}`)
  }
  return `${lines.join('\n')}\n\n`
}

/**
 * Starts a private slapd on free loopback ports, creates the base entries and adds the seed.
 *
 * @example
 * const slapd = await startSlapd()
 * await slapd.add(ldifEntry(`uid=dave,ou=people,${slapd.suffix}`, { ... }))
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const suffix = options.suffix ?? DEFAULT_SUFFIX
  const base = baseLdif(suffix)
  const adminDn = `cn=admin,${suffix}`
  const adminPassword = `admin-${crypto.randomUUID()}`
  const dir = mkdtempSync(join(tmpdir(), 'edgepass-slapd-'))
  const pidFile = join(dir, 'slapd.pid')
  const configFile = join(dir, 'slapd.conf')
  // Armed before anything can fail, so even a half-built instance is cleaned up.
  const watchdog = spawnWatchdog(dir, pidFile)
  let pid: number | undefined
  let destroyed = false
  let ports: Ports

  try {
    mkdirSync(join(dir, 'db'))
    const tls = options.tls ? await writeSelfSignedCertificate(dir) : undefined
    writeFileSync(configFile, slapdConf({ dir, pidFile, suffix, adminDn, adminPassword, tls }))
    ;({ ports, pid } = await launchOnFreePorts(configFile, pidFile, options.tls === true))
  } catch (error) {
    watchdog.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw error
  }

  const url = `ldap://127.0.0.1:${ports.ldap}`
  const ldapsUrl = ports.ldaps === undefined ? undefined : `ldaps://127.0.0.1:${ports.ldaps}`
  const adminBind = ['-x', '-H', url, '-D', adminDn, '-w', adminPassword]

  const slapd: Slapd = {
    url,
    ldapsUrl,
    caCertPath: options.tls ? join(dir, 'cert.pem') : undefined,
    suffix,
    adminDn,
    adminPassword,
    dir,
    async add(ldif) {
      await runOrThrow(['ldapadd', ...adminBind], ldif)
    },
    async modify(ldif) {
      await runOrThrow(['ldapmodify', ...adminBind], ldif)
    },
    async delete(dn) {
      await runOrThrow(['ldapdelete', ...adminBind, dn])
    },
    async entryUuid(dn) {
      const query = ['-LLL', '-o', 'ldif-wrap=no', '-s', 'base', '-b', dn, 'entryUUID']
      const { stdout } = await runOrThrow(['ldapsearch', ...adminBind, ...query])
      const uuid = /^entryUUID: (.+)$/m.exec(stdout)?.[1]
      if (!uuid) throw new Error(`no entryUUID for ${dn}: ${stdout}`)
      return uuid
    },
    async stop() {
      if (pid === undefined) return
      await terminate(pid)
      pid = undefined
    },
    async start() {
      if (destroyed) throw new Error('this slapd was destroyed; start a new one')
      if (pid !== undefined && isAlive(pid)) return
      pid = await launch(configFile, pidFile, listenUrls(ports))
    },
    async destroy() {
      if (destroyed) return
      await slapd.stop()
      destroyed = true
      watchdog.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
    isRunning() {
      return pid !== undefined && isAlive(pid)
    },
  }

  try {
    const seed = options.seed ?? seedLdif(suffix)
    await slapd.add(base + seed)
  } catch (error) {
    await slapd.destroy()
    throw error
  }
  return slapd
}

interface Ports {
  ldap: number
  ldaps?: number
}

function listenUrls(ports: Ports): string {
  const urls = [`ldap://127.0.0.1:${ports.ldap}/`]
  if (ports.ldaps !== undefined) urls.push(`ldaps://127.0.0.1:${ports.ldaps}/`)
  return urls.join(' ')
}

/**
 * freePort() only says a port was free a moment ago; a parallel suite may take it first, and
 * slapd then exits with 1 and says nothing (it logs to syslog only). So: a few tries, each on
 * fresh ports, once slaptest has ruled out a broken config.
 */
async function launchOnFreePorts(
  configFile: string,
  pidFile: string,
  tls: boolean,
): Promise<{ ports: Ports; pid: number }> {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const ldap = freePort()
    let ldaps = tls ? freePort() : undefined
    while (ldaps === ldap) ldaps = freePort()
    const ports = { ldap, ldaps }
    try {
      return { ports, pid: await launch(configFile, pidFile, listenUrls(ports)) }
    } catch (error) {
      lastError = error
      const check = await run([SLAPTEST, '-u', '-f', configFile])
      if (check.exitCode !== 0) throw new Error(`slapd.conf is invalid: ${check.stderr.trim()}`)
    }
  }
  throw lastError
}

/** Runs slapd (it daemonises and writes the pidfile), then waits until it answers a search. */
async function launch(configFile: string, pidFile: string, urls: string): Promise<number> {
  const started = await run([SLAPD, '-f', configFile, '-h', urls, '-s', '0'])
  if (started.exitCode !== 0) {
    // slapd logs to syslog only; the usual cause is a port someone else took first.
    throw new Error(`slapd exited with ${started.exitCode} listening on ${urls}`)
  }
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  const url = urls.split(' ')[0]!
  const deadline = performance.now() + READY_TIMEOUT_MS
  for (;;) {
    const probe = await run(['ldapsearch', '-x', '-H', url, '-b', '', '-s', 'base', '1.1'])
    if (probe.exitCode === 0) return pid
    if (!isAlive(pid)) throw new Error(`slapd (pid ${pid}) died before answering on ${url}`)
    if (performance.now() > deadline) {
      await terminate(pid)
      throw new Error(`slapd did not answer on ${url} within ${READY_TIMEOUT_MS} ms`)
    }
    await Bun.sleep(10)
  }
}

/** SIGTERM (slapd closes the database cleanly), then SIGKILL if it lingers. */
async function terminate(pid: number): Promise<void> {
  if (!isAlive(pid)) return
  process.kill(pid, 'SIGTERM')
  const deadline = performance.now() + STOP_TIMEOUT_MS
  while (isAlive(pid)) {
    if (performance.now() > deadline) {
      process.kill(pid, 'SIGKILL')
      break
    }
    await Bun.sleep(5)
  }
}

/**
 * Whether `pid` is still running. slapd daemonises, so its parent is PID 1, which in some
 * containers never reaps orphans: a stopped slapd then lingers as a zombie that signal 0 still
 * reaches, so the state in /proc decides.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat[stat.lastIndexOf(')') + 2] !== 'Z'
  } catch {
    // Gone between the two checks (Linux), or no /proc at all (then signal 0 has the last word).
    return !existsSync('/proc/self')
  }
}

/**
 * Kills slapd and removes `dir` when this process dies, however it dies (a crash, Ctrl-C,
 * SIGKILL, or simply the end of the run without destroy()). A shell in its own session blocks
 * reading a pipe whose only writer is this process; end of file means the test run is gone.
 */
function spawnWatchdog(dir: string, pidFile: string): Subprocess {
  const script = 'read -r _; [ -f "$1" ] && kill -9 "$(cat "$1")"; rm -rf "$0"'
  const child = Bun.spawn(['sh', '-c', script, dir, pidFile], {
    stdin: 'pipe',
    stdout: 'ignore',
    stderr: 'ignore',
    detached: true,
  })
  child.unref()
  child.stdin.unref()
  return child
}

/** The suffix entry (dcObject or organization, from its first RDN), ou=people and ou=groups. */
function baseLdif(suffix: string): string {
  const [, type, value] = /^\s*(dc|o)\s*=\s*([^,]+)/i.exec(suffix) ?? []
  if (!type || !value) throw new Error(`suffix must start with dc= or o=: ${suffix}`)
  const top: Record<string, string[]> =
    type.toLowerCase() === 'dc'
      ? { objectClass: ['dcObject', 'organization'], dc: [value], o: [value] }
      : { objectClass: ['organization'], o: [value] }
  return (
    ldifEntry(suffix, top) +
    ldifEntry(`ou=people,${suffix}`, { objectClass: ['organizationalUnit'], ou: ['people'] }) +
    ldifEntry(`ou=groups,${suffix}`, { objectClass: ['organizationalUnit'], ou: ['groups'] })
  )
}

interface SlapdConfInput {
  dir: string
  pidFile: string
  suffix: string
  adminDn: string
  adminPassword: string
  tls?: { certPath: string; keyPath: string }
}

/** The §6.1 slapd.conf, plus TLS files and the paging limit. */
function slapdConf({ dir, pidFile, suffix, adminDn, adminPassword, tls }: SlapdConfInput): string {
  return `include    /etc/ldap/schema/core.schema
include    /etc/ldap/schema/cosine.schema
include    /etc/ldap/schema/inetorgperson.schema
include    /etc/ldap/schema/nis.schema
pidfile    ${pidFile}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
loglevel   0
sizelimit  1000
${tls ? `TLSCertificateFile    ${tls.certPath}\nTLSCertificateKeyFile ${tls.keyPath}\n` : ''}
database   mdb
maxsize    104857600
# Throw-away data: skipping fsync makes ldapadd of 1,500 entries ~0.2 s instead of seconds.
dbnosync
suffix     "${suffix}"
rootdn     "${adminDn}"
rootpw     ${adminPassword}
directory  ${join(dir, 'db')}
index      objectClass,uid,cn,mail,member eq
# Unpaged searches stop at 1,000 entries; paged ones may go on (by default size.prtotal is the
# hard limit, which would cap paging at 1,000 too). The rootdn is exempt from all limits.
limits     users size.prtotal=unlimited
overlay    memberof
memberof-group-oc    groupOfNames
memberof-member-ad   member
memberof-memberof-ad memberOf
memberof-refint      TRUE
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by anonymous auth
`
}

/** An EC P-256 certificate for CN=localhost, SAN IP:127.0.0.1 and DNS:localhost, valid 2 days. */
async function writeSelfSignedCertificate(
  dir: string,
): Promise<{ certPath: string; keyPath: string }> {
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  // slapd runs as the same user as the tests (no -u), so the key's default 0600 is readable.
  const request = '-x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2'
  const names = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']
  const files = ['-keyout', keyPath, '-out', certPath]
  await runOrThrow(['openssl', 'req', ...request.split(' '), ...names, ...files])
  return { certPath, keyPath }
}

interface ToolResult {
  exitCode: number
  stdout: string
  stderr: string
}

async function run(argv: string[], stdin?: string): Promise<ToolResult> {
  const child = Bun.spawn(argv, {
    stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { exitCode, stdout, stderr }
}

async function runOrThrow(argv: string[], stdin?: string): Promise<ToolResult> {
  const result = await run(argv, stdin)
  if (result.exitCode !== 0) {
    const output = (result.stderr || result.stdout).trim()
    throw new Error(`${argv[0]} exited with ${result.exitCode}: ${output}`)
  }
  return result
}
