/**
 * CORS per client (reference §6.6) on both targets: discovery and JWKS for everyone; token,
 * userinfo, revocation and introspection readable only by the origins of the client concerned;
 * never `*`, never `null`, never the authorization endpoint.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import * as client from 'openid-client'
import { describeTargets } from '../harness/targets'
import { oidcFixture, type RegisteredClient } from './provider-fixture'

const SPA = 'https://spa.example.com'
const OTHER_SPA = 'https://other-spa.example.com'
const EVIL = 'https://evil.example'
const CORS_PATHS = [
  '/openid/token',
  '/openid/me',
  '/openid/token/revocation',
  '/openid/token/introspection',
]

describeTargets('CORS per client', (target) => {
  const rp = oidcFixture(target, 'cors')
  let spa: RegisteredClient
  let other: RegisteredClient
  let machine: RegisteredClient

  beforeAll(async () => {
    spa = await rp.newClient({ tokenEndpointAuthMethod: 'none', corsOrigins: [SPA] })
    other = await rp.newClient({ corsOrigins: [OTHER_SPA] })
    machine = await rp.newClient({
      grantTypes: ['client_credentials'],
      redirectUris: [],
      corsOrigins: [SPA],
    })
  })

  const preflight = (path: string, origin: string) =>
    target.request(path, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    })
  const allowOrigin = (reply: Response) => reply.headers.get('access-control-allow-origin')

  describe('preflight', () => {
    test('an origin allowed for some client of the tenant gets 204 with its own origin echoed', async () => {
      for (const path of CORS_PATHS) {
        const reply = await preflight(path, SPA)
        expect(reply.status).toBe(204)
        expect(allowOrigin(reply)).toBe(SPA)
        expect(reply.headers.get('access-control-allow-methods')).toContain('POST')
        expect(reply.headers.get('access-control-allow-headers')).toBe(
          'authorization, content-type',
        )
        expect(Number(reply.headers.get('access-control-max-age'))).toBeGreaterThan(0)
        expect(reply.headers.get('vary')).toContain('Origin')
        expect(reply.headers.get('access-control-allow-credentials')).toBeNull()
      }
      expect((await preflight('/openid/me', SPA)).headers.get('access-control-allow-methods')).toBe(
        'GET, POST',
      )
    })

    test('a foreign origin, the null origin and no origin get no CORS header', async () => {
      for (const path of CORS_PATHS) {
        for (const origin of [EVIL, 'null', `${SPA}.evil.example`, SPA.toUpperCase(), `${SPA}/`]) {
          const reply = await preflight(path, origin)
          expect(reply.status).toBe(204)
          expect(allowOrigin(reply)).toBeNull()
        }
        const bare = await target.request(path, { method: 'OPTIONS' })
        expect(allowOrigin(bare)).toBeNull()
      }
    })

    test("a client's redirect URI origins are its default CORS origins", async () => {
      // Every client of the fixture redirects to https://rp.example.com/callback.
      await rp.newClient()
      expect(allowOrigin(await preflight('/openid/token', 'https://rp.example.com'))).toBe(
        'https://rp.example.com',
      )
    })
  })

  describe('actual responses', () => {
    const clientCredentials = (origin: string, registered = machine) =>
      rp.postForm(
        '/openid/token',
        { grant_type: 'client_credentials', scope: 'api:read' },
        { origin, authorization: rp.basic(registered) },
      )

    test("the token endpoint answers the client's origin, with Vary: Origin", async () => {
      const reply = await clientCredentials(SPA)
      expect(reply.status).toBe(200)
      expect(allowOrigin(reply)).toBe(SPA)
      expect(reply.headers.get('vary')).toContain('Origin')
    })

    test('cross-origin token theft: a foreign origin gets no CORS header', async () => {
      for (const origin of [EVIL, OTHER_SPA, 'null']) {
        const reply = await clientCredentials(origin)
        // The server cannot refuse what a browser sends; the browser refuses to show it.
        expect(allowOrigin(reply)).toBeNull()
        expect(reply.headers.get('vary')).toContain('Origin')
      }
    })

    test("an origin allowed for another client of the tenant cannot read this client's answers", async () => {
      const reply = await clientCredentials(OTHER_SPA)
      expect(allowOrigin(reply)).toBeNull()
      const own = await rp.postForm(
        '/openid/token',
        { grant_type: 'authorization_code', code: 'bogus', redirect_uri: 'x' },
        { origin: OTHER_SPA, authorization: rp.basic(other) },
      )
      // An authenticated client's errors are readable by its origin too.
      expect([own.status, allowOrigin(own)]).toEqual([400, OTHER_SPA])
    })

    test('a failed client authentication is not readable cross-origin', async () => {
      const reply = await clientCredentials(SPA, { ...machine, clientSecret: 'wrong' })
      expect([reply.status, allowOrigin(reply)]).toEqual([401, null])
    })

    test("a public SPA's code flow: token and userinfo readable by its origin only", async () => {
      const config = await rp.configure(spa)
      const { tokens } = await rp.codeFlow(config, { scope: 'openid' })
      const me = (origin: string) =>
        target.request('/openid/me', {
          headers: { origin, authorization: `Bearer ${tokens.access_token}` },
        })
      const mine = await me(SPA)
      expect([mine.status, allowOrigin(mine)]).toEqual([200, SPA])
      expect(mine.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate')
      const theirs = await me(OTHER_SPA)
      expect([theirs.status, allowOrigin(theirs)]).toEqual([200, null])
      const refreshed = await rp.postForm(
        '/openid/token',
        { grant_type: 'refresh_token', refresh_token: 'nope', client_id: spa.clientId },
        { origin: SPA },
      )
      expect([refreshed.status, allowOrigin(refreshed)]).toEqual([400, SPA])
    })

    test("revocation and introspection answer the authenticated client's origin only", async () => {
      const revoke = (origin: string) =>
        rp.postForm(
          '/openid/token/revocation',
          { token: 'x'.repeat(43), client_id: spa.clientId },
          { origin },
        )
      expect(allowOrigin(await revoke(SPA))).toBe(SPA)
      expect(allowOrigin(await revoke(EVIL))).toBeNull()
      const introspect = (origin: string) =>
        rp.postForm(
          '/openid/token/introspection',
          { token: 'x'.repeat(43) },
          { origin, authorization: rp.basic(machine) },
        )
      expect(allowOrigin(await introspect(SPA))).toBe(SPA)
      expect(allowOrigin(await introspect(OTHER_SPA))).toBeNull()
    })
  })

  describe('other endpoints', () => {
    test('the authorization endpoint is never a CORS target', async () => {
      const url = client.buildAuthorizationUrl(await rp.configure(spa), {
        redirect_uri: 'https://rp.example.com/callback',
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      })
      const path = url.href.slice(url.origin.length)
      const get = await target.request(path, { headers: { origin: SPA } })
      expect(allowOrigin(get)).toBeNull()
      const options = await preflight('/openid/auth', SPA)
      expect(allowOrigin(options)).toBeNull()
    })

    test('discovery and JWKS are public: *', async () => {
      for (const path of ['/openid/.well-known/openid-configuration', '/openid/jwks']) {
        const reply = await target.request(path, { headers: { origin: EVIL } })
        expect(allowOrigin(reply)).toBe('*')
      }
    })

    test('no CORS endpoint ever answers *', async () => {
      for (const path of CORS_PATHS) {
        expect(allowOrigin(await preflight(path, '*'))).toBeNull()
      }
    })
  })
})
