import { and, eq, gt, lte } from 'drizzle-orm'
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { hashSecretToken as hashToken, newSecretToken } from '../security/tokens'

/** Cloudpass's cookie name, so its admin console and scripts keep working. */
export const SESSION_COOKIE = 'sessionToken'
export const SESSION_SECONDS = 24 * 3600

/**
 * Starts a management session: a random 256-bit token in an HttpOnly, SameSite=Lax cookie
 * (Secure when BASE_URL is https); the database keeps only its SHA-256.
 */
export async function startSession(
  c: Context,
  deps: Deps,
  tenantId: string,
  accountId: string,
): Promise<void> {
  const token = newSecretToken()
  const now = deps.now()
  const { apiSessions } = schema
  // Nothing else removes expired rows: each login sweeps its own account's.
  await deps.db
    .delete(apiSessions)
    .where(and(eq(apiSessions.accountId, accountId), lte(apiSessions.expiresAt, now)))
  await deps.db.insert(apiSessions).values({
    tokenHash: await hashToken(token),
    tenantId,
    accountId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_SECONDS * 1000),
  })
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: deps.config.baseUrl.startsWith('https:'),
    path: '/',
    maxAge: SESSION_SECONDS,
  })
}

/** The session behind the request's cookie, if it exists and has not expired. */
export async function findSession(c: Context, deps: Deps) {
  const token = getCookie(c, SESSION_COOKIE)
  if (!token || token.length > 100) return undefined
  const { apiSessions } = schema
  return deps.db
    .select()
    .from(apiSessions)
    .where(
      and(eq(apiSessions.tokenHash, await hashToken(token)), gt(apiSessions.expiresAt, deps.now())),
    )
    .get()
}

/** Ends the session server-side (a stolen copy of the cookie dies too) and clears the cookie. */
export async function endSession(c: Context, deps: Deps): Promise<void> {
  const token = getCookie(c, SESSION_COOKIE)
  if (token && token.length <= 100) {
    await deps.db
      .delete(schema.apiSessions)
      .where(eq(schema.apiSessions.tokenHash, await hashToken(token)))
  }
  deleteCookie(c, SESSION_COOKIE, { path: '/' })
}
