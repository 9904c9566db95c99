/**
 * Runs the same HTTP suite against every target (edge-runtime reference §8):
 *  - `bun`: the app in-process (`app.fetch`) over libSQL on a temporary file, as `npm start`;
 *  - `workerd`: the real deploy bundle in workerd (Miniflare) over an in-memory D1.
 *
 * TARGETS=bun (or workerd) narrows a run. A suite is one call:
 *
 * @example
 * describeTargets('health', (target) => {
 *   test('answers', async () => expect((await target.request('/health')).status).toBe(200))
 * })
 */
import { afterAll, beforeAll, describe } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app'
import { parseConfig } from '../../src/config'
import { createLogger } from '../../src/log'
import { createBunDeps, migrateDatabase, openDatabase } from '../../src/runtime/bun'
import type { Database } from '../../src/store/db'
import { startWorkerd } from './workerd'

export type TargetName = 'bun' | 'workerd'

export const TEST_BASE_URL = 'http://edgepass.test'
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef-0123456789'

export interface TargetOptions {
  /** Extra configuration variables (bindings on workerd). */
  env?: Record<string, string>
  /** Answers every outbound `fetch` of the app (Resend, upstream IdPs). Default: 502. */
  outbound?: (request: Request) => Response | Promise<Response>
  /** Receives the app's log lines (bun target only; workerd's go to Miniflare). */
  onLog?: (line: string) => void
}

export interface Target {
  readonly name: TargetName
  /** A request to the app, as a client at TEST_BASE_URL would send it. Redirects are not followed. */
  request(path: string, init?: RequestInit): Promise<Response>
  /** The target's own database (libSQL file or D1), for seeding and inspecting. */
  readonly db: Database
  stop(): Promise<void>
}

export const TARGETS: TargetName[] = (process.env.TARGETS ?? 'bun,workerd')
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is TargetName => name === 'bun' || name === 'workerd')

export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { BASE_URL: TEST_BASE_URL, SECRET_KEY: TEST_SECRET_KEY, LOG_LEVEL: 'silent', ...extra }
}

export const refuseOutbound = (request: Request) =>
  new Response(`no outbound network in tests: ${request.method} ${request.url}`, { status: 502 })

export async function startTarget(name: TargetName, options: TargetOptions = {}): Promise<Target> {
  return name === 'bun' ? startBun(options) : startWorkerd(options, testEnv(options.env))
}

async function startBun(options: TargetOptions): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'edgepass-test-'))
  const config = parseConfig(
    testEnv({
      DATABASE_URL: `file:${join(dir, 'edgepass.db')}`,
      ...(options.onLog ? { LOG_LEVEL: 'info' } : {}),
      ...options.env,
    }),
  )
  const { db, client } = await openDatabase(config)
  await migrateDatabase(db)
  const log = createLogger(config.logLevel, options.onLog ?? (() => {}))
  const outbound = options.outbound ?? refuseOutbound
  const deps = createBunDeps(config, db, log)
  const app = createApp({
    ...deps,
    fetch: async (input, init) => outbound(new Request(input, init)),
  })
  return {
    name: 'bun',
    db,
    request: async (path, init) => app.fetch(new Request(new URL(path, TEST_BASE_URL), init)),
    stop: async () => {
      client.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * One `describe` per target, started before its tests and stopped after them. `body` gets a
 * handle that is valid inside tests and hooks.
 */
export function describeTargets(
  title: string,
  body: (target: Target) => void,
  options: TargetOptions = {},
): void {
  describe.each(TARGETS)(`${title} [%s]`, (name) => {
    let started: Target | undefined
    const current = (): Target => {
      if (!started) throw new Error(`target ${name} is not started yet: use it inside a test`)
      return started
    }
    beforeAll(async () => {
      started = await startTarget(name, options)
    })
    afterAll(async () => {
      await started?.stop()
    })
    body({
      name,
      request: (path, init) => current().request(path, init),
      get db() {
        return current().db
      },
      stop: () => current().stop(),
    })
  })
}
