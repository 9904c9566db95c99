import { eq } from 'drizzle-orm'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import * as schema from '../../../db/schema'
import { loginError } from '../../directory/login'
import { EdgepassError } from '../../errors'
import { grantTokens, type TokenOutcome } from '../../stormpath-oauth/grants'
import { signToken, verifyToken, type TokenHrefs } from '../../stormpath-oauth/jwts'
import { REJECTION_MESSAGES, type TokenRejection } from '../../stormpath-oauth/rejections'
import { revokeToken, isRevoked } from '../../stormpath-oauth/revocations'
import { tenantSigningKey } from '../../stormpath-oauth/signing-keys'
import { isExpired, openTokenId, standingOf } from '../../stormpath-oauth/standing'
import type { TokenKind } from '../../stormpath-oauth/token-ids'
import {
  parseTokenRequest,
  TokenRequestError,
  type OAuthErrorCode,
} from '../../stormpath-oauth/token-request'
import type { ApplicationRow } from '../../store/rows'
import { STORMPATH_ERRORS } from '../errors'
import type { Hrefs } from '../hrefs'
import { renderOAuthPolicy, renderToken, tokenHref } from '../views/stormpath-oauth'
import { readStoreSelector } from './applications'
import {
  mustFind,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

/**
 * The Stormpath OAuth face (stormpath-api reference §14): the token endpoint, remote validation
 * through `authTokens`, the token resources and their revocation, and the OAuth policy.
 */
export function stormpathOAuthRoutes(app: RestApp, r: RouteDeps): void {
  const loadApplication = (c: RestContext) =>
    mustFind(scope(c, r), schema.applications, c.req.param('id')!, 'application')
  resource(app, '/applications/:id/oauth/token', {
    post: async (c) => tokenEndpoint(c, r, await loadApplication(c)),
  })
  resource(app, '/applications/:id/authTokens/:jwt', {
    get: async (c) => validateAccessToken(c, r, await loadApplication(c)),
  })
  for (const kind of ['access', 'refresh'] as const) tokenResource(app, r, kind)
  resource(app, '/oAuthPolicies/:id', {
    // Read-only: TTLs are Stormpath's defaults until policies have storage (policy.ts).
    get: async (c) => c.json(renderOAuthPolicy(scope(c, r), await loadApplication(c))),
  })
}

/** The `iss` and `sub` hrefs of the tokens: the REST face's absolute hrefs. */
function tokenHrefs(hrefs: Hrefs): TokenHrefs {
  return {
    application: (id) => hrefs.of('applications', id),
    account: (id) => hrefs.of('accounts', id),
  }
}

/** `POST /applications/{id}/oauth/token`: form in, tokens or an OAuth error out. */
async function tokenEndpoint(
  c: RestContext,
  r: RouteDeps,
  application: ApplicationRow,
): Promise<Response> {
  // RFC 6749 §5.1: token responses, errors included, must not be cached.
  c.header('Cache-Control', 'no-store')
  c.header('Pragma', 'no-cache')
  try {
    const key = c.get('caller').apiKey
    if (!key) {
      throw new TokenRequestError(
        'invalid_client',
        'Call the token endpoint with an API key: its secret signs the tokens.',
      )
    }
    const request = parseTokenRequest(
      c.req.header('content-type') ?? '',
      await c.req.text(),
      (href) => readStoreSelector(r, { href }),
    )
    const tenant = (await r.deps.db
      .select()
      .from(schema.tenants)
      .where(eq(schema.tenants.id, application.tenantId))
      .get())!
    const hrefs = tokenHrefs(r.hrefs)
    const outcome = await grantTokens({ deps: r.deps, tenant, application, key, hrefs }, request)
    return answerOutcome(c, r, outcome)
  } catch (error) {
    if (error instanceof TokenRequestError) {
      const status = error.error === 'invalid_client' ? 401 : 400
      return oauthError(c, r, error.error, status, { message: error.message })
    }
    if (error instanceof EdgepassError) return oauthErrorOf(c, r, error)
    throw error
  }
}

/** Each outcome's answer: 200 with the tokens, or the OAuth error it amounts to. */
function answerOutcome(c: RestContext, r: RouteDeps, outcome: TokenOutcome): Response {
  switch (outcome.kind) {
    case 'issued': {
      const { tokens } = outcome
      return c.json({
        access_token: tokens.accessToken,
        ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
        token_type: 'Bearer',
        expires_in: tokens.expiresIn,
        stormpath_access_token_href: tokenHref(r.hrefs, 'access', tokens.accessTokenId),
      })
    }
    case 'login_refused':
      return oauthErrorOf(c, r, loginError(outcome.refusal))
    case 'grant_rejected':
      return oauthError(c, r, 'invalid_grant', 400, {
        message: 'The refresh token is invalid, expired or revoked.',
        developerMessage: REJECTION_MESSAGES[outcome.reason],
      })
    case 'client_rejected':
      return oauthError(c, r, 'invalid_client', 401, {
        message: 'The client credentials are invalid.',
        developerMessage:
          'client_id must be an enabled API key of an enabled account reached through the application, and client_secret its secret.',
      })
  }
}

/** An Edgepass error met during a grant (§11.1 login errors, 429), in OAuth form. */
function oauthErrorOf(c: RestContext, r: RouteDeps, error: EdgepassError): Response {
  const { status, code } = STORMPATH_ERRORS[error.code]
  if (error.retryAfterSeconds !== undefined)
    c.header('Retry-After', String(error.retryAfterSeconds))
  const oauthCode: OAuthErrorCode = error.code.startsWith('login_')
    ? 'invalid_grant'
    : error.code === 'rate_limited'
      ? 'slow_down'
      : status === 401
        ? 'invalid_client'
        : 'invalid_request'
  return oauthError(c, r, oauthCode, status, {
    code,
    message: error.message,
    developerMessage: error.developerMessage,
  })
}

/**
 * `{error, error_description}` (RFC 6749 §5.2) with the six Stormpath error fields beside them
 * (§14 rule 4): the Node SDK's `ResourceError` reads `status`, `code`, `message` and `error`.
 */
function oauthError(
  c: RestContext,
  r: RouteDeps,
  error: OAuthErrorCode,
  status: ContentfulStatusCode,
  details: { code?: number; message: string; developerMessage?: string },
): Response {
  const code = details.code ?? status
  return c.json(
    {
      error,
      // RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E here.
      error_description: details.message.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' '),
      status,
      code,
      message: details.message,
      developerMessage: details.developerMessage ?? details.message,
      moreInfo: `${r.deps.config.baseUrl}/errors/${code}`,
      requestId: c.get('requestId'),
    },
    status,
  )
}

/**
 * `GET /applications/{id}/authTokens/{jwt}` (§14 rule 2): 302 to the token's resource when it
 * is a live access token of this application, signed by an administrator key of the tenant;
 * 400 otherwise. The Node SDK's `JwtAuthenticator` follows the redirect.
 */
async function validateAccessToken(
  c: RestContext,
  r: RouteDeps,
  application: ApplicationRow,
): Promise<Response> {
  const s = scope(c, r)
  const verified = await verifyToken(
    c.req.param('jwt')!,
    'access',
    (kid) => tenantSigningKey(r.deps, s.tenantId, kid, s.caller.apiKey),
    tokenHrefs(r.hrefs),
    r.deps.now(),
  )
  if (verified.kind === 'invalid') throw invalidToken(verified.reason)
  if (verified.id.applicationId !== application.id) throw invalidToken('wrong_application')
  const standing = await standingOf(r.deps, s.tenantId, verified.id)
  if (standing.kind === 'rejected') throw invalidToken(standing.reason)
  return c.redirect(tokenHref(r.hrefs, 'access', verified.jti), 302)
}

function invalidToken(reason: TokenRejection): EdgepassError {
  return new EdgepassError('invalid_value', 'The access token is invalid.', {
    field: 'jwt',
    developerMessage: REJECTION_MESSAGES[reason],
  })
}

/**
 * `GET|DELETE /accessTokens/{jti}` and `/refreshTokens/{jti}`. A token that expired, was
 * revoked or whose account or application no longer qualifies is gone (404), as Stormpath
 * removed such tokens; DELETE revokes (and a refresh token takes its access tokens with it).
 */
function tokenResource(app: RestApp, r: RouteDeps, kind: TokenKind): void {
  const what = `${kind} token`
  const gone = (developerMessage?: string) =>
    new EdgepassError('not_found', `The ${what} does not exist.`, { developerMessage })
  const open = async (c: RestContext) => {
    const s = scope(c, r)
    const opened = await openTokenId(r.deps, s.tenantId, c.req.param('id')!, kind, s.caller.apiKey)
    if (!opened) throw gone()
    return opened
  }
  resource(app, `/${kind}Tokens/:id`, {
    get: async (c) => {
      const s = scope(c, r)
      const { id, key } = await open(c)
      const standing = await standingOf(r.deps, s.tenantId, id)
      if (standing.kind === 'rejected') throw gone(REJECTION_MESSAGES[standing.reason])
      const { jwt, jti } = await signToken(id, key, tokenHrefs(r.hrefs))
      return c.json(renderToken(s, id, jti, jwt))
    },
    delete: async (c) => {
      const { id } = await open(c)
      if (isExpired(id, r.deps.now()) || (await isRevoked(r.deps, id))) throw gone()
      await revokeToken(r.deps, id)
      return c.body(null, 204)
    },
  })
}
