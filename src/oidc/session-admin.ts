/**
 * SSO sessions as their owner and administrators see them (reference §1.6 item 2): an account's
 * live sessions with the applications used in each, and ending one or all of them, which revokes
 * every token issued in them (refresh tokens included). The REST face is
 * `src/rest/routes/oidc-sessions.ts`; a user-facing page can reuse the same functions.
 */
import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import type { OidcSessionRow } from '../store/rows'
import { sessionRevocation } from './sessions'

/** An application signed in to through a session. */
export interface SessionClient {
  clientId: string
  applicationId: string
  applicationName: string
}

/** A live session without its cookie hash, with the applications used in it. */
export interface SessionSummary {
  id: string
  accountId: string
  createdAt: Date
  authTime: Date
  expiresAt: Date
  userAgent: string
  amr: string[]
  clients: SessionClient[]
}

type SessionDeps = Pick<Deps, 'db' | 'now'>

/**
 * The account's live sessions, oldest first. A session's applications are those whose grant was
 * made in it or which hold a live token issued in it (a grant made earlier is reused silently).
 *
 * @example
 * const sessions = await listAccountSessions(deps, tenant.id, account.id)
 * sessions[0]?.clients // [{ clientId: 'Xq…', applicationId: '3K…', applicationName: 'Wiki' }]
 */
export async function listAccountSessions(
  deps: SessionDeps,
  tenantId: string,
  accountId: string,
): Promise<SessionSummary[]> {
  const { oidcSessions: s } = schema
  const rows = await deps.db
    .select()
    .from(s)
    .where(and(eq(s.tenantId, tenantId), eq(s.accountId, accountId), gt(s.expiresAt, deps.now())))
    .orderBy(asc(s.createdAt), asc(s.id))
    .all()
  return summarise(deps, tenantId, rows)
}

/** One live session of the tenant by its public id (`sid`), summarised; undefined otherwise. */
export async function findSessionSummary(
  deps: SessionDeps,
  tenantId: string,
  sessionId: string,
): Promise<SessionSummary | undefined> {
  if (sessionId.length === 0 || sessionId.length > 64) return undefined
  const { oidcSessions: s } = schema
  const row = await deps.db
    .select()
    .from(s)
    .where(and(eq(s.tenantId, tenantId), eq(s.id, sessionId), gt(s.expiresAt, deps.now())))
    .get()
  return row ? (await summarise(deps, tenantId, [row]))[0] : undefined
}

/**
 * Ends sessions of the tenant by public id, revoking the tokens issued in them; ids of other
 * tenants are ignored. Answers how many sessions existed.
 *
 * @example
 * await endSessions(deps, tenant.id, [summary.id])
 */
export async function endSessions(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  sessionIds: readonly string[],
): Promise<number> {
  if (sessionIds.length === 0) return 0
  const { oidcSessions: s } = schema
  // Only the tenant's own ids reach the revocation: it matches tokens by session id alone.
  const owned = await deps.db
    .select({ id: s.id })
    .from(s)
    .where(and(eq(s.tenantId, tenantId), inArray(s.id, [...sessionIds])))
    .all()
  if (owned.length === 0) return 0
  await deps.db.batch(
    sessionRevocation(
      deps,
      owned.map((row) => row.id),
    ),
  )
  return owned.length
}

/** Ends every session of an account (expired ones too, which only tidies up). */
export async function endAccountSessions(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  accountId: string,
): Promise<number> {
  const { oidcSessions: s } = schema
  const rows = await deps.db
    .select({ id: s.id })
    .from(s)
    .where(and(eq(s.tenantId, tenantId), eq(s.accountId, accountId)))
    .all()
  return endSessions(
    deps,
    tenantId,
    rows.map((row) => row.id),
  )
}

async function summarise(
  deps: SessionDeps,
  tenantId: string,
  rows: OidcSessionRow[],
): Promise<SessionSummary[]> {
  const clientsBySession = await clientsOf(
    deps,
    tenantId,
    rows.map((row) => row.id),
  )
  return rows.map((row) => ({
    id: row.id,
    accountId: row.accountId,
    createdAt: row.createdAt,
    authTime: row.authTime,
    expiresAt: row.expiresAt,
    userAgent: row.userAgent,
    amr: JSON.parse(row.amr) as string[],
    clients: clientsBySession.get(row.id) ?? [],
  }))
}

/** Per session id, the applications used in it, by name then client id. */
async function clientsOf(
  deps: SessionDeps,
  tenantId: string,
  sessionIds: string[],
): Promise<Map<string, SessionClient[]>> {
  const result = new Map<string, SessionClient[]>()
  if (sessionIds.length === 0) return result
  const { oidcGrants: g, oidcTokens: t, oidcClients, applications } = schema
  const [grants, tokens] = await Promise.all([
    deps.db
      .selectDistinct({ sessionId: g.sessionId, clientId: g.clientId })
      .from(g)
      .where(and(eq(g.tenantId, tenantId), inArray(g.sessionId, sessionIds), isNull(g.revokedAt)))
      .all(),
    deps.db
      .selectDistinct({ sessionId: t.sessionId, clientId: t.clientId })
      .from(t)
      .where(
        and(
          eq(t.tenantId, tenantId),
          inArray(t.sessionId, sessionIds),
          inArray(t.kind, ['access', 'refresh']),
          gt(t.expiresAt, deps.now()),
        ),
      )
      .all(),
  ])
  const pairs = [...grants, ...tokens]
  const clientIds = [...new Set(pairs.map((pair) => pair.clientId))]
  if (clientIds.length === 0) return result
  const named = await deps.db
    .select({
      clientId: oidcClients.id,
      applicationId: applications.id,
      applicationName: applications.name,
    })
    .from(oidcClients)
    .innerJoin(applications, eq(applications.id, oidcClients.applicationId))
    .where(and(eq(oidcClients.tenantId, tenantId), inArray(oidcClients.id, clientIds)))
    .all()
  const byId = new Map(named.map((client) => [client.clientId, client]))
  for (const { sessionId, clientId } of pairs) {
    const client = byId.get(clientId)
    // A deleted client took its grants and tokens with it; a race may still leave a pair.
    if (!sessionId || !client) continue
    const list = result.get(sessionId) ?? []
    if (!list.some((entry) => entry.clientId === clientId)) list.push(client)
    result.set(sessionId, list)
  }
  for (const list of result.values()) {
    list.sort(
      (a, b) => compare(a.applicationName, b.applicationName) || compare(a.clientId, b.clientId),
    )
  }
  return result
}

/** Code-point order: the same on every runtime, whatever its collation. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Revokes every live grant of an account (its consents, and the tokens issued under them): the
 * applications forget the account until it signs in and consents again. Needed, for instance,
 * before its username (the `sub` of those grants) may change.
 *
 * @example
 * await revokeAccountGrants(deps, tenant.id, account.id)
 */
export async function revokeAccountGrants(
  deps: Pick<Deps, 'db' | 'now'>,
  tenantId: string,
  accountId: string,
): Promise<void> {
  const { oidcGrants: g, oidcTokens: t } = schema
  const live = deps.db
    .select({ id: g.id })
    .from(g)
    .where(and(eq(g.tenantId, tenantId), eq(g.accountId, accountId), isNull(g.revokedAt)))
  await deps.db.batch([
    deps.db.delete(t).where(and(eq(t.tenantId, tenantId), inArray(t.grantId, live))),
    deps.db
      .update(g)
      .set({ revokedAt: deps.now() })
      .where(and(eq(g.tenantId, tenantId), eq(g.accountId, accountId), isNull(g.revokedAt))),
  ])
}
