import { expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { queueMail, type MailMessage } from '../../src/mail/outbox'
import { newId } from '../../src/security/ids'
import { createSealer } from '../../src/security/seal'
import type { OutboxRow } from '../../src/store/rows'
import { runBatch } from '../../src/store/db'
import { describeTargets, TEST_SECRET_KEY, type Target } from '../harness/targets'
import { expectError } from './api-client'
import { adminClient, idOf, V1, type AdminClient, type Json } from './directory-helpers'

const RESEND_API_KEY = 're_test_outbox_0123456789'
const TOKEN = 'sptoken-7d1e'

const OUTBOX_KEYS = [
  'href',
  'workflow',
  'to',
  'from',
  'subject',
  'textBody',
  'htmlBody',
  'status',
  'attempts',
  'lastError',
  'providerMessageId',
  'nextAttemptAt',
  'sentAt',
  'createdAt',
  'modifiedAt',
  'account',
]

/** What the stand-in for Resend received, by target: the idempotency keys of the mails sent. */
const sentToResend: string[] = []

/**
 * Writes a mail into `tenantId`'s outbox as a workflow would, then puts it in `state`. Sealed
 * with the test SECRET_KEY, which both targets' apps open bodies with.
 */
async function seedMail(
  target: Target,
  tenantId: string,
  message: Partial<MailMessage>,
  state: Partial<OutboxRow>,
  createdAt: Date,
): Promise<string> {
  const id = newId()
  const deps = {
    db: target.db,
    sealer: createSealer(TEST_SECRET_KEY),
    newId: () => id,
    now: () => createdAt,
  }
  const mail: MailMessage = {
    tenantId,
    accountId: null,
    workflow: 'verification',
    to: 'ada@example.com',
    from: 'Edgepass <id@example.com>',
    subject: 'Verify your email',
    text: `Verify: http://edgepass.test/verify?sptoken=${TOKEN}`,
    html: `<a href="http://edgepass.test/verify?sptoken=${TOKEN}">Verify</a>`,
    ...message,
  }
  await runBatch(target.db, await queueMail(deps, mail))
  await target.db.update(schema.outbox).set(state).where(eq(schema.outbox.id, id))
  return id
}

const rowOf = async (target: Target, id: string) =>
  (await target.db.select().from(schema.outbox).where(eq(schema.outbox.id, id)).get())!

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000
  let value = await read()
  while (!done(value) && Date.now() < deadline) {
    await Bun.sleep(25)
    value = await read()
  }
  return value
}

describeTargets(
  'outbox',
  (target) => {
    let a: AdminClient
    let b: AdminClient
    let tenantA: string
    /** Tenant A's seeded mails, oldest first. */
    const mails: Record<'failed' | 'logged' | 'sent' | 'queued', string> = {
      failed: '',
      logged: '',
      sent: '',
      queued: '',
    }
    const outboxOf = (client: AdminClient) => `${client.tenantHref}/outbox`
    const hrefOf = (id: string) => `${V1}/outbox/${id}`
    const idsIn = (body: Json) => body.items.map((item: Json) => idOf(item.href))

    test('the tenant links its outbox; GET lists its mail newest first, as mail resources', async () => {
      a = await adminClient(target, 'outbox-a')
      b = await adminClient(target, 'outbox-b')
      tenantA = idOf(a.tenantHref)
      const account = idOf(a.admin.accountHref)
      const start = Date.now() - 60_000
      const at = (seconds: number) => new Date(start + seconds * 1000)
      mails.failed = await seedMail(
        target,
        tenantA,
        { accountId: account },
        { status: 'failed', attempts: 8, lastError: 'Resend answered 422: Invalid `to` field.' },
        at(1),
      )
      mails.logged = await seedMail(
        target,
        tenantA,
        { workflow: 'reset', to: 'bob@example.com', subject: 'Reset your password' },
        { status: 'logged' },
        at(2),
      )
      mails.sent = await seedMail(
        target,
        tenantA,
        { workflow: 'welcome', to: 'cy@example.com', subject: 'Welcome', html: undefined },
        { status: 'sent', attempts: 1, providerMessageId: 're-sent-1', sentAt: at(4) },
        at(3),
      )
      // Due tomorrow, so no delivery started by another request takes it during the suite.
      mails.queued = await seedMail(
        target,
        tenantA,
        { to: 'dee@example.com' },
        {
          attempts: 2,
          lastError: 'Resend answered 503: Down',
          nextAttemptAt: new Date(Date.now() + 86_400_000),
        },
        at(5),
      )

      expect((await a.get(a.tenantHref)).body.outbox).toEqual({ href: outboxOf(a) })
      const reply = await a.get(outboxOf(a))
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ href: outboxOf(a), offset: 0, limit: 25 })
      const ids: string[] = idsIn(reply.body)
      const seeded = [mails.queued, mails.sent, mails.logged, mails.failed]
      expect(ids.filter((id) => seeded.includes(id))).toEqual(seeded)

      const items = new Map<string, Json>(
        reply.body.items.map((item: Json) => [idOf(item.href), item]),
      )
      for (const item of items.values())
        expect(Object.keys(item).sort()).toEqual([...OUTBOX_KEYS].sort())
      expect(items.get(mails.failed)).toEqual({
        href: hrefOf(mails.failed),
        workflow: 'verification',
        to: 'ada@example.com',
        from: 'Edgepass <id@example.com>',
        subject: 'Verify your email',
        textBody: `Verify: http://edgepass.test/verify?sptoken=${TOKEN}`,
        htmlBody: `<a href="http://edgepass.test/verify?sptoken=${TOKEN}">Verify</a>`,
        status: 'failed',
        attempts: 8,
        lastError: 'Resend answered 422: Invalid `to` field.',
        providerMessageId: null,
        nextAttemptAt: null,
        sentAt: null,
        createdAt: at(1).toISOString(),
        modifiedAt: expect.any(String),
        account: { href: a.admin.accountHref },
      })
      expect(items.get(mails.sent)).toMatchObject({
        status: 'sent',
        htmlBody: null,
        providerMessageId: 're-sent-1',
        sentAt: at(4).toISOString(),
        account: null,
      })
      expect(items.get(mails.queued)).toMatchObject({
        status: 'queued',
        nextAttemptAt: (await rowOf(target, mails.queued)).nextAttemptAt.toISOString(),
      })
    })

    test('GET /outbox/:id reads one mail, and expands its account', async () => {
      const reply = await a.get(hrefOf(mails.failed))
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ href: hrefOf(mails.failed), status: 'failed' })
      const expanded = await a.get(`${hrefOf(mails.failed)}?expand=account`)
      expect(expanded.body.account).toMatchObject({
        href: a.admin.accountHref,
        email: a.admin.email,
      })
      expectError(await a.get(hrefOf('no-such-mail')), 404, 404)
    })

    test('the outbox is searchable by status, workflow and to', async () => {
      const search = async (query: string) => {
        const reply = await a.get(`${outboxOf(a)}?${query}`)
        expect(reply.status).toBe(200)
        return reply.body.items as Json[]
      }
      const failed = await search('status=FAILED')
      expect(failed.map((item) => idOf(item.href))).toContain(mails.failed)
      expect(failed.every((item) => item.status === 'failed')).toBe(true)

      const resets = await search('workflow=reset')
      expect(resets.map((item) => idOf(item.href))).toEqual([mails.logged])

      expect((await search('to=CY@example.com')).map((item) => idOf(item.href))).toEqual([
        mails.sent,
      ])
      const toExample = (await search('to=*@example.com')).map((item) => idOf(item.href))
      expect(toExample).toEqual(expect.arrayContaining(Object.values(mails)))
      expect(await search('to=nobody@example.com')).toEqual([])
    })

    test('tenant isolation: another tenant’s outbox is invisible', async () => {
      expectError(await b.get(outboxOf(a)), 404, 404)
      expectError(await b.get(hrefOf(mails.failed)), 404, 404)
      expectError(await b.post(hrefOf(mails.failed), { status: 'queued' }), 404, 404)
      expect(await rowOf(target, mails.failed)).toMatchObject({ status: 'failed', attempts: 8 })

      const own = await b.get(outboxOf(b))
      expect(own.status).toBe(200)
      expect(idsIn(own.body).filter((id: string) => Object.values(mails).includes(id))).toEqual([])
      const rowsOfB = await target.db
        .select()
        .from(schema.outbox)
        .where(eq(schema.outbox.tenantId, idOf(b.tenantHref)))
        .all()
      expect(own.body.size).toBe(rowsOfB.length)
    })

    test('POST with another status, none, or on mail that is not failed or logged is refused and writes nothing', async () => {
      const before = await rowOf(target, mails.failed)
      expectError(await a.post(hrefOf(mails.failed), { status: 'sent' }), 400, 2002, 'status')
      expectError(await a.post(hrefOf(mails.failed), { status: 'QUEUED' }), 400, 2002, 'status')
      expectError(await a.post(hrefOf(mails.failed), {}), 400, 2000, 'status')
      expect(await rowOf(target, mails.failed)).toEqual(before)

      for (const id of [mails.sent, mails.queued]) {
        const unchanged = await rowOf(target, id)
        expectError(await a.post(hrefOf(id), { status: 'queued' }), 400, 2002, 'status')
        expect(await rowOf(target, id)).toEqual(unchanged)
      }
      expect((await a.delete(hrefOf(mails.failed))).status).toBe(405)
    })

    test('POST {status: "queued"} sends a failed mail again: attempts reset, delivered at once', async () => {
      // Stormpath SDKs post whole resources: read-only fields in the body are ignored.
      const reply = await a.post(hrefOf(mails.failed), {
        status: 'queued',
        to: 'mallory@example.com',
        attempts: 99,
      })
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        href: hrefOf(mails.failed),
        status: 'queued',
        attempts: 0,
        to: 'ada@example.com',
      })
      expect(Date.parse(reply.body.nextAttemptAt)).toBeLessThanOrEqual(Date.now())

      const row = await eventually(
        () => rowOf(target, mails.failed),
        (r) => r.status === 'sent',
      )
      expect(row).toMatchObject({
        status: 'sent',
        attempts: 1,
        providerMessageId: `re-${mails.failed}`,
        toAddress: 'ada@example.com',
      })
      expect(sentToResend.filter((key) => key === mails.failed)).toHaveLength(1)
    })

    test('a logged mail (no RESEND_API_KEY at the time) can be sent once a key is set', async () => {
      const reply = await a.post(hrefOf(mails.logged), { status: 'queued' })
      expect(reply.body).toMatchObject({ status: 'queued', attempts: 0 })
      const row = await eventually(
        () => rowOf(target, mails.logged),
        (r) => r.status === 'sent',
      )
      expect(row.providerMessageId).toBe(`re-${mails.logged}`)
    })
  },
  {
    env: { RESEND_API_KEY },
    outbound: (request) => {
      if (request.url !== 'https://api.resend.com/emails') {
        return new Response('unexpected', { status: 502 })
      }
      const key = request.headers.get('idempotency-key') ?? ''
      sentToResend.push(key)
      return Response.json({ id: `re-${key}` })
    },
  },
)
