/**
 * The JWKS endpoints (reference §1.1, §1.3): `/jwks` publishes every key of the issuer,
 * `/jwks_rsaonly` only its RSA keys, for relying parties that fail on an OKP key (§6.1).
 */
import type { Context, Hono } from 'hono'
import type { Deps } from '../deps'
import type { OidcEnv } from './context'
import { ensureSigningKeys, JWKS_MAX_AGE_SECONDS, publicJwks } from './keys'

/** RFC 7517 §8.5; node-oidc-provider sends the same. */
const JWK_SET_TYPE = 'application/jwk-set+json; charset=utf-8'

/**
 * Registers `GET /jwks` and `GET /jwks_rsaonly` (HEAD too); other methods get 405. A tenant
 * gets its keys on its first JWKS fetch at the latest.
 *
 * @example
 * jwksRoutes(oidcApp, deps)
 */
export function jwksRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  const serve = (rsaOnly: boolean) => async (c: Context<OidcEnv>) => {
    const tenantId = c.get('tenant').id
    await ensureSigningKeys(deps, tenantId)
    const jwks = await publicJwks(deps, tenantId, { rsaOnly })
    return c.body(JSON.stringify(jwks), 200, {
      'Content-Type': JWK_SET_TYPE,
      // Short, so that RPs pick up a `next` key long before it signs (§6.2 items 2, 3).
      'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
      // Public keys, readable by SPAs on any origin (§6.6).
      'Access-Control-Allow-Origin': '*',
    })
  }
  for (const [path, rsaOnly] of [
    ['/jwks', false],
    ['/jwks_rsaonly', true],
  ] as const) {
    app.get(path, serve(rsaOnly))
    app.all(path, (c) =>
      c.json(
        { error: 'invalid_request', error_description: `${c.req.method} is not allowed here.` },
        405,
        { Allow: 'GET, HEAD' },
      ),
    )
  }
}
