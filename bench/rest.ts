/**
 * REST benchmark (issue "Directory core"): with 100,000 accounts in one directory, requests/s
 * and p50/p99 for `GET /v1/accounts/:id`, a search by email, a collection page and a login
 * attempt, on Bun over the embedded libSQL file; beside them a bare Hono-on-Bun JSON handler as
 * the ceiling. Also the database size per 100,000 accounts. Prints a Markdown section.
 *
 *   bun bench/rest.ts [accounts=100000] [seconds=8] [concurrency=8]
 */
import { createClient } from '@libsql/client'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../src/runtime/cli/wrangler'
import { bootstrapAdmin } from '../test/harness/admin'
import { freePort, startServer } from '../test/harness/process'
import type { LoadPlan, LoadResult } from './load'

const ACCOUNTS = Number(process.argv[2] ?? 100_000)
const SECONDS = Number(process.argv[3] ?? 8)
const CONCURRENCY = Number(process.argv[4] ?? 8)
const PASSWORD = 'Bench-pass-1234'

const dir = await mkdtemp(join(tmpdir(), 'edgepass-bench-rest-'))
const dbFile = join(dir, 'data/edgepass.db')
const env = { LOG_LEVEL: 'warn' }

// 1. A tenant, an application with its own directory, and one real account (for its hash).
let server = await startServer(dir, env)
let base = `http://localhost:${server.port}`
const admin = await bootstrapAdmin((path, init) => fetch(`${base}${path}`, init), 'bench')
const auth = { authorization: admin.basic, 'content-type': 'application/json' }
const application = (await (
  await fetch(`${base}/v1/applications?createDirectory=true&expand=defaultAccountStoreMapping`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'Bench App' }),
  })
).json()) as { href: string; defaultAccountStoreMapping: { accountStore: { href: string } } }
const directoryId = application.defaultAccountStoreMapping.accountStore.href.split('/').pop()!
const applicationId = application.href.split('/').pop()!
const probe = await fetch(`${base}/v1/directories/${directoryId}/accounts`, {
  method: 'POST',
  headers: auth,
  body: JSON.stringify({
    email: 'probe@bench.example.com',
    password: PASSWORD,
    givenName: 'Probe',
  }),
})
if (probe.status !== 201) throw new Error(`account creation failed: ${await probe.text()}`)
await server.stop()

// 2. Seed the accounts straight into the file (hashing 100,000 passwords would take an hour);
//    they share the probe's real argon2id hash.
const sizeBefore = (await stat(dbFile)).size
const client = createClient({ url: `file:${dbFile}` })
const { rows } = await client.execute(
  `select tenant_id, password_hash from accounts where email = 'probe@bench.example.com'`,
)
const { tenant_id: tenantId, password_hash: hash } = rows[0] as unknown as {
  tenant_id: string
  password_hash: string
}
const idOf = (i: number) => `bench${String(i).padStart(17, '0')}`
const emailOf = (i: number) => `user${i}@bench.example.com`
const seedStarted = performance.now()
for (let start = 0; start < ACCOUNTS; start += 1000) {
  const statements = []
  for (let i = start; i < Math.min(ACCOUNTS, start + 1000); i++) {
    const at = Date.UTC(2026, 0, 1) + i * 1000
    statements.push({
      sql: `insert into accounts (id, tenant_id, directory_id, email, username, given_name, surname, status, email_verification_status, password_hash, password_modified_at, created_at, modified_at, custom_data)
            values (?, ?, ?, ?, ?, ?, ?, 'ENABLED', 'UNKNOWN', ?, ?, ?, ?, ?)`,
      args: [
        idOf(i),
        tenantId,
        directoryId,
        emailOf(i),
        emailOf(i),
        `Given${i}`,
        `Surname${i}`,
        hash,
        at,
        at,
        at,
        JSON.stringify({ level: i % 10 }),
      ],
    })
  }
  await client.batch(statements, 'write')
}
const seedSeconds = (performance.now() - seedStarted) / 1000
client.close()
const sizeAfter = (await stat(dbFile)).size

// 3. Load, from a separate process, against the seeded server and against the bare ceiling.
async function load(name: string, plan: LoadPlan): Promise<LoadResult> {
  const file = join(dir, `${name}.json`)
  await writeFile(file, JSON.stringify(plan))
  const child = Bun.spawn([process.execPath, join(REPO_ROOT, 'bench/load.ts'), file], {
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const output = await new Response(child.stdout).text()
  await child.exited
  return JSON.parse(output) as LoadResult
}
const sample = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * ACCOUNTS))
const plan = (requests: LoadPlan['requests'], ok?: number[]): LoadPlan => ({
  requests,
  concurrency: CONCURRENCY,
  seconds: SECONDS,
  ok,
})

server = await startServer(dir, env)
base = `http://localhost:${server.port}`
const basic = { authorization: admin.basic }
const results: [string, LoadResult][] = []
results.push([
  '`GET /v1/accounts/:id`',
  await load(
    'get',
    plan(
      sample(2000).map((i) => ({
        method: 'GET',
        url: `${base}/v1/accounts/${idOf(i)}`,
        headers: basic,
      })),
    ),
  ),
])
results.push([
  '`GET /v1/directories/:id/accounts?email=…` (search by email)',
  await load(
    'search',
    plan(
      sample(2000).map((i) => ({
        method: 'GET',
        url: `${base}/v1/directories/${directoryId}/accounts?email=${emailOf(i)}`,
        headers: basic,
      })),
    ),
  ),
])
results.push([
  '`GET /v1/directories/:id/accounts` (first page, 25 items, with total)',
  await load(
    'page',
    plan([
      { method: 'GET', url: `${base}/v1/directories/${directoryId}/accounts`, headers: basic },
    ]),
  ),
])
results.push([
  '`POST /v1/applications/:id/loginAttempts` (argon2id verify)',
  await load(
    'login',
    plan(
      sample(5000).map((i) => ({
        method: 'POST',
        url: `${base}/v1/applications/${applicationId}/loginAttempts`,
        headers: { ...basic, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'basic', value: btoa(`${emailOf(i)}:${PASSWORD}`) }),
      })),
    ),
  ),
])
await server.stop()

const ceilingPort = freePort()
const ceiling = Bun.spawn([process.execPath, join(REPO_ROOT, 'bench/ceiling.ts')], {
  env: { ...process.env, PORT: String(ceilingPort) },
  stdout: 'pipe',
})
const reader = ceiling.stdout.getReader()
await reader.read() // "ready"
const bare = await load(
  'ceiling',
  plan([{ method: 'GET', url: `http://localhost:${ceilingPort}/json` }]),
)
ceiling.kill()
await ceiling.exited
await rm(dir, { recursive: true, force: true })

const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(2)} ms | ${r.p99Ms.toFixed(2)} ms | ${(r.rps / bare.rps).toFixed(3)}${r.errors ? ` | **${r.errors} errors**: ${r.firstError}` : ''}`
console.log(`### REST — ${new Date().toISOString().slice(0, 10)}

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Bun ${Bun.version}; server and load generator (a second Bun process, closed loop, ${CONCURRENCY} connections, ${SECONDS} s per row) share the machine. ${ACCOUNTS.toLocaleString('en')} accounts in one directory on the embedded libSQL file, Basic authentication with an admin API key on every request.

| request | req/s | p50 | p99 | ratio to ceiling |
|---|---|---|---|---|
${results.map(([name, r]) => `| ${name} | ${fmt(r)} |`).join('\n')}
| ceiling: bare Hono-on-Bun JSON handler | ${fmt(bare)} |

Database size: ${((sizeAfter - sizeBefore) / 2 ** 20).toFixed(1)} MiB for ${ACCOUNTS.toLocaleString('en')} accounts (${((sizeAfter - sizeBefore) / ACCOUNTS).toFixed(0)} bytes per account, indexes included; custom data \`{"level": n}\`), seeded in ${seedSeconds.toFixed(1)} s.
`)
