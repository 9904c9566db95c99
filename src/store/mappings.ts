import { sql } from 'drizzle-orm'
import type { Database } from './db'

/**
 * Renumbers every mapping of a tenant's owners to 0..n−1 in their current order, closing the
 * gaps that deletions leave (Stormpath's `listIndex` is a dense priority list). One statement,
 * so it can close a batch that deleted mappings. The ranks are computed by a window function in
 * `FROM`, which SQLite materialises before updating, so no row sees half-renumbered neighbours.
 */
export function renumberMappings(db: Database, tenantId: string) {
  return db.run(sql`update account_store_mappings set list_index = ranked.position
    from (select id, row_number() over (partition by owner_id order by list_index, id) - 1 as position
          from account_store_mappings where tenant_id = ${tenantId}) as ranked
    where account_store_mappings.id = ranked.id and account_store_mappings.list_index != ranked.position`)
}
