import { and, eq, lt, sql } from 'drizzle-orm'
import type { Context, MiddlewareHandler } from 'hono'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { openApiKeySecret } from '../directory/api-keys'
import { EdgepassError } from '../errors'
import { timingSafeEqual } from '../security/constant-time'
import { parseSAuthc1Header, verifySAuthc1 } from '../security/sauthc1'
import { isConstraintError } from '../store/errors'
import type { ApiKeyRow } from '../store/rows'
import type { Caller, RestEnv } from './context'
import { findSession } from './sessions'

/** SAuthc1 accepts timestamps within ±15 minutes; a nonce must not repeat inside that window. */
const NONCE_LIFETIME_MS = 30 * 60 * 1000

const unauthenticated = (developerMessage: string) =>
  new EdgepassError('unauthenticated', 'Authentication required.', { developerMessage })

/**
 * The one answer for an unknown, disabled or non-administrator key, a wrong secret and a bad
 * signature: telling them apart would let a caller find out which key ids exist.
 */
const WRONG_KEY = 'The API key id or secret is wrong, or the key is disabled.'

/**
 * Authenticates `/v1` callers (stormpath-api reference §5): SAuthc1 digest, session cookie from
 * `POST /login`, or HTTP Basic with an API key. Only administrators qualify: ENABLED accounts
 * of the tenant's "Stormpath Administrators" directory, with an ENABLED key.
 */
export function authenticateApi(deps: Deps): MiddlewareHandler<RestEnv> {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next()
    const authorization = c.req.header('authorization') ?? ''
    let caller: Caller
    if (/^sauthc1 /i.test(authorization)) caller = await bySAuthc1(c, deps, authorization)
    else if (/^basic /i.test(authorization)) caller = await byBasic(deps, authorization)
    else caller = await bySession(c, deps)
    c.set('caller', caller)
    await next()
  }
}

async function byBasic(deps: Deps, authorization: string): Promise<Caller> {
  let decoded: string
  try {
    decoded = atob(authorization.slice(6).trim())
  } catch {
    throw unauthenticated('The Basic credentials are not valid base64.')
  }
  const colon = decoded.indexOf(':')
  if (colon < 1) throw unauthenticated('Basic credentials must be apiKeyId:apiKeySecret.')
  const { key, secret } = await adminKey(deps, decoded.slice(0, colon))
  if (!timingSafeEqual(secret, decoded.slice(colon + 1))) throw unauthenticated(WRONG_KEY)
  return {
    tenantId: key.tenantId,
    accountId: key.accountId,
    via: 'basic',
    apiKey: { id: key.id, secret },
  }
}

async function bySAuthc1(c: Context<RestEnv>, deps: Deps, authorization: string): Promise<Caller> {
  const header = parseSAuthc1Header(authorization)
  if (!header) throw unauthenticated('The SAuthc1 Authorization header is malformed.')
  const { key, secret } = await adminKey(deps, header.apiKeyId)
  const search = new URL(c.req.url).search
  const check = await verifySAuthc1(
    {
      method: c.req.method,
      // Signatures cover the URL the client used: the public one, built from BASE_URL.
      url: `${deps.config.baseUrl}${c.req.path}${search}`,
      headers: c.req.raw.headers,
      body: new Uint8Array(await c.req.arrayBuffer()),
    },
    header,
    secret,
    deps.now(),
  )
  if (check.kind !== 'ok') {
    // The reason (clock skew, signature mismatch…) is only reached for an existing key, so it
    // goes to the log, not to the client (API key enumeration).
    deps.log.info('sauthc1 refused', { requestId: c.get('requestId'), reason: check.reason })
    throw unauthenticated(WRONG_KEY)
  }
  await consumeNonce(deps, key.id, header.nonce)
  return {
    tenantId: key.tenantId,
    accountId: key.accountId,
    via: 'sauthc1',
    apiKey: { id: key.id, secret },
  }
}

/** Records a nonce; a second use inside its lifetime is a replay (a UNIQUE violation). */
async function consumeNonce(deps: Deps, apiKeyId: string, nonce: string): Promise<void> {
  const now = deps.now().getTime()
  const { usedNonces } = schema
  await deps.db
    .delete(usedNonces)
    .where(and(eq(usedNonces.apiKeyId, apiKeyId), lt(usedNonces.expiresAt, new Date(now))))
  try {
    await deps.db
      .insert(usedNonces)
      .values({ apiKeyId, nonce, expiresAt: new Date(now + NONCE_LIFETIME_MS) })
  } catch (error) {
    if (isConstraintError(error, 'UNIQUE'))
      throw unauthenticated('SAuthc1: the nonce was already used (replay).')
    throw error
  }
}

async function bySession(c: Context<RestEnv>, deps: Deps): Promise<Caller> {
  const session = await findSession(c, deps)
  if (!session)
    throw unauthenticated(
      'Send an API key (Basic or SAuthc1) or the session cookie from POST /login.',
    )
  refuseCrossSite(c, deps)
  const admin = await adminAccount(deps, session.accountId)
  if (!admin || admin.tenantId !== session.tenantId)
    throw unauthenticated('The session is no longer valid.')
  return { tenantId: session.tenantId, accountId: session.accountId, via: 'session' }
}

/**
 * CSRF: a cookie rides along on cross-site requests, so a state-changing request authenticated
 * by cookie must come from our own origin. Browsers always send `Origin` (and
 * `Sec-Fetch-Site`) on cross-site POSTs; curl and SDKs send neither.
 */
function refuseCrossSite(c: Context<RestEnv>, deps: Deps): void {
  if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return
  const origin = c.req.header('origin')
  const site = c.req.header('sec-fetch-site')
  if ((origin && origin !== new URL(deps.config.baseUrl).origin) || site === 'cross-site') {
    throw new EdgepassError('forbidden', 'Cross-site requests cannot use the session cookie.', {
      developerMessage: `Origin ${JSON.stringify(origin ?? '')} is not ${new URL(deps.config.baseUrl).origin}.`,
    })
  }
}

/**
 * Loads an administrator's enabled key and opens its secret. Unknown, disabled and non-admin
 * keys fail with the same answer, so it does not reveal which keys exist.
 */
async function adminKey(deps: Deps, keyId: string): Promise<{ key: ApiKeyRow; secret: string }> {
  const found = keyId.length <= 64 ? await adminKeyLookup(deps.db).get({ keyId }) : undefined
  const admin =
    found &&
    found.key.status === 'ENABLED' &&
    found.accountStatus === 'ENABLED' &&
    found.isAdmin &&
    found.accountTenantId === found.key.tenantId
  if (!found || !admin) throw unauthenticated(WRONG_KEY)
  return { key: found.key, secret: await openCachedSecret(deps, found.key) }
}

/**
 * The key with its account's status and directory in one prepared statement: every `/v1`
 * request runs it, and a built drizzle query costs more than the lookup itself.
 */
function adminKeyLookup(db: Deps['db']) {
  let lookup = adminKeyLookups.get(db)
  if (!lookup) {
    const { apiKeys, accounts, directories } = schema
    lookup = db
      .select({
        key: apiKeys,
        accountStatus: accounts.status,
        accountTenantId: accounts.tenantId,
        isAdmin: directories.isAdmin,
      })
      .from(apiKeys)
      .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
      .innerJoin(directories, eq(directories.id, accounts.directoryId))
      .where(eq(apiKeys.id, sql.placeholder('keyId')))
      .prepare()
    adminKeyLookups.set(db, lookup)
  }
  return lookup as { get(values: { keyId: string }): Promise<AdminKeyRow | undefined> }
}
type AdminKeyRow = {
  key: ApiKeyRow
  accountStatus: string
  accountTenantId: string
  isAdmin: boolean
}
const adminKeyLookups = new WeakMap<Deps['db'], unknown>()

/**
 * Opened secrets, keyed by their sealed form: the sealed value changes with the secret, so an
 * entry can never be stale; status checks still hit the database on every request. Bounded,
 * oldest first out.
 */
const openedSecrets = new Map<string, string>()
const MAX_OPENED_SECRETS = 1000

async function openCachedSecret(deps: Deps, key: ApiKeyRow): Promise<string> {
  const cacheKey = `${key.id}:${key.secretSealed}`
  const cached = openedSecrets.get(cacheKey)
  if (cached !== undefined) return cached
  const secret = await openApiKeySecret(deps, key)
  if (openedSecrets.size >= MAX_OPENED_SECRETS)
    openedSecrets.delete(openedSecrets.keys().next().value!)
  openedSecrets.set(cacheKey, secret)
  return secret
}

/** The account if it is an ENABLED member of its tenant's administrators directory. */
async function adminAccount(deps: Deps, accountId: string) {
  const { accounts, directories } = schema
  const row = await deps.db
    .select({ tenantId: accounts.tenantId, status: accounts.status, isAdmin: directories.isAdmin })
    .from(accounts)
    .innerJoin(directories, eq(directories.id, accounts.directoryId))
    .where(eq(accounts.id, accountId))
    .get()
  return row && row.status === 'ENABLED' && row.isAdmin ? row : undefined
}
