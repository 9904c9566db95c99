import { beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { like } from 'drizzle-orm'
import { decodeJwt, jwtVerify, SignJWT } from 'jose'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { apiClient, expectClientError, type ApiResponse, type Json } from './api-client'
import { V1 } from './rest-client'

const PASSWORD = 'Secret-pass-123'
const HOUR = 3600
const SIXTY_DAYS = 60 * 86_400

const secretOf = (admin: Admin) => new TextEncoder().encode(admin.keySecret)
const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`
/** A JWT segment: base64url of the JSON, unpadded. */
const segment = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')

describeTargets('Stormpath OAuth token endpoint', (target) => {
  let admin: Admin
  let other: Admin
  const api = apiClient(target, () => admin)
  const otherApi = apiClient(target, () => other)
  let serial = 0

  const created = async (path: string, body: Json = {}) => {
    const reply = await api.post(path, body)
    if (reply.status !== 201)
      throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`)
    return reply.body
  }
  /** An application with a fresh directory mapped, and an account in it. */
  const appWithAccount = async () => {
    const app = await created('/v1/applications', { name: `OAuth app ${++serial}` })
    const directory = await created('/v1/directories', { name: `OAuth directory ${serial}` })
    await created('/v1/accountStoreMappings', {
      application: { href: app.href },
      accountStore: { href: directory.href },
      isDefaultAccountStore: true,
    })
    const email = `user${serial}@example.com`
    const account = await created(`${directory.href}/accounts`, { email, password: PASSWORD })
    return { app, directory, account, email }
  }
  /** POSTs a form to the application's token endpoint, as `authorization`. */
  const tokenRequest = async (
    app: Json,
    form: Record<string, string> | string,
    init: { authorization?: string; contentType?: string } = {},
  ): Promise<ApiResponse> => {
    const response = await target.request(`${app.href}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: init.authorization ?? admin.basic,
        'content-type': init.contentType ?? 'application/x-www-form-urlencoded',
      },
      body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : {},
    }
  }
  const passwordGrant = (app: Json, username: string, password = PASSWORD) =>
    tokenRequest(app, { grant_type: 'password', username, password })
  const refreshGrant = (app: Json, refreshToken: string, authorization?: string) =>
    tokenRequest(
      app,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { authorization },
    )
  const tokensFor = async () => {
    const setup = await appWithAccount()
    const reply = await passwordGrant(setup.app, setup.email)
    expect(reply.status).toBe(200)
    return { ...setup, tokens: reply.body }
  }
  const expectOAuthError = (reply: ApiResponse, status: number, error: string) => {
    expect({ status: reply.status, error: reply.body.error }).toEqual({ status, error })
    expect(reply.body.error_description).toBeString()
    expect(reply.body.status).toBe(status)
  }
  const validate = (app: Json, jwt: string, client = api) =>
    client.raw(`${app.href}/authTokens/${jwt}`, { redirect: 'manual' })

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'oauth-a')
    other = await bootstrapAdmin(target.request, 'oauth-b')
  })
  beforeEach(async () => {
    await target.db.delete(schema.rateLimits).where(like(schema.rateLimits.key, 'login:%'))
  })

  describe('password grant', () => {
    test('issues HS256 access and refresh tokens signed with the calling key, with Stormpath claims', async () => {
      const { app, account, email } = await appWithAccount()
      const reply = await passwordGrant(app, email)
      expect(reply.status).toBe(200)
      expect(reply.headers.get('cache-control')).toBe('no-store')
      expect(reply.body).toMatchObject({ token_type: 'Bearer', expires_in: HOUR })

      const access = await jwtVerify(reply.body.access_token, secretOf(admin), {
        algorithms: ['HS256'],
      })
      expect(access.protectedHeader).toEqual({ kid: admin.keyId, stt: 'access', alg: 'HS256' })
      expect(access.payload).toMatchObject({ iss: app.href, sub: account.href })
      expect(access.payload.exp! - access.payload.iat!).toBe(HOUR)
      expect(reply.body.stormpath_access_token_href).toBe(
        `${V1}/accessTokens/${access.payload.jti}`,
      )

      const refresh = await jwtVerify(reply.body.refresh_token, secretOf(admin), {
        algorithms: ['HS256'],
      })
      expect(refresh.protectedHeader).toEqual({ kid: admin.keyId, stt: 'refresh', alg: 'HS256' })
      expect(refresh.payload).toMatchObject({ iss: app.href, sub: account.href })
      expect(refresh.payload.exp! - refresh.payload.iat!).toBe(SIXTY_DAYS)
      expect(access.payload.rti).toBe(refresh.payload.jti)
      expect(Object.keys(access.payload)).toEqual(['jti', 'iat', 'iss', 'sub', 'exp', 'rti'])
    })

    test('refuses a wrong password as invalid_grant with the Stormpath login code 7100', async () => {
      const { app, email } = await appWithAccount()
      const reply = await passwordGrant(app, email, 'Wrong-pass-456')
      expectOAuthError(reply, 400, 'invalid_grant')
      expect(reply.body.code).toBe(7100)
      expect(reply.body.requestId).toBeString()
      expectOAuthError(await passwordGrant(app, 'nobody@example.com'), 400, 'invalid_grant')
    })

    test('shares the per-login rate limit of loginAttempts', async () => {
      const { app, email } = await appWithAccount()
      let last: ApiResponse | undefined
      for (let i = 0; i < 11; i++) last = await passwordGrant(app, email, 'Wrong-pass-456')
      expect(last!.status).toBe(429)
      expect(last!.headers.get('retry-after')).toMatch(/^\d+$/)
    })

    test('honours accountStore: a store not mapped to the application is refused (5114)', async () => {
      const { app, email } = await appWithAccount()
      const stray = await created('/v1/directories', { name: `Stray ${++serial}` })
      const reply = await tokenRequest(app, {
        grant_type: 'password',
        username: email,
        password: PASSWORD,
        accountStore: stray.href,
      })
      expectOAuthError(reply, 400, 'invalid_request')
      expect(reply.body.code).toBe(5114)
    })
  })

  describe('refresh_token grant', () => {
    test('issues a new access token and returns the same refresh token', async () => {
      const { app, account, tokens } = await tokensFor()
      const reply = await refreshGrant(app, tokens.refresh_token)
      expect(reply.status).toBe(200)
      expect(reply.body.refresh_token).toBe(tokens.refresh_token)
      const fresh = await jwtVerify(reply.body.access_token, secretOf(admin))
      expect(fresh.payload.sub).toBe(account.href)
      expect(fresh.payload.jti).not.toBe(decodeJwt(tokens.access_token).jti)
      expect(fresh.payload.rti).toBe(decodeJwt(tokens.refresh_token).jti)
    })

    test('refuses an access token presented as a refresh token', async () => {
      const { app, tokens } = await tokensFor()
      expectOAuthError(await refreshGrant(app, tokens.access_token), 400, 'invalid_grant')
    })

    test('refuses a refresh token of another application', async () => {
      const { tokens } = await tokensFor()
      const { app: otherApp } = await appWithAccount()
      expectOAuthError(await refreshGrant(otherApp, tokens.refresh_token), 400, 'invalid_grant')
    })

    test('binds a refresh token to the API key it was issued to', async () => {
      const { app, tokens } = await tokensFor()
      const second = await created(`${admin.accountHref}/apiKeys`)
      const reply = await refreshGrant(app, tokens.refresh_token, basic(second.id, second.secret))
      expectOAuthError(reply, 400, 'invalid_grant')
    })

    test('refuses once the account is disabled', async () => {
      const { app, account, tokens } = await tokensFor()
      expect((await api.post(account.href, { status: 'DISABLED' })).status).toBe(200)
      expectOAuthError(await refreshGrant(app, tokens.refresh_token), 400, 'invalid_grant')
    })

    test('forged refresh tokens: re-signed claims, another secret, alg none are refused', async () => {
      const { app, tokens } = await tokensFor()
      const [header, payload, signature] = tokens.refresh_token.split('.')
      const claims = decodeJwt(tokens.refresh_token)
      const otherSub = segment({ ...claims, sub: `${V1}/accounts/someoneElse` })
      const noneHeader = segment({ kid: admin.keyId, stt: 'refresh', alg: 'none' })
      const wrongKey = await new SignJWT(claims)
        .setProtectedHeader({ kid: admin.keyId, stt: 'refresh', alg: 'HS256' })
        .sign(new TextEncoder().encode('not-the-secret-of-the-key-at-all-000000'))
      for (const forged of [
        `${header}.${otherSub}.${signature}`,
        `${noneHeader}.${payload}.`,
        wrongKey,
        'not-a-jwt',
      ])
        expectOAuthError(await refreshGrant(app, forged), 400, 'invalid_grant')
    })

    test('refuses an expired refresh token', async () => {
      const { app, tokens } = await tokensFor()
      const claims = decodeJwt(tokens.refresh_token)
      const expired = await new SignJWT({ ...claims, iat: 1_000_000, exp: 1_000_100 })
        .setProtectedHeader({ kid: admin.keyId, stt: 'refresh', alg: 'HS256' })
        .sign(secretOf(admin))
      const reply = await refreshGrant(app, expired)
      expectOAuthError(reply, 400, 'invalid_grant')
      expect(reply.body.developerMessage).toContain('expired')
    })
  })

  describe('client_credentials grant', () => {
    test("issues an access token (no refresh token) for an account's API key", async () => {
      const { app, account } = await appWithAccount()
      const key = await created(`${account.href}/apiKeys`)
      const reply = await tokenRequest(app, {
        grant_type: 'client_credentials',
        client_id: key.id,
        client_secret: key.secret,
      })
      expect(reply.status).toBe(200)
      expect(reply.body.refresh_token).toBeUndefined()
      const access = await jwtVerify(reply.body.access_token, secretOf(admin))
      expect(access.payload.sub).toBe(account.href)
      expect(access.payload.rti).toBeUndefined()
      expect(access.protectedHeader.kid).toBe(admin.keyId)
    })

    test('refuses a wrong secret, an unknown key and a key of an account the application does not reach', async () => {
      const { app, account } = await appWithAccount()
      const key = await created(`${account.href}/apiKeys`)
      const { account: stranger } = await appWithAccount()
      const strangerKey = await created(`${stranger.href}/apiKeys`)
      for (const [id, secret] of [
        [key.id, 'wrong-secret'],
        ['UNKNOWNKEY0000000000000000', key.secret],
        [strangerKey.id, strangerKey.secret],
      ]) {
        const reply = await tokenRequest(app, {
          grant_type: 'client_credentials',
          client_id: id!,
          client_secret: secret!,
        })
        expectOAuthError(reply, 401, 'invalid_client')
      }
    })
  })

  describe('validation and token resources', () => {
    test('authTokens answers 302 to the access token resource, which holds the same JWT', async () => {
      const { app, account, tokens } = await tokensFor()
      const validated = await validate(app, tokens.access_token)
      expect(validated.status).toBe(302)
      const location = validated.headers.get('location')!
      expect(location).toBe(tokens.stormpath_access_token_href)

      const resource = await api.get(location)
      expect(resource.status).toBe(200)
      expect(resource.body).toMatchObject({
        href: location,
        jwt: tokens.access_token,
        account: { href: account.href },
        application: { href: app.href },
      })
      expect(resource.body.expandedJwt.claims.sub).toBe(account.href)
      expect(resource.body.expandedJwt.header.kid).toBe(admin.keyId)

      const refreshHref = `${V1}/refreshTokens/${decodeJwt(tokens.access_token).rti}`
      const refresh = await api.get(refreshHref)
      expect(refresh.status).toBe(200)
      expect(refresh.body.jwt).toBe(tokens.refresh_token)
    })

    test('authTokens refuses tampered, foreign-application and refresh tokens', async () => {
      const { app, tokens } = await tokensFor()
      const [header, , signature] = tokens.access_token.split('.')
      const tampered = segment({ ...decodeJwt(tokens.access_token), sub: `${V1}/accounts/x` })
      const { app: otherApp } = await appWithAccount()
      for (const [application, jwt, reason] of [
        [app, `${header}.${tampered}.${signature}`, 'signature'],
        [otherApp, tokens.access_token, 'another application'],
        [app, tokens.refresh_token, 'type'],
        [app, 'garbage', 'malformed'],
      ] as const) {
        const reply = await validate(application, jwt)
        const body = await reply.json()
        expect([reply.status, body.code]).toEqual([400, 2002])
        expect(body.developerMessage).toContain(reason)
      }
    })

    test('made-up and tampered token ids are 404', async () => {
      const { tokens } = await tokensFor()
      const jti = String(decodeJwt(tokens.access_token).jti)
      const flipped = jti.slice(0, -1) + (jti.endsWith('A') ? 'B' : 'A')
      for (const id of [flipped, 'nothing', 'a.b.c.d.e.f.g.h', 'x'.repeat(5000)]) {
        const reply = await api.get(`${V1}/accessTokens/${id}`)
        expect(reply.status).toBe(404)
      }
      // An access token id is not a refresh token id.
      expect((await api.get(`${V1}/refreshTokens/${jti}`)).status).toBe(404)
    })

    test('deleting a refresh token revokes it and the access tokens issued with it', async () => {
      const { app, tokens } = await tokensFor()
      const { rti, jti } = decodeJwt(tokens.access_token)
      const deleted = await api.delete(`${V1}/refreshTokens/${rti}`)
      expect(deleted.status).toBe(204)
      expectOAuthError(await refreshGrant(app, tokens.refresh_token), 400, 'invalid_grant')
      expect((await validate(app, tokens.access_token)).status).toBe(400)
      expect((await api.get(`${V1}/accessTokens/${jti}`)).status).toBe(404)
      expect((await api.delete(`${V1}/refreshTokens/${rti}`)).status).toBe(404)
    })

    test('deleting an access token revokes only that token', async () => {
      const { app, tokens } = await tokensFor()
      const href = tokens.stormpath_access_token_href
      expect((await api.delete(href)).status).toBe(204)
      expect((await api.get(href)).status).toBe(404)
      expect((await validate(app, tokens.access_token)).status).toBe(400)
      expect((await refreshGrant(app, tokens.refresh_token)).status).toBe(200)
    })

    test('a disabled application invalidates its tokens', async () => {
      const { app, tokens } = await tokensFor()
      expect((await api.post(app.href, { status: 'DISABLED' })).status).toBe(200)
      expect((await api.get(tokens.stormpath_access_token_href)).status).toBe(404)
      expectOAuthError(await refreshGrant(app, tokens.refresh_token), 400, 'invalid_grant')
    })
  })

  describe('tenant isolation', () => {
    test("another tenant's administrator finds neither the endpoint nor the tokens", async () => {
      const { app, email, tokens } = await tokensFor()
      const reply = await tokenRequest(
        app,
        { grant_type: 'password', username: email, password: PASSWORD },
        { authorization: other.basic },
      )
      expect(reply.status).toBe(404)
      expect((await validate(app, tokens.access_token, otherApi)).status).toBe(404)
      expect((await otherApi.get(tokens.stormpath_access_token_href)).status).toBe(404)
      const rti = decodeJwt(tokens.access_token).rti
      expect((await otherApi.delete(`${V1}/refreshTokens/${rti}`)).status).toBe(404)
      expect((await api.get(tokens.stormpath_access_token_href)).status).toBe(200)
    })

    test("another tenant's refresh token is refused, even through its own application", async () => {
      const { tokens } = await tokensFor()
      const otherApp = (await otherApi.post('/v1/applications', { name: 'Theirs' })).body
      const reply = await refreshGrant(otherApp, tokens.refresh_token, other.basic)
      expectOAuthError(reply, 400, 'invalid_grant')
    })
  })

  describe('hostile input', () => {
    test('JSON bodies, repeated and missing parameters, unknown grants: 4xx, never 5xx', async () => {
      const { app, email } = await appWithAccount()
      const json = await tokenRequest(
        app,
        JSON.stringify({ grant_type: 'password', username: email, password: PASSWORD }),
        { contentType: 'application/json' },
      )
      expectOAuthError(json, 400, 'invalid_request')
      const repeated = await tokenRequest(
        app,
        `grant_type=password&grant_type=client_credentials&username=${email}&password=${PASSWORD}`,
      )
      expectOAuthError(repeated, 400, 'invalid_request')
      expectOAuthError(await tokenRequest(app, { username: email }), 400, 'invalid_request')
      expectOAuthError(await tokenRequest(app, { grant_type: 'password' }), 400, 'invalid_request')
      for (const grant of ['authorization_code', 'stormpath_social', 'id_site_token', '\u0000'])
        expectOAuthError(
          await tokenRequest(app, { grant_type: grant }),
          400,
          'unsupported_grant_type',
        )
      expectOAuthError(
        await tokenRequest(app, {
          grant_type: 'password',
          username: email,
          password: PASSWORD,
          accountStore: 'javascript:alert(1)',
        }),
        400,
        'invalid_request',
      )
    })

    test('huge values are refused before any work', async () => {
      const { app, email } = await appWithAccount()
      const forms: Record<string, string>[] = [
        { grant_type: 'password', username: 'u'.repeat(5000), password: PASSWORD },
        { grant_type: 'password', username: email, password: 'p'.repeat(100_000) },
        { grant_type: 'refresh_token', refresh_token: 'x'.repeat(10_000) },
        { grant_type: 'client_credentials', client_id: 'K'.repeat(1000), client_secret: 's' },
      ]
      for (const form of forms) {
        const reply = await tokenRequest(app, form)
        expectClientError(reply)
        expect(reply.body.error).toBe('invalid_request')
      }
      const validated = await validate(app, 'e'.repeat(6000))
      expect(validated.status).toBe(400)
    })

    test('the endpoint answers only POST', async () => {
      const { app } = await appWithAccount()
      const reply = await api.get(`${app.href}/oauth/token`)
      expect(reply.status).toBe(405)
    })
  })

  describe('OAuth policy', () => {
    test("the application links its policy, with Stormpath's default TTLs, read-only", async () => {
      const { app } = await appWithAccount()
      expect(app.oAuthPolicy).toEqual({ href: `${V1}/oAuthPolicies/${app.href.split('/').pop()}` })
      const policy = await api.get(app.oAuthPolicy.href)
      expect(policy.status).toBe(200)
      expect(policy.body).toMatchObject({
        accessTokenTtl: 'PT1H',
        refreshTokenTtl: 'P60D',
        tokenEndpoint: { href: `${app.href}/oauth/token` },
        application: { href: app.href },
      })
      expect((await api.post(app.oAuthPolicy.href, { accessTokenTtl: 'PT2H' })).status).toBe(405)
      expect((await otherApi.get(app.oAuthPolicy.href)).status).toBe(404)
      const expanded = await api.get(`${app.href}?expand=oAuthPolicy`)
      expect(expanded.body.oAuthPolicy.accessTokenTtl).toBe('PT1H')
    })
  })
})
