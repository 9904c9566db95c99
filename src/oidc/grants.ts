/**
 * Grants (what an account allowed a client), and the opaque artefacts issued under them:
 * authorization codes, access tokens, refresh tokens (reference §5.2): 32 random bytes,
 * base64url, stored as SHA-256. Revoking a grant ends every token issued under it.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { hashSecretToken, isTokenShaped, newSecretToken } from '../security/tokens'
import type { BatchStatement } from '../store/db'
import type { OidcGrantRow, OidcTokenRow } from '../store/rows'

/** node-oidc-provider's authorization code lifetime (reference §1.6 item 4). */
export const CODE_TTL_SECONDS = 60

type TokenDeps = Pick<Deps, 'db' | 'now' | 'newId'>

/** The account's live grant to a client, if any. */
export async function findGrant(
  deps: Pick<Deps, 'db'>,
  accountId: string,
  clientId: string,
): Promise<OidcGrantRow | undefined> {
  const { oidcGrants: g } = schema
  return deps.db
    .select()
    .from(g)
    .where(and(eq(g.accountId, accountId), eq(g.clientId, clientId), isNull(g.revokedAt)))
    .get()
}

/** Whether a grant already covers `scopes` (consent is remembered per client and scope set). */
export function grantCovers(grant: OidcGrantRow | undefined, scopes: readonly string[]): boolean {
  if (!grant) return false
  const granted = new Set(grant.scope.split(' '))
  return scopes.every((scope) => granted.has(scope))
}

/** Records consent to `scopes`: widens the live grant, or creates one. */
export async function recordGrant(
  deps: TokenDeps,
  input: {
    tenantId: string
    clientId: string
    accountId: string
    sessionId: string | null
    scopes: string[]
  },
): Promise<OidcGrantRow> {
  const existing = await findGrant(deps, input.accountId, input.clientId)
  const { oidcGrants: g } = schema
  if (existing) {
    const scope = [...new Set([...existing.scope.split(' '), ...input.scopes])].join(' ')
    if (scope !== existing.scope)
      await deps.db.update(g).set({ scope }).where(eq(g.id, existing.id))
    return { ...existing, scope }
  }
  const row: OidcGrantRow = {
    id: deps.newId(),
    tenantId: input.tenantId,
    clientId: input.clientId,
    accountId: input.accountId,
    sessionId: input.sessionId,
    scope: input.scopes.join(' '),
    createdAt: deps.now(),
    revokedAt: null,
  }
  await deps.db.insert(g).values(row)
  return row
}

/** Statements that revoke a grant and delete every code and token issued under it. */
export function grantRevocation(deps: Pick<Deps, 'db' | 'now'>, grantId: string): BatchStatement[] {
  const { oidcGrants: g, oidcTokens: t } = schema
  return [
    deps.db.update(g).set({ revokedAt: deps.now() }).where(eq(g.id, grantId)),
    deps.db.delete(t).where(eq(t.grantId, grantId)),
  ]
}

export interface IssuedToken {
  value: string
  row: OidcTokenRow
}

/** A new code or token row (not yet written): the caller batches the inserts. */
export async function newToken(
  deps: TokenDeps,
  input: Omit<OidcTokenRow, 'tokenHash' | 'createdAt' | 'expiresAt' | 'consumedAt'> & {
    ttlSeconds: number
  },
): Promise<IssuedToken> {
  const value = newSecretToken()
  const now = deps.now()
  const { ttlSeconds, ...rest } = input
  return {
    value,
    row: {
      ...rest,
      tokenHash: await hashSecretToken(value),
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      consumedAt: null,
    },
  }
}

export function insertTokens(deps: Pick<Deps, 'db'>, tokens: IssuedToken[]): BatchStatement[] {
  return tokens.map((token) => deps.db.insert(schema.oidcTokens).values(token.row))
}

/** The stored row of a presented code or token of `kind`, consumed or not; expired ones too. */
export async function findToken(
  deps: Pick<Deps, 'db'>,
  value: string,
  kind: OidcTokenRow['kind'],
  tenantId: string,
): Promise<OidcTokenRow | undefined> {
  if (!isTokenShaped(value)) return undefined
  const { oidcTokens: t } = schema
  return deps.db
    .select()
    .from(t)
    .where(
      and(
        eq(t.tokenHash, await hashSecretToken(value)),
        eq(t.kind, kind),
        eq(t.tenantId, tenantId),
      ),
    )
    .get()
}

/**
 * Marks a single-use code or refresh token consumed; false when another request consumed it
 * first (the caller then treats the presentation as a reuse).
 */
export async function consumeToken(
  deps: Pick<Deps, 'db' | 'now'>,
  row: OidcTokenRow,
): Promise<boolean> {
  const { oidcTokens: t } = schema
  const updated = await deps.db
    .update(t)
    .set({ consumedAt: deps.now() })
    .where(and(eq(t.tokenHash, row.tokenHash), isNull(t.consumedAt)))
    .returning({ hash: t.tokenHash })
  return updated.length === 1
}

/**
 * The access or refresh token a client presented to revocation or introspection, tried in the
 * order `hint` suggests (RFC 7009 §2.1, RFC 7662 §2.1: a hint only speeds the lookup up; a
 * wrong or unknown one is ignored). Codes are never found here.
 */
export async function findPresentedToken(
  deps: Pick<Deps, 'db'>,
  value: string,
  tenantId: string,
  hint: string | undefined,
): Promise<OidcTokenRow | undefined> {
  const order: OidcTokenRow['kind'][] =
    hint === 'refresh_token' ? ['refresh', 'access'] : ['access', 'refresh']
  for (const kind of order) {
    const row = await findToken(deps, value, kind, tenantId)
    if (row) return row
  }
  return undefined
}

/** A live access token with its live grant (none for client_credentials tokens). */
export async function findLiveAccessToken(
  deps: Pick<Deps, 'db' | 'now'>,
  value: string,
  tenantId: string,
): Promise<OidcTokenRow | undefined> {
  const row = await findToken(deps, value, 'access', tenantId)
  if (!row || row.expiresAt <= deps.now()) return undefined
  if (row.grantId && !(await isGrantLive(deps, row.grantId))) return undefined
  return row
}

/** Whether the grant exists and has not been revoked. */
export async function isGrantLive(deps: Pick<Deps, 'db'>, grantId: string): Promise<boolean> {
  const { oidcGrants: g } = schema
  const grant = await deps.db
    .select({ id: g.id })
    .from(g)
    .where(and(eq(g.id, grantId), isNull(g.revokedAt)))
    .get()
  return grant !== undefined
}

/** Statements deleting expired tokens of an account (housekeeping on login). */
export function expiredTokenSweep(
  deps: Pick<Deps, 'db' | 'now'>,
  accountId: string,
): BatchStatement {
  const { oidcTokens: t } = schema
  return deps.db
    .delete(t)
    .where(and(eq(t.accountId, accountId), sql`${t.expiresAt} < ${deps.now().getTime()}`))
}

/**
 * Statements deleting every code, access and refresh token issued in the SSO sessions
 * `sessionIds` (a refresh token keeps the session of the code it came from, through every
 * rotation). Grants stay: consent is the user's choice per client, not per browser.
 */
export function sessionTokenRevocation(
  deps: Pick<Deps, 'db'>,
  sessionIds: readonly string[],
): BatchStatement {
  const { oidcTokens: t } = schema
  return deps.db.delete(t).where(inArray(t.sessionId, [...sessionIds]))
}
