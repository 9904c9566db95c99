/**
 * Single-use account tokens behind email links: verification and password reset
 * (stormpath-api reference §12, [EP] rule 4). 256 random bits, stored as SHA-256, expiring, and
 * consumed atomically with the change they authorise.
 */
import { and, eq, gt, lt } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { hashSecretToken, isTokenShaped, newSecretToken } from '../security/tokens'
import { runBatch, type BatchStatement } from '../store/db'
import { isConstraintError } from '../store/errors'
import type { AccountRow, AccountTokenRow } from '../store/rows'

export type TokenPurpose = AccountTokenRow['purpose']

/** Verification links stay valid for a week: Stormpath's never expired, which is too long. */
export const EMAIL_VERIFICATION_TTL_SECONDS = 7 * 24 * 3600

/** The `used_nonces` scope of consumed account tokens. */
const CONSUMED_SCOPE = 'account-token'

export interface IssuedToken {
  token: string
  /** Replaces the account's earlier tokens of the same purpose: only the newest link works. */
  statements: BatchStatement[]
}

/** A new token for `account`, as statements for the caller's batch. */
export async function issueAccountToken(
  deps: Pick<Deps, 'db' | 'now'>,
  account: AccountRow,
  purpose: TokenPurpose,
  ttlSeconds: number,
  applicationId: string | null = null,
): Promise<IssuedToken> {
  const token = newSecretToken()
  const now = deps.now()
  const { accountTokens: t } = schema
  return {
    token,
    statements: [
      deps.db.delete(t).where(and(eq(t.accountId, account.id), eq(t.purpose, purpose))),
      deps.db.insert(t).values({
        tokenHash: await hashSecretToken(token),
        tenantId: account.tenantId,
        accountId: account.id,
        purpose,
        applicationId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      }),
    ],
  }
}

/** A live token with its account, or `not_found` (unknown, expired, used, or malformed). */
export async function findAccountToken(
  deps: Pick<Deps, 'db' | 'now'>,
  token: string,
  purpose: TokenPurpose,
): Promise<{ token: AccountTokenRow; account: AccountRow }> {
  const { accountTokens: t, accounts } = schema
  const row = isTokenShaped(token)
    ? await deps.db
        .select({ token: t, account: accounts })
        .from(t)
        .innerJoin(accounts, eq(accounts.id, t.accountId))
        .where(
          and(
            eq(t.tokenHash, await hashSecretToken(token)),
            eq(t.purpose, purpose),
            gt(t.expiresAt, deps.now()),
          ),
        )
        .get()
    : undefined
  if (!row) {
    const what = purpose === 'password_reset' ? 'password reset' : 'email verification'
    throw new EdgepassError('not_found', `The ${what} link is invalid or has expired.`, {
      developerMessage: `No live ${what} token matches; tokens are single use and expire.`,
    })
  }
  return row
}

/**
 * Statements that consume a token, first in the batch of the change it authorises. The
 * `used_nonces` insert fails on its primary key when a concurrent request consumed the same
 * token first, rolling the whole batch back: one token, one change.
 */
export function consumeAccountToken(
  deps: Pick<Deps, 'db' | 'now'>,
  row: AccountTokenRow,
): BatchStatement[] {
  const { usedNonces, accountTokens } = schema
  return [
    // Guards of expired tokens are no longer needed: an expired token is refused anyway.
    deps.db
      .delete(usedNonces)
      .where(and(eq(usedNonces.apiKeyId, CONSUMED_SCOPE), lt(usedNonces.expiresAt, deps.now()))),
    deps.db
      .insert(usedNonces)
      .values({ apiKeyId: CONSUMED_SCOPE, nonce: row.tokenHash, expiresAt: row.expiresAt }),
    deps.db.delete(accountTokens).where(eq(accountTokens.tokenHash, row.tokenHash)),
  ]
}

/**
 * Runs a batch that consumes a token; a concurrent consumer that won the race makes it fail on
 * the guard's primary key, which is answered as an already used token.
 */
export async function runConsuming(
  deps: Pick<Deps, 'db' | 'now'>,
  row: AccountTokenRow,
  statements: BatchStatement[],
): Promise<void> {
  try {
    await runBatch(deps.db, [...consumeAccountToken(deps, row), ...statements])
  } catch (error) {
    if (!isConstraintError(error, 'UNIQUE')) throw error
    throw new EdgepassError('not_found', 'The link has already been used.', { cause: error })
  }
}
