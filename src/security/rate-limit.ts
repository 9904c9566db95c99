import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { countHit, currentHits, forgetOldHits } from '../store/rate-limits'

/** A limit: at most `max` hits per `windowSeconds`. */
export interface RateLimit {
  max: number
  windowSeconds: number
}

/** Password guessing: per login name, and per client address (which may hide many users). */
export const LOGIN_PER_ACCOUNT: RateLimit = { max: 10, windowSeconds: 300 }
export const LOGIN_PER_ADDRESS: RateLimit = { max: 100, windowSeconds: 300 }
/**
 * Mails a caller can trigger for an address (password reset, verification resend): enough for a
 * user who lost a mail, too few to flood their mailbox or burn the sender's reputation.
 */
export const MAIL_PER_RECIPIENT: RateLimit = { max: 5, windowSeconds: 3600 }
/** Password changes per account: each costs two hashes, and a wrong current password is a guess. */
export const PASSWORD_CHANGE_PER_ACCOUNT: RateLimit = { max: 10, windowSeconds: 300 }
/**
 * Second-factor codes per account: a 6-digit code with one step of drift either side has 3 in
 * a million chances per guess, so a handful of tries per window keeps guessing hopeless.
 */
export const MFA_PER_ACCOUNT: RateLimit = { max: 5, windowSeconds: 300 }
/** Tenant creation is open, as in Cloudpass; this keeps one client from flooding it. */
export const REGISTRATION_PER_ADDRESS: RateLimit = { max: 10, windowSeconds: 3600 }

/**
 * Counts a hit against each `(key, limit)`; throws 429 with `Retry-After` when any is exceeded.
 * Counters live in the database, so the limits hold across instances and restarts.
 */
export async function enforceRateLimits(
  deps: Pick<Deps, 'db' | 'now'>,
  checks: readonly [key: string, limit: RateLimit][],
): Promise<void> {
  const now = deps.now().getTime()
  let retryAfter = 0
  for (const [key, limit] of checks) {
    const windowMs = limit.windowSeconds * 1000
    const { count, windowStart } = await countHit(deps.db, key, windowMs, now)
    if (count > limit.max)
      retryAfter = Math.max(retryAfter, Math.ceil((windowStart + windowMs - now) / 1000))
  }
  // Roughly one request in a hundred sweeps counters older than a day.
  if (crypto.getRandomValues(new Uint8Array(1))[0]! < 3)
    await forgetOldHits(deps.db, now - 86_400_000)
  if (retryAfter > 0) {
    throw new EdgepassError('rate_limited', 'Too many attempts. Please wait before trying again.', {
      retryAfterSeconds: retryAfter,
    })
  }
}

/** LDAP binds: failures per bind DN, and per client address (which may hide many users). */
export const LDAP_BIND_FAILURES_PER_DN: RateLimit = { max: 10, windowSeconds: 300 }
export const LDAP_BIND_FAILURES_PER_ADDRESS: RateLimit = { max: 100, windowSeconds: 300 }

/**
 * Whether any `(key, limit)` has already reached its limit in the current window, without
 * counting a hit: the LDAP server asks before hashing a password, so a blocked guesser costs
 * nothing ({@link countFailures} counts only what failed).
 */
export async function isRateLimited(
  deps: Pick<Deps, 'db' | 'now'>,
  checks: readonly [key: string, limit: RateLimit][],
): Promise<boolean> {
  const now = deps.now().getTime()
  for (const [key, limit] of checks) {
    const hits = await currentHits(deps.db, key, limit.windowSeconds * 1000, now)
    if (hits >= limit.max) return true
  }
  return false
}

/** Counts one failure against each `(key, limit)` (see {@link isRateLimited}). */
export async function countFailures(
  deps: Pick<Deps, 'db' | 'now'>,
  checks: readonly [key: string, limit: RateLimit][],
): Promise<void> {
  const now = deps.now().getTime()
  for (const [key, limit] of checks) await countHit(deps.db, key, limit.windowSeconds * 1000, now)
}
