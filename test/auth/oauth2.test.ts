/**
 * Plain OAuth 2.0 providers (GitHub, Facebook: not OpenID Connect) through `oauth2Provider`.
 * GitHub itself is unreachable from here, so a stand-in of its three endpoints answers on
 * 127.0.0.1 — and checks what GitHub checks: the client's secret, the PKCE verifier against the
 * challenge, the redirect URI, the bearer token and a User-Agent on the API.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import {
  AuthError,
  createAuth,
  facebookProvider,
  githubProvider,
  memoryUserStore,
  sessionAdapter,
  sessionCookieAuthenticator,
  type AuthVariables,
} from '../../src/auth'

const APP = 'http://gh-app.test'
const SECRET = 'oauth2-provider-test-secret-0123456789abc'
let stub: ReturnType<typeof Bun.serve>
const codes = new Map<string, { challenge: string; redirectUri: string }>()

beforeAll(() => {
  stub = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      if (url.pathname === '/login/oauth/authorize') {
        const code = crypto.randomUUID()
        codes.set(code, {
          challenge: url.searchParams.get('code_challenge')!,
          redirectUri: url.searchParams.get('redirect_uri')!,
        })
        const back = new URL(url.searchParams.get('redirect_uri')!)
        back.searchParams.set('code', code)
        back.searchParams.set('state', url.searchParams.get('state')!)
        return Response.redirect(back.href, 302)
      }
      if (url.pathname === '/login/oauth/access_token') {
        // RFC 6749 §2.3.1: both parts form-urlencoded before base64 (oauth4webapi sends `gh%2Dclient`).
        const basic = atob((request.headers.get('authorization') ?? '').replace(/^Basic /, ''))
        const [id, secret] = basic
          .split(':')
          .map((part) => decodeURIComponent(part.replaceAll('+', ' ')))
        if (id !== 'gh-client' || secret !== 'gh-secret') {
          return Response.json({ error: 'invalid_client' }, { status: 401 })
        }
        const form = new URLSearchParams(await request.text())
        const issued = codes.get(form.get('code') ?? '')
        codes.delete(form.get('code') ?? '')
        const digest = new Uint8Array(
          await crypto.subtle.digest(
            'SHA-256',
            new TextEncoder().encode(form.get('code_verifier') ?? ''),
          ),
        )
        const challenge = Buffer.from(digest).toString('base64url')
        if (
          !issued ||
          issued.challenge !== challenge ||
          issued.redirectUri !== form.get('redirect_uri')
        ) {
          return Response.json({ error: 'invalid_grant' }, { status: 400 })
        }
        return Response.json({
          access_token: 'gho_token',
          token_type: 'bearer',
          scope: 'read:user,user:email',
        })
      }
      if (url.pathname === '/user') {
        if (
          request.headers.get('authorization') !== 'Bearer gho_token' ||
          !request.headers.get('user-agent')
        ) {
          return Response.json({ message: 'Bad credentials' }, { status: 401 })
        }
        return Response.json({
          id: 42,
          login: 'octocat',
          name: 'The Octocat',
          email: 'octo@example.com',
        })
      }
      return new Response('not found', { status: 404 })
    },
  })
})

afterAll(() => {
  stub?.stop(true)
})

function appFor() {
  const session = sessionCookieAuthenticator({ secret: SECRET })
  const base = `http://127.0.0.1:${stub.port}`
  const auth = createAuth({
    secret: SECRET,
    baseUrl: APP,
    providers: {
      github: githubProvider({
        clientId: 'gh-client',
        clientSecret: 'gh-secret',
        allowInsecureRequests: true,
        endpoints: {
          authorization: `${base}/login/oauth/authorize`,
          token: `${base}/login/oauth/access_token`,
          userinfo: `${base}/user`,
        },
      }),
    },
    adapters: { session: sessionAdapter(session) },
    authenticators: { session },
    strategies: { github: { provider: 'github', adapter: 'session', authenticator: 'session' } },
    users: memoryUserStore(),
  })
  const app = new Hono<{ Variables: AuthVariables }>()
  app.route('/', auth.routes)
  app.use('/me', auth.filter('github'))
  app.get('/me', (c) => c.json(c.get('identity')))
  app.onError((error, c) =>
    error instanceof AuthError
      ? c.json({ reason: error.reason }, error.status)
      : c.text(String(error), 500),
  )
  return app
}

describe('githubProvider (OAuth 2.0 with a userinfo endpoint)', () => {
  test('the code flow with PKCE: the userinfo answer becomes the identity', async () => {
    const app = appFor()
    const begin = await app.fetch(new Request(`${APP}/auth/github?returnTo=/me`))
    const authorize = new URL(begin.headers.get('location')!)
    expect(authorize.searchParams.get('scope')).toBe('read:user user:email')
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorize.searchParams.has('nonce')).toBe(false)
    const state = begin.headers.getSetCookie()[0]!.split(';')[0]!
    const upstream = await fetch(authorize, { redirect: 'manual' })
    const callback = upstream.headers.get('location')!
    const done = await app.fetch(new Request(callback, { headers: { cookie: state } }))
    expect(done.status).toBe(302)
    expect(done.headers.get('location')).toBe('/me')
    const session = done.headers
      .getSetCookie()
      .find((line) => line.startsWith('edgepass_auth='))!
      .split(';')[0]!
    const me = await app.fetch(new Request(`${APP}/me`, { headers: { cookie: session } }))
    expect(await me.json()).toMatchObject({
      strategy: 'github',
      externalId: '42',
      email: 'octo@example.com',
      name: 'The Octocat',
    })
  })

  test('a callback whose state is not the cookie’s is refused', async () => {
    const app = appFor()
    const begin = await app.fetch(new Request(`${APP}/auth/github`))
    const state = begin.headers.getSetCookie()[0]!.split(';')[0]!
    const authorize = new URL(begin.headers.get('location')!)
    authorize.searchParams.set('state', 'forged-state')
    const upstream = await fetch(authorize, { redirect: 'manual' })
    const reply = await app.fetch(
      new Request(upstream.headers.get('location')!, { headers: { cookie: state } }),
    )
    expect(reply.status).toBe(401)
    expect(await reply.json()).toEqual({ reason: 'not_verified' })
  })

  test('the Facebook preset points at the Graph API and asks for the email', async () => {
    const provider = facebookProvider({ clientId: 'fb', clientSecret: 'fb-secret' })
    const auth = createAuth({
      secret: SECRET,
      baseUrl: APP,
      providers: { facebook: provider },
      strategies: { facebook: { provider: 'facebook' } },
      users: memoryUserStore(),
    })
    const begin = await auth.routes.fetch(new Request(`${APP}/auth/facebook`))
    const url = new URL(begin.headers.get('location')!)
    expect(url.origin + url.pathname).toBe('https://www.facebook.com/v19.0/dialog/oauth')
    expect(url.searchParams.get('scope')).toBe('public_profile email')
    expect(url.searchParams.get('redirect_uri')).toBe(`${APP}/auth/facebook/callback`)
    expect(
      provider.mapProfile({ id: '7', email: 'Fb@Example.com', first_name: 'F', last_name: 'B' }),
    ).toMatchObject({
      externalId: '7',
      email: 'fb@example.com',
      emailVerified: false,
    })
  })
})
