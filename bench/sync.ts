/**
 * Sync benchmark (issue 8, "External directory connector"): the first sync of 10,000 users in 50
 * groups from OpenLDAP slapd into an empty external directory, then a resync after 1% of the
 * users got a new mail and ~1% of the memberships moved (`bench/sync-slapd.ts`): wall time,
 * entries/s and the sync's peak memory. Prints a Markdown section for bench/RESULTS.md on stdout;
 * progress goes to stderr.
 *
 *   bun bench/sync.ts [users=10000] [groups=50]
 *
 * Each sync runs in a fresh Bun process (this script with `--child`), as the sync worker runs it:
 * queue, claim, search, write, all through the engine's own functions. A fresh process makes its
 * VmHWM the sync's own peak, not the seeding's. The child times the two searches (wrapping the
 * ldapts client) and every libSQL `execute` and `batch` (wrapping the database client), which
 * splits a run into LDAP, SQLite and the JavaScript around them. After each run the counts, the
 * accounts' emails and the memberships are compared with the model; any difference fails the run.
 * PROFILE=<dir> runs the syncs under `bun --cpu-prof-md` and leaves the profiles there.
 */
import { eq } from 'drizzle-orm'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { cpus, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import * as schema from '../db/schema'
import { parseConfig } from '../src/config'
import { createExternalDirectory } from '../src/directory/external/providers'
import type { ExternalDirectoryClient } from '../src/directory/external/source'
import { queueSync, type SyncRunRow } from '../src/directory/external/sync-runs'
import { registerTenant } from '../src/directory/tenants'
import { createLogger } from '../src/log'
import { createBunDeps, migrateDatabase, openDatabase } from '../src/runtime/bun'
import { startSlapd } from '../test/harness/slapd'
import { ldapDirectoryClient } from '../workers/sync/ldap-client'
import { runQueuedSyncs } from '../workers/sync/runner'
import {
  changeLdif,
  directoryLdif,
  groupName,
  groupsOf,
  mailOf,
  userName,
  type BenchDirectory,
} from './sync-slapd'

type Phase = 'first' | 'resync'

/** What a child reports on its one stdout line. */
interface PhaseReport {
  phase: Phase
  wallMs: number
  /** The run's own startedAt → finishedAt, as stored. */
  runMs: number
  usersSearchMs: number
  groupsSearchMs: number
  /** Time inside libSQL's `execute` and `batch` (SQLite and the driver), and what they ran. */
  databaseMs: number
  statements: number
  batches: number
  cpuMs: number
  run: Pick<
    SyncRunRow,
    'state' | 'created' | 'updated' | 'unchanged' | 'missing' | 'conflicts' | 'groups' | 'log'
  >
  /** VmHWM in KiB: before the sync (Bun, modules, open database), after the searches, at the end. */
  hwmBefore: number
  hwmAfterSearch: number
  hwmAfter: number
  heapUsed: number
}

const SECRET_KEY = 'bench-sync-'.padEnd(48, 'x')
const KiB = 1024
const MiB = 1024 * 1024

const vmHwm = (): number =>
  Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0)

const configFor = (databaseUrl: string) =>
  parseConfig({ DATABASE_URL: databaseUrl, SECRET_KEY, LOG_LEVEL: 'warn' })

async function openBench(databaseUrl: string) {
  const config = configFor(databaseUrl)
  const { db, client } = await openDatabase(config)
  const deps = createBunDeps(
    config,
    db,
    createLogger('warn', (line) => console.error(line)),
  )
  return { deps, db, client }
}

/** The child: one sync of the bench directory, timed, as one JSON line. */
async function runPhase(phase: Phase): Promise<void> {
  const { deps, db, client } = await openBench(process.env.DATABASE_URL!)
  const provider = await db.select().from(schema.directoryProviders).get()
  if (!provider) throw new Error('no external directory in the bench database')
  // drizzle builds each statement's SQL, then hands it to these two: what they take is SQLite and
  // the driver; the rest of the sync's own time is JavaScript (SQL building, mapping, the engine).
  let databaseMs = 0
  let statements = 0
  let batches = 0
  const timedDatabase =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now()
      try {
        return await call(...args)
      } finally {
        databaseMs += performance.now() - started
      }
    }
  const execute = client.execute.bind(client)
  const batch = client.batch.bind(client)
  client.execute = timedDatabase((...args: Parameters<typeof execute>) => {
    statements++
    return execute(...args)
  }) as typeof client.execute
  client.batch = timedDatabase((...args: Parameters<typeof batch>) => {
    statements += args[0].length
    batches++
    return batch(...args)
  })
  const ldap = ldapDirectoryClient()
  let usersSearchMs = 0
  let groupsSearchMs = 0
  let hwmAfterSearch = 0
  const timed: ExternalDirectoryClient = {
    ...ldap,
    async users(connection) {
      const started = performance.now()
      const users = await ldap.users(connection)
      usersSearchMs += performance.now() - started
      return users
    },
    async groups(connection) {
      const started = performance.now()
      const groups = await ldap.groups(connection)
      groupsSearchMs += performance.now() - started
      hwmAfterSearch = vmHwm()
      return groups
    },
  }

  const hwmBefore = vmHwm()
  const cpu = process.cpuUsage()
  const started = performance.now()
  const queued = await queueSync(
    deps,
    { id: provider.directoryId, tenantId: provider.tenantId },
    'manual',
  )
  await runQueuedSyncs(deps, timed)
  const wallMs = performance.now() - started
  const used = process.cpuUsage(cpu)
  const hwmAfter = vmHwm()

  const run = await db
    .select()
    .from(schema.directorySyncRuns)
    .where(eq(schema.directorySyncRuns.id, queued.id))
    .get()
  client.close()
  const report: PhaseReport = {
    phase,
    wallMs,
    runMs:
      run?.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : NaN,
    usersSearchMs,
    groupsSearchMs,
    databaseMs,
    statements,
    batches,
    cpuMs: (used.user + used.system) / 1000,
    run: run!,
    hwmBefore,
    hwmAfterSearch,
    hwmAfter,
    heapUsed: process.memoryUsage().heapUsed,
  }
  console.log(JSON.stringify(report))
}

/** CPU time slapd has used so far, in ms (utime + stime from /proc/<pid>/stat, all threads). */
function slapdCpuMs(pidFile: string): number {
  const pid = readFileSync(pidFile, 'utf8').trim()
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Fields 14 and 15 of stat(5), counted from the state (field 3), in clock ticks (USER_HZ = 100).
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Runs one sync in a fresh child process; answers its report and slapd's CPU meanwhile. */
async function spawnPhase(
  phase: Phase,
  databaseUrl: string,
  slapdPidFile: string,
): Promise<PhaseReport & { slapdCpuMs: number }> {
  const profile = process.env.PROFILE
  const flags = profile
    ? ['--cpu-prof-md', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=sync-${phase}.md`]
    : []
  const slapdBefore = slapdCpuMs(slapdPidFile)
  const child = Bun.spawn([process.execPath, ...flags, import.meta.path, '--child', phase], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const [stdout, exitCode] = await Promise.all([new Response(child.stdout).text(), child.exited])
  if (exitCode !== 0) throw new Error(`the ${phase} sync exited with ${exitCode}: ${stdout}`)
  const report = JSON.parse(stdout.trim().split('\n').pop()!) as PhaseReport
  return { ...report, slapdCpuMs: slapdCpuMs(slapdPidFile) - slapdBefore }
}

/** Fails loudly when the run's counts are not the expected ones. */
function expectCounts(report: PhaseReport, expected: Partial<PhaseReport['run']>): void {
  const wrong = Object.entries(expected).filter(
    ([key, value]) => report.run[key as keyof PhaseReport['run']] !== value,
  )
  if (wrong.length > 0) {
    const { log, ...counts } = report.run
    throw new Error(
      `the ${report.phase} sync: expected ${JSON.stringify(expected)}, got ${JSON.stringify(counts)}; log ${log}`,
    )
  }
}

/** Compares the directory's accounts, emails and memberships with the model. */
async function expectDirectory(
  databaseUrl: string,
  directoryId: string,
  d: BenchDirectory,
  changed: boolean,
): Promise<number> {
  const { db, client } = await openBench(databaseUrl)
  const { accounts, groups, groupMemberships } = schema
  const rows = await db
    .select({ username: accounts.username, email: accounts.email })
    .from(accounts)
    .where(eq(accounts.directoryId, directoryId))
    .all()
  const pairs = await db
    .select({ username: accounts.username, group: groups.name })
    .from(groupMemberships)
    .innerJoin(accounts, eq(accounts.id, groupMemberships.accountId))
    .innerJoin(groups, eq(groups.id, groupMemberships.groupId))
    .where(eq(groups.directoryId, directoryId))
    .all()
  client.close()
  const emails = new Map(rows.map((row) => [row.username, row.email]))
  const memberships = new Set(pairs.map((pair) => `${pair.username} ${pair.group}`))
  const problems: string[] = []
  let expectedMemberships = 0
  for (let i = 0; i < d.users; i++) {
    const name = userName(i)
    if (emails.get(name) !== mailOf(i, changed)) {
      problems.push(`${name}: email ${emails.get(name)}, expected ${mailOf(i, changed)}`)
    }
    for (const g of groupsOf(d, i, changed)) {
      expectedMemberships++
      if (!memberships.has(`${name} ${groupName(g)}`))
        problems.push(`${name} not in ${groupName(g)}`)
    }
  }
  if (rows.length !== d.users) problems.push(`${rows.length} accounts, expected ${d.users}`)
  if (pairs.length !== expectedMemberships) {
    problems.push(`${pairs.length} memberships, expected ${expectedMemberships}`)
  }
  if (problems.length > 0) {
    throw new Error(`after the sync, the directory differs:\n${problems.slice(0, 10).join('\n')}`)
  }
  return expectedMemberships
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const mib = (kib: number) => `${Math.round(kib / KiB)} MiB`
const count = (n: number) => n.toLocaleString('en')
const log = (message: string) => console.error(`sync bench: ${message}`)

/** A Markdown table with padded columns, as Prettier would leave it. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(3, ...rows.map((row) => row[c]!.length)))
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`
  return [line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join(
    '\n',
  )
}

type Measured = Awaited<ReturnType<typeof spawnPhase>>

interface Results {
  d: BenchDirectory
  seedMs: number
  modifyMs: number
  change: { mails: number; moved: number }
  memberships: number
  dbBytes: number
  first: Measured
  resync: Measured
}

const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`
const searchMs = (r: Measured) => r.usersSearchMs + r.groupsSearchMs
const scriptMs = (r: Measured) => r.wallMs - searchMs(r) - r.databaseMs

/** The Markdown section for bench/RESULTS.md. */
function section({ d, seedMs, modifyMs, change, memberships, dbBytes, first, resync }: Results) {
  const entries = d.users + d.groups
  const slapdVersion =
    /slapd (\S+)/.exec(Bun.spawnSync(['/usr/sbin/slapd', '-VV']).stderr.toString())?.[1] ?? '?'
  const row = (label: string, r: Measured, what: string) => [
    label,
    seconds(r.wallMs),
    count(Math.round(entries / (r.wallMs / 1000))),
    `${seconds(searchMs(r))} (${percent(searchMs(r), r.wallMs)})`,
    `${seconds(r.databaseMs)} (${percent(r.databaseMs, r.wallMs)}; ${count(r.statements)} statements)`,
    `${seconds(scriptMs(r))} (${percent(scriptMs(r), r.wallMs)})`,
    `${seconds(r.cpuMs)} / ${seconds(r.slapdCpuMs)}`,
    `**${mib(r.hwmAfter)}** (${mib(r.hwmBefore)} before the sync, ${mib(r.hwmAfterSearch)} after the searches)`,
    what,
  ]
  const rows = table([
    [
      'phase',
      'wall time',
      'entries/s',
      'LDAP searches',
      'libSQL (SQLite + driver)',
      'JavaScript (SQL building, mapping, GC)',
      'CPU: sync process / slapd',
      'peak RSS of the sync process (VmHWM)',
      'result',
    ],
    row(
      'first sync (empty directory)',
      first,
      `${count(first.run.created)} created, ${first.run.groups} groups, ${count(memberships)} memberships`,
    ),
    row(
      'resync, 1% changed',
      resync,
      `${resync.run.updated} updated, ${count(resync.run.unchanged)} unchanged, ${change.moved} memberships moved`,
    ),
  ])
  return `### Sync — ${new Date().toISOString().slice(0, 10)} (issue 8: \`bench/sync.ts\`)

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}; Bun ${Bun.version}, OpenLDAP slapd ${slapdVersion} (mdb, dbnosync, equality indexes on objectClass, uid, cn, mail, member; memberof overlay) on 127.0.0.1, sharing the machine. ${count(d.users)} inetOrgPerson users in ${d.groups} groupOfNames (${count(memberships)} memberships: each user in one group, every fifth in two), read with the generic preset (entryUUID as the stable id) through the service bind (slapd's rootdn), paged by 500, into the embedded libSQL file (WAL). Each sync runs in a fresh Bun process through the sync worker's \`runQueuedSyncs\` (queue, claim, search, write); one run.

${rows}

slapd was seeded in ${seconds(seedMs)} (one ldapadd of ${count(entries)} entries; not part of the figures). The change before the resync was one ldapmodify: ${change.mails} new mails and ${change.moved} memberships moved to another group (${seconds(modifyMs)}). Entries/s counts the ${count(entries)} entries read, users and groups. The runs' own startedAt → finishedAt: ${seconds(first.runMs)} and ${seconds(resync.runMs)}. JavaScript heap in use at the end: ${Math.round(first.heapUsed / MiB)} MiB and ${Math.round(resync.heapUsed / MiB)} MiB. Database file after the first sync: ${(dbBytes / MiB).toFixed(1)} MiB. After each run every account's email and every membership were compared with the model the LDIF came from: all equal.

Reading: the first sync is mostly writing. The two searches took ${seconds(searchMs(first))}, of which slapd used ${seconds(first.slapdCpuMs)} of CPU; the rest is mostly ldapts decoding ${count(entries)} entries in the sync process. libSQL ran ${count(first.statements)} statements (${count(first.batches)} transactions: accounts 4 rows per INSERT, memberships 16 rows per INSERT, progress updates) in ${seconds(first.databaseMs)}, and ${seconds(scriptMs(first))} went to JavaScript around them, mostly drizzle building each statement's SQL from its query object (a CPU profile with \`PROFILE=<dir>\` shows it). The resync writes only ${change.mails} accounts and ${change.moved * 2} membership rows, yet still reads every entry, loads the directory's ${count(d.users)} accounts and every group's memberships to compare them: ${percent(searchMs(resync), resync.wallMs)} search, ${percent(resync.databaseMs, resync.wallMs)} libSQL, ${percent(scriptMs(resync), resync.wallMs)} JavaScript. Memory: the sync process starts at ~${mib(first.hwmBefore)} (Bun, the engine's modules, the open database); holding the decoded entries takes it to ${mib(first.hwmAfterSearch)}, and the first sync's writes (statement objects, SQL strings, garbage the collector has not returned yet) to ${mib(first.hwmAfter)}; the resync peaks at ${mib(resync.hwmAfter)}.

Script: \`bun bench/sync.ts ${d.users} ${d.groups}\`.
`
}

async function main(): Promise<void> {
  const d: BenchDirectory = {
    suffix: 'dc=bench',
    users: Number(process.argv[2] ?? 10_000),
    groups: Number(process.argv[3] ?? 50),
  }
  const dir = mkdtempSync(join(tmpdir(), 'edgepass-bench-sync-'))
  const databaseUrl = `file:${join(dir, 'edgepass.db')}`
  // slapd's own watchdog removes it on any exit; the database directory is ours to remove.
  process.on('SIGINT', () => {
    rmSync(dir, { recursive: true, force: true })
    process.exit(130)
  })
  let slapd: Awaited<ReturnType<typeof startSlapd>> | undefined
  try {
    log(`seeding slapd with ${d.users} users in ${d.groups} groups`)
    const seedStarted = performance.now()
    slapd = await startSlapd({ suffix: d.suffix, seed: directoryLdif(d) })
    const seedMs = performance.now() - seedStarted
    const pidFile = join(slapd.dir, 'slapd.pid')

    const { deps, db, client } = await openBench(databaseUrl)
    await migrateDatabase(db)
    const { tenant } = await registerTenant(deps, {
      tenantNameKey: 'bench',
      email: 'admin@bench.example.org',
      givenName: 'Bench',
      surname: 'Admin',
      password: 'Bench-admin-1234',
    })
    const directory = await createExternalDirectory(
      deps,
      tenant.id,
      { name: 'Bench LDAP' },
      {
        url: slapd.url,
        baseDn: `ou=people,${d.suffix}`,
        bindDn: slapd.adminDn,
        bindPassword: slapd.adminPassword,
        groupBaseDn: `ou=groups,${d.suffix}`,
        syncGroups: true,
      },
    )
    client.close()

    log('first sync')
    const first = await spawnPhase('first', databaseUrl, pidFile)
    expectCounts(first, {
      state: 'succeeded',
      created: d.users,
      updated: 0,
      unchanged: 0,
      missing: 0,
      conflicts: 0,
      groups: d.groups,
    })
    const memberships = await expectDirectory(databaseUrl, directory.id, d, false)
    const dbBytes = statSync(join(dir, 'edgepass.db')).size

    const change = changeLdif(d)
    const modifyStarted = performance.now()
    await slapd.modify(change.ldif)
    const modifyMs = performance.now() - modifyStarted

    log('resync')
    const resync = await spawnPhase('resync', databaseUrl, pidFile)
    expectCounts(resync, {
      state: 'succeeded',
      created: 0,
      updated: change.mails,
      unchanged: d.users - change.mails,
      missing: 0,
      conflicts: 0,
      groups: d.groups,
    })
    await expectDirectory(databaseUrl, directory.id, d, true)

    console.log(section({ d, seedMs, modifyMs, change, memberships, dbBytes, first, resync }))
  } finally {
    await slapd?.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child') await runPhase(process.argv[3] as Phase)
else await main()
