/**
 * Platform benchmark (issue "Platform"): Bun cold start to the first 200 from /ready, workerd's
 * first-request latency, and the Worker bundle's gzipped size. Prints a Markdown section for
 * bench/RESULTS.md.
 *
 *   bun bench/platform.ts [runs=5]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, totalmem, tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatKiB } from '../src/runtime/cli/build-worker'
import { REPO_ROOT } from '../src/runtime/cli/wrangler'
import { freePort, startServer, waitForReady } from '../test/harness/process'
import { testEnv } from '../test/harness/targets'
import { startWorkerd, workerBundle } from '../test/harness/workerd'

const runs = Number(process.argv[2] ?? 5)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`

/** Fresh directory each run: no database, no secret — what a first `npm start` does. */
async function bunColdStart(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'edgepass-bench-'))
  const server = await startServer(dir)
  await server.stop()
  await rm(dir, { recursive: true, force: true })
  return server.readyAfterMs
}

/** Same directory: the database and secret exist, migrations are already applied. */
async function bunWarmStart(dir: string): Promise<number> {
  const server = await startServer(dir)
  await server.stop()
  return server.readyAfterMs
}

async function workerdFirstRequest(): Promise<{
  startMs: number
  firstMs: number
  nextMs: number
}> {
  const started = performance.now()
  const worker = await startWorkerd({}, testEnv())
  const startMs = performance.now() - started
  let at = performance.now()
  await (await worker.request('/ready')).text()
  const firstMs = performance.now() - at
  const later: number[] = []
  for (let i = 0; i < 20; i++) {
    at = performance.now()
    await (await worker.request('/ready')).text()
    later.push(performance.now() - at)
  }
  await worker.stop()
  return { startMs, firstMs, nextMs: median(later) }
}

/** `npm run dev:worker` as a developer runs it: spawn → first 200 (migrations applied first). */
async function wranglerDevStart(): Promise<number> {
  const persist = await mkdtemp(join(tmpdir(), 'edgepass-bench-dev-'))
  const port = freePort()
  const started = performance.now()
  const child = Bun.spawn(
    [process.execPath, 'src/runtime/cli/dev-worker.ts', '--persist-to', persist],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: String(port) },
      stdout: 'ignore',
      stderr: 'ignore',
    },
  )
  const ready = await waitForReady(port, child, 30_000)
  const elapsed = performance.now() - started
  child.kill('SIGINT')
  await child.exited
  await rm(persist, { recursive: true, force: true })
  if (!ready) throw new Error('wrangler dev did not become ready')
  return elapsed
}

const bundleStarted = performance.now()
const bundle = await workerBundle()
const bundleMs = performance.now() - bundleStarted

const cold: number[] = []
for (let i = 0; i < runs; i++) cold.push(await bunColdStart())
const warmDir = await mkdtemp(join(tmpdir(), 'edgepass-bench-'))
const warm: number[] = []
for (let i = 0; i < runs; i++) warm.push(await bunWarmStart(warmDir))
await rm(warmDir, { recursive: true, force: true })
const workerd: Awaited<ReturnType<typeof workerdFirstRequest>>[] = []
for (let i = 0; i < runs; i++) workerd.push(await workerdFirstRequest())
const dev: number[] = []
for (let i = 0; i < runs; i++) dev.push(await wranglerDevStart())

const cpu = cpus()[0]?.model ?? 'unknown CPU'
console.log(`### Platform — ${new Date().toISOString().slice(0, 10)}

Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Bun ${Bun.version}, Node 20 (wrangler CLI), wrangler 4.86.0 / workerd 1.20260426.1. ${runs} runs each, medians.

| measure | median | runs |
|---|---|---|
| Bun cold start (fresh dir: secret generated, DB created, migrations) → first 200 from \`/ready\` | ${fmt(median(cold))} | ${cold.map(fmt).join(', ')} |
| Bun warm start (existing DB and secret) → first 200 from \`/ready\` | ${fmt(median(warm))} | ${warm.map(fmt).join(', ')} |
| workerd (Miniflare) start + D1 migrate | ${fmt(median(workerd.map((w) => w.startMs)))} | ${workerd.map((w) => fmt(w.startMs)).join(', ')} |
| workerd first request (\`/ready\`, isolate builds the app, first D1 query) | ${fmt(median(workerd.map((w) => w.firstMs)))} | ${workerd.map((w) => fmt(w.firstMs)).join(', ')} |
| \`npm run dev:worker\` (\`d1 migrations apply\` + \`wrangler dev\`) → first 200 from \`/ready\` | ${fmt(median(dev))} | ${dev.map(fmt).join(', ')} |
| workerd later requests (median of 20 per run) | ${median(workerd.map((w) => w.nextMs)).toFixed(1)} ms | |
| Worker bundle (\`wrangler deploy --dry-run\`, ${bundle.modules.join(', ')}) | ${formatKiB(bundle.bytes)}, **${formatKiB(bundle.gzipBytes)} gzip** | built in ${fmt(bundleMs)} |
`)
