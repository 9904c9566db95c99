import { Hono } from 'hono'
import type { Deps } from './deps'
import { notFound } from './errors'
import { accessLog } from './http/access-log'
import { platformRoutes } from './http/platform'
import { requestId, type RequestIdVariables } from './http/request-id'
import type { RuntimeBindings } from './rest/context'
import { errorDocsRoutes } from './rest/error-docs'
import { stormpathErrorHandler } from './rest/errors'
import { discoveryResponse } from './oidc/discovery'
import { resolveIssuer } from './oidc/issuer'
import { oidcRoutes } from './oidc/routes'
import { bootstrapRoutes } from './rest/bootstrap'
import { restRoutes } from './rest/router'
import { uiRoutes } from './ui/routes'

export type AppEnv = { Variables: RequestIdVariables; Bindings: RuntimeBindings }

/**
 * The one Hono app, identical on Bun and Cloudflare Workers. Everything runtime-specific arrives
 * in `deps`.
 *
 * @example
 * const app = createApp(deps)
 * Bun.serve({ port: deps.config.port, fetch: app.fetch })
 */
export function createApp(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use(requestId())
  app.use(accessLog(deps.log))

  app.route('/', platformRoutes(deps))
  app.route('/', errorDocsRoutes())
  app.route('/v1', restRoutes(deps))
  app.route('/', bootstrapRoutes(deps))
  const openid = oidcRoutes(deps)
  app.route('/openid', openid)
  app.route('/t/:tenantKey/openid', openid)
  // Cloudron's alias: the default tenant's document at the root (its issuer stays `/openid`).
  app.get('/.well-known/openid-configuration', async (c) =>
    discoveryResponse(c, (await resolveIssuer(deps, undefined)).issuer),
  )
  app.route('/ui', uiRoutes(deps))

  // Stormpath JSON is the default error form; `/ui` renders its own error pages.
  const onError = stormpathErrorHandler<AppEnv>(deps.log, deps.config.baseUrl)
  app.onError(onError)
  // Not thrown: Hono calls notFound outside the handler's try, so a throw would skip the
  // access log.
  app.notFound((c) => onError(notFound(c.req.path), c))
  return app
}
