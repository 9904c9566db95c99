/**
 * Token introspection (RFC 7662) at `/token/introspection`, for confidential clients only
 * (reference §1.1): a resource server of the client asks whether an access or refresh token is
 * live and what it carries. A client learns only about its own tokens: anything else is
 * `{"active": false}`, exactly as for a token that never existed (RFC 7662 §4).
 */
import { eq } from 'drizzle-orm'
import type { Hono } from 'hono'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import type { OidcClientRow, OidcTokenRow } from '../store/rows'
import { subjectOf } from './claims'
import { authenticateClient } from './clients'
import type { OidcEnv } from './context'
import { allowCorsFor } from './cors'
import { OAuthError } from './errors'
import { findPresentedToken, isGrantLive } from './grants'
import { clientCredentials, readForm } from './token'

/** RFC 7662 §2.2 members for a live token; `sub` only when the token has a resource owner. */
export interface IntrospectionAnswer {
  active: true
  scope: string
  client_id: string
  sub?: string
  exp: number
  iat: number
  token_type: 'Bearer' | 'refresh_token'
  iss: string
  aud: string
}

/**
 * Registers `POST /token/introspection`.
 *
 * @example
 * introspectionRoutes(oidcApp, deps)
 */
export function introspectionRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  app.post('/token/introspection', async (c) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    const form = await readForm(c)
    const tenantId = c.get('tenant').id
    const client = await authenticateClient(deps, tenantId, clientCredentials(c, form))
    // A public client's id is public: it would make introspection an oracle for anyone.
    if (client.tokenEndpointAuthMethod === 'none') {
      throw new OAuthError('invalid_client', 'Public clients cannot use introspection.', 401)
    }
    allowCorsFor(c, client)
    if (!form.token) throw new OAuthError('invalid_request', 'token is required.')
    const answer = await introspect(deps, tenantId, c.get('issuer'), client, form)
    return c.json(answer ?? { active: false })
  })
}

/** The answer for a live token of `client`, or undefined for every other case. */
async function introspect(
  deps: Deps,
  tenantId: string,
  issuer: string,
  client: OidcClientRow,
  form: Record<string, string>,
): Promise<IntrospectionAnswer | undefined> {
  const found = await findPresentedToken(deps, form.token!, tenantId, form.token_type_hint)
  if (!found || found.clientId !== client.id) return undefined
  const live =
    found.kind === 'access' ? await liveAccess(deps, found) : await liveRefresh(deps, found)
  if (!live) return undefined
  let sub: string | undefined
  if (found.accountId) {
    const account = await deps.db
      .select()
      .from(schema.accounts)
      .where(eq(schema.accounts.id, found.accountId))
      .get()
    // A disabled account's tokens are refused by userinfo and refresh; say so here too.
    if (!account || account.status !== 'ENABLED') return undefined
    sub = subjectOf(client, account)
  }
  return {
    active: true,
    scope: found.scope,
    client_id: client.id,
    ...(sub !== undefined ? { sub } : {}),
    exp: Math.floor(found.expiresAt.getTime() / 1000),
    iat: Math.floor(found.createdAt.getTime() / 1000),
    token_type: found.kind === 'access' ? 'Bearer' : 'refresh_token',
    iss: issuer,
    aud: client.id,
  }
}

/** Unexpired, and its grant (if any) not revoked: what userinfo accepts (findLiveAccessToken). */
async function liveAccess(deps: Deps, row: OidcTokenRow): Promise<boolean> {
  if (row.expiresAt <= deps.now()) return false
  return row.grantId === null || (await isGrantLive(deps, row.grantId))
}

/** Unexpired, not yet rotated away, its grant not revoked: what the token endpoint accepts. */
async function liveRefresh(deps: Deps, row: OidcTokenRow): Promise<boolean> {
  if (row.expiresAt <= deps.now() || row.consumedAt !== null || !row.grantId) return false
  return isGrantLive(deps, row.grantId)
}
