/**
 * Token introspection (RFC 7662) on both targets, driven by openid-client where it can be:
 * live access and refresh tokens described, everything else `{active: false}` — another
 * client's tokens above all (§4) — and confidential clients only.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import { bootstrapAdmin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { restClient } from '../rest/rest-client'
import { ISSUER, oidcFixture, type RegisteredClient } from './provider-fixture'
import { hashSecretToken } from '../../src/security/tokens'

const ENDPOINT = '/openid/token/introspection'

describeTargets('token introspection', (target) => {
  const rp = oidcFixture(target, 'introspection')
  let registered: RegisteredClient
  let config: client.Configuration

  beforeAll(async () => {
    registered = await rp.newClient()
    config = await rp.configure(registered)
  })

  /** openid-client's answer as plain members, to compare with exact objects. */
  const introspected = async (
    configuration: client.Configuration,
    token: string,
  ): Promise<Record<string, unknown>> => ({
    ...(await client.tokenIntrospection(configuration, token)),
  })
  const introspect = (token: string, auth = rp.basic(registered), extra = {}) =>
    rp.postForm(ENDPOINT, { token, ...extra }, { authorization: auth })

  test('discovery advertises the endpoint with confidential methods only', () => {
    const metadata = config.serverMetadata()
    expect(metadata.introspection_endpoint).toBe(`${ISSUER}/token/introspection`)
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('none')
  })

  test('a live access token is active with its scope, client, subject, times and issuer', async () => {
    const { tokens } = await rp.codeFlow(config, { scope: 'openid email offline_access' })
    const answer = await client.tokenIntrospection(config, tokens.access_token)
    expect(answer).toMatchObject({
      active: true,
      scope: 'openid email offline_access',
      client_id: registered.clientId,
      sub: rp.username,
      token_type: 'Bearer',
      iss: ISSUER,
      aud: registered.clientId,
    })
    const now = Math.floor(Date.now() / 1000)
    expect(answer.iat).toBeGreaterThan(now - 60)
    expect(answer.iat).toBeLessThanOrEqual(now + 1)
    expect(answer.exp).toBe(answer.iat! + 3600)
    const raw = await introspect(tokens.access_token)
    expect(raw.headers.get('cache-control')).toBe('no-store')
    expect(raw.headers.get('content-type')).toContain('application/json')
  })

  test('a live refresh token is active as refresh_token, whatever the hint says', async () => {
    const { tokens } = await rp.codeFlow(config)
    for (const hint of [undefined, 'refresh_token', 'access_token', 'bogus']) {
      const answer = await client.tokenIntrospection(
        config,
        tokens.refresh_token!,
        hint ? { token_type_hint: hint } : {},
      )
      expect(answer).toMatchObject({ active: true, token_type: 'refresh_token', sub: rp.username })
    }
  })

  test('client_secret_post authenticates as well', async () => {
    const post = await rp.newClient({ tokenEndpointAuthMethod: 'client_secret_post' })
    const postConfig = await rp.configure(post, client.ClientSecretPost(post.clientSecret!))
    const { tokens } = await rp.codeFlow(postConfig)
    expect((await client.tokenIntrospection(postConfig, tokens.access_token)).active).toBe(true)
  })

  test("RFC 7662 §4: another client's token is inactive, exactly like an unknown one", async () => {
    const { tokens } = await rp.codeFlow(config)
    const other = await rp.newClient()
    const otherConfig = await rp.configure(other)
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      const reply = await introspect(token, rp.basic(other))
      expect([reply.status, await reply.json()]).toEqual([200, { active: false }])
    }
    expect(await introspected(otherConfig, 'x'.repeat(43))).toEqual({ active: false })
    // And the owner still sees them live.
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true)
  })

  test('revoked, rotated and expired tokens are inactive', async () => {
    const { tokens } = await rp.codeFlow(config)
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    // The rotated-away refresh token.
    expect(await introspected(config, tokens.refresh_token!)).toEqual({
      active: false,
    })
    expect((await client.tokenIntrospection(config, refreshed.access_token)).active).toBe(true)
    const { oidcTokens } = schema
    await target.db
      .update(oidcTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oidcTokens.tokenHash, await hashSecretToken(refreshed.access_token)))
    expect(await introspected(config, refreshed.access_token)).toEqual({
      active: false,
    })
    await client.tokenRevocation(config, refreshed.refresh_token!)
    expect(await introspected(config, refreshed.refresh_token!)).toEqual({
      active: false,
    })
  })

  test("a disabled account's tokens are inactive", async () => {
    const { tokens } = await rp.codeFlow(config)
    const account = rp.account()
    expect((await rp.api('POST', account.href, { status: 'DISABLED' })).status).toBe(200)
    try {
      expect(await introspected(config, tokens.access_token)).toEqual({
        active: false,
      })
    } finally {
      await rp.api('POST', account.href, { status: 'ENABLED' })
    }
  })

  test('a client_credentials token is active without a subject', async () => {
    const machine = await rp.newClient({ grantTypes: ['client_credentials'], redirectUris: [] })
    const machineConfig = await rp.configure(machine)
    const tokens = await client.clientCredentialsGrant(machineConfig, { scope: 'api:read' })
    const answer = await client.tokenIntrospection(machineConfig, tokens.access_token)
    expect(answer).toMatchObject({ active: true, scope: 'api:read', token_type: 'Bearer' })
    expect(answer.sub).toBeUndefined()
  })

  describe('client authentication', () => {
    test('a public client is refused with invalid_client (401)', async () => {
      const pub = await rp.newClient({ tokenEndpointAuthMethod: 'none' })
      const reply = await rp.postForm(ENDPOINT, { token: 'x', client_id: pub.clientId })
      expect(reply.status).toBe(401)
      expect((await reply.json()).error).toBe('invalid_client')
      expect(reply.headers.get('www-authenticate')).toContain('error="invalid_client"')
    })

    test('a wrong secret, a missing one and no credentials at all are invalid_client', async () => {
      const attempts: Record<string, string>[] = [
        { authorization: rp.basic(registered, 'wrong') },
        {},
        { authorization: 'Basic !!!' },
      ]
      for (const headers of attempts) {
        const reply = await rp.postForm(
          ENDPOINT,
          { token: 'x', ...(headers.authorization ? {} : { client_id: registered.clientId }) },
          headers,
        )
        expect([reply.status, (await reply.json()).error]).toEqual([401, 'invalid_client'])
      }
    })

    test("tenant isolation: another tenant's client learns nothing about this tenant's tokens", async () => {
      const { tokens } = await rp.codeFlow(config)
      const other = await bootstrapAdmin(target.request, `introspection-other-${target.name}`)
      const asOther = restClient(target, () => other)
      const app = (await asOther('POST', '/v1/applications', { name: 'Elsewhere' })).body
      const foreign = (
        await asOther('POST', '/v1/oidcClients', {
          application: { href: app.href },
          grantTypes: ['client_credentials'],
        })
      ).body as RegisteredClient
      const path = `/t/${other.tenantKey}/openid/token/introspection`
      const reply = await rp.postForm(
        path,
        { token: tokens.access_token },
        { authorization: rp.basic(foreign) },
      )
      expect([reply.status, await reply.json()]).toEqual([200, { active: false }])
      // Nor can this tenant's client authenticate at the other issuer.
      const mine = await rp.postForm(
        path,
        { token: tokens.access_token },
        { authorization: rp.basic(registered) },
      )
      expect(mine.status).toBe(401)
    })
  })

  describe('hostile input', () => {
    test('no token, JSON, repeated parameters and huge bodies are invalid_request, never 5xx', async () => {
      const auth = { authorization: rp.basic(registered) }
      const missing = await rp.postForm(ENDPOINT, {}, auth)
      expect([missing.status, (await missing.json()).error]).toEqual([400, 'invalid_request'])
      const asJson = await target.request(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ token: 'x' }),
      })
      expect([asJson.status, (await asJson.json()).error]).toEqual([400, 'invalid_request'])
      const repeated = await rp.postForm(ENDPOINT, 'token=a&token=b', auth)
      expect([repeated.status, (await repeated.json()).error]).toEqual([400, 'invalid_request'])
      const huge = await rp.postForm(ENDPOINT, `token=${'x'.repeat(20_000)}`, auth)
      expect([huge.status, (await huge.json()).error]).toEqual([400, 'invalid_request'])
      const noBody = await target.request(ENDPOINT, { method: 'POST', headers: auth })
      expect(noBody.status).toBe(400)
    })

    test('garbage tokens are simply inactive', async () => {
      for (const token of [
        '%00',
        "'; DROP TABLE oidc_tokens; --",
        'é'.repeat(200),
        'a'.repeat(9000),
      ]) {
        const reply = await introspect(token)
        expect([reply.status, await reply.json()]).toEqual([200, { active: false }])
      }
    })

    test('GET is not an introspection request', async () => {
      const reply = await target.request(`${ENDPOINT}?token=x`)
      expect(reply.status).toBeGreaterThanOrEqual(400)
      expect(reply.status).toBeLessThan(500)
    })
  })
})
