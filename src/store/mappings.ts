import { and, eq, ne, sql } from 'drizzle-orm'
import { accountStoreMappings as mappings } from '../../db/schema'
import type { Database } from './db'

/**
 * Renumbers every mapping of a tenant's owners to 0..n−1 in their current order, closing the
 * gaps that deletions leave (Stormpath's `listIndex` is a dense priority list). One statement,
 * so it can close a batch that deleted mappings. The ranks are computed by a window function in
 * `FROM`, which SQLite materialises before updating, so no row sees half-renumbered neighbours.
 *
 * Built with the query builder rather than a raw `db.run(sql…)`: drizzle's D1 driver cannot bind
 * a raw statement's parameters inside `batch` ("preparedQuery.stmt is undefined"), which made
 * every mapping change fail on workerd.
 */
export function renumberMappings(db: Database, tenantId: string) {
  const ranked = db
    .select({
      id: mappings.id,
      position:
        sql<number>`row_number() over (partition by ${mappings.ownerId} order by ${mappings.listIndex}, ${mappings.id}) - 1`.as(
          'position',
        ),
    })
    .from(mappings)
    .where(eq(mappings.tenantId, tenantId))
    .as('ranked')
  return db
    .update(mappings)
    .set({ listIndex: sql`${ranked.position}` })
    .from(ranked)
    .where(and(eq(mappings.id, ranked.id), ne(mappings.listIndex, ranked.position)))
}
