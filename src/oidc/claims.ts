/**
 * What a client learns about an account, by granted scope (reference §1.2, §6.3, §6.4): the
 * claims for userinfo, and those for the ID token, which are the same unless the client asks
 * for `minimal` ID tokens. Protocol claims (`iss`, `aud`, `exp`, `nonce`, …) are the token
 * module's business, not this one's.
 */
import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { parseCustomData } from '../directory/custom-data'
import { fullNameOf } from '../directory/names'
import type { AccountRow, OidcClientRow } from '../store/rows'
import { SCOPES_SUPPORTED } from './discovery'

/** Cloudron answers `en-US` for everyone (reference §1.2); accounts have no locale. */
const LOCALE = 'en-US'

export type Claims = Record<string, unknown>

/**
 * The `sub` of `account` for `client`: its username (Cloudron parity, the default) or its id.
 *
 * @example
 * subjectOf(client, account) // 'ada' or 'Xq3…'
 */
export function subjectOf(
  client: Pick<OidcClientRow, 'subjectType'>,
  account: Pick<AccountRow, 'id' | 'username'>,
): string {
  return client.subjectType === 'id' ? account.id : account.username
}

/**
 * The claims of `account` for the granted `scopes`: `sub` always (userinfo must carry it, OIDC
 * Core §5.3.2); `profile`, `email`, `groups` as reference §1.2 maps them; then the client's
 * custom claims from the account's custom data. Empty values are omitted, not sent as `""`
 * (OIDC Core §5.3.2).
 *
 * @example
 * const { userinfo, idToken } = await claimsFor(deps, { client, account, scopes: ['openid', 'email'] })
 * // userinfo: { sub: 'ada', email: 'ada@example.com', email_verified: true }
 */
export async function claimsFor(
  deps: Pick<Deps, 'db'>,
  request: { client: OidcClientRow; account: AccountRow; scopes: readonly string[] },
): Promise<{ userinfo: Claims; idToken: Claims }> {
  const { client, account, scopes } = request
  const sub = subjectOf(client, account)
  const userinfo: Claims = { sub }
  if (scopes.includes('profile')) {
    setIfPresent(userinfo, 'name', fullNameOf(account))
    setIfPresent(userinfo, 'given_name', account.givenName)
    setIfPresent(userinfo, 'family_name', account.surname)
    userinfo.preferred_username = account.username
    userinfo.locale = LOCALE
  }
  if (scopes.includes('email')) {
    userinfo.email = account.email
    userinfo.email_verified = account.emailVerificationStatus === 'VERIFIED'
  }
  if (scopes.includes('groups')) userinfo.groups = await enabledGroupNames(deps, account)
  const customData = parseCustomData(account.customData)
  for (const [claim, key] of Object.entries(JSON.parse(client.customClaims) as Claims)) {
    const value = Object.hasOwn(customData, key as string) ? customData[key as string] : undefined
    // defineProperty: the value came from an administrator's mapping and a user's data;
    // assignment would treat some names specially.
    if (value !== undefined && value !== null) {
      Object.defineProperty(userinfo, claim, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
  }
  // `minimal`: RPs then call userinfo, which OIDC Core intends (reference §6.3).
  return { userinfo, idToken: client.idTokenClaims === 'scope' ? { ...userinfo } : { sub } }
}

/**
 * The names of the account's enabled groups, sorted by code point (the same order on every
 * runtime, whatever its collation). Disabled groups grant nothing elsewhere, so they do not
 * appear here either — an RP's group policy must not outlive the group.
 */
async function enabledGroupNames(deps: Pick<Deps, 'db'>, account: AccountRow): Promise<string[]> {
  const { groupMemberships: m, groups: g } = schema
  const rows = await deps.db
    .select({ name: g.name })
    .from(m)
    .innerJoin(g, eq(g.id, m.groupId))
    .where(
      and(eq(m.tenantId, account.tenantId), eq(m.accountId, account.id), eq(g.status, 'ENABLED')),
    )
    .all()
  return rows.map((row) => row.name).sort()
}

function setIfPresent(claims: Claims, name: string, value: string): void {
  if (value.trim() !== '') claims[name] = value
}

/**
 * The scopes of a `scope` parameter (RFC 6749 §3.3: space-delimited), each once, in order.
 *
 * @example
 * parseScopes('openid  email openid') // ['openid', 'email']
 */
export function parseScopes(scope: string | null | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter((token) => token !== ''))]
}

/**
 * The requested scopes Edgepass supports, in order; unknown ones are dropped, as RFC 6749
 * §3.3 allows the server to grant fewer than asked.
 *
 * @example
 * grantableScopes(['openid', 'payments', 'email']) // ['openid', 'email']
 */
export function grantableScopes(requested: readonly string[]): string[] {
  return [...new Set(requested.filter((scope) => SCOPES_SUPPORTED.includes(scope)))]
}
