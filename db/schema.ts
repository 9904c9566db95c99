/**
 * The one drizzle schema, shared by libSQL (Bun, Turso) and D1 (Workers).
 *
 * Rules (DESIGN.md, "Portable SQL"): no database-level ON DELETE CASCADE (D1 cascades through
 * drizzle-kit's table rebuilds, so the application deletes children itself in one batch);
 * every row belongs to a tenant; timestamps are milliseconds since the epoch.
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  modifiedAt: integer('modified_at', { mode: 'timestamp_ms' }).notNull(),
}

/** A tenant: one isolated user directory space, one OIDC issuer, one LDAP suffix. */
export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  /** Stormpath's tenant `key`: lower-case, unique, used in URLs (`/t/{nameKey}/openid`). */
  nameKey: text('name_key').notNull().unique(),
  name: text('name').notNull(),
  /** Optimistic concurrency: updates are `WHERE version = ?` and bump it. */
  version: integer('version').notNull().default(1),
  ...timestamps,
})
