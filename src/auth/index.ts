/**
 * The authentication framework for Hono apps (`edgepass/auth`): strategies of providers,
 * adapters and authenticators (seed 002), on Bun and on Workers.
 *
 * @example
 * const session = sessionCookieAuthenticator({ secret })
 * const auth = createAuth({
 *   secret,
 *   providers: { corp: oidcProvider({ issuer, clientId, clientSecret }) },
 *   adapters: { session: sessionAdapter(session) },
 *   authenticators: { session },
 *   strategies: { corp: { provider: 'corp', adapter: 'session', authenticator: 'session', autoLogin: true } },
 *   users: memoryUserStore(),
 * })
 * const app = new Hono<{ Variables: AuthVariables }>()
 * app.route('/', auth.routes)
 * app.use('/admin/*', auth.filter('corp'))
 * app.get('/admin', (c) => c.text(`hello ${c.get('identity').email}`))
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { identifyRequest, resolveAccount } from './flow'
import { AuthError, respond } from './outcomes'
import { safeRedirect } from './redirects'
import type { AuthConfig, Identity, StrategyRuntime } from './types'

export type { AuthReason, FilterOutcome } from './outcomes'
export { AuthError, readPendingRegistration } from './outcomes'
export * from './types'
export {
  bearerAdapter,
  cookieAdapter,
  defaultAdapter,
  headerAdapter,
  sessionAdapter,
} from './adapters'
export { noneAuthenticator, sessionCookieAuthenticator } from './authenticators'
export { memoryUserStore } from './memory-users'
export {
  edgepassProvider,
  facebookProvider,
  githubProvider,
  googleProvider,
  keycloakProvider,
  microsoftProvider,
  oauth2Provider,
  oidcProvider,
} from './providers/oidc'
export { edgepassOverHttp, localProvider, type CheckCredentials } from './providers/local'
export { mapStandardClaims, trustedJwtProvider } from './providers/trusted-jwt'
export { safeRedirect } from './redirects'

/** The identity on the context: `new Hono<{ Variables: AuthVariables }>()`. */
export interface AuthVariables {
  identity: Identity
}

export interface Auth {
  /** The route guard: runs the filter flow, sets `c.get('identity')` or answers the refusal. */
  filter(
    strategy: string,
    options?: { anonymous?: boolean },
  ): MiddlewareHandler<{ Variables: AuthVariables }>
  /** `GET /auth/:strategy`, `GET|POST /auth/:strategy/callback`, `GET|POST /auth/:strategy/logout`. */
  routes: Hono
  strategies: ReadonlyMap<string, StrategyRuntime>
}

/**
 * Checks the configuration once (every strategy's components exist, the secret is long enough)
 * and builds the strategies; a mistake throws at start-up, naming every problem.
 */
export function createAuth(config: AuthConfig): Auth {
  const problems: string[] = []
  if (!config.secret || config.secret.length < 32)
    problems.push('secret must be at least 32 characters')
  const base = (config.basePath ?? '/auth').replace(/\/+$/, '')
  const strategies = new Map<string, StrategyRuntime>()
  for (const [name, strategy] of Object.entries(config.strategies)) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
      problems.push(`strategy name ${JSON.stringify(name)} must be letters, digits, - or _`)
    const provider = config.providers[strategy.provider]
    if (!provider) problems.push(`strategy ${name}: no provider ${strategy.provider}`)
    const adapter = strategy.adapter === undefined ? undefined : config.adapters?.[strategy.adapter]
    if (strategy.adapter !== undefined && !adapter)
      problems.push(`strategy ${name}: no adapter ${strategy.adapter}`)
    const authenticator =
      strategy.authenticator === undefined
        ? undefined
        : config.authenticators?.[strategy.authenticator]
    if (strategy.authenticator !== undefined && !authenticator) {
      problems.push(`strategy ${name}: no authenticator ${strategy.authenticator}`)
    }
    if (!provider) continue
    strategies.set(name, {
      name,
      config: strategy,
      provider,
      adapter,
      authenticator,
      loginPath: `${base}/${name}`,
      callbackPath: `${base}/${name}/callback`,
      secret: config.secret,
      allowedRedirects: config.allowedRedirects ?? [],
      baseUrl: config.baseUrl,
    })
  }
  if (problems.length > 0) throw new Error(`invalid auth configuration: ${problems.join('; ')}`)

  const strategyOf = (c: Context) => {
    const strategy = strategies.get(c.req.param('strategy') ?? '')
    if (!strategy) throw new AuthError('internal_error')
    return strategy
  }

  const routes = new Hono()
  routes.get(`${base}/:strategy`, async (c) => {
    const strategy = strategies.get(c.req.param('strategy'))
    if (!strategy?.provider.begin) return c.notFound()
    return strategy.provider.begin(c, strategy)
  })
  routes.on(['GET', 'POST'], `${base}/:strategy/callback`, async (c) => {
    const strategy = strategies.get(c.req.param('strategy'))
    if (!strategy?.provider.complete) return c.notFound()
    const result = await strategy.provider.complete(c, strategy)
    if (result.kind === 'failed') return respond(c, strategy, { kind: 'not_verified' })
    const outcome = await resolveAccount(
      strategy,
      config.users,
      strategy.provider.mapProfile(result.profile),
    )
    if (outcome.kind !== 'authenticated') {
      if (outcome.kind === 'anonymous') throw new AuthError('internal_error')
      return respond(c, strategy, outcome)
    }
    await strategy.authenticator?.login(c, outcome.identity)
    const fallback = strategy.config.successRedirect ?? '/'
    return c.redirect(safeRedirect(result.returnTo, fallback, strategy.allowedRedirects), 302)
  })
  routes.on(['GET', 'POST'], `${base}/:strategy/logout`, async (c) => {
    const strategy = strategyOf(c)
    await strategy.authenticator?.logout(c)
    const target = c.req.query('redirect') ?? c.req.query('redirectUri')
    return c.redirect(
      safeRedirect(target, strategy.config.logoutRedirect ?? '/', strategy.allowedRedirects),
      302,
    )
  })

  return {
    routes,
    strategies,
    filter(name, options = {}) {
      const strategy = strategies.get(name)
      if (!strategy) throw new Error(`auth.filter: no strategy ${name}`)
      return async (c, next) => {
        const outcome = await identifyRequest(c, strategy, config.users, options)
        if (outcome.kind === 'anonymous') return next()
        if (outcome.kind === 'authenticated') {
          // A session the app sealed itself is already bound; a token-based one is bound now.
          if (strategy.adapter?.type !== 'session')
            await strategy.authenticator?.login(c, outcome.identity)
          c.set('identity', outcome.identity)
          return next()
        }
        return respond(c, strategy, outcome)
      }
    },
  }
}
