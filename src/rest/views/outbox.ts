import { desc, eq } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import { openMailBody, type MailBody } from '../../mail/outbox'
import type { OutboxRow, TenantRow } from '../../store/rows'
import {
  commonSearchable,
  searchable,
  timestamps,
  type CollectionSource,
  type LinkSpec,
  type View,
} from './core'
import { accountView, collection, linkTo } from './directory'

const { outbox, accounts } = schema

/** An outbox row with its opened body (undefined when it cannot be opened). */
export type OutboxItem = OutboxRow & { body?: MailBody }

/**
 * A mail of the outbox, for the tenant's administrators: they may read what was sent to their
 * users, links included, as they could reset the passwords themselves.
 */
export const outboxView: View<OutboxItem> = {
  prepare: async (scope, row) => ({
    ...row,
    // Sealed with an earlier SECRET_KEY: the rest of the row is still worth showing.
    body: await openMailBody(scope.deps, row).catch(() => undefined),
  }),
  attributes: (scope, row) => ({
    href: scope.hrefs.of('outbox', row.id),
    workflow: row.workflow,
    to: row.toAddress,
    from: row.fromAddress,
    subject: row.subject,
    textBody: row.body?.text ?? null,
    htmlBody: row.body?.html ?? null,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    providerMessageId: row.providerMessageId,
    // Only queued mail has a next attempt; otherwise the column holds the last lease.
    nextAttemptAt: row.status === 'queued' ? row.nextAttemptAt.toISOString() : null,
    sentAt: row.sentAt?.toISOString() ?? null,
    ...timestamps(row),
  }),
  links: {
    account: linkTo(
      'accounts',
      accounts,
      (row: OutboxItem) => row.accountId,
      () => accountView,
    ),
  },
}

/** Newest first: an administrator looks for the mail that just did not arrive. */
export const outboxSource: CollectionSource<OutboxItem> = {
  table: outbox,
  view: outboxView,
  spec: {
    searchable: {
      ...commonSearchable(outbox),
      status: searchable('status', outbox.status),
      workflow: searchable('text', outbox.workflow),
      to: searchable('text', outbox.toAddress),
      subject: searchable('text', outbox.subject),
      sentAt: searchable('date', outbox.sentAt),
    },
    sortable: {
      createdAt: outbox.createdAt,
      modifiedAt: outbox.modifiedAt,
      status: outbox.status,
      workflow: outbox.workflow,
      to: outbox.toAddress,
      sentAt: outbox.sentAt,
    },
    defaultOrder: [desc(outbox.createdAt), desc(outbox.id)],
  },
}

/**
 * The tenant's `outbox` collection link. A function declaration, as the link builders in
 * `./directory` are: the tenant view calls it while this module may still be initialising.
 */
export function tenantOutbox(): LinkSpec<TenantRow> {
  return collection(
    'tenants',
    'outbox',
    () => outboxSource,
    (_, row) => eq(outbox.tenantId, row.id),
  )
}
