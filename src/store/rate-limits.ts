import { eq, lt, sql } from 'drizzle-orm'
import { rateLimits } from '../../db/schema'
import type { Database } from './db'

/**
 * Counts one hit on `key` in a fixed window, in one statement (an upsert with RETURNING), so
 * concurrent instances never lose a hit. Returns the count in the current window and when that
 * window started.
 */
export async function countHit(
  db: Database,
  key: string,
  windowMs: number,
  now: number,
): Promise<{ count: number; windowStart: number }> {
  const expired = now - windowMs
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} <= ${expired} then 1 else ${rateLimits.count} + 1 end`,
        windowStart: sql`case when ${rateLimits.windowStart} <= ${expired} then ${now} else ${rateLimits.windowStart} end`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart })
  return row!
}

/** Forgets counters whose window ended long ago (housekeeping; any instance may run it). */
export async function forgetOldHits(db: Database, before: number): Promise<void> {
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, before))
}

/** The hits on `key` in its current window (0 when the window has ended or never began). */
export async function currentHits(
  db: Database,
  key: string,
  windowMs: number,
  now: number,
): Promise<number> {
  const row = await db
    .select({ count: rateLimits.count, windowStart: rateLimits.windowStart })
    .from(rateLimits)
    .where(eq(rateLimits.key, key))
    .get()
  return row && row.windowStart > now - windowMs ? row.count : 0
}
