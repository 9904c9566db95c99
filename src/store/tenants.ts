import { count, eq } from 'drizzle-orm'
import { tenants } from '../../db/schema'
import { chunkForParameters } from './chunks'
import type { Database } from './db'

export type TenantRow = typeof tenants.$inferSelect
export type NewTenantRow = typeof tenants.$inferInsert

const TENANT_COLUMNS = Object.keys(tenants).length

/** Inserts tenants atomically: one batch of statements, each within D1's parameter limit. */
export async function insertTenants(db: Database, rows: readonly NewTenantRow[]): Promise<void> {
  const [first, ...rest] = chunkForParameters(rows, TENANT_COLUMNS).map((chunk) =>
    db.insert(tenants).values(chunk),
  )
  if (first) await db.batch([first, ...rest])
}

export async function findTenantByNameKey(
  db: Database,
  nameKey: string,
): Promise<TenantRow | undefined> {
  return db.select().from(tenants).where(eq(tenants.nameKey, nameKey)).get()
}

export async function countTenants(db: Database): Promise<number> {
  const row = await db.select({ n: count() }).from(tenants).get()
  return row?.n ?? 0
}
