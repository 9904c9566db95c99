/**
 * The OpenID Connect face: one Hono app, mounted at `/openid` (the default tenant's issuer) and
 * at `/t/{tenantNameKey}/openid` (every other tenant's). A middleware resolves the tenant and
 * issuer first; each endpoint lives in its own module.
 */
import { Hono, type Context } from 'hono'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { describeError } from '../log'
import { STORMPATH_ERRORS } from '../rest/errors'
import type { OidcEnv } from './context'
import { accountRoutes } from './account'
import { accountPasskeyRoutes } from './account-passkeys'
import { accountSessionRoutes } from './account-sessions'
import { authorizeRoutes } from './authorize'
import { corsRoutes } from './cors'
import { discoveryRoutes } from './discovery'
import { endSessionRoutes } from './end-session'
import { OAuthError, safeDescription } from './errors'
import { resolveIssuer } from './issuer'
import { interactionRoutes } from './interaction'
import { upstreamRoutes } from './interaction-upstream'
import { introspectionRoutes } from './introspection'
import { jwksRoutes } from './jwks'
import { revocationRoutes } from './revocation'
import { tokenRoutes } from './token'
import { userinfoRoutes } from './userinfo'

export function oidcRoutes(deps: Deps): Hono<OidcEnv> {
  const app = new Hono<OidcEnv>()
  app.use(async (c, next) => {
    const { tenant, issuer } = await resolveIssuer(deps, c.req.param('tenantKey'))
    c.set('tenant', tenant)
    c.set('issuer', issuer)
    await next()
  })
  // Before the endpoints it covers: its middleware must run first.
  corsRoutes(app, deps)
  discoveryRoutes(app, deps)
  jwksRoutes(app, deps)
  authorizeRoutes(app, deps)
  interactionRoutes(app, deps)
  upstreamRoutes(app, deps)
  tokenRoutes(app, deps)
  userinfoRoutes(app, deps)
  introspectionRoutes(app, deps)
  revocationRoutes(app, deps)
  endSessionRoutes(app, deps)
  accountSessionRoutes(app, deps)
  accountRoutes(app, deps)
  accountPasskeyRoutes(app, deps)
  app.onError((error, c) => oauthErrorResponse(error, c, deps))
  return app
}

/** An error as OAuth JSON, with `no-store`; unknown errors are logged and answered generically. */
export function oauthErrorResponse(error: Error, c: Context<OidcEnv>, deps: Deps): Response {
  c.header('Cache-Control', 'no-store')
  c.header('Pragma', 'no-cache')
  if (error instanceof OAuthError) {
    if (error.status === 401) {
      c.header(
        'WWW-Authenticate',
        `Bearer realm="${c.get('issuer') ?? 'openid'}", error="${error.error}"`,
      )
    }
    return c.json(
      { error: error.error, error_description: safeDescription(error.description) },
      error.status,
    )
  }
  if (error instanceof EdgepassError && error.code === 'rate_limited') {
    if (error.retryAfterSeconds) c.header('Retry-After', String(error.retryAfterSeconds))
    return c.json({ error: 'slow_down', error_description: 'Too many requests.' }, 429)
  }
  if (error instanceof EdgepassError) {
    // Not OAuth errors as such (unknown route or interaction, wrong method, oversized body):
    // the HTTP status says what happened; `error` stays within RFC 6749's vocabulary.
    const { status } = STORMPATH_ERRORS[error.code]
    if (error.allow) c.header('Allow', error.allow.join(', '))
    const code = error.code === 'not_found' ? 'not_found' : 'invalid_request'
    return c.json({ error: code, error_description: safeDescription(error.message) }, status)
  }
  deps.log.error('unexpected error', { requestId: c.get('requestId'), ...describeError(error) })
  return c.json({ error: 'server_error', error_description: 'An unexpected error occurred.' }, 500)
}
