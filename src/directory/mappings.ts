import { and, count, eq, gte, ne, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { runBatch } from '../store/db'
import { isConstraintError } from '../store/errors'
import { renumberMappings } from '../store/mappings'
import type { MappingRow } from '../store/rows'
import { inTenant } from '../store/scoped'

const mappings = schema.accountStoreMappings

export type MappingOwner = { type: 'application' | 'organization'; id: string; tenantId: string }
export type StoreRef = { type: 'directory' | 'group' | 'organization'; id: string }

export interface MappingInput {
  listIndex?: number
  isDefaultAccountStore?: boolean
  isDefaultGroupStore?: boolean
}

/**
 * Maps an account store to an application or organization. `listIndex` is a dense priority
 * list: a new mapping at index i shifts those at ≥ i down; negative means 0 and past the end
 * means last. At most one mapping per owner is the default account (group) store. Only
 * directories can be default group stores (5112); organizations cannot map organizations (4614);
 * a store is mapped once per owner (5104).
 */
export async function createMapping(
  deps: Deps,
  owner: MappingOwner,
  store: StoreRef,
  input: MappingInput,
): Promise<MappingRow> {
  if (owner.type === 'organization' && store.type === 'organization') {
    throw new EdgepassError(
      'organization_maps_organization',
      'An organization cannot map another organization.',
      { field: 'accountStore' },
    )
  }
  if (input.isDefaultGroupStore && store.type !== 'directory') {
    throw new EdgepassError(
      owner.type === 'organization' ? 'org_group_not_group_store' : 'group_not_group_store',
      'Only a directory can be the default group store.',
      { field: 'isDefaultGroupStore' },
    )
  }
  const { db } = deps
  const size =
    (await db.select({ n: count() }).from(mappings).where(eq(mappings.ownerId, owner.id)).get())
      ?.n ?? 0
  const listIndex = clampIndex(input.listIndex, size)
  const now = deps.now()
  const row: MappingRow = {
    id: deps.newId(),
    tenantId: owner.tenantId,
    ownerType: owner.type,
    ownerId: owner.id,
    storeType: store.type,
    storeId: store.id,
    listIndex,
    isDefaultAccountStore: input.isDefaultAccountStore ?? false,
    isDefaultGroupStore: input.isDefaultGroupStore ?? false,
    createdAt: now,
    modifiedAt: now,
  }
  try {
    await db.batch([
      db
        .update(mappings)
        .set({ listIndex: sql`${mappings.listIndex} + 1` })
        .where(and(eq(mappings.ownerId, owner.id), gte(mappings.listIndex, listIndex))),
      ...clearDefaults(deps, owner.id, row.id, input),
      db.insert(mappings).values(row),
      renumberMappings(db, owner.tenantId),
    ])
  } catch (error) {
    if (!isConstraintError(error, 'UNIQUE')) throw error
    const code = owner.type === 'organization' ? 'org_store_already_mapped' : 'store_already_mapped'
    throw new EdgepassError(code, 'This account store is already mapped.', {
      field: 'accountStore',
      cause: error,
    })
  }
  return (await findMapping(deps, owner.tenantId, row.id))!
}

/** Moves a mapping in the priority list and/or changes its default flags. */
export async function updateMapping(
  deps: Deps,
  mapping: MappingRow,
  input: MappingInput,
): Promise<MappingRow> {
  if (input.isDefaultGroupStore && mapping.storeType !== 'directory') {
    throw new EdgepassError(
      mapping.ownerType === 'organization' ? 'org_group_not_group_store' : 'group_not_group_store',
      'Only a directory can be the default group store.',
      { field: 'isDefaultGroupStore' },
    )
  }
  const { db } = deps
  const statements = [...clearDefaults(deps, mapping.ownerId, mapping.id, input)]
  const changes: Partial<MappingRow> = { modifiedAt: deps.now() }
  if (input.isDefaultAccountStore !== undefined)
    changes.isDefaultAccountStore = input.isDefaultAccountStore
  if (input.isDefaultGroupStore !== undefined)
    changes.isDefaultGroupStore = input.isDefaultGroupStore
  if (input.listIndex !== undefined) {
    const size =
      (
        await db
          .select({ n: count() })
          .from(mappings)
          .where(eq(mappings.ownerId, mapping.ownerId))
          .get()
      )?.n ?? 1
    const target = clampIndex(input.listIndex, size - 1)
    // Take it out of the list, open a gap at the target, put it there, close the old gap.
    statements.push(
      db
        .update(mappings)
        .set({ listIndex: sql`${mappings.listIndex} - 1` })
        .where(
          and(
            eq(mappings.ownerId, mapping.ownerId),
            gte(mappings.listIndex, mapping.listIndex),
            ne(mappings.id, mapping.id),
          ),
        ),
      db
        .update(mappings)
        .set({ listIndex: sql`${mappings.listIndex} + 1` })
        .where(
          and(
            eq(mappings.ownerId, mapping.ownerId),
            gte(mappings.listIndex, target),
            ne(mappings.id, mapping.id),
          ),
        ),
    )
    changes.listIndex = target
  }
  await runBatch(db, [
    ...statements,
    db
      .update(mappings)
      .set(changes)
      .where(inTenant(mappings, mapping.tenantId, mapping.id)),
    renumberMappings(db, mapping.tenantId),
  ])
  const row = await findMapping(deps, mapping.tenantId, mapping.id)
  if (!row) throw new EdgepassError('not_found', 'The mapping no longer exists.')
  return row
}

export async function deleteMapping(deps: Deps, mapping: MappingRow): Promise<void> {
  const { db } = deps
  await db.batch([
    db.delete(mappings).where(inTenant(mappings, mapping.tenantId, mapping.id)),
    renumberMappings(db, mapping.tenantId),
  ])
}

export async function findMapping(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  id: string,
): Promise<MappingRow | undefined> {
  return deps.db
    .select()
    .from(mappings)
    .where(inTenant(mappings, tenantId, id))
    .get()
}

function clampIndex(value: number | undefined, size: number): number {
  if (value === undefined || value >= size) return size
  return Math.max(0, Math.trunc(value))
}

function clearDefaults(deps: Deps, ownerId: string, keepId: string, input: MappingInput) {
  const { db } = deps
  const statements = []
  if (input.isDefaultAccountStore) {
    statements.push(
      db
        .update(mappings)
        .set({ isDefaultAccountStore: false })
        .where(and(eq(mappings.ownerId, ownerId), ne(mappings.id, keepId))),
    )
  }
  if (input.isDefaultGroupStore) {
    statements.push(
      db
        .update(mappings)
        .set({ isDefaultGroupStore: false })
        .where(and(eq(mappings.ownerId, ownerId), ne(mappings.id, keepId))),
    )
  }
  return statements
}
