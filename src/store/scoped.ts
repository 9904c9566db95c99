import { and, eq, type SQL } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Database } from './db'

/** A table whose rows have an `id` and belong to a tenant. */
type TenantTable = SQLiteTable & { id: SQLiteColumn; tenantId: SQLiteColumn }

/**
 * The condition that scopes a row to its tenant: every read and write by id goes through it, so
 * another tenant's resource is indistinguishable from a missing one (DESIGN.md principle 8).
 */
export function inTenant(table: TenantTable, tenantId: string, id: string): SQL {
  return and(eq(table.id, id), eq(table.tenantId, tenantId))!
}

/** Reads one row of `table` by id within a tenant. */
export async function findInTenant<T extends TenantTable>(
  db: Database,
  table: T,
  tenantId: string,
  id: string,
): Promise<T['$inferSelect'] | undefined> {
  return (await db
    .select()
    .from(table as SQLiteTable)
    .where(inTenant(table, tenantId, id))
    .get()) as T['$inferSelect'] | undefined
}

/** A tenant table with an optimistic-concurrency `version` column. */
type VersionedTable = TenantTable & { version: SQLiteColumn }

/**
 * Read-modify-write without transactions (D1 has none): the update applies only if `version`
 * is still the one read, and bumps it; on a lost race the row is read again and the change
 * recomputed, up to three times. Returns undefined when the row no longer exists.
 */
export async function updateVersioned<T extends VersionedTable>(
  db: Database,
  table: T,
  current: T['$inferSelect'] & { id: string; tenantId: string; version: number },
  changesFor: (row: T['$inferSelect']) => Partial<T['$inferSelect']>,
): Promise<T['$inferSelect'] | undefined> {
  let row = current
  for (let attempt = 0; attempt < 3; attempt++) {
    const [updated] = (await db
      .update(table as SQLiteTable)
      .set({ ...changesFor(row), version: row.version + 1 } as never)
      .where(and(inTenant(table, row.tenantId, row.id), eq(table.version, row.version)))
      .returning()) as T['$inferSelect'][]
    if (updated) return updated
    const reread = await findInTenant(db, table, row.tenantId, row.id)
    if (!reread) return undefined
    row = reread as typeof current
  }
  throw new Error(`update of ${row.id} kept losing races`)
}
