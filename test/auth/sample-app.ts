/**
 * The sample Hono app the framework's suites protect, the same on Bun and in workerd
 * (test/auth/sample-worker.ts): an OIDC strategy against the upstream IdP with variants
 * (registration, mandatory group), a trusted-JWT API, guest pages, and a test-only listing of
 * the memory user store's accounts.
 */
import { Hono } from 'hono'
import {
  AuthError,
  bearerAdapter,
  createAuth,
  readPendingRegistration,
  memoryUserStore,
  noneAuthenticator,
  oidcProvider,
  sessionAdapter,
  sessionCookieAuthenticator,
  trustedJwtProvider,
  type AuthVariables,
} from '../../src/auth'

export const SAMPLE_SECRET = 'sample-app-secret-for-sealing-0123456789'
export const SAMPLE_JWT_KEY = 'a-shared-hs256-key-of-32-bytes!!'

export function sampleApp(options: { issuer: string; baseUrl?: string; fetch?: typeof fetch }) {
  const users = memoryUserStore([
    { id: 'local-dana', email: 'dana@example.com', emailVerified: true, links: new Set() },
    { id: 'local-erin', email: 'erin@example.com', emailVerified: true, links: new Set() },
  ])
  const session = sessionCookieAuthenticator({ secret: SAMPLE_SECRET })
  const corp = oidcProvider({
    issuer: options.issuer,
    clientId: 'sample-app',
    clientSecret: 'sample-app-secret-0123456789',
    scopes: ['openid', 'email', 'profile', 'groups'],
    allowInsecureRequests: true, // the test IdP listens on http://127.0.0.1
    fetch: options.fetch,
  })
  const auth = createAuth({
    secret: SAMPLE_SECRET,
    baseUrl: options.baseUrl,
    providers: {
      corp,
      token: trustedJwtProvider({
        key: new TextEncoder().encode(SAMPLE_JWT_KEY),
        issuer: 'https://gateway.example',
        audience: 'sample-app',
        algorithms: ['HS256'],
      }),
    },
    adapters: { session: sessionAdapter(session), bearer: bearerAdapter() },
    authenticators: { session, none: noneAuthenticator() },
    strategies: {
      corp: {
        provider: 'corp',
        adapter: 'session',
        authenticator: 'session',
        loginRedirect: '/login',
        adapterFailureHandler: (c, reason) => c.text(`adapter failure: ${reason}`, 401),
      },
      strict: {
        provider: 'corp',
        adapter: 'session',
        authenticator: 'session',
        autoRegister: false,
        registrationRedirect: '/register',
      },
      staff: {
        provider: 'corp',
        adapter: 'session',
        authenticator: 'session',
        mandatoryGroups: ['staff'],
        registrationRedirect: '/register',
      },
      api: { provider: 'token', adapter: 'bearer', authenticator: 'none' },
    },
    users,
  })
  const app = new Hono<{ Variables: AuthVariables }>()
  app.route('/', auth.routes)
  app.use('/admin/*', auth.filter('corp'))
  app.get('/admin/me', (c) => c.json(c.get('identity')))
  app.use('/api/*', auth.filter('api'))
  app.get('/api/me', (c) => c.json(c.get('identity')))
  app.use('/public/*', auth.filter('corp', { anonymous: true }))
  app.get('/public/page', (c) => c.text(c.get('identity') ? 'hello member' : 'hello guest'))
  app.get('/register', async (c) =>
    c.json((await readPendingRegistration(c, SAMPLE_SECRET)) ?? null),
  )
  app.get('/test/accounts', (c) => c.json(users.accounts.map((account) => account.email)))
  app.onError((error, c) =>
    error instanceof AuthError
      ? c.json({ reason: error.reason }, error.status)
      : c.text('error', 500),
  )
  return app
}
