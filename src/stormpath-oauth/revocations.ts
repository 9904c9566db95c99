/**
 * Revoked OAuth tokens (`DELETE /accessTokens/{id}`, `/refreshTokens/{id}`): with no token table,
 * revocation is a deny-list of token nonces in `used_nonces` under its own scope, each row kept
 * until the token would have expired anyway.
 */
import { and, eq, inArray, lt } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { runBatch } from '../store/db'
import type { TokenId } from './token-ids'

/** The `used_nonces` scope of revoked tokens; nonces are random, so one scope serves all tenants. */
const REVOKED_SCOPE = 'stormpath-oauth:revoked'

/**
 * Revokes a token. Revoking a refresh token also revokes the access tokens issued with it:
 * they carry its nonce (see {@link isRevoked}).
 *
 * @example
 * await revokeToken(deps, id)
 */
export async function revokeToken(deps: Pick<Deps, 'db' | 'now'>, id: TokenId): Promise<void> {
  const { usedNonces } = schema
  await runBatch(deps.db, [
    deps.db
      .delete(usedNonces)
      .where(and(eq(usedNonces.apiKeyId, REVOKED_SCOPE), lt(usedNonces.expiresAt, deps.now()))),
    deps.db
      .insert(usedNonces)
      .values({
        apiKeyId: REVOKED_SCOPE,
        nonce: id.nonce,
        expiresAt: new Date((id.issuedAt + id.ttlSeconds) * 1000),
      })
      .onConflictDoNothing(),
  ])
}

/** Whether the token, or the refresh token it was issued with, has been revoked. */
export async function isRevoked(deps: Pick<Deps, 'db'>, id: TokenId): Promise<boolean> {
  const { usedNonces } = schema
  const nonces = id.refresh ? [id.nonce, id.refresh.nonce] : [id.nonce]
  const row = await deps.db
    .select({ nonce: usedNonces.nonce })
    .from(usedNonces)
    .where(and(eq(usedNonces.apiKeyId, REVOKED_SCOPE), inArray(usedNonces.nonce, nonces)))
    .get()
  return row !== undefined
}
