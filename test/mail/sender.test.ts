import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { parseConfig, type LogLevel } from '../../src/config'
import type { Deps } from '../../src/deps'
import { createLogger } from '../../src/log'
import { queueMail, type MailMessage } from '../../src/mail/outbox'
import {
  deliverDueMail,
  LEASE_MS,
  MAX_ATTEMPTS,
  RETRY_DELAYS_MS,
  type DeliverySummary,
} from '../../src/mail/sender'
import { createBunDeps } from '../../src/runtime/bun'
import { createSealer } from '../../src/security/seal'
import { runBatch } from '../../src/store/db'
import { startTarget, testEnv, type Target } from '../harness/targets'

const RESEND_API_KEY = 're_test_sender_0123456789'
const TOKEN = 'single-use-token-4f2a9c'
const START = new Date('2030-01-01T08:00:00.000Z')

const MESSAGE: MailMessage = {
  tenantId: 'tenant-sender',
  accountId: null,
  workflow: 'verification',
  to: 'ada@example.com',
  from: 'Edgepass <id@example.com>',
  subject: 'Verify your email',
  text: `Verify: https://id.example.com/verify?sptoken=${TOKEN}`,
  html: `<a href="https://id.example.com/verify?sptoken=${TOKEN}">Verify</a>`,
}

const NOTHING: DeliverySummary = { sent: 0, retried: 0, failed: 0, logged: 0 }

describe('mail sender', () => {
  let target: Target
  let clock: Date
  let nextId: number
  /** What the stand-in for Resend received, in order. */
  let requests: Request[]
  let answer: (request: Request) => Response | Promise<Response>

  const at = (ms: number) => new Date(START.getTime() + ms)
  const resendAnswers = (status: number, body: unknown) => () =>
    new Response(JSON.stringify(body), { status })

  /** Sender deps over the target's database, with the test's clock, ids and Resend. */
  function senderDeps(options: { apiKey?: string; logLevel?: LogLevel; lines?: string[] } = {}) {
    const { apiKey = RESEND_API_KEY, logLevel = 'info', lines = [] } = options
    const config = parseConfig(
      testEnv({ LOG_LEVEL: logLevel, ...(apiKey ? { RESEND_API_KEY: apiKey } : {}) }),
    )
    const log = createLogger(config.logLevel, (line) => lines.push(line))
    const deps: Deps = {
      ...createBunDeps(config, target.db, log),
      now: () => clock,
      newId: () => `mail-${++nextId}`,
      fetch: async (input, init) => {
        const request = new Request(input, init)
        requests.push(request)
        return answer(request)
      },
    }
    return deps
  }

  async function queue(deps: Deps, message: Partial<MailMessage> = {}): Promise<string> {
    await runBatch(deps.db, await queueMail(deps, { ...MESSAGE, ...message }))
    return `mail-${nextId}`
  }

  const rowOf = async (id: string) =>
    (await target.db.select().from(schema.outbox).where(eq(schema.outbox.id, id)).get())!

  beforeAll(async () => {
    target = await startTarget('bun', {
      env: { RESEND_API_KEY },
      outbound: (request) => answer(request),
    })
  })
  afterAll(() => target.stop())
  beforeEach(async () => {
    await target.db.delete(schema.outbox)
    clock = START
    nextId = 0
    requests = []
    answer = resendAnswers(200, { id: 're-message' })
  })

  test('a 5xx is retried: still queued, attempt counted, reason kept, due again after 30 s; then sent', async () => {
    const deps = senderDeps()
    const id = await queue(deps)
    answer = resendAnswers(503, { statusCode: 503, message: 'Down', name: 'application_error' })

    expect(await deliverDueMail(deps)).toEqual({ ...NOTHING, retried: 1 })
    expect(await rowOf(id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastError: 'Resend answered 503: Down (application_error)',
      nextAttemptAt: at(30_000),
      sentAt: null,
    })

    clock = at(29_999)
    expect(await deliverDueMail(deps)).toEqual(NOTHING)
    expect(requests).toHaveLength(1)

    clock = at(30_000)
    answer = resendAnswers(200, { id: 're-message-42' })
    expect(await deliverDueMail(deps)).toEqual({ ...NOTHING, sent: 1 })
    expect(requests).toHaveLength(2)
    expect(await rowOf(id)).toMatchObject({
      status: 'sent',
      attempts: 2,
      providerMessageId: 're-message-42',
      sentAt: at(30_000),
      lastError: null,
    })
    // Both attempts were the same mail to Resend, so it can drop a duplicate.
    expect(requests.map((r) => r.headers.get('idempotency-key'))).toEqual([id, id])
  })

  test('a 4xx fails the mail with Resend’s reason, and it is not tried again', async () => {
    const deps = senderDeps()
    const id = await queue(deps)
    answer = resendAnswers(422, {
      statusCode: 422,
      message: 'Invalid `to` field.',
      name: 'validation_error',
    })

    expect(await deliverDueMail(deps)).toEqual({ ...NOTHING, failed: 1 })
    expect(await rowOf(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'Resend answered 422: Invalid `to` field. (validation_error)',
    })

    clock = at(24 * 3_600_000)
    expect(await deliverDueMail(deps)).toEqual(NOTHING)
    expect(requests).toHaveLength(1)
  })

  test('retries back off 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, then the mail fails', async () => {
    const deps = senderDeps()
    const id = await queue(deps)
    answer = resendAnswers(500, { statusCode: 500, message: 'Oops', name: 'internal_server_error' })

    const waits: number[] = []
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      expect(await deliverDueMail(deps)).toEqual({ ...NOTHING, retried: 1 })
      const row = await rowOf(id)
      waits.push(row.nextAttemptAt.getTime() - clock.getTime())
      clock = row.nextAttemptAt
    }
    expect(waits).toEqual([30, 120, 600, 1_800, 3_600, 10_800, 21_600].map((s) => s * 1000))
    expect(waits).toEqual(RETRY_DELAYS_MS)

    expect(await deliverDueMail(deps)).toEqual({ ...NOTHING, failed: 1 })
    expect(requests).toHaveLength(MAX_ATTEMPTS)
    expect(MAX_ATTEMPTS).toBe(8)
    expect(await rowOf(id)).toMatchObject({
      status: 'failed',
      attempts: 8,
      lastError: 'Resend answered 500: Oops (internal_server_error) (gave up after 8 attempts)',
    })
  })

  test('double send: two senders running at once send each mail exactly once', async () => {
    const deps = senderDeps()
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push(await queue(deps, { to: `user${i}@example.com` }))
    answer = async (request) => {
      await Bun.sleep(5) // a slow Resend, so the senders' work interleaves
      return Response.json({ id: `re-${request.headers.get('idempotency-key')}` })
    }

    const summaries = await Promise.all([deliverDueMail(deps), deliverDueMail(deps)])

    const sentKeys = requests.map((r) => r.headers.get('idempotency-key')).sort()
    expect(sentKeys).toEqual([...ids].sort())
    expect(summaries[0]!.sent + summaries[1]!.sent).toBe(6)
    for (const id of ids) {
      expect(await rowOf(id)).toMatchObject({
        status: 'sent',
        attempts: 1,
        providerMessageId: `re-${id}`,
      })
    }
  })

  test('a mail whose sender died mid-attempt is sent again after the lease, with the same Idempotency-Key', async () => {
    const deps = senderDeps()
    const id = await queue(deps)
    // What a claim leaves behind when the process dies before recording the outcome.
    await target.db
      .update(schema.outbox)
      .set({ attempts: 1, nextAttemptAt: at(LEASE_MS) })
      .where(eq(schema.outbox.id, id))

    clock = at(LEASE_MS - 1)
    expect(await deliverDueMail(deps)).toEqual(NOTHING)
    clock = at(LEASE_MS)
    expect(await deliverDueMail(deps)).toEqual({ ...NOTHING, sent: 1 })
    expect(requests.map((r) => r.headers.get('idempotency-key'))).toEqual([id])
    expect(await rowOf(id)).toMatchObject({ status: 'sent', attempts: 2 })
  })

  test('a body sealed with another SECRET_KEY fails the mail without calling Resend', async () => {
    const deps = senderDeps()
    const id = await queue({
      ...deps,
      sealer: createSealer('another-secret-key-0123456789-abcdef'),
    })

    expect(await deliverDueMail(deps)).toEqual({ ...NOTHING, failed: 1 })
    expect(requests).toHaveLength(0)
    expect((await rowOf(id)).lastError).toContain('SECRET_KEY')
  })

  test('token leak: without RESEND_API_KEY mail is only logged — addressee and subject, never the body', async () => {
    const lines: string[] = []
    const deps = senderDeps({ apiKey: '', lines })
    const id = await queue(deps, { accountId: 'account-1' })

    expect(await deliverDueMail(deps)).toEqual({ ...NOTHING, logged: 1 })
    expect(requests).toHaveLength(0)
    expect(await rowOf(id)).toMatchObject({ status: 'logged', attempts: 0, sentAt: null })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      outboxId: id,
      workflow: 'verification',
      to: 'ada@example.com',
      subject: 'Verify your email',
    })
    for (const line of lines) {
      expect(line).not.toContain(TOKEN)
      expect(line).not.toContain('Verify:')
    }

    expect(await deliverDueMail(deps)).toEqual(NOTHING) // logged once, not on every run
  })

  test('at debug level the text body is logged too, so a developer can follow the link', async () => {
    const lines: string[] = []
    const deps = senderDeps({ apiKey: '', logLevel: 'debug', lines })
    await queue(deps)

    await deliverDueMail(deps)
    const debug = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'debug')
    expect(debug).toEqual([expect.objectContaining({ text: MESSAGE.text })])
  })

  test('a run takes at most its batch, oldest first', async () => {
    const deps = senderDeps()
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      clock = at(i * 1000)
      ids.push(await queue(deps))
    }
    expect(await deliverDueMail(deps, { batchSize: 2 })).toEqual({ ...NOTHING, sent: 2 })
    expect(requests.map((r) => r.headers.get('idempotency-key'))).toEqual(ids.slice(0, 2))
  })
})
