/**
 * Simple binds (RFC 4513 §5.1) and who they make the connection (LDAP reference §2):
 *
 * - `cn=admin,ou=system,{suffix}` with the tenant's admin secret: sees the whole tree;
 * - `cn={applicationId},ou=apps,{suffix}` with that application's LDAP secret: sees only the
 *   accounts and groups its account stores reach, and only those can then bind on the connection;
 * - a user entry's DN, or `uid=`/`username=`/`mail=` of one under `ou=users`, with the account's
 *   password (`+totpToken=NNNNNN` when it has an authenticator): sees its own entry;
 * - the empty DN with no password: anonymous, sees the rootDSE only.
 *
 * Every failure is `invalidCredentials` (49), whatever failed, so answers do not tell which
 * accounts exist. Failures are counted per bind DN and per client address in the database; a
 * DN or address over its limit is refused before any hash is computed.
 */
import { loginWithBindSecret } from '../../src/directory/bind-login'
import { secretMatches } from '../../src/directory/ldap-settings'
import type { Deps } from '../../src/deps'
import { isAllowed } from '../../src/security/cidr'
import {
  countFailures,
  isRateLimited,
  LDAP_BIND_FAILURES_PER_ADDRESS,
  LDAP_BIND_FAILURES_PER_DN,
  type RateLimit,
} from '../../src/security/rate-limit'
import {
  adminDn,
  appDn,
  makeView,
  type DirectoryIndex,
  type TenantTree,
  type View,
} from './directory'
import { formatNormalized, parseDn } from './dn'
import { RESULT } from './messages'

export type Identity =
  | { kind: 'anonymous' }
  | { kind: 'admin'; tenantId: string; dn: string }
  | { kind: 'app'; tenantId: string; applicationId: string; dn: string }
  | { kind: 'user'; tenantId: string; accountId: string; dn: string; applicationId?: string }

export const ANONYMOUS: Identity = { kind: 'anonymous' }

export type BindOutcome =
  { kind: 'bound'; identity: Identity } | { kind: 'refused'; code: number; message: string }

const INVALID = {
  kind: 'refused',
  code: RESULT.invalidCredentials,
  message: 'Invalid credentials.',
} as const

/** Attribute types that may name an account in the first RDN of a user bind DN. */
const USER_NAMING = new Set(['cn', 'uid', 'username', 'mail'])

export interface BindContext {
  deps: Deps
  index: DirectoryIndex
  /** The client's address, for the allowlist and the per-address limit. */
  address: string
}

/**
 * Binds `name` with `password`. `current` is the connection's identity before the bind: after
 * an application bind, user binds on the same connection are limited to that application's
 * accounts (the search-then-bind pattern keeps the application's scope).
 */
export async function simpleBind(
  context: BindContext,
  name: string,
  password: string,
  current: Identity,
): Promise<BindOutcome> {
  const rdns = parseDn(name)
  if (rdns === undefined)
    return {
      kind: 'refused',
      code: RESULT.invalidDNSyntax,
      message: 'The bind DN is not a valid DN.',
    }
  if (rdns.length === 0) {
    // RFC 4513 §5.1.2: a password without a name is not an anonymous bind.
    return password === '' ? { kind: 'bound', identity: ANONYMOUS } : INVALID
  }
  if (password === '') {
    // RFC 4513 §5.1.2: "unauthenticated" binds (a name, no password) are refused by default.
    return {
      kind: 'refused',
      code: RESULT.unwillingToPerform,
      message: 'Unauthenticated binds are not allowed.',
    }
  }
  const key = formatNormalized(rdns)
  const tree = context.index.treeOf(key)
  const limits: [string, RateLimit][] = [
    [`ldap-bind-address:${context.address}`, LDAP_BIND_FAILURES_PER_ADDRESS],
    [`ldap-bind-dn:${key}`, LDAP_BIND_FAILURES_PER_DN],
  ]
  if (await isRateLimited(context.deps, limits)) return INVALID
  const outcome =
    tree && isAllowed(context.address, tree.allowlist)
      ? await bindInTree(context, tree, key, rdns[0]!, password, current)
      : INVALID
  if (outcome.kind === 'refused') await countFailures(context.deps, limits)
  else {
    const { identity } = outcome
    context.deps.log.info('ldap bind', {
      tenantId: tree!.tenantId,
      kind: identity.kind,
      ...(identity.kind === 'user'
        ? { accountId: identity.accountId, applicationId: identity.applicationId }
        : {}),
      ...(identity.kind === 'app' ? { applicationId: identity.applicationId } : {}),
    })
  }
  return outcome
}

async function bindInTree(
  context: BindContext,
  tree: TenantTree,
  key: string,
  first: { type: string; value: string }[],
  password: string,
  current: Identity,
): Promise<BindOutcome> {
  const { tenantId, suffix, suffixKey } = tree
  if (key === formatNormalized(parseDn(adminDn(suffix))!)) {
    return (await secretMatches(tree.adminSecretHash, password))
      ? { kind: 'bound', identity: { kind: 'admin', tenantId, dn: adminDn(suffix) } }
      : INVALID
  }
  const parent = key.slice(key.indexOf(',') + 1)
  const rdn = first.length === 1 ? first[0]! : undefined
  if (rdn && parent === `ou=apps,${suffixKey}` && rdn.type === 'cn') {
    const app = tree.apps.get(rdn.value)
    if (!(await secretMatches(app?.secretHash ?? null, password))) return INVALID
    return {
      kind: 'bound',
      identity: {
        kind: 'app',
        tenantId,
        applicationId: rdn.value,
        dn: appDn(suffix, rdn.value),
      },
    }
  }
  if (rdn && parent === `ou=users,${suffixKey}` && USER_NAMING.has(rdn.type)) {
    const applicationId = scopingApplication(current, tenantId)
    const view = applicationId ? tree.apps.get(applicationId)?.view : tree.admin
    const accountId = view && findAccount(view, rdn.type, rdn.value)
    if (!accountId) {
      await context.deps.passwords.verifyDummy(password)
      return INVALID
    }
    const login = await loginWithBindSecret(context.deps, tenantId, accountId, password)
    if (login.kind === 'refused') return INVALID
    const dn = view.index.get('uid')!.get(accountId.toLowerCase())![0]!.dn
    return { kind: 'bound', identity: { kind: 'user', tenantId, accountId, dn, applicationId } }
  }
  return INVALID
}

/** The application whose scope a user bind stays within on this connection, if any. */
function scopingApplication(current: Identity, tenantId: string): string | undefined {
  if (current.kind === 'app' && current.tenantId === tenantId) return current.applicationId
  if (current.kind === 'user' && current.tenantId === tenantId) return current.applicationId
  return undefined
}

/**
 * The account a user bind names: `cn=`/`uid=` is the account id (as in the served DNs) or else a
 * username; `username=` a username; `mail=`, or any value with an `@`, an email (Cloudron's rule).
 */
function findAccount(view: View, type: string, value: string): string | undefined {
  const lower = value.toLowerCase()
  const one = (attribute: string) => {
    const entries = view.index
      .get(attribute)
      ?.get(lower)
      ?.filter((entry) => entry.kind === 'user')
    return entries?.length === 1 ? entries[0]!.id : undefined
  }
  if (type === 'mail' || value.includes('@')) return one('mail')
  if (type === 'username') return one('username')
  return one('uid') ?? one('username')
}

/** The view an identity searches, from the current index; undefined for anonymous. */
export function viewOf(index: DirectoryIndex, identity: Identity): View | undefined {
  if (identity.kind === 'anonymous') return undefined
  const tree = index.treeOfTenant(identity.tenantId)
  if (!tree) return undefined
  if (identity.kind === 'admin') return tree.admin
  if (identity.kind === 'app') return tree.apps.get(identity.applicationId)?.view
  const view = identity.applicationId ? tree.apps.get(identity.applicationId)?.view : tree.admin
  const own = view?.index.get('uid')?.get(identity.accountId.toLowerCase())?.[0]
  if (!own) return undefined
  return makeView([...view!.containers, own])
}
