/**
 * The LDAP convention for a second factor (Cloudron's): an LDAP client has one password field,
 * so an account with TOTP binds with `password+totpToken=123456`. The LDAP server calls
 * {@link checkLdapBindSecret} with what the client sent and its own password check.
 */
import type { Deps } from '../deps'
import { activeFactors, checkSecondFactor } from './factors'

const SUFFIX = /^([\s\S]*)\+totpToken=(\d{6})$/

/**
 * The password and TOTP code of a bind secret; `totp` is absent when there is no suffix.
 *
 * @example
 * splitBindSecret('s3cret+totpToken=492039') // { password: 's3cret', totp: '492039' }
 * splitBindSecret('s3cret') // { password: 's3cret' }
 */
export function splitBindSecret(secret: string): { password: string; totp?: string } {
  const match = SUFFIX.exec(secret)
  return match ? { password: match[1]!, totp: match[2]! } : { password: secret }
}

/** What a bind secret came to. */
export type BindSecretCheck =
  | { kind: 'accepted'; amr: string[] }
  | { kind: 'refused' }
  /** The account has TOTP and the secret carries no code. */
  | { kind: 'totp_required' }

/**
 * Checks a bind secret for an account: without 2FA the whole secret is the password (a password
 * may itself end like the suffix); with it, the password part must match and the code must be a
 * fresh code of one of its factors (replay refused, as at every sign-in). The password is
 * checked first, so a wrong password never spends a code.
 *
 * @example
 * const check = await checkLdapBindSecret(deps, account, secret, (p) => verifyPassword(account, p))
 */
export async function checkLdapBindSecret(
  deps: Pick<Deps, 'db' | 'now' | 'newId' | 'sealer'>,
  account: { tenantId: string; id: string },
  secret: string,
  passwordMatches: (password: string) => Promise<boolean>,
): Promise<BindSecretCheck> {
  const factors = await activeFactors(deps, account.tenantId, account.id)
  if (factors.length === 0) {
    return (await passwordMatches(secret))
      ? { kind: 'accepted', amr: ['pwd'] }
      : { kind: 'refused' }
  }
  const { password, totp } = splitBindSecret(secret)
  if (!(await passwordMatches(password))) return { kind: 'refused' }
  if (totp === undefined) return { kind: 'totp_required' }
  const check = await checkSecondFactor(deps, account.tenantId, account.id, totp)
  return check.kind === 'accepted'
    ? { kind: 'accepted', amr: ['pwd', 'otp', 'mfa'] }
    : { kind: 'refused' }
}
