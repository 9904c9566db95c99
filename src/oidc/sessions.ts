/**
 * SSO sessions (reference §1.6): one per browser per tenant, in an HttpOnly, SameSite=Lax cookie
 * scoped to the issuer's path (so tenants never see each other's), Secure when BASE_URL is
 * https; the database keeps only the token's SHA-256. Also the cookie that binds an
 * interaction to the browser that started it.
 */
import { and, eq, gt, inArray } from 'drizzle-orm'
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import type { BatchStatement } from '../store/db'
import { hashSecretToken, isTokenShaped, newSecretToken } from '../security/tokens'
import type { OidcSessionRow } from '../store/rows'
import type { OidcEnv } from './context'
import { sessionTokenRevocation } from './grants'

export const SESSION_COOKIE = 'edgepass_session'
export const INTERACTION_COOKIE = 'edgepass_interaction'
/** node-oidc-provider's default session lifetime (reference §1.6 item 4). */
export const SESSION_TTL_SECONDS = 14 * 24 * 3600

function cookieOptions(c: Context<OidcEnv>, deps: Pick<Deps, 'config'>, maxAge: number) {
  return {
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: deps.config.baseUrl.startsWith('https:'),
    path: new URL(c.get('issuer')).pathname,
    maxAge,
  }
}

/** The live session of the request's cookie, if any. */
export async function currentSession(
  c: Context<OidcEnv>,
  deps: Pick<Deps, 'db' | 'now'>,
): Promise<OidcSessionRow | undefined> {
  const token = getCookie(c, SESSION_COOKIE)
  if (!token || !isTokenShaped(token)) return undefined
  const { oidcSessions: s } = schema
  return deps.db
    .select()
    .from(s)
    .where(
      and(
        eq(s.tokenHash, await hashSecretToken(token)),
        eq(s.tenantId, c.get('tenant').id),
        gt(s.expiresAt, deps.now()),
      ),
    )
    .get()
}

/** Starts a session for `accountId` (replacing the browser's previous one) and sets its cookie. */
export async function startSession(
  c: Context<OidcEnv>,
  deps: Pick<Deps, 'db' | 'now' | 'newId' | 'config'>,
  accountId: string,
  authTime: Date,
  amr: string[],
): Promise<OidcSessionRow> {
  const previous = await currentSession(c, deps)
  const token = newSecretToken()
  const now = deps.now()
  const row: OidcSessionRow = {
    tokenHash: await hashSecretToken(token),
    id: deps.newId(),
    tenantId: c.get('tenant').id,
    accountId,
    authTime,
    amr: JSON.stringify(amr),
    userAgent: (c.req.header('user-agent') ?? '').slice(0, 300),
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000),
  }
  const { oidcSessions: s } = schema
  await deps.db.batch([
    // A new login in this browser ends its previous session (another account may log in).
    deps.db.delete(s).where(eq(s.tokenHash, previous?.tokenHash ?? '')),
    deps.db.insert(s).values(row),
  ])
  setCookie(c, SESSION_COOKIE, token, cookieOptions(c, deps, SESSION_TTL_SECONDS))
  return row
}

/**
 * Ends the browser's session, if any, with every token issued in it (reference §1.6 item 2),
 * and clears its cookie.
 */
export async function endSession(c: Context<OidcEnv>, deps: Pick<Deps, 'db' | 'now' | 'config'>) {
  const session = await currentSession(c, deps)
  if (session) await deps.db.batch(sessionRevocation(deps, [session.id]))
  clearSessionCookie(c)
  return session
}

/** Expires the session cookie in the browser (the row is the caller's business). */
export function clearSessionCookie(c: Context<OidcEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: new URL(c.get('issuer')).pathname })
}

/**
 * Statements that end the sessions `sessionIds` (public ids): their rows, and the codes, access
 * and refresh tokens issued in them. A browser holding a deleted session's cookie is simply
 * logged out at its next request.
 */
export function sessionRevocation(
  deps: Pick<Deps, 'db'>,
  sessionIds: readonly string[],
): [BatchStatement, BatchStatement] {
  const { oidcSessions: s } = schema
  return [
    sessionTokenRevocation(deps, sessionIds),
    deps.db.delete(s).where(inArray(s.id, [...sessionIds])),
  ]
}

/** A new browser-binding value for an interaction: the cookie gets it, the row its hash. */
export async function bindInteraction(
  c: Context<OidcEnv>,
  deps: Pick<Deps, 'config'>,
  ttlSeconds: number,
): Promise<string> {
  const value = newSecretToken()
  setCookie(c, INTERACTION_COOKIE, value, cookieOptions(c, deps, ttlSeconds))
  return hashSecretToken(value)
}

/** The hash of the request's interaction-binding cookie, or undefined. */
export async function interactionBinding(c: Context<OidcEnv>): Promise<string | undefined> {
  const value = getCookie(c, INTERACTION_COOKIE)
  return value && isTokenShaped(value) ? hashSecretToken(value) : undefined
}
