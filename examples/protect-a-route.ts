/**
 * Protecting a Hono route with the authentication framework, in about ten lines: an upstream
 * OpenID Connect provider (here any issuer; `edgepassProvider`, `googleProvider`, … are presets),
 * a sealed session cookie, and the filter. Run with Bun:
 *
 *   AUTH_SECRET=$(openssl rand -base64 32) OIDC_ISSUER=https://id.example.com/openid \
 *   OIDC_CLIENT_ID=… OIDC_CLIENT_SECRET=… bun examples/protect-a-route.ts
 *
 * and register http://localhost:3000/auth/sso/callback as the client's redirect URI.
 */
import { Hono } from 'hono'
import {
  createAuth,
  memoryUserStore,
  oidcProvider,
  sessionAdapter,
  sessionCookieAuthenticator,
  type AuthVariables,
} from 'edgepass/auth'

export function exampleApp(env: Record<string, string | undefined>) {
  const secret = env.AUTH_SECRET ?? ''
  const session = sessionCookieAuthenticator({ secret })
  const sso = oidcProvider({
    issuer: env.OIDC_ISSUER ?? '',
    clientId: env.OIDC_CLIENT_ID ?? '',
    clientSecret: env.OIDC_CLIENT_SECRET,
    allowInsecureRequests: env.OIDC_ALLOW_HTTP === '1', // a local test IdP only
  })
  const auth = createAuth({
    secret,
    providers: { sso },
    adapters: { session: sessionAdapter(session) },
    authenticators: { session },
    strategies: {
      sso: { provider: 'sso', adapter: 'session', authenticator: 'session', autoLogin: true },
    },
    users: memoryUserStore(),
  })
  return new Hono<{ Variables: AuthVariables }>()
    .route('/', auth.routes)
    .use('/private/*', auth.filter('sso'))
    .get('/private', (c) =>
      c.text(`Hello ${c.get('identity').email ?? c.get('identity').externalId}`),
    )
}

if (import.meta.main) {
  Bun.serve({ port: 3000, fetch: exampleApp(process.env).fetch })
  console.log('http://localhost:3000/private')
}
