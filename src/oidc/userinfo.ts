/**
 * The userinfo endpoint `/me` (OIDC Core §5.3): GET or POST, the access token in the
 * `Authorization: Bearer` header or (POST) the `access_token` form field (RFC 6750 §2.1–2.2),
 * never both. Failures answer 401 with `WWW-Authenticate` (RFC 6750 §3).
 */
import type { Context, Hono } from 'hono'
import { formRefusalText, isUrlEncodedForm, readUrlEncodedForm } from '../http/url-encoded-form'
import type { Deps } from '../deps'
import { claimsFor } from './claims'
import type { OidcEnv } from './context'
import { allowCorsFor } from './cors'
import { OAuthError } from './errors'
import { findLiveAccess } from './grants'

type Ctx = Context<OidcEnv>

export function userinfoRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  const handler = async (c: Ctx) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    const value = await bearerToken(c)
    // Tokens of client_credentials grants have no account, hence no grant, and are not found.
    const live = value ? await findLiveAccess(deps, value, c.get('tenant').id) : undefined
    if (!live) throw new OAuthError('invalid_token', 'The access token is invalid.', 401)
    const { token, client, account } = live
    allowCorsFor(c, client)
    const scopes = token.scope.split(' ')
    if (!scopes.includes('openid')) {
      throw new OAuthError('invalid_token', 'The access token was not issued for openid.', 401)
    }
    return c.json((await claimsFor(deps, { client, account, scopes })).userinfo)
  }
  app.get('/me', handler)
  app.post('/me', handler)
}

/** The token from the header, or from a form body on POST; both at once is refused. */
async function bearerToken(c: Ctx): Promise<string | undefined> {
  const header = c.req.header('authorization')
  const fromHeader = header?.match(/^Bearer +([A-Za-z0-9._~+/-]+=*)$/i)?.[1]
  let fromBody: string | undefined
  if (c.req.method === 'POST' && isUrlEncodedForm(c.req.header('content-type'))) {
    const reading = readUrlEncodedForm(c.req.header('content-type'), await c.req.text())
    if (reading.kind === 'refused')
      throw new OAuthError('invalid_request', formRefusalText(reading))
    fromBody = reading.params.get('access_token') ?? undefined
  }
  if (fromHeader && fromBody) {
    throw new OAuthError('invalid_request', 'Send the access token in one place only.')
  }
  return fromHeader ?? fromBody
}
