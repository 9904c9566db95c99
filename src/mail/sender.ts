/**
 * The sender: delivers due outbox rows through Resend, with retries. It runs after a request
 * that queued mail (`delivery.ts`), every 30 s on Bun and from the Worker's cron trigger, so
 * several senders may run at once; each row is claimed atomically before it is sent.
 */
import { and, asc, eq, lte, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { describeError } from '../log'
import type { OutboxRow } from '../store/rows'
import { openMailBody, type MailBody } from './outbox'
import { resendTransport, type DeliveryOutcome, type MailTransport } from './resend'

const { outbox } = schema

/** Rows taken per run: a run after a request must finish within the request's grace period. */
export const DEFAULT_BATCH_SIZE = 20

/**
 * How long a claimed row is left to its sender before another may take it: longer than an
 * attempt can last (Resend's 10 s timeout), short enough that a crashed sender delays little.
 */
export const LEASE_MS = 2 * 60_000

/**
 * Waits after the 1st, 2nd, … failed attempt: 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h. The
 * 8th attempt is the last ({@link MAX_ATTEMPTS}), about 10 h 45 min after the first, so an
 * outage of an evening is ridden out while a reset link is still worth having.
 */
export const RETRY_DELAYS_MS = [30, 120, 600, 1_800, 3_600, 10_800, 21_600].map((s) => s * 1000)
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1

export type SenderDeps = Pick<Deps, 'db' | 'sealer' | 'now' | 'log' | 'config' | 'fetch'>

export interface DeliverOptions {
  batchSize?: number
  /** Default: Resend when `config.email.resendApiKey` is set; without one, mail is only logged. */
  transport?: MailTransport
}

/** What one run did; rows another sender claimed first are in none of the counts. */
export interface DeliverySummary {
  sent: number
  retried: number
  failed: number
  logged: number
}

type Changes = Partial<typeof outbox.$inferInsert>

/**
 * Delivers up to `batchSize` queued rows whose `nextAttemptAt` has come, oldest first, one at a
 * time (Resend's default rate limit is 2 requests per second).
 *
 * @example
 * const { sent, retried, failed } = await deliverDueMail(deps)
 */
export async function deliverDueMail(
  deps: SenderDeps,
  options: DeliverOptions = {},
): Promise<DeliverySummary> {
  const apiKey = deps.config.email.resendApiKey
  const transport =
    options.transport ?? (apiKey ? resendTransport({ apiKey, fetch: deps.fetch }) : undefined)
  const due = await deps.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.status, 'queued'), lte(outbox.nextAttemptAt, deps.now())))
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(options.batchSize ?? DEFAULT_BATCH_SIZE)
    .all()
  const summary: DeliverySummary = { sent: 0, retried: 0, failed: 0, logged: 0 }
  for (const row of due) {
    const result = transport ? await deliverOne(deps, transport, row) : await logOne(deps, row)
    if (result) summary[result]++
  }
  return summary
}

/**
 * The row's next state after an attempt: the table from outcome to status. `attempts` counts
 * the attempt just made.
 */
export function settle(outcome: DeliveryOutcome, attempts: number, now: Date): Changes {
  switch (outcome.kind) {
    case 'sent':
      return {
        status: 'sent',
        providerMessageId: outcome.providerMessageId,
        sentAt: now,
        lastError: null,
      }
    case 'rejected':
      return { status: 'failed', lastError: outcome.reason }
    case 'retry':
      if (attempts >= MAX_ATTEMPTS) {
        return {
          status: 'failed',
          lastError: `${outcome.reason} (gave up after ${attempts} attempts)`,
        }
      }
      return {
        status: 'queued',
        lastError: outcome.reason,
        nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
      }
  }
}

/** The wait after the `attempts`-th failed attempt (see {@link RETRY_DELAYS_MS}). */
export function retryDelayMs(attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1
  return RETRY_DELAYS_MS[index]!
}

async function deliverOne(
  deps: SenderDeps,
  transport: MailTransport,
  row: OutboxRow,
): Promise<Exclude<keyof DeliverySummary, 'logged'> | undefined> {
  const claimedAt = deps.now()
  const lease = new Date(claimedAt.getTime() + LEASE_MS)
  // The claim succeeds only if the row is still as it was read: of two senders that read it,
  // one changes it and the other finds nothing to change, so no mail goes out twice.
  const [claimed] = await deps.db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, nextAttemptAt: lease, modifiedAt: claimedAt })
    .where(unchanged(row.id, row.nextAttemptAt))
    .returning()
  if (!claimed) return undefined

  const outcome = await attempt(deps, transport, claimed)
  const now = deps.now()
  // Written only if no sender has taken the row since (possible once the lease ran out): the
  // later attempt's outcome is the one that counts.
  await deps.db
    .update(outbox)
    .set({ ...settle(outcome, claimed.attempts, now), modifiedAt: now })
    .where(unchanged(claimed.id, lease))

  const fields = { outboxId: row.id, workflow: row.workflow, attempts: claimed.attempts }
  if (outcome.kind === 'sent') {
    deps.log.info('mail sent', { ...fields, providerMessageId: outcome.providerMessageId })
    return 'sent'
  }
  const failed = outcome.kind === 'rejected' || claimed.attempts >= MAX_ATTEMPTS
  deps.log.warn(failed ? 'mail failed' : 'mail delivery will be retried', {
    ...fields,
    reason: outcome.reason,
  })
  return failed ? 'failed' : 'retried'
}

async function attempt(
  deps: SenderDeps,
  transport: MailTransport,
  row: OutboxRow,
): Promise<DeliveryOutcome> {
  let body: MailBody
  try {
    body = await openMailBody(deps, row)
  } catch {
    // Sealed with another SECRET_KEY, or damaged: no later attempt will open it either.
    return {
      kind: 'rejected',
      reason: 'the sealed body cannot be opened (was SECRET_KEY changed?)',
    }
  }
  try {
    return await transport.send({
      outboxId: row.id,
      from: row.fromAddress,
      to: row.toAddress,
      subject: row.subject,
      text: body.text,
      html: body.html,
    })
  } catch (error) {
    // Transports report failures as outcomes; one that throws is retried like a network error.
    deps.log.error('mail transport threw', { outboxId: row.id, ...describeError(error) })
    return { kind: 'retry', reason: 'the mail transport failed unexpectedly' }
  }
}

/**
 * Without a transport (no RESEND_API_KEY: development, tests) a mail is marked `logged` and
 * logged without its body, which carries single-use links; at debug level the text body is
 * logged too, so a developer can follow a verification link.
 */
async function logOne(deps: SenderDeps, row: OutboxRow): Promise<'logged' | undefined> {
  const now = deps.now()
  const [logged] = await deps.db
    .update(outbox)
    .set({ status: 'logged', modifiedAt: now })
    .where(unchanged(row.id, row.nextAttemptAt))
    .returning({ id: outbox.id })
  if (!logged) return undefined
  deps.log.info('mail not sent: no RESEND_API_KEY', {
    outboxId: row.id,
    workflow: row.workflow,
    to: row.toAddress,
    subject: row.subject,
  })
  if (deps.config.logLevel === 'debug') {
    const body = await openMailBody(deps, row).catch(() => undefined)
    deps.log.debug('mail text body', { outboxId: row.id, text: body?.text ?? null })
  }
  return 'logged'
}

/**
 * The row, as long as it is still queued with this `nextAttemptAt`: the compare-and-set that
 * stands in for a transaction (D1 has none).
 */
function unchanged(id: string, nextAttemptAt: Date) {
  return and(
    eq(outbox.id, id),
    eq(outbox.status, 'queued'),
    eq(outbox.nextAttemptAt, nextAttemptAt),
  )
}
