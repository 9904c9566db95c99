/**
 * The workerd target: the bundle `wrangler deploy --dry-run` produces (built once per test run),
 * served by Miniflare over an in-memory D1, migrated from the host with drizzle's D1 migrator
 * (edge-runtime reference §3 and §8).
 */
import { drizzle } from 'drizzle-orm/d1'
import { migrate } from 'drizzle-orm/d1/migrator'
import { Miniflare, Request as MiniflareRequest, Response as MiniflareResponse } from 'miniflare'
import { rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as schema from '../../db/schema'
import { buildWorkerBundle, type WorkerBundle } from '../../src/runtime/cli/build-worker'
import { REPO_ROOT } from '../../src/runtime/cli/wrangler'
import { MIGRATIONS_FOLDER } from '../../src/runtime/bun'
import type { Database } from '../../src/store/db'
import { refuseOutbound, type Target, type TargetOptions } from './targets'

// Per process, so concurrent test runs (several engineers, one checkout) do not collide.
const TEST_BUNDLE_DIR = join(tmpdir(), `edgepass-test-worker-${process.pid}`)
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304])

let bundle: Promise<WorkerBundle> | undefined

/** The Worker bundle, built on first use and shared by every suite of the run. */
export function workerBundle(): Promise<WorkerBundle> {
  bundle ??= buildWorkerBundle(TEST_BUNDLE_DIR)
  return bundle
}

/** Removes this run's bundle (called once after all tests by test/harness/preload.ts). */
export function removeWorkerBundle(): void {
  rmSync(TEST_BUNDLE_DIR, { recursive: true, force: true })
}

async function compatibilityDate(): Promise<string> {
  const toml = Bun.TOML.parse(await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8'))
  return (toml as { compatibility_date: string }).compatibility_date
}

export async function startWorkerd(
  options: TargetOptions,
  bindings: Record<string, string>,
): Promise<Target> {
  const built = await workerBundle()
  const modules = await Promise.all(
    built.modules.map(async (name) => ({
      type: name.endsWith('.wasm') ? ('CompiledWasm' as const) : ('ESModule' as const),
      path: join(built.outdir, name),
      contents: await readFile(join(built.outdir, name)),
    })),
  )
  const mf = new Miniflare({
    modules,
    modulesRoot: built.outdir,
    compatibilityDate: await compatibilityDate(),
    compatibilityFlags: ['nodejs_compat'],
    d1Databases: { DB: `edgepass-test-${crypto.randomUUID()}` },
    bindings,
    host: '127.0.0.1',
    port: 0,
    cf: false,
    outboundService: async (request: MiniflareRequest) => {
      const outbound = options.outbound ?? refuseOutbound
      return toMiniflareResponse(await outbound(await toBunRequest(request)))
    },
  })
  await mf.ready
  const db = drizzle(await mf.getD1Database('DB'), { schema }) as unknown as Database
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder: MIGRATIONS_FOLDER })
  return {
    name: 'workerd',
    db,
    request: async (path, init = {}) => {
      const url = new URL(path, 'http://edgepass.test')
      const response = await mf.dispatchFetch(url, { ...(init as object), redirect: 'manual' })
      return toBunResponse(response)
    },
    stop: () => mf.dispose(),
  }
}

/** Miniflare answers with undici's Response; tests compare against Bun's. */
async function toBunResponse(response: {
  status: number
  statusText: string
  headers: Iterable<[string, string]>
  arrayBuffer(): Promise<ArrayBuffer>
}): Promise<Response> {
  const headers = new Headers()
  for (const [name, value] of response.headers) headers.append(name, value)
  const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer()
  return new Response(body, { status: response.status, statusText: response.statusText, headers })
}

async function toBunRequest(request: MiniflareRequest): Promise<Request> {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  return new Request(request.url, {
    method: request.method,
    headers: [...request.headers],
    body: hasBody ? await request.arrayBuffer() : undefined,
  })
}

async function toMiniflareResponse(response: Response): Promise<MiniflareResponse> {
  const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer()
  return new MiniflareResponse(body, { status: response.status, headers: [...response.headers] })
}
