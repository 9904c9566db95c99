/**
 * Token revocation (RFC 7009) on both targets through openid-client: a refresh token takes its
 * whole grant with it, an access token goes alone, and anything that is not the caller's to
 * revoke answers 200 and changes nothing (§2.2).
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { and, eq, isNull } from 'drizzle-orm'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import { describeTargets } from '../harness/targets'
import { ISSUER, oidcFixture, type RegisteredClient } from './provider-fixture'

const ENDPOINT = '/openid/token/revocation'

describeTargets('token revocation', (target) => {
  const rp = oidcFixture(target, 'revocation')
  let registered: RegisteredClient
  let config: client.Configuration

  beforeAll(async () => {
    registered = await rp.newClient()
    config = await rp.configure(registered)
  })

  const revoke = (fields: Record<string, string> | string, auth = rp.basic(registered)) =>
    rp.postForm(ENDPOINT, fields, { authorization: auth })
  const liveGrant = async (clientId: string) => {
    const { oidcGrants: g } = schema
    return target.db
      .select()
      .from(g)
      .where(and(eq(g.clientId, clientId), isNull(g.revokedAt)))
      .all()
  }

  test('discovery advertises the endpoint, public clients included', () => {
    const metadata = config.serverMetadata()
    expect(metadata.revocation_endpoint).toBe(`${ISSUER}/token/revocation`)
    expect(metadata.revocation_endpoint_auth_methods_supported).toContain('none')
  })

  test('revoking a refresh token revokes its grant: the refresh token, its access tokens, the consent', async () => {
    const own = await rp.newClient()
    const ownConfig = await rp.configure(own)
    const { tokens } = await rp.codeFlow(ownConfig)
    const refreshed = await client.refreshTokenGrant(ownConfig, tokens.refresh_token!)
    expect(await liveGrant(own.clientId)).toHaveLength(1)

    const reply = await revoke({ token: refreshed.refresh_token! }, rp.basic(own))
    expect(reply.status).toBe(200)
    expect(reply.headers.get('cache-control')).toBe('no-store')
    await expect(
      client.refreshTokenGrant(ownConfig, refreshed.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' })
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(401)
    expect(await rp.userinfoStatus(refreshed.access_token)).toBe(401)
    expect(await liveGrant(own.clientId)).toEqual([])
  })

  test('revoking an access token deletes it alone; the refresh token keeps working', async () => {
    const { tokens } = await rp.codeFlow(config)
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(200)
    await client.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' })
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(401)
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    expect(await rp.userinfoStatus(refreshed.access_token)).toBe(200)
  })

  test('the hint only orders the lookup: a wrong or unknown hint still revokes', async () => {
    const { tokens } = await rp.codeFlow(config)
    await client.tokenRevocation(config, tokens.access_token, { token_type_hint: 'refresh_token' })
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(401)
    const second = await rp.codeFlow(config)
    const reply = await revoke({ token: second.tokens.refresh_token!, token_type_hint: 'foo' })
    expect(reply.status).toBe(200)
    await expect(
      client.refreshTokenGrant(config, second.tokens.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  test('RFC 7009 §2.2: unknown tokens answer 200 and nothing happens', async () => {
    for (const token of ['x'.repeat(43), 'not a token', 'é']) {
      const reply = await revoke({ token })
      expect([reply.status, await reply.text()]).toEqual([200, ''])
    }
    // Twice is as fine as once.
    const { tokens } = await rp.codeFlow(config)
    await client.tokenRevocation(config, tokens.access_token)
    await client.tokenRevocation(config, tokens.access_token)
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(401)
  })

  test("token theft: another client cannot revoke this client's tokens (200, no effect)", async () => {
    const { tokens } = await rp.codeFlow(config)
    const thief = await rp.newClient()
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      expect((await revoke({ token }, rp.basic(thief))).status).toBe(200)
    }
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(200)
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    expect(refreshed.access_token).toBeTruthy()
  })

  test('a public client revokes its own refresh token with its client_id alone', async () => {
    const pub = await rp.newClient({ tokenEndpointAuthMethod: 'none' })
    const pubConfig = await rp.configure(pub)
    const { tokens } = await rp.codeFlow(pubConfig)
    await client.tokenRevocation(pubConfig, tokens.refresh_token!)
    await expect(client.refreshTokenGrant(pubConfig, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    })
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(401)
  })

  test('a client_credentials access token can be revoked', async () => {
    const machine = await rp.newClient({ grantTypes: ['client_credentials'], redirectUris: [] })
    const machineConfig = await rp.configure(machine)
    const tokens = await client.clientCredentialsGrant(machineConfig, { scope: 'api:read' })
    expect((await client.tokenIntrospection(machineConfig, tokens.access_token)).active).toBe(true)
    await client.tokenRevocation(machineConfig, tokens.access_token)
    expect((await client.tokenIntrospection(machineConfig, tokens.access_token)).active).toBe(false)
  })

  describe('client authentication and hostile input', () => {
    test('a confidential client without its secret, or with a wrong one, is invalid_client', async () => {
      const { tokens } = await rp.codeFlow(config)
      const attempts = [
        rp.postForm(ENDPOINT, { token: tokens.access_token, client_id: registered.clientId }),
        revoke({ token: tokens.access_token }, rp.basic(registered, 'wrong')),
        rp.postForm(ENDPOINT, { token: tokens.access_token }),
      ]
      for (const reply of await Promise.all(attempts)) {
        expect([reply.status, (await reply.json()).error]).toEqual([401, 'invalid_client'])
      }
      expect(await rp.userinfoStatus(tokens.access_token)).toBe(200)
    })

    test('a public client must not send a secret', async () => {
      const pub = await rp.newClient({ tokenEndpointAuthMethod: 'none' })
      const reply = await rp.postForm(ENDPOINT, {
        token: 'x',
        client_id: pub.clientId,
        client_secret: 'guess',
      })
      expect([reply.status, (await reply.json()).error]).toEqual([401, 'invalid_client'])
    })

    test('no token, JSON, repeated parameters and huge bodies are invalid_request, never 5xx', async () => {
      const missing = await revoke({})
      expect([missing.status, (await missing.json()).error]).toEqual([400, 'invalid_request'])
      const asJson = await target.request(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: rp.basic(registered) },
        body: JSON.stringify({ token: 'x' }),
      })
      expect([asJson.status, (await asJson.json()).error]).toEqual([400, 'invalid_request'])
      const repeated = await revoke('token=a&token=b')
      expect([repeated.status, (await repeated.json()).error]).toEqual([400, 'invalid_request'])
      const huge = await revoke(`token=${'x'.repeat(20_000)}`)
      expect([huge.status, (await huge.json()).error]).toEqual([400, 'invalid_request'])
      const bothMethods = await revoke({ token: 'x', client_secret: registered.clientSecret! })
      expect([bothMethods.status, (await bothMethods.json()).error]).toEqual([
        400,
        'invalid_request',
      ])
    })
  })
})
