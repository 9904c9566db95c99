/**
 * A login by account id with one secret, as an LDAP simple bind makes it: the account's
 * password, followed by `+totpToken=NNNNNN` when it has an authenticator (src/mfa/ldap-bind.ts).
 * The directory's rules apply as at every other login: its lockout policy counts the failure,
 * and a locked, disabled or unverified account, or one whose directory is disabled, is refused;
 * under the tenant's mandatory 2FA an account without a second factor is refused too (it must
 * enrol through the hosted pages first).
 */
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { checkLdapBindSecret, splitBindSecret } from '../mfa/ldap-bind'
import { activeFactors } from '../mfa/factors'
import { loadPolicies } from './accounts'
import { providerOf } from './external/providers'
import { lockExpiry, passwordMatches, recordFailure, recordSuccess } from './login'

export type BindLoginOutcome =
  | { kind: 'accepted'; accountId: string; amr: string[] }
  | {
      kind: 'refused'
      reason:
        | 'no_account'
        | 'wrong_secret'
        | 'totp_required'
        | 'locked'
        | 'disabled'
        | 'unverified'
        | 'directory_disabled'
        | 'mfa_required'
    }

/**
 * Checks `secret` for the account `accountId` of `tenantId`. A lock is checked before any hash
 * (a locked account's answer costs nothing); an unknown account costs a dummy hash, so timing
 * does not tell which ids exist.
 *
 * @example
 * const outcome = await loginWithBindSecret(deps, tenantId, accountId, 'pw+totpToken=123456')
 */
export async function loginWithBindSecret(
  deps: Deps,
  tenantId: string,
  accountId: string,
  secret: string,
): Promise<BindLoginOutcome> {
  const { accounts, directories, tenants } = schema
  const row = await deps.db
    .select({
      account: accounts,
      directoryStatus: directories.status,
      mandatoryMfa: tenants.mandatoryMfa,
    })
    .from(accounts)
    .innerJoin(directories, eq(directories.id, accounts.directoryId))
    .innerJoin(tenants, eq(tenants.id, accounts.tenantId))
    .where(eq(accounts.id, accountId))
    .get()
  const external = row?.account.externalId !== null && row?.account.externalId !== undefined
  if (!row || row.account.tenantId !== tenantId || (!row.account.passwordHash && !external)) {
    await deps.passwords.verifyDummy(secret)
    return { kind: 'refused', reason: 'no_account' }
  }
  const { account } = row
  const policies = await loadPolicies(deps, account.directoryId)
  const now = deps.now()
  const lockedUntil = lockExpiry(account, policies)
  if (lockedUntil && now < lockedUntil) return { kind: 'refused', reason: 'locked' }
  // Another Edgepass as the external directory checks its own second factor: the whole secret,
  // `+totpToken=` included, goes to its server (seed 001, "2FA Support").
  const passThrough =
    external && (await providerOf(deps, account.directoryId))?.settings.preset === 'edgepass'
  const check = passThrough
    ? (await passwordMatches(deps, account, secret))
      ? { kind: 'accepted' as const, amr: ['pwd'] }
      : { kind: 'refused' as const }
    : await checkLdapBindSecret(deps, account, secret, (password) =>
        passwordMatches(deps, account, password),
      )
  if (check.kind !== 'accepted') {
    await recordFailure(deps, account, policies, now)
    return {
      kind: 'refused',
      reason: check.kind === 'totp_required' ? 'totp_required' : 'wrong_secret',
    }
  }
  if (account.status === 'DISABLED') return { kind: 'refused', reason: 'disabled' }
  if (account.status === 'UNVERIFIED') return { kind: 'refused', reason: 'unverified' }
  if (row.directoryStatus !== 'ENABLED') return { kind: 'refused', reason: 'directory_disabled' }
  const secondFactor = check.amr.includes('otp')
  if (
    row.mandatoryMfa &&
    !secondFactor &&
    (await activeFactors(deps, tenantId, accountId)).length === 0
  ) {
    return { kind: 'refused', reason: 'mfa_required' }
  }
  await recordSuccess(deps, account, secondFactor ? splitBindSecret(secret).password : secret)
  return { kind: 'accepted', accountId, amr: check.amr }
}
