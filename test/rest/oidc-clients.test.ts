/**
 * `/v1/oidcClients` on both targets (reference §1.4): create with the secret shown once, read
 * without it, update, rotate, delete; every field validated with nothing written behind a
 * refusal; and another tenant's administrator sees none of it.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { count, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { hashSecretToken } from '../../src/security/tokens'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL } from '../harness/targets'
import { idOf, restClient, startingWith, V1, type Json } from './rest-client'

const CALLBACK = 'https://rp.example.com/callback'

describeTargets('OpenID Connect clients', (target) => {
  let admin: Admin
  let other: Admin
  const api = restClient(target, () => admin)
  const asOther = restClient(target, () => other)
  let serial = 0

  const clientRows = async () =>
    (await target.db.select({ n: count() }).from(schema.oidcClients).get())!.n
  const storedClient = async (clientId: string) =>
    target.db.select().from(schema.oidcClients).where(eq(schema.oidcClients.id, clientId)).get()

  const newApplication = async () => {
    const reply = await api('POST', '/v1/applications', { name: `OIDC app ${++serial}` })
    expect(reply.status).toBe(201)
    return reply.body
  }
  const newClient = async (body: Json = {}, application?: Json) => {
    const app = application ?? (await newApplication())
    const reply = await api('POST', '/v1/oidcClients', {
      application: { href: app.href },
      redirectUris: [CALLBACK],
      ...body,
    })
    expect(reply.status).toBe(201)
    return { app, client: reply.body }
  }

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, `oidc-clients-${target.name}`)
    other = await bootstrapAdmin(target.request, `oidc-clients-other-${target.name}`)
  })

  describe('create and read', () => {
    test('POST /oidcClients answers 201 with the client id, the secret once, and the settings', async () => {
      const app = await newApplication()
      const reply = await api('POST', '/v1/oidcClients', {
        application: { href: app.href },
        redirectUris: [CALLBACK],
      })
      expect(reply.status).toBe(201)
      const client = reply.body
      expect(reply.headers.get('location')).toBe(client.href)
      expect(reply.headers.get('cache-control')).toBe('no-store')
      expect(client.href).toBe(`${V1}/oidcClients/${client.clientId}`)
      expect(client.clientId).toMatch(/^[A-Za-z0-9]{32}$/)
      expect(client.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(client).toMatchObject({
        // The first tenant is the default one: Cloudron's issuer.
        issuer: `${TEST_BASE_URL}/openid`,
        tokenEndpointAuthMethod: 'client_secret_basic',
        redirectUris: [CALLBACK],
        postLogoutRedirectUris: [],
        grantTypes: ['authorization_code', 'refresh_token'],
        corsOrigins: [],
        idTokenSignedResponseAlg: 'RS256',
        idTokenClaims: 'scope',
        subjectType: 'username',
        trusted: false,
        alwaysIssueRefreshToken: false,
        customClaims: {},
        accessTokenTtl: 3600,
        idTokenTtl: 3600,
        refreshTokenTtl: 1_209_600,
        application: { href: app.href },
        tenant: { href: startingWith(`${V1}/tenants/`) },
        secrets: { href: `${client.href}/secrets` },
      })
      const stored = (await storedClient(client.clientId))!
      expect(stored.secretHash).toBe(await hashSecretToken(client.clientSecret))
    })

    test('GET never shows the secret', async () => {
      const { client } = await newClient()
      const read = await api('GET', client.href)
      expect(read.status).toBe(200)
      const { clientSecret, ...withoutSecret } = client
      expect(read.body).toEqual(withoutSecret)
      expect(JSON.stringify(read.body)).not.toContain(clientSecret)
    })

    test('a public client (none) is created without a secret', async () => {
      const { client } = await newClient({
        tokenEndpointAuthMethod: 'none',
        redirectUris: ['http://localhost:1312/callback'],
      })
      expect(client.tokenEndpointAuthMethod).toBe('none')
      expect(Object.keys(client)).not.toContain('clientSecret')
      expect((await storedClient(client.clientId))!.secretHash).toBeNull()
    })

    test('every setting can be given on create', async () => {
      const settings = {
        tokenEndpointAuthMethod: 'client_secret_post',
        redirectUris: [CALLBACK, 'com.example.rp:/callback'],
        postLogoutRedirectUris: ['https://rp.example.com/bye'],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        corsOrigins: ['https://spa.example.com'],
        idTokenSignedResponseAlg: 'EdDSA',
        idTokenClaims: 'minimal',
        subjectType: 'id',
        trusted: true,
        alwaysIssueRefreshToken: true,
        customClaims: { department: 'dept' },
        accessTokenTtl: 600,
        idTokenTtl: 300,
        refreshTokenTtl: 86_400,
      }
      const { client } = await newClient(settings)
      expect(client).toMatchObject(settings)
    })

    test('the application links to its client: GET …/oidcClient redirects to it', async () => {
      const { app, client } = await newClient()
      const read = await api('GET', app.href)
      expect(read.body.oidcClient).toEqual({ href: `${app.href}/oidcClient` })
      const found = await api('GET', `${app.href}/oidcClient`)
      expect(found.status).toBe(302)
      expect(found.headers.get('location')).toBe(client.href)
      const expanded = await api('GET', `${app.href}?expand=oidcClient`)
      expect(expanded.body.oidcClient.clientId).toBe(client.clientId)
      expect(Object.keys(expanded.body.oidcClient)).not.toContain('clientSecret')
    })

    test('an application without a client answers 404 at …/oidcClient', async () => {
      const app = await newApplication()
      const reply = await api('GET', `${app.href}/oidcClient`)
      expect(reply.status).toBe(404)
    })

    test('one client per application: a second create is 409 and writes nothing', async () => {
      const { app } = await newClient()
      const before = await clientRows()
      const reply = await api('POST', '/v1/oidcClients', {
        application: { href: app.href },
        redirectUris: [CALLBACK],
      })
      expect(reply.status).toBe(409)
      expect(reply.body.code).toBe(2001)
      expect(await clientRows()).toBe(before)
    })

    test('an unknown client is 404, and GET /oidcClients is not a collection (405)', async () => {
      expect((await api('GET', '/v1/oidcClients/NoSuchClient')).status).toBe(404)
      expect((await api('GET', `/v1/oidcClients/${'x'.repeat(5000)}`)).status).toBe(404)
      expect((await api('GET', '/v1/oidcClients')).status).toBe(405)
    })
  })

  describe('update, rotate, delete', () => {
    test('POST /oidcClients/{id} changes only the fields given', async () => {
      const { client } = await newClient()
      const reply = await api('POST', client.href, {
        redirectUris: [CALLBACK, 'https://rp.example.com/second'],
        trusted: true,
        accessTokenTtl: 900,
      })
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        redirectUris: [CALLBACK, 'https://rp.example.com/second'],
        trusted: true,
        accessTokenTtl: 900,
        idTokenTtl: 3600,
      })
      expect(Object.keys(reply.body)).not.toContain('clientSecret')
      expect((await api('GET', client.href)).body).toEqual(reply.body)
    })

    test('turning a public client confidential answers its first secret, once', async () => {
      const { client } = await newClient({ tokenEndpointAuthMethod: 'none' })
      const reply = await api('POST', client.href, {
        tokenEndpointAuthMethod: 'client_secret_basic',
      })
      expect(reply.status).toBe(200)
      expect(reply.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect((await storedClient(client.clientId))!.secretHash).toBe(
        await hashSecretToken(reply.body.clientSecret),
      )
    })

    test('POST …/secrets rotates the secret: the new one is stored, the old one no longer', async () => {
      const { client } = await newClient()
      const reply = await api('POST', `${client.href}/secrets`)
      expect(reply.status).toBe(200)
      expect(reply.headers.get('cache-control')).toBe('no-store')
      expect(reply.body).toEqual({
        clientId: client.clientId,
        clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      })
      expect(reply.body.clientSecret).not.toBe(client.clientSecret)
      const stored = (await storedClient(client.clientId))!
      expect(stored.secretHash).toBe(await hashSecretToken(reply.body.clientSecret))
      expect(stored.secretHash).not.toBe(await hashSecretToken(client.clientSecret))
    })

    test('a public client has no secret to rotate (400)', async () => {
      const { client } = await newClient({ tokenEndpointAuthMethod: 'none' })
      const reply = await api('POST', `${client.href}/secrets`)
      expect(reply.status).toBe(400)
      expect((await storedClient(client.clientId))!.secretHash).toBeNull()
    })

    test('DELETE removes the client; the application no longer links to one', async () => {
      const { app, client } = await newClient()
      const reply = await api('DELETE', client.href)
      expect(reply.status).toBe(204)
      expect((await api('GET', client.href)).status).toBe(404)
      expect((await api('GET', `${app.href}/oidcClient`)).status).toBe(404)
      expect(await storedClient(client.clientId)).toBeUndefined()
      // The application can have a new client afterwards.
      await newClient({}, app)
    })
  })

  describe('hostile input is refused with nothing written', () => {
    const uri = (length: number) => `https://rp.example.com/${'a'.repeat(length)}`
    const cases: [string, Json, number, string][] = [
      ['redirectUris as a string', { redirectUris: CALLBACK }, 2004, 'redirectUris'],
      ['redirectUris with a number', { redirectUris: [42] }, 2004, 'redirectUris'],
      [
        '51 redirect URIs',
        { redirectUris: Array.from({ length: 51 }, (_, i) => uri(i)) },
        2008,
        'redirectUris',
      ],
      ['a 10 KiB redirect URI', { redirectUris: [uri(10 * 1024)] }, 2008, 'redirectUris'],
      [
        'a javascript: redirect URI',
        { redirectUris: ['javascript:alert(1)'] },
        2002,
        'redirectUris',
      ],
      ['a data: redirect URI', { redirectUris: ['data:text/html,x'] }, 2002, 'redirectUris'],
      [
        'an http redirect URI on a public host',
        { redirectUris: ['http://rp.example.com/cb'] },
        2002,
        'redirectUris',
      ],
      ['a redirect URI with a fragment', { redirectUris: [`${CALLBACK}#x`] }, 2002, 'redirectUris'],
      ['no redirect URI for the code grant', { redirectUris: [] }, 2000, 'redirectUris'],
      [
        'a javascript: post-logout URI',
        { postLogoutRedirectUris: ['javascript:x'] },
        2002,
        'postLogoutRedirectUris',
      ],
      ['the password grant', { grantTypes: ['password'] }, 2002, 'grantTypes'],
      ['grantTypes as an object', { grantTypes: { 0: 'authorization_code' } }, 2004, 'grantTypes'],
      [
        'client_credentials for a public client',
        { tokenEndpointAuthMethod: 'none', grantTypes: ['client_credentials'] },
        2002,
        'grantTypes',
      ],
      [
        'an unknown auth method',
        { tokenEndpointAuthMethod: 'private_key_jwt' },
        2002,
        'tokenEndpointAuthMethod',
      ],
      ['alg none', { idTokenSignedResponseAlg: 'none' }, 2002, 'idTokenSignedResponseAlg'],
      ['alg HS256', { idTokenSignedResponseAlg: 'HS256' }, 2002, 'idTokenSignedResponseAlg'],
      ['an unknown claims mode', { idTokenClaims: 'everything' }, 2002, 'idTokenClaims'],
      ['an unknown subject type', { subjectType: 'pairwise' }, 2002, 'subjectType'],
      ['trusted as a string', { trusted: 'true' }, 2004, 'trusted'],
      ['a CORS wildcard', { corsOrigins: ['*'] }, 2002, 'corsOrigins'],
      ['a null CORS origin', { corsOrigins: ['null'] }, 2002, 'corsOrigins'],
      [
        'a CORS origin with a path',
        { corsOrigins: ['https://spa.example.com/app'] },
        2002,
        'corsOrigins',
      ],
      ['a TTL as a string', { accessTokenTtl: '3600' }, 2004, 'accessTokenTtl'],
      ['a TTL below the minimum', { accessTokenTtl: 10 }, 2009, 'accessTokenTtl'],
      ['a TTL above the maximum', { idTokenTtl: 10 ** 9 }, 2010, 'idTokenTtl'],
      ['a fractional TTL', { refreshTokenTtl: 1.5 }, 2002, 'refreshTokenTtl'],
      ['a negative refresh TTL', { refreshTokenTtl: -1 }, 2009, 'refreshTokenTtl'],
      ['customClaims as an array', { customClaims: ['dept'] }, 2002, 'customClaims'],
      ['customClaims shadowing sub', { customClaims: { sub: 'id' } }, 2002, 'customClaims'],
      ['customClaims shadowing email', { customClaims: { email: 'mail' } }, 2002, 'customClaims'],
      [
        'a customClaims key that is not a string',
        { customClaims: { dept: 1 } },
        2004,
        'customClaims',
      ],
    ]

    test.each(cases)('create: %s is refused, naming the field', async (_, body, code, field) => {
      const app = await newApplication()
      const before = await clientRows()
      const reply = await api('POST', '/v1/oidcClients', {
        application: { href: app.href },
        redirectUris: [CALLBACK],
        ...body,
      })
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(code)
      expect(reply.body.message).toContain(field)
      expect(await clientRows()).toBe(before)
    })

    test.each(cases)(
      'update: %s is refused, the client unchanged',
      async (_, body, code, field) => {
        const { client } = await newClient()
        const before = await storedClient(client.clientId)
        const reply = await api('POST', client.href, body)
        expect(reply.status).toBe(400)
        expect(reply.body.code).toBe(code)
        expect(reply.body.message).toContain(field)
        expect(await storedClient(client.clientId)).toEqual(before)
      },
    )

    test.each([
      ['no application', {}, 400, 2000],
      ['an application that is not a link', { application: 'x' }, 400, 2016],
      ['a link to a directory', { application: { href: `${V1}/directories/abc` } }, 400, 2016],
      ['a missing application', { application: { href: `${V1}/applications/nope` } }, 400, 2020],
    ])('create with %s is refused', async (_, body, status, code) => {
      const before = await clientRows()
      const reply = await api('POST', '/v1/oidcClients', { redirectUris: [CALLBACK], ...body })
      expect(reply.status).toBe(status)
      expect(reply.body.code).toBe(code)
      expect(await clientRows()).toBe(before)
    })

    test('a body that is not JSON is refused', async () => {
      const before = await clientRows()
      const reply = await api('POST', '/v1/oidcClients', '{"application":')
      expect(reply.status).toBe(400)
      expect(await clientRows()).toBe(before)
    })
  })

  describe('tenant isolation', () => {
    test('another tenant’s administrator gets 404 on read, update, delete and rotate', async () => {
      const { app, client } = await newClient()
      const before = await storedClient(client.clientId)
      expect((await asOther('GET', client.href)).status).toBe(404)
      expect((await asOther('POST', client.href, { trusted: true })).status).toBe(404)
      expect((await asOther('POST', `${client.href}/secrets`)).status).toBe(404)
      expect((await asOther('DELETE', client.href)).status).toBe(404)
      expect((await asOther('GET', `${app.href}/oidcClient`)).status).toBe(404)
      expect(await storedClient(client.clientId)).toEqual(before)
    })

    test('another tenant’s administrator cannot create a client for this tenant’s application', async () => {
      const app = await newApplication()
      const before = await clientRows()
      const reply = await asOther('POST', '/v1/oidcClients', {
        application: { href: app.href },
        redirectUris: ['https://evil.example/callback'],
      })
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(2020)
      expect(await clientRows()).toBe(before)
      expect((await api('GET', `${app.href}/oidcClient`)).status).toBe(404)
    })

    test('each tenant sees its own issuer', async () => {
      const app = await asOther('POST', '/v1/applications', { name: 'Other OIDC app' })
      const reply = await asOther('POST', '/v1/oidcClients', {
        application: { href: app.body.href },
        redirectUris: [CALLBACK],
      })
      expect(reply.status).toBe(201)
      expect(reply.body.issuer).toBe(`${TEST_BASE_URL}/t/${other.tenantKey}/openid`)
      expect(idOf(reply.body.href)).toBe(reply.body.clientId)
    })
  })
})
