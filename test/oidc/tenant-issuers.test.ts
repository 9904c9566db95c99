/**
 * Each tenant is its own issuer (reference §2.4, §6.7), on both targets: the first tenant at
 * `/openid`, another at `/t/{nameKey}/openid`, with its own discovery, keys, clients and
 * sessions; a token or client of one issuer means nothing to the other.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import * as client from 'openid-client'
import { describeTargets, TEST_BASE_URL } from '../harness/targets'
import { authorizeThrough, browser } from './browser'
import { oidcFixture, PASSWORD, REDIRECT, type RegisteredClient } from './provider-fixture'

describeTargets('issuers per tenant', (target) => {
  // The first tenant registered in this database is the default one.
  const first = oidcFixture(target, 'issuer-default')
  const second = oidcFixture(target, 'issuer-other')
  const secondKey = `issuer-other-${target.name}`
  const secondIssuer = `${TEST_BASE_URL}/t/${secondKey}/openid`
  let secondClient: RegisteredClient
  let config: client.Configuration

  beforeAll(async () => {
    await first.newClient()
    secondClient = await second.newClient()
    config = await client.discovery(
      new URL(secondIssuer),
      secondClient.clientId,
      secondClient.clientSecret,
      client.ClientSecretBasic(secondClient.clientSecret!),
      {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: async (url, options) =>
          target.request(url.slice(TEST_BASE_URL.length), options as RequestInit),
      },
    )
  })

  test("the other tenant's discovery names its own issuer and endpoints", async () => {
    const document = config.serverMetadata()
    expect(document.issuer).toBe(secondIssuer)
    expect(document.token_endpoint).toBe(`${secondIssuer}/token`)
    expect(document.jwks_uri).toBe(`${secondIssuer}/jwks`)
  })

  test("a full code flow at the other tenant's issuer: iss, keys and userinfo are its own", async () => {
    const b = browser(target)
    const verifier = client.randomPKCECodeVerifier()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st',
    })
    expect(url.href.startsWith(`${secondIssuer}/auth?`)).toBe(true)
    const redirect = await authorizeThrough(b, url.href, {
      username: second.username,
      password: PASSWORD,
    })
    const location = new URL(redirect.headers.get('location')!)
    expect(location.searchParams.get('iss')).toBe(secondIssuer)
    const tokens = await client.authorizationCodeGrant(config, location, {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
    })
    expect(tokens.claims()).toMatchObject({ iss: secondIssuer, sub: second.username })
    const info = await client.fetchUserInfo(config, tokens.access_token, second.username)
    expect(info.preferred_username).toBe(second.username)
    // Issuer confusion: the default issuer knows neither the token nor the session.
    const elsewhere = await target.request('/openid/me', {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(elsewhere.status).toBe(401)
  })

  test("issuer confusion: one tenant's client is unknown at the other's issuer", async () => {
    const reply = await target.request(
      `/openid/auth?client_id=${secondClient.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid`,
    )
    expect(reply.status).toBe(400)
    expect(reply.headers.get('location')).toBeNull()
  })

  test('the default tenant answers only at /openid; unknown and oversized keys have no issuer', async () => {
    const defaultKey = `issuer-default-${target.name}`
    for (const path of [
      `/t/${defaultKey}/openid/.well-known/openid-configuration`,
      '/t/nobody/openid/jwks',
      `/t/${'x'.repeat(500)}/openid/jwks`,
    ]) {
      expect((await target.request(path)).status).toBe(404)
    }
  })

  describe('keys', () => {
    test("each issuer's JWKS has its own keys", async () => {
      const kids = async (path: string) =>
        ((await (await target.request(path)).json()) as { keys: { kid: string }[] }).keys.map(
          (k) => k.kid,
        )
      const mine = await kids(`/t/${secondKey}/openid/jwks`)
      const theirs = await kids('/openid/jwks')
      expect(mine.length).toBeGreaterThan(0)
      expect(mine.filter((kid) => theirs.includes(kid))).toEqual([])
    })
  })
})
