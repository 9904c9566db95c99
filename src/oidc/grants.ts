/**
 * Grants (what an account allowed a client), and the opaque artefacts issued under them:
 * authorization codes, access tokens, refresh tokens (reference §5.2): 32 random bytes,
 * base64url, stored as SHA-256. Revoking a grant ends every token issued under it.
 */
import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { hashSecretToken, isTokenShaped, newSecretToken } from '../security/tokens'
import type { BatchStatement, Database } from '../store/db'
import { preparedStatement } from '../store/prepared'
import type { AccountRow, OidcClientRow, OidcGrantRow, OidcTokenRow } from '../store/rows'

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

/**
 * Stores the tokens of one issuance (a code; an access token; or an access and a refresh
 * token) in one prepared statement: a single statement is atomic by itself, so the pair needs
 * no batch with its BEGIN and COMMIT.
 */
export async function storeTokens(deps: Pick<Deps, 'db'>, tokens: IssuedToken[]): Promise<void> {
  const [first, second, ...rest] = tokens
  if (!first || rest.length > 0) throw new Error('storeTokens takes one or two tokens')
  if (!second) await tokenInsert(deps.db, 1).run(tokenValues(first.row, 0))
  else
    await tokenInsert(deps.db, 2).run({
      ...tokenValues(first.row, 0),
      ...tokenValues(second.row, 1),
    })
}

/** Every column but `consumedAt`, which a new token leaves null (its encoder cannot take null). */
const TOKEN_COLUMNS = [
  'tokenHash',
  'kind',
  'tenantId',
  'clientId',
  'grantId',
  'accountId',
  'sessionId',
  'scope',
  'details',
  'createdAt',
  'expiresAt',
] as const satisfies readonly (keyof OidcTokenRow)[]

/** The placeholder values of row `index` of a multi-row insert. */
function tokenValues(row: OidcTokenRow, index: number): Record<string, unknown> {
  return Object.fromEntries(TOKEN_COLUMNS.map((column) => [`${column}${index}`, row[column]]))
}

const singleTokenInsert = preparedStatement((db) => buildTokenInsert(db, 1))
const tokenPairInsert = preparedStatement((db) => buildTokenInsert(db, 2))

function tokenInsert(db: Database, count: 1 | 2) {
  return count === 1 ? singleTokenInsert(db) : tokenPairInsert(db)
}

function buildTokenInsert(db: Database, count: number) {
  const rows = Array.from({ length: count }, (_, index) =>
    Object.fromEntries(
      TOKEN_COLUMNS.map((column) => [column, sql.placeholder(`${column}${index}`)]),
    ),
  )
  return db
    .insert(schema.oidcTokens)
    .values(rows as unknown as OidcTokenRow[])
    .prepare()
}

/** The stored row of a presented code or token of `kind`, consumed or not; expired ones too. */
export async function findToken(
  deps: Pick<Deps, 'db'>,
  value: string,
  kind: OidcTokenRow['kind'],
  tenantId: string,
): Promise<OidcTokenRow | undefined> {
  if (!isTokenShaped(value)) return undefined
  return tokenLookup(deps.db).get({ tokenHash: await hashSecretToken(value), kind, tenantId })
}

const tokenLookup = preparedStatement((db) => {
  const { oidcTokens: t } = schema
  return db
    .select()
    .from(t)
    .where(
      and(
        eq(t.tokenHash, sql.placeholder('tokenHash')),
        eq(t.kind, sql.placeholder('kind')),
        eq(t.tenantId, sql.placeholder('tenantId')),
      ),
    )
    .prepare()
})

/** What consuming a single-use code or refresh token came to. */
export type Consumption =
  | { kind: 'consumed'; row: OidcTokenRow }
  /** Presented before and consumed then: whoever presents it again holds a copy. */
  | { kind: 'reused'; row: OidcTokenRow }
  /** Unknown, another client's, or (refresh) under a revoked grant. */
  | { kind: 'invalid' }

/**
 * Consumes a code or refresh token of `clientId` in one conditional statement (the happy path
 * costs one round trip, and two racing requests cannot both win); only when nothing was
 * consumed is the token read again, to tell a reuse from a token that is simply not valid here.
 * A refresh token is consumable only while its grant is live.
 */
export async function consumeToken(
  deps: Pick<Deps, 'db' | 'now'>,
  presented: { value: string; kind: 'code' | 'refresh'; tenantId: string; clientId: string },
): Promise<Consumption> {
  const { value, kind, tenantId, clientId } = presented
  if (!isTokenShaped(value)) return { kind: 'invalid' }
  const tokenHash = await hashSecretToken(value)
  const [row] = await tokenConsumption(deps.db).all({
    tokenHash,
    kind,
    tenantId,
    clientId,
    now: deps.now().getTime(),
  })
  if (row) return { kind: 'consumed', row: row as OidcTokenRow }
  const stored = await tokenLookup(deps.db).get({ tokenHash, kind, tenantId })
  if (!stored || stored.clientId !== clientId) return { kind: 'invalid' }
  if (stored.consumedAt !== null) return { kind: 'reused', row: stored }
  // Unconsumed yet not consumable: a refresh token whose grant is revoked.
  return { kind: 'invalid' }
}

const tokenConsumption = preparedStatement((db) => {
  const { oidcTokens: t, oidcGrants: g } = schema
  const liveGrants = db.select({ id: g.id }).from(g).where(isNull(g.revokedAt))
  return db
    .update(t)
    .set({ consumedAt: sql`${sql.placeholder('now')}` })
    .where(
      and(
        eq(t.tokenHash, sql.placeholder('tokenHash')),
        eq(t.kind, sql.placeholder('kind')),
        eq(t.tenantId, sql.placeholder('tenantId')),
        eq(t.clientId, sql.placeholder('clientId')),
        isNull(t.consumedAt),
        or(eq(t.kind, 'code'), inArray(t.grantId, liveGrants)),
      ),
    )
    .returning()
    .prepare()
})

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

/** What userinfo needs of a presented access token. */
export interface LiveAccess {
  token: OidcTokenRow
  client: OidcClientRow
  account: AccountRow
}

/**
 * A live access token with everything userinfo serves from it, in one statement: unexpired,
 * issued to an account, its grant live, its client's application enabled, its account enabled.
 * Anything less is simply not found.
 */
export async function findLiveAccess(
  deps: Pick<Deps, 'db' | 'now'>,
  value: string,
  tenantId: string,
): Promise<LiveAccess | undefined> {
  if (!isTokenShaped(value)) return undefined
  return liveAccessLookup(deps.db).get({
    tokenHash: await hashSecretToken(value),
    tenantId,
    now: deps.now().getTime(),
  })
}

const liveAccessLookup = preparedStatement((db) => {
  const { oidcTokens: t, oidcGrants: g, oidcClients, applications, accounts } = schema
  return db
    .select({ token: t, client: oidcClients, account: accounts })
    .from(t)
    .innerJoin(g, and(eq(g.id, t.grantId), isNull(g.revokedAt)))
    .innerJoin(
      oidcClients,
      and(eq(oidcClients.id, t.clientId), eq(oidcClients.tenantId, t.tenantId)),
    )
    .innerJoin(
      applications,
      and(eq(applications.id, oidcClients.applicationId), eq(applications.status, 'ENABLED')),
    )
    .innerJoin(
      accounts,
      and(
        eq(accounts.id, t.accountId),
        eq(accounts.tenantId, t.tenantId),
        eq(accounts.status, 'ENABLED'),
      ),
    )
    .where(
      and(
        eq(t.tokenHash, sql.placeholder('tokenHash')),
        eq(t.kind, 'access'),
        eq(t.tenantId, sql.placeholder('tenantId')),
        gt(t.expiresAt, sql`${sql.placeholder('now')}`),
      ),
    )
    .prepare()
})

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
