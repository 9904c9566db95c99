/**
 * An account creation policy's `emailDomainBlacklist` and `emailDomainWhitelist` (stormpath-api
 * reference §7): `example.com` matches that domain exactly, `*example.com` any domain ending in
 * it (so `mail.example.com` too). The blacklist wins; a non-empty whitelist admits only its
 * domains.
 */
import { EdgepassError } from '../errors'
import type { PoliciesRow } from '../store/rows'

/**
 * Throws 7205 (blacklisted) or 7206 (not whitelisted) for an email the policy refuses.
 *
 * @example
 * checkEmailDomain('ann@spam.test', { emailDomainBlacklist: '["*spam.test"]', emailDomainWhitelist: '[]' })
 * // throws EdgepassError('email_domain_blacklisted', …)
 */
export function checkEmailDomain(
  email: string,
  policies: Pick<PoliciesRow, 'emailDomainBlacklist' | 'emailDomainWhitelist'>,
): void {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase()
  const blacklist: string[] = JSON.parse(policies.emailDomainBlacklist)
  const whitelist: string[] = JSON.parse(policies.emailDomainWhitelist)
  if (blacklist.some((pattern) => matches(domain, pattern))) {
    throw new EdgepassError(
      'email_domain_blacklisted',
      'Accounts with this email domain are not allowed.',
      { field: 'email', developerMessage: `${domain} matches the emailDomainBlacklist.` },
    )
  }
  if (whitelist.length > 0 && !whitelist.some((pattern) => matches(domain, pattern))) {
    throw new EdgepassError(
      'email_domain_not_whitelisted',
      'Accounts with this email domain are not allowed.',
      {
        field: 'email',
        developerMessage: `${domain} matches no entry of the emailDomainWhitelist.`,
      },
    )
  }
}

function matches(domain: string, pattern: string): boolean {
  const lower = pattern.toLowerCase()
  return lower.startsWith('*') ? domain.endsWith(lower.slice(1)) : domain === lower
}
