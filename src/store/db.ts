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

/** One statement of a batch (drizzle's batch item type). */
export type BatchStatement = Parameters<Database['batch']>[0][number]

/**
 * Runs statements atomically (D1 has no interactive transactions, so batches are the unit of
 * atomicity: DESIGN.md "Portable SQL") from a list assembled at run time.
 */
export async function runBatch(db: Database, statements: readonly BatchStatement[]): Promise<void> {
  const [first, ...rest] = statements
  // One statement is atomic by itself: no BEGIN and COMMIT around it (two fewer round trips).
  if (first && rest.length === 0) await first
  else if (first) await db.batch([first, ...rest])
}
