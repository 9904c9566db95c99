/**
 * The grants of `POST /applications/{id}/oauth/token`, Stormpath flavour (stormpath-api
 * reference §14): `password`, `refresh_token` and `client_credentials`. Tokens are signed with
 * the API key that called the endpoint, because that is the secret the Node SDK verifies them
 * with (§10 item 9).
 */
import type { Deps } from '../deps'
import { findApiKey, openApiKeySecret } from '../directory/api-keys'
import {
  attemptLogin,
  normaliseLogin,
  type LoginRefusal,
  type StoreSelector,
} from '../directory/login'
import { timingSafeEqual } from '../security/constant-time'
import { enforceRateLimits, LOGIN_PER_ACCOUNT } from '../security/rate-limit'
import type { ApplicationRow, TenantRow } from '../store/rows'
import { signToken, verifyToken, type SigningKey, type TokenHrefs } from './jwts'
import { oauthPolicyOf } from './policy'
import type { TokenRejection } from './rejections'
import { accountStanding, standingOf } from './standing'
import type { TokenId, TokenIssue } from './token-ids'

export type TokenRequest =
  | { grantType: 'password'; username: string; password: string; selector: StoreSelector }
  | { grantType: 'refresh_token'; refreshToken: string }
  | { grantType: 'client_credentials'; clientId: string; clientSecret: string }

export interface IssuedTokens {
  accessToken: string
  /** The access token's `jti`, its id at `/accessTokens/{jti}`. */
  accessTokenId: string
  refreshToken?: string
  expiresIn: number
}

export type TokenOutcome =
  | { kind: 'issued'; tokens: IssuedTokens }
  /** Wrong password and the other login refusals of §11.1 (400/71xx). */
  | { kind: 'login_refused'; refusal: LoginRefusal }
  /** A refresh token that is not (or no longer) good. */
  | { kind: 'grant_rejected'; reason: TokenRejection }
  /** Client credentials that name no usable API key of a reachable account. */
  | { kind: 'client_rejected' }

/** Who asks: the application, its tenant, and the API key that signs (the caller's). */
export interface GrantContext {
  deps: Deps
  tenant: TenantRow
  application: ApplicationRow
  key: SigningKey
  hrefs: TokenHrefs
}

/**
 * Runs a grant. Throws the login errors that are not refusals of the credentials (application
 * disabled 2021, no account stores 5105, store not mapped 5114) and 429 when the login is
 * throttled.
 *
 * @example
 * const outcome = await grantTokens(context, { grantType: 'password', username, password, selector })
 */
export async function grantTokens(
  context: GrantContext,
  request: TokenRequest,
): Promise<TokenOutcome> {
  switch (request.grantType) {
    case 'password':
      return passwordGrant(context, request.username, request.password, request.selector)
    case 'refresh_token':
      return refreshGrant(context, request.refreshToken)
    case 'client_credentials':
      return clientCredentialsGrant(context, request.clientId, request.clientSecret)
  }
}

async function passwordGrant(
  context: GrantContext,
  username: string,
  password: string,
  selector: StoreSelector,
): Promise<TokenOutcome> {
  const { deps, tenant, application } = context
  // The budget `loginAttempts` uses: this endpoint is no second door for password guessing.
  await enforceRateLimits(deps, [
    [`login:account:${application.tenantId}:${normaliseLogin(username)}`, LOGIN_PER_ACCOUNT],
  ])
  const outcome = await attemptLogin(deps, tenant, application, username, password, selector)
  if (outcome.kind === 'refused') return { kind: 'login_refused', refusal: outcome.code }
  const policy = oauthPolicyOf(application.id)
  const now = secondsOf(deps.now())
  const refresh: TokenIssue | undefined =
    policy.refreshTokenTtlSeconds > 0
      ? { issuedAt: now, ttlSeconds: policy.refreshTokenTtlSeconds, nonce: deps.newId() }
      : undefined
  return { kind: 'issued', tokens: await issue(context, outcome.account.id, refresh, true) }
}

/**
 * A new access token for a refresh token; the same refresh token is returned (§14). A refresh
 * token is bound to the API key it was issued to (RFC 6749 §6: to its client): the SDK verifies
 * both tokens with its own secret, so another key's refresh token would be unusable anyway.
 */
async function refreshGrant(context: GrantContext, refreshToken: string): Promise<TokenOutcome> {
  const { deps, tenant, application, key, hrefs } = context
  const verified = await verifyToken(
    refreshToken,
    'refresh',
    async (kid) => (kid === key.id ? key : undefined),
    hrefs,
    deps.now(),
  )
  if (verified.kind === 'invalid') return { kind: 'grant_rejected', reason: verified.reason }
  const { id } = verified
  if (id.applicationId !== application.id)
    return { kind: 'grant_rejected', reason: 'wrong_application' }
  const standing = await standingOf(deps, tenant.id, id)
  if (standing.kind === 'rejected') return { kind: 'grant_rejected', reason: standing.reason }
  const { issuedAt, ttlSeconds, nonce } = id
  const tokens = await issue(context, id.accountId, { issuedAt, ttlSeconds, nonce }, false)
  return { kind: 'issued', tokens: { ...tokens, refreshToken } }
}

/**
 * An access token for the account owning an API key (`client_id`/`client_secret`), if that
 * account is reached through the application. One answer for every failure: which key ids exist
 * is not the caller's business.
 */
async function clientCredentialsGrant(
  context: GrantContext,
  clientId: string,
  clientSecret: string,
): Promise<TokenOutcome> {
  const { deps, application } = context
  const apiKey = clientId.length <= 64 ? await findApiKey(deps, clientId) : undefined
  if (!apiKey || apiKey.tenantId !== application.tenantId || apiKey.status !== 'ENABLED')
    return { kind: 'client_rejected' }
  if (!timingSafeEqual(await openApiKeySecret(deps, apiKey), clientSecret))
    return { kind: 'client_rejected' }
  const standing = await accountStanding(deps, application, apiKey.accountId)
  if (standing.kind === 'rejected') return { kind: 'client_rejected' }
  return { kind: 'issued', tokens: await issue(context, apiKey.accountId, undefined, false) }
}

/**
 * Signs an access token (naming `refresh`, if any) and, when `signRefresh`, the refresh token
 * itself.
 */
async function issue(
  context: GrantContext,
  accountId: string,
  refresh: TokenIssue | undefined,
  signRefresh: boolean,
): Promise<IssuedTokens> {
  const { deps, application, key, hrefs } = context
  const policy = oauthPolicyOf(application.id)
  const base = { apiKeyId: key.id, applicationId: application.id, accountId }
  const access: TokenId = {
    kind: 'access',
    ...base,
    issuedAt: secondsOf(deps.now()),
    ttlSeconds: policy.accessTokenTtlSeconds,
    nonce: deps.newId(),
    ...(refresh ? { refresh } : {}),
  }
  const signed = await signToken(access, key, hrefs)
  const refreshToken =
    signRefresh && refresh
      ? (await signToken({ kind: 'refresh', ...base, ...refresh }, key, hrefs)).jwt
      : undefined
  return {
    accessToken: signed.jwt,
    accessTokenId: signed.jti,
    ...(refreshToken ? { refreshToken } : {}),
    expiresIn: policy.accessTokenTtlSeconds,
  }
}

function secondsOf(date: Date): number {
  return Math.floor(date.getTime() / 1000)
}
