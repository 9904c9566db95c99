/**
 * CORS per client (reference §6.6) for the endpoints a single-page application calls from the
 * browser: token, userinfo, revocation, introspection. Discovery and JWKS answer `*` on their
 * own; the authorization endpoint is a top-level navigation and never a CORS target.
 *
 * A preflight names no client, so it is allowed when the `Origin` is allowed for some client of
 * the tenant; the actual response is readable only by the origins of the client that
 * authenticated (or, for userinfo, of the access token's client). Another client's origin gets
 * no `Access-Control-Allow-Origin`, so a page there cannot read tokens, even with a stolen code.
 * `*` and `null` are never answered, and credentials (cookies) are never allowed: none of these
 * endpoints reads a cookie.
 */
import { eq } from 'drizzle-orm'
import type { Context, Hono } from 'hono'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import type { OidcClientRow } from '../store/rows'
import { corsOriginsOf } from './clients'
import type { OidcEnv } from './context'

/** The paths with per-client CORS, and the methods a browser may use on each. */
export const CORS_ENDPOINTS: Readonly<Record<string, string>> = {
  '/token': 'POST',
  '/me': 'GET, POST',
  '/token/revocation': 'POST',
  '/token/introspection': 'POST',
}

/** How long a browser may cache a preflight answer (Chromium caps it at 7200 s). */
export const PREFLIGHT_MAX_AGE_SECONDS = 600

/**
 * Registers the preflight answers and `Vary: Origin` on every response of the CORS endpoints
 * (errors included), so that no shared cache serves one origin's answer to another.
 *
 * @example
 * corsRoutes(app, deps) // before the endpoints' own routes
 */
export function corsRoutes(app: Hono<OidcEnv>, deps: Pick<Deps, 'db'>): void {
  for (const [path, methods] of Object.entries(CORS_ENDPOINTS)) {
    app.use(path, async (c, next) => {
      c.header('Vary', 'Origin')
      await next()
    })
    app.options(path, async (c) => {
      const origin = requestOrigin(c)
      if (origin && (await tenantAllowsOrigin(deps, c.get('tenant').id, origin))) {
        c.header('Access-Control-Allow-Origin', origin)
        c.header('Access-Control-Allow-Methods', methods)
        c.header('Access-Control-Allow-Headers', 'authorization, content-type')
        c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS))
      }
      // Without the allow headers the browser refuses the actual request by itself.
      c.header('Allow', `${methods}, OPTIONS`)
      return c.body(null, 204)
    })
  }
}

/**
 * Makes the response readable by the request's `Origin` when it is one of `client`'s allowed
 * origins; otherwise leaves the response without CORS headers. Call it once the client is
 * known (authenticated, or the access token's).
 *
 * @example
 * const client = await authenticateClient(deps, tenant.id, credentials)
 * allowCorsFor(c, client)
 */
export function allowCorsFor(c: Context<OidcEnv>, client: OidcClientRow): void {
  const origin = requestOrigin(c)
  if (!origin || !corsOriginsOf(client).includes(origin)) return
  c.header('Access-Control-Allow-Origin', origin)
  // Userinfo's 401 explains itself in WWW-Authenticate (RFC 6750 §3).
  c.header('Access-Control-Expose-Headers', 'WWW-Authenticate')
}

/**
 * The request's `Origin`, when it can name an allowed origin at all: `null` (sandboxed frames,
 * `file:`, redirects across origins) is shared by every opaque origin, so allowing it would allow
 * them all.
 */
function requestOrigin(c: Context<OidcEnv>): string | undefined {
  const origin = c.req.header('origin')
  if (!origin || origin === 'null' || origin.length > 2048) return undefined
  return origin
}

/** Whether any client of the tenant allows `origin`: the preflight carries no client id. */
async function tenantAllowsOrigin(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  origin: string,
): Promise<boolean> {
  const { oidcClients } = schema
  const clients = await deps.db
    .select()
    .from(oidcClients)
    .where(eq(oidcClients.tenantId, tenantId))
    .all()
  return clients.some((client) => corsOriginsOf(client).includes(origin))
}
