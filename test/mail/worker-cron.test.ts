/**
 * The Worker's cron trigger runs the mail sender. The shared targets have no way to fire a
 * scheduled event, so this suite starts its own Miniflare the way `test/harness/workerd.ts`
 * does, over the same bundle.
 */
import { afterEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { migrate } from 'drizzle-orm/d1/migrator'
import { Miniflare, Response as MiniflareResponse, type Request as MfRequest } from 'miniflare'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as schema from '../../db/schema'
import { queueMail } from '../../src/mail/outbox'
import { MIGRATIONS_FOLDER } from '../../src/runtime/bun'
import { REPO_ROOT } from '../../src/runtime/cli/wrangler'
import { newId } from '../../src/security/ids'
import { createSealer } from '../../src/security/seal'
import { runBatch, type Database } from '../../src/store/db'
import { TARGETS, TEST_SECRET_KEY, testEnv } from '../harness/targets'
import { workerBundle } from '../harness/workerd'

const CRON = '*/5 * * * *'

interface ScheduledWorker {
  mf: Miniflare
  db: Database
  /** Idempotency keys of the requests that reached the stand-in for Resend. */
  sent: string[]
}

async function startWorker(bindings: Record<string, string>): Promise<ScheduledWorker> {
  const built = await workerBundle()
  const modules = await Promise.all(
    built.modules.map(async (name) => ({
      type: name.endsWith('.wasm') ? ('CompiledWasm' as const) : ('ESModule' as const),
      path: join(built.outdir, name),
      contents: await readFile(join(built.outdir, name)),
    })),
  )
  const toml = Bun.TOML.parse(await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8')) as {
    compatibility_date: string
    triggers: { crons: string[] }
  }
  expect(toml.triggers.crons).toEqual([CRON])
  const sent: string[] = []
  const mf = new Miniflare({
    modules,
    modulesRoot: built.outdir,
    compatibilityDate: toml.compatibility_date,
    compatibilityFlags: ['nodejs_compat'],
    d1Databases: { DB: `edgepass-scheduled-${crypto.randomUUID()}` },
    bindings,
    host: '127.0.0.1',
    port: 0,
    cf: false,
    outboundService: async (request: MfRequest) => {
      const key = request.headers.get('idempotency-key') ?? ''
      if (request.url === 'https://api.resend.com/emails') sent.push(key)
      return new MiniflareResponse(JSON.stringify({ id: `re-${key}` }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      })
    },
  })
  await mf.ready
  const db = drizzle(await mf.getD1Database('DB'), { schema }) as unknown as Database
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder: MIGRATIONS_FOLDER })
  return { mf, db, sent }
}

/** Queues a mail due now, sealed with the test SECRET_KEY, and returns its id. */
async function queueDueMail(db: Database): Promise<string> {
  const id = newId()
  const deps = { db, sealer: createSealer(TEST_SECRET_KEY), newId: () => id, now: () => new Date() }
  const message = {
    tenantId: 'tenant-scheduled',
    accountId: null,
    workflow: 'verification',
    to: 'ada@example.com',
    from: 'Edgepass <id@example.com>',
    subject: 'Verify your email',
    text: 'Verify: http://edgepass.test/verify?sptoken=abc',
  }
  await runBatch(db, await queueMail(deps, message))
  return id
}

/**
 * Fires the cron trigger as Cloudflare would. (Miniflare types the Worker's stub with workerd's
 * `Fetcher`, which this tsconfig does not include.)
 */
async function fireCron(mf: Miniflare): Promise<{ outcome: string }> {
  const fetcher = (await mf.getWorker()) as unknown as {
    scheduled(options: { cron: string }): Promise<{ outcome: string }>
  }
  return fetcher.scheduled({ cron: CRON })
}

const statusOf = async (db: Database, id: string) =>
  (await db.select().from(schema.outbox).where(eq(schema.outbox.id, id)).get())?.status

describe.if(TARGETS.includes('workerd'))('Worker cron trigger [workerd]', () => {
  let worker: ScheduledWorker | undefined
  afterEach(async () => {
    await worker?.mf.dispose()
    worker = undefined
  })

  test('the scheduled event delivers due mail through Resend', async () => {
    worker = await startWorker(testEnv({ RESEND_API_KEY: 're_test_scheduled_0123456789' }))
    const id = await queueDueMail(worker.db)

    const result = await fireCron(worker.mf)

    expect(result.outcome).toBe('ok')
    expect(worker.sent).toEqual([id])
    expect(await statusOf(worker.db, id)).toBe('sent')
  })

  test('a misconfigured Worker’s scheduled event sends nothing and does not fail', async () => {
    // No SECRET_KEY: the same problem every request would answer 503 for.
    worker = await startWorker({ BASE_URL: 'https://id.example.com', LOG_LEVEL: 'silent' })
    const id = await queueDueMail(worker.db)

    const result = await fireCron(worker.mf)

    expect(result.outcome).toBe('ok')
    expect(worker.sent).toEqual([])
    expect(await statusOf(worker.db, id)).toBe('queued')
  })
})
