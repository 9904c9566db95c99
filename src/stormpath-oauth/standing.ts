/**
 * Whether an issued token still stands (stormpath-api reference §14 rule 2): not expired, not
 * revoked, its application enabled, its account enabled and still reached through the
 * application's account stores. Checked on every use — refresh, `authTokens`, `/accessTokens` —
 * since a stateless token cannot be withdrawn when an account is disabled.
 */
import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { accountsReachedBy } from '../store/reach'
import type { AccountRow, ApplicationRow } from '../store/rows'
import { findInTenant } from '../store/scoped'
import type { SigningKey } from './jwts'
import type { TokenRejection } from './rejections'
import { isRevoked } from './revocations'
import { tenantSigningKey } from './signing-keys'
import { isAuthenticTokenId, parseTokenId, type TokenId, type TokenKind } from './token-ids'

export type TokenStanding =
  | { kind: 'live'; application: ApplicationRow; account: AccountRow }
  | { kind: 'rejected'; reason: TokenRejection }

type StandingDeps = Pick<Deps, 'db' | 'now'>

/** Past the token's `exp`. */
export function isExpired(id: TokenId, now: Date): boolean {
  return now.getTime() >= (id.issuedAt + id.ttlSeconds) * 1000
}

/**
 * The standing of an authentic token of `tenantId`.
 *
 * @example
 * const standing = await standingOf(deps, tenantId, id)
 * if (standing.kind === 'rejected') return refuse(standing.reason)
 */
export async function standingOf(
  deps: StandingDeps,
  tenantId: string,
  id: TokenId,
): Promise<TokenStanding> {
  if (isExpired(id, deps.now())) return rejected('expired')
  if (await isRevoked(deps, id)) return rejected('revoked')
  const application = await findInTenant(deps.db, schema.applications, tenantId, id.applicationId)
  if (!application || application.status !== 'ENABLED') return rejected('application_disabled')
  return accountStanding(deps, application, id.accountId)
}

/** Whether `application` may still issue tokens to the account (client credentials, refresh). */
export async function accountStanding(
  deps: StandingDeps,
  application: ApplicationRow,
  accountId: string,
): Promise<TokenStanding> {
  const { accounts, directories } = schema
  const row = await deps.db
    .select({ account: accounts, directoryStatus: directories.status })
    .from(accounts)
    .innerJoin(directories, eq(directories.id, accounts.directoryId))
    .where(and(eq(accounts.id, accountId), eq(accounts.tenantId, application.tenantId)))
    .get()
  if (!row || row.account.status !== 'ENABLED' || row.directoryStatus !== 'ENABLED')
    return rejected('account_disabled')
  const reached = await deps.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.id, accountId), accountsReachedBy(application.id)))
    .get()
  if (!reached) return rejected('account_unreachable')
  return { kind: 'live', application, account: row.account }
}

/**
 * Reads a token id presented at `/accessTokens/{id}` or `/refreshTokens/{id}`: ours, of the
 * expected kind, MAC'd by an administrator key of `tenantId`. Undefined otherwise — another
 * tenant's token is as unknown as a made-up one.
 */
export async function openTokenId(
  deps: Pick<Deps, 'db' | 'sealer'>,
  tenantId: string,
  text: string,
  kind: TokenKind,
  known?: SigningKey,
): Promise<{ id: TokenId; key: SigningKey } | undefined> {
  const id = parseTokenId(text)
  if (!id || id.kind !== kind) return undefined
  const key = await tenantSigningKey(deps, tenantId, id.apiKeyId, known)
  if (!key || !(await isAuthenticTokenId(text, key.secret))) return undefined
  return { id, key }
}

function rejected(reason: TokenRejection): TokenStanding {
  return { kind: 'rejected', reason }
}
