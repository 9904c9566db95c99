/**
 * Token revocation (RFC 7009) at `/token/revocation`, for every client including public ones
 * (a public client authenticates with its `client_id` alone, as at the token endpoint).
 *
 * - A refresh token revokes its whole grant: every access and refresh token issued under it,
 *   and the grant itself, so the next authorization asks for consent again. This is
 *   node-oidc-provider's default (`revokeGrantPolicy`) and reference §6.5's grant-wide rule: an
 *   RP revoking its refresh token is signing the user out of itself, and an access token minted
 *   from that refresh token must not outlive it (RFC 7009 §2.1 "SHOULD also invalidate").
 * - An access token is deleted alone; the grant and its refresh tokens stay.
 * - Unknown, expired, already revoked tokens and tokens of another client answer 200 and
 *   change nothing (RFC 7009 §2.2): the answer tells nothing about other clients' tokens.
 * - `token_type_hint` only orders the lookup; an unknown hint is not an error.
 */
import { eq } from 'drizzle-orm'
import type { Hono } from 'hono'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { runBatch, type BatchStatement } from '../store/db'
import type { OidcClientRow } from '../store/rows'
import { authenticateClient } from './clients'
import type { OidcEnv } from './context'
import { allowCorsFor } from './cors'
import { OAuthError } from './errors'
import { findPresentedToken, grantRevocation } from './grants'
import { clientCredentials, readForm } from './token'

/**
 * Registers `POST /token/revocation`.
 *
 * @example
 * revocationRoutes(oidcApp, deps)
 */
export function revocationRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  app.post('/token/revocation', async (c) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    const form = await readForm(c)
    const tenantId = c.get('tenant').id
    const client = await authenticateClient(deps, tenantId, clientCredentials(c, form))
    allowCorsFor(c, client)
    if (!form.token) throw new OAuthError('invalid_request', 'token is required.')
    await runBatch(deps.db, await revocationOf(deps, tenantId, client, form))
    return c.body(null, 200)
  })
}

/** The statements revoking the presented token; none when it is not the client's to revoke. */
async function revocationOf(
  deps: Deps,
  tenantId: string,
  client: OidcClientRow,
  form: Record<string, string>,
): Promise<BatchStatement[]> {
  const found = await findPresentedToken(deps, form.token!, tenantId, form.token_type_hint)
  if (!found || found.clientId !== client.id) return []
  if (found.kind === 'refresh' && found.grantId) return grantRevocation(deps, found.grantId)
  const { oidcTokens: t } = schema
  return [deps.db.delete(t).where(eq(t.tokenHash, found.tokenHash))]
}
