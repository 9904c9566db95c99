/**
 * The outbox: every mail is a row first, written in the same batch as the change that caused it
 * (an account created, a token issued), so no mail is lost and none goes out for a change that
 * failed. The sender (`sender.ts`) delivers queued rows afterwards.
 */
import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import type { BatchStatement } from '../store/db'
import type { OutboxRow } from '../store/rows'

/** A rendered mail, ready to queue. */
export interface MailMessage {
  tenantId: string
  /** The account the mail is about, for the admin's outbox listing. */
  accountId: string | null
  /** The workflow step that produced it (`verification`, `reset`, …). */
  workflow: string
  to: string
  /** `Name <address>` or a bare address. */
  from: string
  subject: string
  text?: string
  html?: string
}

export interface MailBody {
  text?: string
  html?: string
}

/** Bodies carry single-use links, so they are sealed to the row they belong to. */
function bodyContext(id: string): string {
  return `outbox:${id}`
}

/**
 * The insert that queues `message`, for the caller's batch; the row is due at once. It comes
 * wrapped in an array because drizzle's statements are thenables: an async function returning
 * one bare would run it on the spot, outside the batch.
 *
 * @example
 * await runBatch(deps.db, [insertAccount, ...(await queueMail(deps, message))])
 */
export async function queueMail(
  deps: Pick<Deps, 'db' | 'sealer' | 'newId' | 'now'>,
  message: MailMessage,
): Promise<BatchStatement[]> {
  return [deps.db.insert(schema.outbox).values(await outboxRow(deps, message))]
}

/**
 * Like {@link queueMail}, but the row is only written if `condition` holds when the batch runs
 * (e.g. "this failure is the one that locked the account"), for mails whose cause is decided
 * by the database rather than by the request.
 */
export async function queueMailWhen(
  deps: Pick<Deps, 'db' | 'sealer' | 'newId' | 'now'>,
  message: MailMessage,
  condition: SQL,
): Promise<BatchStatement[]> {
  const row = await outboxRow(deps, message)
  // `insert … select` lists every column in table order (drizzle's insert-select form, which
  // unlike a raw statement can join a D1 batch), so the select yields one value per column.
  const values = Object.entries(getTableColumns(schema.outbox)).map(([name, column]) => {
    const value = row[name as keyof typeof row]
    if (value !== undefined) return sql`${column.mapToDriverValue(value)}`
    return column.default === undefined ? sql`null` : sql`${column.default}`
  })
  return [
    deps.db
      .insert(schema.outbox)
      .select(sql`select ${sql.join(values, sql`, `)} where ${condition}`),
  ]
}

async function outboxRow(
  deps: Pick<Deps, 'sealer' | 'newId' | 'now'>,
  message: MailMessage,
): Promise<typeof schema.outbox.$inferInsert> {
  const id = deps.newId()
  const now = deps.now()
  const body: MailBody = { text: message.text, html: message.html }
  return {
    id,
    tenantId: message.tenantId,
    accountId: message.accountId,
    workflow: message.workflow,
    toAddress: message.to,
    fromAddress: message.from,
    subject: message.subject,
    bodySealed: await deps.sealer.seal(JSON.stringify(body), bodyContext(id)),
    status: 'queued',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    modifiedAt: now,
  }
}

/** Opens a queued mail's text and HTML bodies. */
export async function openMailBody(deps: Pick<Deps, 'sealer'>, row: OutboxRow): Promise<MailBody> {
  return JSON.parse(await deps.sealer.open(row.bodySealed, bodyContext(row.id))) as MailBody
}
