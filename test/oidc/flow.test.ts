/**
 * The provider driven by openid-client v6 as the relying party (reference §4.2), on both
 * targets: discovery, the code flow with PKCE, state, nonce and `iss`, the ID token's checks,
 * userinfo, refresh rotation and the negative cases around them.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { createLocalJWKSet, jwtVerify } from 'jose'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL, type Target } from '../harness/targets'
import { restClient, type Json } from '../rest/rest-client'
import { authorizeThrough, browser, json } from './browser'

const ISSUER = `${TEST_BASE_URL}/openid`
const REDIRECT = 'https://rp.example.com/callback'
const PASSWORD = 'Secret-pass-123'

describeTargets('OpenID Connect provider with openid-client', (target) => {
  let admin: Admin
  const api = restClient(target, () => admin)
  const fetchVia =
    (t: Target): client.CustomFetch =>
    async (url, options) =>
      t.request(url.slice(TEST_BASE_URL.length), options as RequestInit)
  let registered: { clientId: string; clientSecret: string }
  let config: client.Configuration
  const username = 'grace'
  const email = 'grace@example.com'

  const discover = async (clientId: string, secret?: string, auth?: client.ClientAuth) => {
    const configuration = await client.discovery(new URL(ISSUER), clientId, secret, auth, {
      execute: [client.allowInsecureRequests],
      [client.customFetch]: fetchVia(target),
    })
    return configuration
  }
  let directory: Json
  let serial = 0
  /** A client of its own application (one client per application), mapped to the directory. */
  const newClient = async (body: Json = {}) => {
    const owner = (await api('POST', '/v1/applications', { name: `RP app ${++serial}` })).body
    await api('POST', '/v1/accountStoreMappings', {
      application: { href: owner.href },
      accountStore: { href: directory.href },
    })
    const reply = await api('POST', '/v1/oidcClients', {
      application: { href: owner.href },
      redirectUris: [REDIRECT],
      ...body,
    })
    expect(reply.status).toBe(201)
    return reply.body as { clientId: string; clientSecret: string }
  }
  /** An authorization request with a fresh PKCE pair (scope `openid` unless `params` says). */
  const pkceRequest = async (params: Record<string, string> = {}) => {
    const verifier = client.randomPKCECodeVerifier()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...params,
    })
    return { url, verifier }
  }
  /** One full login: answers the tokens and the browser (its SSO session). */
  const codeFlow = async (
    configuration: client.Configuration,
    options: {
      scope?: string
      extra?: Record<string, string>
      b?: ReturnType<typeof browser>
    } = {},
  ) => {
    const b = options.b ?? browser(target)
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: REDIRECT,
      scope: options.scope ?? 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...options.extra,
    })
    const redirect = await authorizeThrough(b, url.href, { username, password: PASSWORD })
    expect(redirect.status).toBe(303)
    const location = new URL(redirect.headers.get('location')!)
    expect(location.origin + location.pathname).toBe(REDIRECT)
    const tokens = await client.authorizationCodeGrant(configuration, location, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    })
    return { tokens, b, location }
  }

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, `oidc-${target.name}`)
    directory = (await api('POST', '/v1/directories', { name: 'RP users' })).body
    const created = await api('POST', `${directory.href}/accounts`, {
      username,
      email,
      password: PASSWORD,
      givenName: 'Grace',
      surname: 'Hopper',
    })
    expect(created.status).toBe(201)
    registered = await newClient()
    config = await discover(
      registered.clientId,
      registered.clientSecret,
      client.ClientSecretBasic(registered.clientSecret),
    )
  })

  // One user logs in many times here; the per-login limit (10 per 5 minutes) has its own tests.
  beforeEach(async () => {
    await target.db.delete(schema.rateLimits)
  })

  describe('discovery (Config OP)', () => {
    test('the issuer matches the discovery URL and the document lists what is supported', async () => {
      const metadata = config.serverMetadata()
      expect(metadata.issuer).toBe(ISSUER)
      expect(metadata.id_token_signing_alg_values_supported).toContain('RS256')
      expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
      expect(metadata.request_uri_parameter_supported).toBe(false)
      expect(metadata.scopes_supported).toContain('openid')
      const root = await target.request('/.well-known/openid-configuration')
      expect((await root.json()).issuer).toBe(ISSUER)
    })
  })

  describe('code flow (Basic OP)', () => {
    test('B1: code with state, nonce and iss; ID token, at_hash and no-store verified', async () => {
      const { tokens, location } = await codeFlow(config)
      expect(location.searchParams.get('iss')).toBe(ISSUER)
      const claims = tokens.claims()!
      expect(claims.iss).toBe(ISSUER)
      expect(claims.aud).toBe(registered.clientId)
      expect(claims.sub).toBe(username)
      expect(typeof claims.auth_time).toBe('number')
      expect(claims.at_hash).toMatch(/^[A-Za-z0-9_-]{22}$/)
      expect(tokens.token_type).toBe('bearer')
      expect(tokens.refresh_token).toBeUndefined()
    })

    test('B5–B7: userinfo by GET header, POST header and POST body', async () => {
      const { tokens } = await codeFlow(config)
      const info = await client.fetchUserInfo(config, tokens.access_token, username)
      expect(info).toMatchObject({
        sub: username,
        email,
        email_verified: false,
        given_name: 'Grace',
        family_name: 'Hopper',
        name: 'Grace Hopper',
        preferred_username: username,
      })
      const post = await target.request('/openid/me', {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect((await post.json()).sub).toBe(username)
      const body = await target.request('/openid/me', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `access_token=${tokens.access_token}`,
      })
      expect((await body.json()).sub).toBe(username)
    })

    test('B2: client_secret_post works for a client registered for it', async () => {
      const post = await newClient({ tokenEndpointAuthMethod: 'client_secret_post' })
      const configuration = await discover(
        post.clientId,
        post.clientSecret,
        client.ClientSecretPost(post.clientSecret),
      )
      const { tokens } = await codeFlow(configuration)
      expect(tokens.claims()!.aud).toBe(post.clientId)
    })

    test('B14: with an SSO session and remembered consent, the next code comes silently', async () => {
      const first = await codeFlow(config)
      const { url, verifier } = await pkceRequest({
        scope: 'openid profile email',
        prompt: 'none',
        state: 'silent',
      })
      const reply = await first.b.request(url.href)
      expect(reply.status).toBe(303)
      const location = new URL(reply.headers.get('location')!)
      expect(location.searchParams.get('code')).toBeTruthy()
      const tokens = await client.authorizationCodeGrant(config, location, {
        pkceCodeVerifier: verifier,
        expectedState: 'silent',
      })
      expect(tokens.claims()!.auth_time).toBe(first.tokens.claims()!.auth_time)
    })

    test('B13: prompt=none without a session redirects login_required with state and iss', async () => {
      const { url } = await pkceRequest({ prompt: 'none', state: 'xyz' })
      const reply = await browser(target).request(url.href)
      const location = new URL(reply.headers.get('location')!)
      expect(Object.fromEntries(location.searchParams)).toMatchObject({
        error: 'login_required',
        state: 'xyz',
        iss: ISSUER,
      })
      expect(location.searchParams.get('code')).toBeNull()
    })

    test('B20/B21: a reused code fails and revokes the tokens issued from it', async () => {
      const b = browser(target)
      const { url, verifier } = await pkceRequest()
      const redirect = await authorizeThrough(b, url.href, { username, password: PASSWORD })
      const location = new URL(redirect.headers.get('location')!)
      const tokens = await client.authorizationCodeGrant(config, location, {
        pkceCodeVerifier: verifier,
      })
      const again = await target.request('/openid/token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${registered.clientId}:${registered.clientSecret}`)}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: location.searchParams.get('code')!,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        }).toString(),
      })
      expect(again.status).toBe(400)
      expect((await again.json()).error).toBe('invalid_grant')
      const info = await target.request('/openid/me', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect(info.status).toBe(401)
      expect(info.headers.get('www-authenticate')).toContain('error="invalid_token"')
    })

    test('B3: a client without a registered algorithm gets RS256 ID tokens', async () => {
      const { tokens } = await codeFlow(config)
      const header = JSON.parse(
        atob(tokens.id_token!.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')),
      )
      expect(header.alg).toBe('RS256')
      expect(typeof header.kid).toBe('string')
    })

    test('B10: scopes and parameters in another order give the same result', async () => {
      const { tokens } = await codeFlow(config, { scope: 'email profile openid' })
      expect(tokens.claims()).toMatchObject({ sub: username, aud: registered.clientId })
      expect((await client.fetchUserInfo(config, tokens.access_token, username)).email).toBe(email)
    })

    test('B11/B19/B27: display, hints, locales, acr_values and claims requests do not fail', async () => {
      const { tokens } = await codeFlow(config, {
        extra: {
          display: 'popup',
          login_hint: username,
          ui_locales: 'fr-CA fr en',
          claims_locales: 'fr en',
          acr_values: '1 2',
          claims: JSON.stringify({ userinfo: { name: { essential: true } } }),
        },
      })
      const info = await client.fetchUserInfo(config, tokens.access_token, username)
      expect(info.name).toBe('Grace Hopper')
    })

    test('B24: the authorization request may be a form POST', async () => {
      const b = browser(target)
      const { url, verifier } = await pkceRequest({ state: 'posted' })
      const started = await b.request('/openid/auth', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: url.searchParams.toString(),
      })
      expect(started.status).toBe(303)
      const redirect = await authorizeThrough(b, started, {
        username,
        password: PASSWORD,
      })
      const location = new URL(redirect.headers.get('location')!)
      expect(location.searchParams.get('state')).toBe('posted')
      const tokens = await client.authorizationCodeGrant(config, location, {
        pkceCodeVerifier: verifier,
        expectedState: 'posted',
      })
      expect(tokens.claims()!.sub).toBe(username)
    })

    test('B22: an unregistered redirect_uri gets an error page, never a redirect', async () => {
      const reply = await target.request(
        `/openid/auth?client_id=${registered.clientId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&response_type=code&scope=openid`,
      )
      expect(reply.status).toBe(400)
      expect(reply.headers.get('location')).toBeNull()
      expect(await reply.text()).toContain('redirect_uri')
    })

    test('B25/B26: request and request_uri are refused as unsupported', async () => {
      for (const [name, error] of [
        ['request', 'request_not_supported'],
        ['request_uri', 'request_uri_not_supported'],
      ] as const) {
        const reply = await target.request(
          `/openid/auth?client_id=${registered.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid&state=s&${name}=x`,
        )
        expect(reply.status).toBe(303)
        expect(new URL(reply.headers.get('location')!).searchParams.get('error')).toBe(error)
      }
    })

    test('N10: a wrong client secret is invalid_client (401)', async () => {
      const reply = await target.request('/openid/token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${registered.clientId}:wrong`)}`,
        },
        body: 'grant_type=authorization_code&code=x&redirect_uri=x',
      })
      expect(reply.status).toBe(401)
      expect((await reply.json()).error).toBe('invalid_client')
      expect(reply.headers.get('cache-control')).toBe('no-store')
    })

    test('N17: a code_verifier that does not match the challenge is invalid_grant', async () => {
      const b = browser(target)
      const { url, verifier } = await pkceRequest()
      const redirect = await authorizeThrough(b, url.href, { username, password: PASSWORD })
      const location = new URL(redirect.headers.get('location')!)
      await expect(
        client.authorizationCodeGrant(config, location, {
          pkceCodeVerifier: client.randomPKCECodeVerifier(),
        }),
      ).rejects.toMatchObject({ error: 'invalid_grant' })
    })
  })

  describe('scopes and claims', () => {
    test('B8: a request without nonce succeeds and its ID token has no nonce', async () => {
      const b = browser(target)
      const { url, verifier } = await pkceRequest()
      const redirect = await authorizeThrough(b, url.href, { username, password: PASSWORD })
      const location = new URL(redirect.headers.get('location')!)
      const tokens = await client.authorizationCodeGrant(config, location, {
        pkceCodeVerifier: verifier,
      })
      expect(tokens.claims()!.nonce).toBeUndefined()
    })

    test('B9: each scope brings its claims; groups lists the enabled groups by name', async () => {
      const groupOf = async (name: string, status = 'ENABLED') => {
        const group = (await api('POST', `${directory.href}/groups`, { name, status })).body
        const account = (await api('GET', `${directory.href}/accounts?username=${username}`)).body
          .items[0]
        await api('POST', '/v1/groupMemberships', {
          account: { href: account.href },
          group: { href: group.href },
        })
      }
      await groupOf('Readers')
      await groupOf('Archived', 'DISABLED')
      const own = await newClient()
      const configuration = await discover(
        own.clientId,
        own.clientSecret,
        client.ClientSecretBasic(own.clientSecret),
      )
      const onlyOpenid = await codeFlow(configuration, { scope: 'openid' })
      const minimal = await client.fetchUserInfo(
        configuration,
        onlyOpenid.tokens.access_token,
        username,
      )
      expect(Object.keys(minimal)).toEqual(['sub'])
      const all = await codeFlow(configuration, { scope: 'openid profile email groups' })
      const info = await client.fetchUserInfo(configuration, all.tokens.access_token, username)
      expect(info).toMatchObject({ name: 'Grace Hopper', email, groups: ['Readers'] })
      expect(all.tokens.claims()!.groups).toEqual(['Readers'])
    })
  })

  describe('ID token signatures', () => {
    /** at_hash computed independently (reference §5.1): SHA-256 for RS256, SHA-512 for EdDSA. */
    const expectedAtHash = async (token: string, alg: string) => {
      const digest = new Uint8Array(
        await crypto.subtle.digest(
          alg === 'EdDSA' ? 'SHA-512' : 'SHA-256',
          new TextEncoder().encode(token),
        ),
      )
      return Buffer.from(digest.slice(0, digest.length / 2)).toString('base64url')
    }

    for (const alg of ['RS256', 'EdDSA'] as const) {
      test(`${alg}: the ID token verifies against the JWKS and its at_hash is right`, async () => {
        const own = await newClient({ idTokenSignedResponseAlg: alg })
        const configuration = await discover(
          own.clientId,
          own.clientSecret,
          client.ClientSecretBasic(own.clientSecret),
        )
        const { tokens } = await codeFlow(configuration)
        const jwks = createLocalJWKSet(await (await target.request('/openid/jwks')).json())
        const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, {
          issuer: ISSUER,
          audience: own.clientId,
        })
        expect(protectedHeader.alg).toBe(alg)
        expect(protectedHeader.kid).toBeTruthy()
        expect(payload.at_hash).toBe(await expectedAtHash(tokens.access_token, alg))
      })
    }
  })

  describe('re-authentication and hints', () => {
    const silent = async (b: ReturnType<typeof browser>, extra: Record<string, string>) => {
      const { url, verifier } = await pkceRequest({ scope: 'openid profile email', ...extra })
      return { reply: await b.request(url.href), verifier, url }
    }

    test('B12: prompt=login demands a new login and a newer auth_time', async () => {
      const first = await codeFlow(config)
      await Bun.sleep(1100)
      const again = await codeFlow(config, { b: first.b, extra: { prompt: 'login' } })
      expect(again.tokens.claims()!.auth_time!).toBeGreaterThan(first.tokens.claims()!.auth_time!)
    })

    test('B15: max_age=1 after more than a second forces a login', async () => {
      const first = await codeFlow(config)
      await Bun.sleep(1100)
      const { reply } = await silent(first.b, { max_age: '1' })
      expect(reply.headers.get('location')).toContain('/openid/interaction/')
      const none = await silent(first.b, { max_age: '1', prompt: 'none' })
      expect(new URL(none.reply.headers.get('location')!).searchParams.get('error')).toBe(
        'login_required',
      )
    })

    test('B16/B18: a large max_age and an id_token_hint of the same user pass silently', async () => {
      const first = await codeFlow(config)
      const { reply, verifier } = await silent(first.b, {
        prompt: 'none',
        max_age: '10000',
        id_token_hint: first.tokens.id_token!,
        state: 'hint',
      })
      const location = new URL(reply.headers.get('location')!)
      const tokens = await client.authorizationCodeGrant(config, location, {
        pkceCodeVerifier: verifier,
        expectedState: 'hint',
      })
      expect(tokens.claims()!.sub).toBe(username)
      expect(tokens.claims()!.auth_time).toBe(first.tokens.claims()!.auth_time)
    })

    test('B18: a forged id_token_hint is refused', async () => {
      const first = await codeFlow(config)
      const [header, payload] = first.tokens.id_token!.split('.')
      const { reply } = await silent(first.b, {
        prompt: 'none',
        id_token_hint: `${header}.${payload}.AAAA`,
        state: 's',
      })
      expect(new URL(reply.headers.get('location')!).searchParams.get('error')).toBe(
        'invalid_request',
      )
    })
  })

  describe('malformed authorization requests', () => {
    const authorize = (params: Record<string, string>) =>
      target.request(`/openid/auth?${new URLSearchParams(params)}`)
    const base = () => ({
      client_id: registered.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 's',
    })
    const errorOf = (reply: Response) =>
      new URL(reply.headers.get('location')!).searchParams.get('error')

    test('N1: an unknown client gets a 400 page, no redirect', async () => {
      const reply = await authorize({ ...base(), client_id: 'nope' })
      expect([reply.status, reply.headers.get('location')]).toEqual([400, null])
    })

    test('B23/N3: a missing response_type redirects invalid_request with state and iss', async () => {
      const { response_type: _, ...params } = base()
      const reply = await authorize(params)
      const location = new URL(reply.headers.get('location')!)
      expect(Object.fromEntries(location.searchParams)).toMatchObject({
        error: 'invalid_request',
        state: 's',
        iss: ISSUER,
      })
    })

    test('N4: response_type=token is unsupported_response_type', async () => {
      expect(errorOf(await authorize({ ...base(), response_type: 'token' }))).toBe(
        'unsupported_response_type',
      )
    })

    test('N8: a scope without openid is invalid_request', async () => {
      expect(errorOf(await authorize({ ...base(), scope: 'profile' }))).toBe('invalid_request')
    })

    test('N16: PKCE plain is refused; a public client without PKCE is refused', async () => {
      expect(
        errorOf(
          await authorize({
            ...base(),
            code_challenge: 'a'.repeat(43),
            code_challenge_method: 'plain',
          }),
        ),
      ).toBe('invalid_request')
      const pub = await newClient({ tokenEndpointAuthMethod: 'none' })
      expect(errorOf(await authorize({ ...base(), client_id: pub.clientId }))).toBe(
        'invalid_request',
      )
    })

    test('B17: unknown parameters are ignored', async () => {
      const b = browser(target)
      const reply = await b.request(
        `/openid/auth?${new URLSearchParams({ ...base(), extra: 'foobar', code_challenge: 'b'.repeat(43), code_challenge_method: 'S256' })}`,
      )
      expect(reply.headers.get('location')).toContain('/openid/interaction/')
    })

    test('hostile input: oversized parameters get an error page, not a 5xx', async () => {
      const reply = await authorize({ ...base(), state: 'x'.repeat(10_000) })
      expect(reply.status).toBe(400)
    })
  })

  describe('token endpoint errors', () => {
    const tokenRequest = (body: string, headers: Record<string, string> = {}) =>
      target.request('/openid/token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${registered.clientId}:${registered.clientSecret}`)}`,
          ...headers,
        },
        body,
      })

    test('N11: grant_type=password is unsupported_grant_type', async () => {
      const reply = await tokenRequest('grant_type=password&username=a&password=b')
      expect([reply.status, (await reply.json()).error]).toEqual([400, 'unsupported_grant_type'])
    })

    test('N9: a bogus code is invalid_grant', async () => {
      const reply = await tokenRequest(
        `grant_type=authorization_code&code=bogus&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      )
      expect([reply.status, (await reply.json()).error]).toEqual([400, 'invalid_grant'])
    })

    test('hostile input: JSON bodies, repeated parameters and huge bodies are invalid_request', async () => {
      const asJson = await tokenRequest('{"grant_type":"client_credentials"}', {
        'content-type': 'application/json',
      })
      expect([asJson.status, (await asJson.json()).error]).toEqual([400, 'invalid_request'])
      const repeated = await tokenRequest('grant_type=authorization_code&grant_type=refresh_token')
      expect([repeated.status, (await repeated.json()).error]).toEqual([400, 'invalid_request'])
      const huge = await tokenRequest(`grant_type=authorization_code&code=${'x'.repeat(20_000)}`)
      expect(huge.status).toBe(400)
    })

    test('N12: userinfo with a bad token is 401 with WWW-Authenticate', async () => {
      const reply = await target.request('/openid/me', {
        headers: { authorization: 'Bearer nope' },
      })
      expect(reply.status).toBe(401)
      expect(reply.headers.get('www-authenticate')).toMatch(
        /^Bearer realm=".+", error="invalid_token"$/,
      )
    })
  })

  describe('refresh tokens', () => {
    test('B29: offline_access yields a refresh token that rotates; reuse revokes the grant', async () => {
      const { tokens } = await codeFlow(config, {
        scope: 'openid offline_access',
        extra: { prompt: 'consent' },
      })
      expect(tokens.refresh_token).toBeTruthy()
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
      expect(refreshed.access_token).not.toBe(tokens.access_token)
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
      expect(refreshed.claims()!.sub).toBe(tokens.claims()!.sub)
      expect(refreshed.claims()!.auth_time).toBe(tokens.claims()!.auth_time)
      await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      })
      // The whole grant is gone: the successor and its access token too.
      await expect(
        client.refreshTokenGrant(config, refreshed.refresh_token!),
      ).rejects.toMatchObject({ error: 'invalid_grant' })
      const info = await target.request('/openid/me', {
        headers: { authorization: `Bearer ${refreshed.access_token}` },
      })
      expect(info.status).toBe(401)
    })

    test("B29: a second client cannot use the first client's refresh token", async () => {
      const { tokens } = await codeFlow(config, {
        scope: 'openid offline_access',
        extra: { prompt: 'consent' },
      })
      const other = await newClient()
      const otherConfig = await discover(
        other.clientId,
        other.clientSecret,
        client.ClientSecretBasic(other.clientSecret),
      )
      await expect(
        client.refreshTokenGrant(otherConfig, tokens.refresh_token!),
      ).rejects.toMatchObject({ error: 'invalid_grant' })
    })
  })

  describe('client credentials', () => {
    test('a confidential client gets an access token without an ID token', async () => {
      const machine = await newClient({ grantTypes: ['client_credentials'], redirectUris: [] })
      const configuration = await discover(
        machine.clientId,
        machine.clientSecret,
        client.ClientSecretBasic(machine.clientSecret),
      )
      const tokens = await client.clientCredentialsGrant(configuration, { scope: 'api:read' })
      expect(tokens.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(tokens.id_token).toBeUndefined()
    })
  })

  describe('interaction API', () => {
    test('wrong credentials answer 400 JSON and issue nothing', async () => {
      const b = browser(target)
      const { url } = await pkceRequest()
      const start = await b.request(url.href)
      const location = start.headers.get('location')!
      const reply = await b.request(
        `${location}/login`,
        json({ username, password: 'Wrong-pass-1' }),
      )
      expect(reply.status).toBe(400)
      expect((await reply.json()).error).toBe('invalid_credentials')
    })

    test('session fixation: an interaction started in one browser is refused in another', async () => {
      const { url } = await pkceRequest()
      const start = await browser(target).request(url.href)
      const location = start.headers.get('location')!
      const stranger = await browser(target).request(
        `${location}/login`,
        json({ username, password: PASSWORD }),
      )
      expect(stranger.status).toBe(404)
    })
  })
})
