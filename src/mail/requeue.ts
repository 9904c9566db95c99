import { and, eq, inArray } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import type { OutboxRow } from '../store/rows'
import { inTenant } from '../store/scoped'

const { outbox } = schema

/**
 * Mail an administrator may send again: given up on (`failed`), or only logged because no
 * RESEND_API_KEY was set at the time. Queued mail is already on its way and sent mail has gone.
 */
export const REQUEUEABLE = ['failed', 'logged'] as const

export type RequeueOutcome =
  { kind: 'queued'; row: OutboxRow } | { kind: 'not_requeueable'; status: OutboxRow['status'] }

/**
 * Puts a failed or logged mail back in the queue, due at once, with a fresh set of attempts.
 * The update checks the status itself, so a concurrent change cannot be overwritten.
 *
 * @example
 * const outcome = await requeueMail(deps, row)
 * if (outcome.kind === 'queued') deliverInBackground(c, deps)
 */
export async function requeueMail(
  deps: Pick<Deps, 'db' | 'now'>,
  row: OutboxRow,
): Promise<RequeueOutcome> {
  const now = deps.now()
  const [queued] = await deps.db
    .update(outbox)
    .set({ status: 'queued', attempts: 0, nextAttemptAt: now, modifiedAt: now })
    .where(and(inTenant(outbox, row.tenantId, row.id), inArray(outbox.status, REQUEUEABLE)))
    .returning()
  if (queued) return { kind: 'queued', row: queued }
  const current = await deps.db
    .select({ status: outbox.status })
    .from(outbox)
    .where(eq(outbox.id, row.id))
    .get()
  return { kind: 'not_requeueable', status: current?.status ?? row.status }
}
