import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import {
  refuseExternalDeletion,
  refuseExternalGroupChange,
  refuseExternalMembership,
} from './external/guards'
import type { AccountRow, DirectoryRow, GroupRow, MembershipRow, Status } from '../store/rows'
import { renumberMappings } from '../store/mappings'
import { inTenant } from '../store/scoped'
import { refusingDuplicates, updateNamedRow } from './duplicates'

export interface GroupInput {
  name?: string
  description?: string
  status?: Status
}

export async function createGroup(
  deps: Deps,
  directory: DirectoryRow,
  input: GroupInput & { name: string },
): Promise<GroupRow> {
  const now = deps.now()
  const row: GroupRow = {
    id: deps.newId(),
    tenantId: directory.tenantId,
    directoryId: directory.id,
    name: input.name.trim(),
    description: input.description ?? '',
    status: input.status ?? 'ENABLED',
    version: 1,
    createdAt: now,
    modifiedAt: now,
    customData: '{}',
    customDataModifiedAt: null,
    externalId: null,
  }
  await refusingDuplicates(() => deps.db.insert(schema.groups).values(row))
  return row
}

export async function updateGroup(
  deps: Deps,
  group: GroupRow,
  input: GroupInput,
): Promise<GroupRow> {
  refuseExternalGroupChange(group, input)
  return updateNamedRow(deps, schema.groups, group, { ...input }, 'group')
}

/** Deletes a group, its memberships and the mappings that use it as an account store. */
export async function deleteGroup(deps: Deps, group: GroupRow): Promise<void> {
  refuseExternalDeletion(group)
  const { db } = deps
  const mappings = schema.accountStoreMappings
  await db.batch([
    db.delete(schema.groupMemberships).where(eq(schema.groupMemberships.groupId, group.id)),
    db
      .delete(mappings)
      .where(and(eq(mappings.tenantId, group.tenantId), eq(mappings.storeId, group.id))),
    db.delete(schema.groups).where(inTenant(schema.groups, group.tenantId, group.id)),
    renumberMappings(db, group.tenantId),
  ])
}

/** Adds an account to a group of the same directory (a group holds only its directory's accounts). */
export async function addMembership(
  deps: Deps,
  account: AccountRow,
  group: GroupRow,
): Promise<MembershipRow> {
  refuseExternalMembership(group)
  if (account.directoryId !== group.directoryId) {
    throw new EdgepassError(
      'invalid_value',
      'The account and the group must be in the same directory.',
      {
        field: 'group',
      },
    )
  }
  const now = deps.now()
  const row: MembershipRow = {
    id: deps.newId(),
    tenantId: account.tenantId,
    accountId: account.id,
    groupId: group.id,
    createdAt: now,
    modifiedAt: now,
  }
  await refusingDuplicates(() => deps.db.insert(schema.groupMemberships).values(row))
  return row
}

export async function removeMembership(deps: Deps, membership: MembershipRow): Promise<void> {
  const group = await deps.db
    .select()
    .from(schema.groups)
    .where(eq(schema.groups.id, membership.groupId))
    .get()
  if (group) refuseExternalMembership(group)
  await deps.db
    .delete(schema.groupMemberships)
    .where(inTenant(schema.groupMemberships, membership.tenantId, membership.id))
}
