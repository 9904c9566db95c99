import { sql } from 'drizzle-orm'
import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import type * as schema from '../../db/schema'

/**
 * The database every store module takes: drizzle over libSQL (embedded file or Turso) or D1.
 * `batch` is declared per driver, not on the base class, hence the intersection
 * (edge-runtime reference §2, rule 6).
 */
export type Database = BaseSQLiteDatabase<'async', any, typeof schema> &
  Pick<LibSQLDatabase<typeof schema>, 'batch'>

/** One round trip that proves the database answers (`GET /ready`). */
export async function pingDatabase(db: Database): Promise<void> {
  await db.get(sql`select 1`)
}
