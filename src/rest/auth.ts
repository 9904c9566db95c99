import { and, eq, lt } from 'drizzle-orm'
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
  const key =
    keyId.length <= 64
      ? await deps.db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, keyId)).get()
      : undefined
  const admin =
    key && key.status === 'ENABLED' ? await adminAccount(deps, key.accountId) : undefined
  if (!key || !admin || admin.tenantId !== key.tenantId) throw unauthenticated(WRONG_KEY)
  return { key, secret: await openApiKeySecret(deps, key) }
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
