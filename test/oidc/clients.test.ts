/**
 * OpenID Connect clients in the domain (reference §1.4): what a client may be configured with,
 * how it authenticates at the token endpoint, and the exact redirect URI match that keeps the
 * authorization endpoint from being an open redirect.
 */
import { afterAll, beforeAll, describe, expect, spyOn, test } from 'bun:test'
import { and, count, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../../src/deps'
import { createApplication, updateApplication } from '../../src/directory/applications'
import { EdgepassError } from '../../src/errors'
import {
  allowsGrantType,
  authenticateClient,
  corsOriginsOf,
  createOidcClient,
  deleteOidcClient,
  findOidcClient,
  isPostLogoutRedirectUriRegistered,
  isRedirectUriRegistered,
  rotateClientSecret,
  updateOidcClient,
  type ClientCredentials,
  type OidcClientInput,
} from '../../src/oidc/clients'
import { REGISTERED_CLAIMS } from '../../src/oidc/clients-validation'
import { OAuthError } from '../../src/oidc/errors'
import { hashSecretToken } from '../../src/security/tokens'
import type { ApplicationRow, OidcClientRow } from '../../src/store/rows'
import { openTestDatabase, type TestDatabase } from './test-database'

const TENANT = 'tenant-clients'
const OTHER_TENANT = 'tenant-elsewhere'
const CALLBACK = 'https://app.example.com/callback'

let target: TestDatabase
let deps: Deps
let serial = 0

beforeAll(async () => {
  target = await openTestDatabase()
  deps = target.deps
})
afterAll(async () => {
  await target.close()
})

const newApplication = (tenantId = TENANT): Promise<ApplicationRow> =>
  createApplication(deps, tenantId, { name: `Client app ${++serial}` })

const newClient = async (input: OidcClientInput = {}, tenantId = TENANT) =>
  createOidcClient(deps, await newApplication(tenantId), { redirectUris: [CALLBACK], ...input })

const clientRows = async () =>
  (await target.db.select({ n: count() }).from(schema.oidcClients).get())!.n

/** The error `run` rejects with; fails the test if it resolves. */
async function refusal<E extends Error>(run: () => Promise<unknown>): Promise<E> {
  try {
    await run()
  } catch (error) {
    return error as E
  }
  throw new Error('expected a refusal, the call succeeded')
}

/** Creating a client with `input` is refused for `field`, and no row is written. */
async function expectRefused(input: OidcClientInput, field: string, code?: string) {
  const before = await clientRows()
  const error = await refusal<EdgepassError>(async () =>
    createOidcClient(deps, await newApplication(), { redirectUris: [CALLBACK], ...input }),
  )
  expect(error).toBeInstanceOf(EdgepassError)
  expect(error.field).toBe(field)
  if (code) expect(error.code).toBe(code as EdgepassError['code'])
  expect(await clientRows()).toBe(before)
  return error
}

describe('createOidcClient', () => {
  test('a confidential client gets a 32-character client_id and a secret stored only as its SHA-256', async () => {
    const application = await newApplication()
    const { row, secret } = await createOidcClient(deps, application, { redirectUris: [CALLBACK] })
    expect(row.id).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(row.secretHash).toBe(await hashSecretToken(secret!))
    const stored = (await target.db
      .select()
      .from(schema.oidcClients)
      .where(eq(schema.oidcClients.id, row.id))
      .get())!
    expect(stored).toEqual(row)
    expect(JSON.stringify(stored)).not.toContain(secret!)
    expect(stored).toMatchObject({
      tenantId: TENANT,
      applicationId: application.id,
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: '["authorization_code","refresh_token"]',
      idTokenSignedResponseAlg: 'RS256',
      idTokenClaims: 'scope',
      subjectType: 'username',
      trusted: false,
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 14 * 24 * 3600,
    })
  })

  test('a public client (none) has no secret at all', async () => {
    const { row, secret } = await newClient({ tokenEndpointAuthMethod: 'none' })
    expect(secret).toBeUndefined()
    expect(row.secretHash).toBeNull()
  })

  test('one client per application: a second one is a duplicate and is not written', async () => {
    const application = await newApplication()
    await createOidcClient(deps, application, { redirectUris: [CALLBACK] })
    const before = await clientRows()
    const error = await refusal<EdgepassError>(() =>
      createOidcClient(deps, application, { redirectUris: [CALLBACK] }),
    )
    expect(error.code).toBe('duplicate')
    expect(error.field).toBe('application')
    expect(await clientRows()).toBe(before)
  })

  test('stores every setting it is given', async () => {
    const { row } = await newClient({
      tokenEndpointAuthMethod: 'client_secret_post',
      redirectUris: [CALLBACK, 'com.example.app:/callback'],
      postLogoutRedirectUris: ['https://app.example.com/bye'],
      grantTypes: ['authorization_code', 'client_credentials'],
      corsOrigins: ['https://spa.example.com'],
      idTokenSignedResponseAlg: 'EdDSA',
      idTokenClaims: 'minimal',
      subjectType: 'id',
      trusted: true,
      alwaysIssueRefreshToken: true,
      customClaims: { department: 'dept' },
      accessTokenTtl: 600,
      idTokenTtl: 300,
      refreshTokenTtl: 0,
    })
    expect(row).toMatchObject({
      tokenEndpointAuthMethod: 'client_secret_post',
      redirectUris: JSON.stringify([CALLBACK, 'com.example.app:/callback']),
      postLogoutRedirectUris: '["https://app.example.com/bye"]',
      grantTypes: '["authorization_code","client_credentials"]',
      corsOrigins: '["https://spa.example.com"]',
      idTokenSignedResponseAlg: 'EdDSA',
      idTokenClaims: 'minimal',
      subjectType: 'id',
      trusted: true,
      alwaysIssueRefreshToken: true,
      customClaims: '{"department":"dept"}',
      accessTokenTtlSeconds: 600,
      idTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 0,
    })
  })
})

describe('redirect URI rules', () => {
  test.each([
    ['https', CALLBACK],
    ['https with a query', 'https://app.example.com/callback?tenant=a'],
    ['http on localhost (native apps, RFC 8252 §7.3)', 'http://localhost:3000/callback'],
    ['http on 127.0.0.1', 'http://127.0.0.1:8080/cb'],
    ['http on [::1]', 'http://[::1]:9000/cb'],
    ['a private-use scheme (RFC 8252 §7.1)', 'com.example.app:/callback'],
    ['Cloudron-style app scheme', 'app.immich:/'],
  ])('accepts %s', async (_, uri) => {
    const { row } = await newClient({ redirectUris: [uri] })
    expect(isRedirectUriRegistered(row, uri)).toBe(true)
  })

  test.each([
    ['javascript: (script injection)', 'javascript:alert(document.cookie)'],
    ['javascript: disguised in case', 'JavaScript:alert(1)'],
    ['data: (content injection)', 'data:text/html,<script>alert(1)</script>'],
    ['file: (local files)', 'file:///etc/passwd'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['plain http on a public host (code interception)', 'http://app.example.com/callback'],
    ['http on a host that only starts like localhost', 'http://localhost.evil.example/cb'],
    ['a fragment (RFC 6749 §3.1.2)', 'https://app.example.com/callback#x'],
    ['an empty fragment', 'https://app.example.com/callback#'],
    ['a relative reference', '/callback'],
    ['a scheme-less host', 'app.example.com/callback'],
    ['user information (phishing)', 'https://app.example.com@evil.example/cb'],
    ['whitespace the parser would strip', 'https://app.example.com/call back'],
    ['a trailing newline', `${CALLBACK}\n`],
    ['a scheme without a reverse domain', 'myapp://callback'],
    ['an empty string', ''],
  ])('open redirect: refuses %s', async (_, uri) => {
    const error = await expectRefused({ redirectUris: [uri] }, 'redirectUris', 'invalid_value')
    expect(error.message).toContain('redirectUris')
  })

  test('post-logout redirect URIs follow the same rules', async () => {
    await expectRefused(
      { postLogoutRedirectUris: ['javascript:alert(1)'] },
      'postLogoutRedirectUris',
    )
    await expectRefused(
      { postLogoutRedirectUris: ['http://app.example.com/'] },
      'postLogoutRedirectUris',
    )
  })

  test('at most 50 URIs, each at most 2000 characters', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `https://app.example.com/cb/${i}`)
    await expectRefused({ redirectUris: many }, 'redirectUris', 'too_long')
    await expectRefused(
      { redirectUris: [`https://app.example.com/${'a'.repeat(10 * 1024)}`] },
      'redirectUris',
      'too_long',
    )
    const { row } = await newClient({ redirectUris: many.slice(0, 50) })
    expect(JSON.parse(row.redirectUris)).toHaveLength(50)
  })

  test('the authorization_code grant needs at least one redirect URI', async () => {
    await expectRefused({ redirectUris: [] }, 'redirectUris', 'required')
    const { row } = await newClient({ redirectUris: [], grantTypes: ['client_credentials'] })
    expect(row.redirectUris).toBe('[]')
  })

  test('values of the wrong type are refused, not coerced', async () => {
    await expectRefused({ redirectUris: CALLBACK as never }, 'redirectUris', 'wrong_type')
    await expectRefused({ redirectUris: [42] as never }, 'redirectUris', 'wrong_type')
  })
})

describe('grant types, algorithms, modes', () => {
  test.each([['password'], ['implicit'], ['urn:ietf:params:oauth:grant-type:device_code']])(
    'refuses the %s grant',
    async (grant) => {
      await expectRefused({ grantTypes: [grant] as never }, 'grantTypes', 'invalid_value')
    },
  )

  test('client_credentials is for confidential clients only (RFC 6749 §4.4)', async () => {
    await expectRefused(
      { tokenEndpointAuthMethod: 'none', grantTypes: ['client_credentials'] },
      'grantTypes',
    )
  })

  test('an empty grant type list is refused', async () => {
    await expectRefused({ grantTypes: [] }, 'grantTypes', 'required')
  })

  test.each([['none'], ['HS256'], ['ES256'], ['rs256']])(
    'alg none and other algorithms: refuses idTokenSignedResponseAlg %s',
    async (alg) => {
      await expectRefused({ idTokenSignedResponseAlg: alg as never }, 'idTokenSignedResponseAlg')
    },
  )

  test('unknown enum values are refused for each enum field', async () => {
    await expectRefused(
      { tokenEndpointAuthMethod: 'private_key_jwt' as never },
      'tokenEndpointAuthMethod',
    )
    await expectRefused({ idTokenClaims: 'all' as never }, 'idTokenClaims')
    await expectRefused({ subjectType: 'pairwise' as never }, 'subjectType')
    await expectRefused({ trusted: 'yes' as never }, 'trusted', 'wrong_type')
  })
})

describe('CORS origins', () => {
  test('accepts origins as browsers send them', async () => {
    const origins = [
      'https://spa.example.com',
      'https://spa.example.com:8443',
      'http://localhost:5173',
    ]
    const { row } = await newClient({ corsOrigins: origins })
    expect(corsOriginsOf(row)).toEqual(origins)
  })

  test.each([
    ['null (sandboxed documents and file: pages send it)', 'null'],
    ['a wildcard', '*'],
    ['a trailing slash', 'https://spa.example.com/'],
    ['a path', 'https://spa.example.com/app'],
    ['upper case, which no browser sends', 'https://SPA.example.com'],
    ['the default port, which no browser sends', 'https://spa.example.com:443'],
    ['plain http on a public host', 'http://spa.example.com'],
    ['a non-web scheme', 'com.example.app://x'],
  ])('refuses %s', async (_, origin) => {
    await expectRefused({ corsOrigins: [origin] }, 'corsOrigins', 'invalid_value')
  })

  test('default to the origins of the http(s) redirect URIs (reference §6.6)', async () => {
    const { row } = await newClient({
      redirectUris: [
        'https://app.example.com/callback',
        'https://app.example.com/other',
        'http://localhost:3000/cb',
        'com.example.app:/callback',
      ],
    })
    expect(corsOriginsOf(row)).toEqual(['https://app.example.com', 'http://localhost:3000'])
  })
})

describe('token lifetimes', () => {
  test.each([
    ['accessTokenTtl', 59, 'below_minimum'],
    ['accessTokenTtl', 86_401, 'above_maximum'],
    ['idTokenTtl', 0, 'below_minimum'],
    ['idTokenTtl', 86_401, 'above_maximum'],
    ['refreshTokenTtl', -1, 'below_minimum'],
    ['refreshTokenTtl', 365 * 86_400 + 1, 'above_maximum'],
    ['accessTokenTtl', 90.5, 'invalid_value'],
    ['accessTokenTtl', Infinity, 'invalid_value'],
    ['accessTokenTtl', '3600', 'wrong_type'],
  ] as const)('refuses %s = %p (%s)', async (field, value, code) => {
    await expectRefused({ [field]: value } as OidcClientInput, field, code)
  })

  test('the bounds themselves are accepted; a refresh TTL of 0 disables refresh tokens', async () => {
    const { row } = await newClient({ accessTokenTtl: 60, idTokenTtl: 86_400, refreshTokenTtl: 0 })
    expect(row).toMatchObject({
      accessTokenTtlSeconds: 60,
      idTokenTtlSeconds: 86_400,
      refreshTokenTtlSeconds: 0,
    })
  })
})

describe('custom claims', () => {
  test.each([...REGISTERED_CLAIMS].filter((claim) => claim !== '__proto__'))(
    'claim shadowing: refuses to map the registered claim %s',
    async (claim) => {
      const error = await expectRefused({ customClaims: { [claim]: 'key' } }, 'customClaims')
      expect(error.message).toContain(claim)
    },
  )

  test('claim shadowing: the covered names include the protocol and standard claims', () => {
    for (const claim of ['sub', 'iss', 'aud', 'exp', 'nonce', 'email', 'email_verified', 'groups'])
      expect(REGISTERED_CLAIMS.has(claim)).toBe(true)
  })

  test('prototype pollution: refuses a claim named __proto__', async () => {
    await expectRefused(JSON.parse('{"customClaims": {"__proto__": "key"}}'), 'customClaims')
  })

  test('refuses malformed claim names and custom data keys', async () => {
    await expectRefused({ customClaims: { 'has space': 'key' } }, 'customClaims')
    await expectRefused({ customClaims: { department: '' } }, 'customClaims')
    await expectRefused({ customClaims: { department: 42 as never } }, 'customClaims')
    await expectRefused({ customClaims: ['department'] as never }, 'customClaims', 'wrong_type')
  })
})

describe('updateOidcClient', () => {
  test('changes only what it is given', async () => {
    const created = await newClient({ trusted: false })
    const { row, secret } = await updateOidcClient(deps, created.row, { trusted: true })
    expect(secret).toBeUndefined()
    expect(row).toMatchObject({ trusted: true, redirectUris: created.row.redirectUris })
    expect(row.secretHash).toBe(created.row.secretHash)
    expect(row.version).toBe(created.row.version + 1)
  })

  test('validates the merged settings and writes nothing when they are refused', async () => {
    const created = await newClient({ grantTypes: ['authorization_code', 'client_credentials'] })
    const error = await refusal<EdgepassError>(() =>
      updateOidcClient(deps, created.row, { tokenEndpointAuthMethod: 'none' }),
    )
    expect(error.field).toBe('grantTypes')
    const stored = await findOidcClient(deps, TENANT, created.row.id)
    expect(stored).toEqual(created.row)
  })

  test('turning a public client confidential issues its first secret, once', async () => {
    const created = await newClient({ tokenEndpointAuthMethod: 'none' })
    const { row, secret } = await updateOidcClient(deps, created.row, {
      tokenEndpointAuthMethod: 'client_secret_post',
    })
    expect(row.secretHash).toBe(await hashSecretToken(secret!))
    const again = await updateOidcClient(deps, row, {
      tokenEndpointAuthMethod: 'client_secret_basic',
    })
    expect(again.secret).toBeUndefined()
    expect(again.row.secretHash).toBe(row.secretHash)
  })

  test('turning a client public discards its secret', async () => {
    const created = await newClient()
    const { row } = await updateOidcClient(deps, created.row, { tokenEndpointAuthMethod: 'none' })
    expect(row.secretHash).toBeNull()
  })
})

describe('rotateClientSecret', () => {
  test('the new secret works and the old one stops working at once', async () => {
    const created = await newClient()
    const rotated = await rotateClientSecret(deps, created.row)
    expect(rotated.secret).not.toBe(created.secret)
    const basic = { clientId: created.row.id, method: 'client_secret_basic' } as const
    expect((await authenticateClient(deps, TENANT, { ...basic, secret: rotated.secret })).id).toBe(
      created.row.id,
    )
    const old = await refusal<OAuthError>(() =>
      authenticateClient(deps, TENANT, { ...basic, secret: created.secret }),
    )
    expect(old.error).toBe('invalid_client')
  })

  test('a public client has no secret to rotate', async () => {
    const created = await newClient({ tokenEndpointAuthMethod: 'none' })
    const error = await refusal<EdgepassError>(() => rotateClientSecret(deps, created.row))
    expect(error.code).toBe('invalid_value')
    expect((await findOidcClient(deps, TENANT, created.row.id))!.secretHash).toBeNull()
  })
})

describe('deleteOidcClient', () => {
  test('removes the client with its grants and tokens, and nobody else’s', async () => {
    const doomed = await newClient()
    const kept = await newClient()
    const now = new Date()
    for (const client of [doomed.row, kept.row]) {
      await target.db.insert(schema.oidcGrants).values({
        id: `grant-${client.id}`,
        tenantId: TENANT,
        clientId: client.id,
        accountId: 'account-1',
        scope: 'openid',
        createdAt: now,
      })
      await target.db.insert(schema.oidcTokens).values({
        tokenHash: `token-${client.id}`,
        kind: 'refresh',
        tenantId: TENANT,
        clientId: client.id,
        grantId: `grant-${client.id}`,
        scope: 'openid',
        createdAt: now,
        expiresAt: new Date(now.getTime() + 60_000),
      })
    }
    await deleteOidcClient(deps, doomed.row)
    expect(await findOidcClient(deps, TENANT, doomed.row.id)).toBeUndefined()
    const left = async (table: typeof schema.oidcGrants | typeof schema.oidcTokens) =>
      (await target.db.select().from(table).where(eq(table.tenantId, TENANT)).all()).map(
        (row) => row.clientId,
      )
    expect(await left(schema.oidcGrants)).not.toContain(doomed.row.id)
    expect(await left(schema.oidcTokens)).not.toContain(doomed.row.id)
    expect(await left(schema.oidcGrants)).toContain(kept.row.id)
    expect(await left(schema.oidcTokens)).toContain(kept.row.id)
  })
})

describe('findOidcClient', () => {
  test('finds a client of the tenant', async () => {
    const { row } = await newClient()
    expect(await findOidcClient(deps, TENANT, row.id)).toEqual(row)
  })

  test('tenant isolation: another tenant’s client is not found', async () => {
    const { row } = await newClient({}, OTHER_TENANT)
    expect(await findOidcClient(deps, TENANT, row.id)).toBeUndefined()
  })

  test('a disabled application’s client is not usable', async () => {
    const application = await newApplication()
    const { row } = await createOidcClient(deps, application, { redirectUris: [CALLBACK] })
    await updateApplication(deps, application, { status: 'DISABLED' })
    expect(await findOidcClient(deps, TENANT, row.id)).toBeUndefined()
  })

  test('a deleted application’s client is not usable', async () => {
    const application = await newApplication()
    const { row } = await createOidcClient(deps, application, { redirectUris: [CALLBACK] })
    await target.db
      .delete(schema.applications)
      .where(and(eq(schema.applications.id, application.id)))
    expect(await findOidcClient(deps, TENANT, row.id)).toBeUndefined()
  })

  test('an empty or oversized client_id is not looked up', async () => {
    expect(await findOidcClient(deps, TENANT, '')).toBeUndefined()
    expect(await findOidcClient(deps, TENANT, 'x'.repeat(10_000))).toBeUndefined()
  })
})

describe('authenticateClient', () => {
  let basic: { row: OidcClientRow; secret: string }
  let post: { row: OidcClientRow; secret: string }
  let publicClient: OidcClientRow

  beforeAll(async () => {
    const b = await newClient()
    basic = { row: b.row, secret: b.secret! }
    const p = await newClient({ tokenEndpointAuthMethod: 'client_secret_post' })
    post = { row: p.row, secret: p.secret! }
    publicClient = (await newClient({ tokenEndpointAuthMethod: 'none' })).row
  })

  const authenticate = (credentials: ClientCredentials, tenantId = TENANT) =>
    authenticateClient(deps, tenantId, credentials)
  const expectInvalidClient = async (credentials: ClientCredentials, tenantId = TENANT) => {
    const error = await refusal<OAuthError>(() => authenticate(credentials, tenantId))
    expect(error).toBeInstanceOf(OAuthError)
    expect(error.error).toBe('invalid_client')
    expect(error.status).toBe(401)
    return error
  }

  test('accepts the right secret sent by the registered method', async () => {
    const viaBasic = await authenticate({
      clientId: basic.row.id,
      secret: basic.secret,
      method: 'client_secret_basic',
    })
    expect(viaBasic.id).toBe(basic.row.id)
    const viaPost = await authenticate({
      clientId: post.row.id,
      secret: post.secret,
      method: 'client_secret_post',
    })
    expect(viaPost.id).toBe(post.row.id)
  })

  test('accepts a public client that sends only its client_id', async () => {
    const client = await authenticate({ clientId: publicClient.id, method: 'none' })
    expect(client.id).toBe(publicClient.id)
  })

  test('refuses a wrong secret', async () => {
    await expectInvalidClient({
      clientId: basic.row.id,
      // One character changed (never to itself: 1 secret in 64 ends with "A").
      secret: `${basic.secret.slice(0, -1)}${basic.secret.endsWith('A') ? 'B' : 'A'}`,
      method: 'client_secret_basic',
    })
    await expectInvalidClient({ clientId: basic.row.id, secret: '', method: 'client_secret_basic' })
  })

  test('refuses another client’s secret', async () => {
    await expectInvalidClient({
      clientId: basic.row.id,
      secret: post.secret,
      method: 'client_secret_basic',
    })
  })

  test('method downgrade: refuses the right secret sent by another method', async () => {
    const error = await expectInvalidClient({
      clientId: basic.row.id,
      secret: basic.secret,
      method: 'client_secret_post',
    })
    expect(error.description).toContain('client_secret_basic')
  })

  test('method downgrade: a confidential client cannot authenticate as a public one', async () => {
    await expectInvalidClient({ clientId: basic.row.id, method: 'none' })
  })

  test('a public client sending a secret is refused', async () => {
    await expectInvalidClient({
      clientId: publicClient.id,
      secret: 'anything',
      method: 'client_secret_post',
    })
    await expectInvalidClient({ clientId: publicClient.id, secret: 'anything', method: 'none' })
  })

  test('refuses an unknown client, and another tenant’s client', async () => {
    await expectInvalidClient({
      clientId: 'NoSuchClient00000000000000000000',
      secret: basic.secret,
      method: 'client_secret_basic',
    })
    await expectInvalidClient(
      { clientId: basic.row.id, secret: basic.secret, method: 'client_secret_basic' },
      OTHER_TENANT,
    )
  })

  test('refuses an oversized secret without comparing it', async () => {
    await expectInvalidClient({
      clientId: basic.row.id,
      secret: basic.secret + 'x'.repeat(100_000),
      method: 'client_secret_basic',
    })
  })

  test('timing oracle: an unknown client_id costs the same hash as a known one', async () => {
    const digest = spyOn(crypto.subtle, 'digest')
    try {
      await expectInvalidClient({
        clientId: 'NoSuchClient00000000000000000000',
        secret: 'guess',
        method: 'client_secret_basic',
      })
      const forUnknown = digest.mock.calls.length
      digest.mockClear()
      await expectInvalidClient({
        clientId: basic.row.id,
        secret: 'guess',
        method: 'client_secret_basic',
      })
      expect(forUnknown).toBe(1)
      expect(digest.mock.calls.length).toBe(forUnknown)
    } finally {
      digest.mockRestore()
    }
  })
})

describe('exact redirect URI matching', () => {
  let client: OidcClientRow
  beforeAll(async () => {
    client = (
      await newClient({
        redirectUris: ['https://app.example.com/callback', 'com.example.app:/callback'],
        postLogoutRedirectUris: ['https://app.example.com/signed-out'],
      })
    ).row
  })

  test('a registered URI matches', () => {
    expect(isRedirectUriRegistered(client, 'https://app.example.com/callback')).toBe(true)
    expect(isRedirectUriRegistered(client, 'com.example.app:/callback')).toBe(true)
  })

  test.each([
    ['trailing slash', 'https://app.example.com/callback/'],
    ['different case in path', 'https://app.example.com/Callback'],
    ['different case in host', 'https://APP.example.com/callback'],
    ['extra query', 'https://app.example.com/callback?next=https://evil.example'],
    ['prefix match on the path', 'https://app.example.com/callback/../../evil'],
    ['prefix match on a longer path', 'https://app.example.com/callbackevil'],
    ['prefix match on the host', 'https://app.example.com.evil.example/callback'],
    ['explicit default port', 'https://app.example.com:443/callback'],
    ['percent-encoded path', 'https://app.example.com/%63allback'],
    ['appended fragment', 'https://app.example.com/callback#'],
    ['downgraded scheme', 'http://app.example.com/callback'],
    ['user information', 'https://app.example.com@evil.example/callback'],
    ['custom scheme with an extra segment', 'com.example.app:/callback/evil'],
  ])('open redirect: refuses a near-miss (%s)', (_, uri) => {
    expect(isRedirectUriRegistered(client, uri)).toBe(false)
  })

  test('open redirect: post-logout URIs match exactly too, and are not redirect URIs', () => {
    expect(isPostLogoutRedirectUriRegistered(client, 'https://app.example.com/signed-out')).toBe(
      true,
    )
    expect(isPostLogoutRedirectUriRegistered(client, 'https://app.example.com/signed-out/')).toBe(
      false,
    )
    expect(isPostLogoutRedirectUriRegistered(client, 'https://app.example.com/callback')).toBe(
      false,
    )
  })

  test('allowsGrantType follows the registered grant types', () => {
    expect(allowsGrantType(client, 'authorization_code')).toBe(true)
    expect(allowsGrantType(client, 'client_credentials')).toBe(false)
  })
})
