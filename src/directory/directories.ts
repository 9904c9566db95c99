import { and, eq, inArray, or } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import type { DirectoryRow, Status } from '../store/rows'
import type { BatchStatement } from '../store/db'
import { renumberMappings } from '../store/mappings'
import { inTenant } from '../store/scoped'
import { refusingDuplicates, updateNamedRow } from './duplicates'

export interface DirectoryInput {
  name?: string
  description?: string
  status?: Status
}

/**
 * Creates a directory with its three policies (password, account creation, account locking).
 * An external directory comes with its provider's id and rows (`external`), in the same batch.
 */
export async function createDirectory(
  deps: Deps,
  tenantId: string,
  input: DirectoryInput & { name: string },
  external?: { id: string; providerId: string; also: BatchStatement[] },
): Promise<DirectoryRow> {
  const now = deps.now()
  const row: DirectoryRow = {
    id: external?.id ?? deps.newId(),
    tenantId,
    name: input.name.trim(),
    description: input.description ?? '',
    status: input.status ?? 'ENABLED',
    providerId: external?.providerId ?? 'stormpath',
    isAdmin: false,
    version: 1,
    createdAt: now,
    modifiedAt: now,
    customData: '{}',
    customDataModifiedAt: null,
  }
  const { db } = deps
  await refusingDuplicates(() =>
    db.batch([
      db.insert(schema.directories).values(row),
      db
        .insert(schema.directoryPolicies)
        .values({ directoryId: row.id, tenantId, createdAt: now, modifiedAt: now }),
      ...(external?.also ?? []),
    ] as unknown as Parameters<typeof db.batch>[0]),
  )
  return row
}

export async function updateDirectory(
  deps: Deps,
  directory: DirectoryRow,
  input: DirectoryInput,
): Promise<DirectoryRow> {
  if (directory.isAdmin && input.status === 'DISABLED') {
    throw new EdgepassError('invalid_value', 'The administrators directory cannot be disabled.', {
      field: 'status',
    })
  }
  // The Node SDK trusts an access token's key only if its account's directory bears this exact
  // name (stormpath-api reference §5.1), so renaming it would lock SDK clients out. The SDK's
  // save() posts the unchanged name back, which is fine.
  if (directory.isAdmin && input.name !== undefined && input.name.trim() !== directory.name) {
    throw new EdgepassError('invalid_value', 'The administrators directory cannot be renamed.', {
      field: 'name',
    })
  }
  return updateNamedRow(deps, schema.directories, directory, { ...input }, 'directory')
}

/**
 * Deletes a directory and everything that belongs to it — accounts, their memberships, API keys
 * and sessions, groups and their memberships, mappings to it or its groups, its policies — in
 * one batch, without database cascades (DESIGN.md, "Portable SQL"). Subqueries keep every
 * statement at a handful of parameters however large the directory.
 */
export async function deleteDirectory(deps: Deps, directory: DirectoryRow): Promise<void> {
  if (directory.isAdmin) {
    throw new EdgepassError('invalid_value', 'The administrators directory cannot be deleted.', {
      developerMessage:
        'Stormpath Administrators is required for API access and cannot be deleted.',
    })
  }
  const { db } = deps
  const { accounts, groups, groupMemberships, apiKeys, apiSessions, accountStoreMappings } = schema
  const directoryAccounts = db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.directoryId, directory.id))
  const directoryGroups = db
    .select({ id: groups.id })
    .from(groups)
    .where(eq(groups.directoryId, directory.id))
  await db.batch([
    db
      .delete(groupMemberships)
      .where(
        or(
          inArray(groupMemberships.accountId, directoryAccounts),
          inArray(groupMemberships.groupId, directoryGroups),
        ),
      ),
    db.delete(apiKeys).where(inArray(apiKeys.accountId, directoryAccounts)),
    db.delete(apiSessions).where(inArray(apiSessions.accountId, directoryAccounts)),
    db
      .delete(schema.accountTokens)
      .where(inArray(schema.accountTokens.accountId, directoryAccounts)),
    db.delete(schema.emailTemplates).where(eq(schema.emailTemplates.directoryId, directory.id)),
    db
      .delete(accountStoreMappings)
      .where(
        and(
          eq(accountStoreMappings.tenantId, directory.tenantId),
          or(
            eq(accountStoreMappings.storeId, directory.id),
            inArray(accountStoreMappings.storeId, directoryGroups),
          ),
        ),
      ),
    db.delete(accounts).where(eq(accounts.directoryId, directory.id)),
    db.delete(groups).where(eq(groups.directoryId, directory.id)),
    db
      .delete(schema.directoryPolicies)
      .where(eq(schema.directoryPolicies.directoryId, directory.id)),
    db
      .delete(schema.directoryProviders)
      .where(eq(schema.directoryProviders.directoryId, directory.id)),
    db
      .delete(schema.directorySyncRuns)
      .where(eq(schema.directorySyncRuns.directoryId, directory.id)),
    db
      .delete(schema.directories)
      .where(inTenant(schema.directories, directory.tenantId, directory.id)),
    renumberMappings(db, directory.tenantId),
  ])
}
