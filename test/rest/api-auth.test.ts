import { beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { signSAuthc1 } from '../../src/security/sauthc1'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL, type Target } from '../harness/targets'

const ERROR_FIELDS = ['code', 'developerMessage', 'message', 'moreInfo', 'requestId', 'status']
const MINUTE = 60_000

interface Key {
  id: string
  secret: string
}

const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Buffer.from(digest).toString('hex')
}

/** Every answer carries a request id; an error body carries the same one. */
function expectRequestId(response: Response): string {
  const id = response.headers.get('stormpath-request-id')
  expect(id).toMatch(/^[0-9a-f-]{36}$/)
  return id!
}

/** 401 with the six Stormpath fields and nothing that tells one failure from another. */
async function expectUnauthenticated(response: Response): Promise<Record<string, unknown>> {
  expect(response.status).toBe(401)
  const requestId = expectRequestId(response)
  const body = (await response.json()) as Record<string, unknown>
  expect(Object.keys(body).sort()).toEqual(ERROR_FIELDS)
  expect(body).toMatchObject({
    status: 401,
    code: 401,
    message: 'Authentication required.',
    moreInfo: `${TEST_BASE_URL}/errors/401`,
    requestId,
  })
  return body
}

/** Helpers bound to one target: API-key requests, SAuthc1-signed requests, sessions. */
function client(target: Target) {
  const json = (body: unknown) => ({
    'content-type': 'application/json',
    body: JSON.stringify(body),
  })
  return {
    withKey(key: Key, path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers)
      headers.set('authorization', basic(key.id, key.secret))
      return target.request(path, { ...init, headers })
    },
    async postJson(key: Key, path: string, body: unknown) {
      const { 'content-type': type, body: text } = json(body)
      return this.withKey(key, path, {
        method: 'POST',
        headers: { 'content-type': type },
        body: text,
      })
    },
    /** The headers an SDK would send for this request, signed at `at` with `nonce`. */
    sign(
      key: Key,
      path: string,
      init: { method?: string; body?: string; at?: Date; nonce?: string } = {},
    ) {
      const headers = new Headers(init.body ? { 'content-type': 'application/json' } : {})
      return signSAuthc1(
        {
          method: init.method ?? 'GET',
          url: `${TEST_BASE_URL}${path}`,
          headers,
          body: new TextEncoder().encode(init.body ?? ''),
        },
        key.id,
        key.secret,
        init.at ?? new Date(),
        init.nonce ?? crypto.randomUUID(),
      )
    },
    async signed(key: Key, path: string, init: { method?: string; body?: string } = {}) {
      const headers = await this.sign(key, path, init)
      return target.request(path, { method: init.method ?? 'GET', headers, body: init.body })
    },
  }
}

describeTargets('API authentication', (target) => {
  const api = client(target)
  let admin: Admin
  let adminKey: Key
  let accountPath: string

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'auth-tenant')
    adminKey = { id: admin.keyId, secret: admin.keySecret }
    accountPath = new URL(admin.accountHref).pathname
  })

  test('POST ?_method=DELETE signed with SAuthc1 deletes, the signature covering the POST as sent', async () => {
    const created = await api.postJson(adminKey, '/v1/directories', { name: 'Doomed by override' })
    const path = `${new URL(((await created.json()) as { href: string }).href).pathname}?_method=DELETE`
    const response = await api.signed(adminKey, path, { method: 'POST' })
    expect(response.status).toBe(204)
    expect((await api.withKey(adminKey, path.split('?')[0]!)).status).toBe(404)
  })

  async function newKey(path = accountPath, by: Key = adminKey): Promise<Key> {
    const response = await api.withKey(by, `${path}/apiKeys`, { method: 'POST' })
    expect(response.status).toBe(201)
    return (await response.json()) as Key
  }

  async function disableKey(key: Key): Promise<void> {
    const response = await api.postJson(adminKey, `/v1/apiKeys/${key.id}`, { status: 'DISABLED' })
    expect(response.status).toBe(200)
  }

  let customer: Promise<{ path: string; key: Key }> | undefined
  /** An account of this tenant outside its administrators directory, with a key (made once). */
  function nonAdmin(): Promise<{ path: string; key: Key }> {
    customer ??= createCustomer()
    return customer
  }
  async function createCustomer(): Promise<{ path: string; key: Key }> {
    const directory = await api.postJson(adminKey, '/v1/directories', { name: 'Customers' })
    expect(directory.status).toBe(201)
    const { href } = (await directory.json()) as { href: string }
    const account = await api.postJson(adminKey, `${new URL(href).pathname}/accounts`, {
      email: 'customer@example.com',
      password: 'Customer-pass-1',
      givenName: 'Cus',
      surname: 'Tomer',
    })
    expect(account.status).toBe(201)
    const path = new URL(((await account.json()) as { href: string }).href).pathname
    return { path, key: await newKey(path) }
  }

  /** The path of the directory an account lives in. */
  async function directoryOf(path: string): Promise<string> {
    const account = (await (await api.withKey(adminKey, path)).json()) as {
      directory: { href: string }
    }
    return new URL(account.directory.href).pathname
  }

  describe('HTTP Basic', () => {
    test('an administrator key reads the current tenant', async () => {
      const response = await api.withKey(adminKey, '/v1/tenants/current')
      expect(response.status).toBe(302)
      expectRequestId(response)
      const tenant = await api.withKey(
        adminKey,
        new URL(response.headers.get('location')!).pathname,
      )
      expect(tenant.status).toBe(200)
      expect(await tenant.json()).toMatchObject({ key: 'auth-tenant' })
    })

    test('API key enumeration: an unknown key id and a wrong secret get the same answer', async () => {
      const wrongSecret = await expectUnauthenticated(
        await api.withKey(
          { id: adminKey.id, secret: 'x'.repeat(adminKey.secret.length) },
          '/v1/tenants/current',
        ),
      )
      const unknownKey = await expectUnauthenticated(
        await api.withKey(
          { id: 'NoSuchKeyId0123456789', secret: adminKey.secret },
          '/v1/tenants/current',
        ),
      )
      const { requestId: _a, ...wrong } = wrongSecret
      const { requestId: _b, ...unknown } = unknownKey
      expect(wrong).toEqual(unknown)
      // Nothing about the key or its secret is echoed back.
      expect(JSON.stringify(wrongSecret)).not.toContain(adminKey.id)
      expect(JSON.stringify(unknownKey)).not.toContain(adminKey.secret)
    })

    test('malformed credentials are refused with 401, never a 5xx', async () => {
      const headers = [
        'Basic %%%not-base64%%%',
        `Basic ${btoa('no-colon-here')}`,
        `Basic ${btoa(':secret-without-id')}`,
        'Basic ',
        `Basic ${'A'.repeat(10 * 1024)}`,
        `Basic ${btoa(`${'i'.repeat(5000)}:${'s'.repeat(5000)}`)}`,
        `Basic ${btoa(`${adminKey.id}:${adminKey.secret}`)}=garbage`,
      ]
      for (const authorization of headers) {
        await expectUnauthenticated(
          await target.request('/v1/tenants/current', { headers: { authorization } }),
        )
      }
    })

    test('no credentials at all are refused with 401', async () => {
      await expectUnauthenticated(await target.request('/v1/tenants/current'))
    })

    test('a DISABLED key is refused', async () => {
      const key = await newKey()
      expect((await api.withKey(key, '/v1/tenants/current')).status).toBe(302)
      await disableKey(key)
      await expectUnauthenticated(await api.withKey(key, '/v1/tenants/current'))
    })

    test('a key whose account is DISABLED is refused', async () => {
      const directoryPath = await directoryOf(accountPath)
      const created = await api.postJson(adminKey, `${directoryPath}/accounts`, {
        email: 'second-admin@example.com',
        password: 'Second-pass-1',
        givenName: 'Sec',
        surname: 'Ond',
      })
      expect(created.status).toBe(201)
      const secondPath = new URL(((await created.json()) as { href: string }).href).pathname
      const key = await newKey(secondPath)
      expect((await api.withKey(key, '/v1/tenants/current')).status).toBe(302)
      const disabled = await api.postJson(adminKey, secondPath, { status: 'DISABLED' })
      expect(disabled.status).toBe(200)
      await expectUnauthenticated(await api.withKey(key, '/v1/tenants/current'))
      await expectUnauthenticated(await api.signed(key, '/v1/tenants/current'))
    })

    test("privilege escalation: a non-administrator's key cannot call /v1", async () => {
      const { key } = await nonAdmin()
      await expectUnauthenticated(await api.withKey(key, '/v1/tenants/current'))
      await expectUnauthenticated(await api.withKey(key, `/v1/apiKeys/${key.id}`))
      await expectUnauthenticated(await api.signed(key, '/v1/tenants/current'))
    })
  })

  describe('SAuthc1', () => {
    test('a signed GET succeeds', async () => {
      const response = await api.signed(adminKey, '/v1/tenants/current')
      expect(response.status).toBe(302)
      expectRequestId(response)
    })

    test('a signed POST with a JSON body succeeds', async () => {
      const body = JSON.stringify({ name: 'Signed directory' })
      const response = await api.signed(adminKey, '/v1/directories', { method: 'POST', body })
      expect(response.status).toBe(201)
      expect(await response.json()).toMatchObject({ name: 'Signed directory' })
    })

    test('query parameters verify in any order and with + or %20 for spaces', async () => {
      const headers = await api.sign(
        adminKey,
        '/v1/directories?orderBy=name%20asc&limit=5&offset=0',
      )
      const response = await target.request('/v1/directories?offset=0&limit=5&orderBy=name+asc', {
        headers,
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ limit: 5, offset: 0 })
    })

    test('a tampered body is refused', async () => {
      const headers = await api.sign(adminKey, '/v1/directories', {
        method: 'POST',
        body: JSON.stringify({ name: 'Signed for this' }),
      })
      await expectUnauthenticated(
        await target.request('/v1/directories', {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: 'Sent with that' }),
        }),
      )
    })

    test('a tampered path is refused', async () => {
      const headers = await api.sign(adminKey, '/v1/directories')
      await expectUnauthenticated(await target.request('/v1/applications', { headers }))
    })

    test('a tampered query is refused', async () => {
      const headers = await api.sign(adminKey, '/v1/directories?limit=5')
      await expectUnauthenticated(await target.request('/v1/directories?limit=6', { headers }))
      await expectUnauthenticated(
        await target.request('/v1/directories?limit=5&offset=1', { headers }),
      )
    })

    test('a tampered method is refused', async () => {
      const headers = await api.sign(adminKey, `/v1/apiKeys/${adminKey.id}`)
      await expectUnauthenticated(
        await target.request(`/v1/apiKeys/${adminKey.id}`, { method: 'DELETE', headers }),
      )
    })

    test('API key enumeration: an unknown key id, a wrong secret and a stale date get the same answer', async () => {
      const answers = []
      for (const response of [
        await api.signed({ id: adminKey.id, secret: 'not-the-secret' }, '/v1/tenants/current'),
        await api.signed({ id: 'NoSuchKeyId0123456789', secret: 'x' }, '/v1/tenants/current'),
        await target.request('/v1/tenants/current', {
          headers: await api.sign(adminKey, '/v1/tenants/current', {
            at: new Date(Date.now() - 60 * MINUTE),
          }),
        }),
      ]) {
        const { requestId: _, ...body } = await expectUnauthenticated(response)
        answers.push(body)
      }
      expect(answers[1]).toEqual(answers[0]!)
      expect(answers[2]).toEqual(answers[0]!)
    })

    test('a signature 16 minutes old is refused', async () => {
      const headers = await api.sign(adminKey, '/v1/tenants/current', {
        at: new Date(Date.now() - 16 * MINUTE),
      })
      await expectUnauthenticated(await target.request('/v1/tenants/current', { headers }))
    })

    test('a signature 16 minutes in the future is refused', async () => {
      const headers = await api.sign(adminKey, '/v1/tenants/current', {
        at: new Date(Date.now() + 16 * MINUTE),
      })
      await expectUnauthenticated(await target.request('/v1/tenants/current', { headers }))
    })

    test('replay: the same nonce twice → 401 the second time', async () => {
      const nonce = crypto.randomUUID()
      const headers = await api.sign(adminKey, '/v1/tenants/current', { nonce })
      expect((await target.request('/v1/tenants/current', { headers })).status).toBe(302)
      const seen = await target.db
        .select()
        .from(schema.usedNonces)
        .where(eq(schema.usedNonces.nonce, nonce))
        .all()
      expect(seen).toHaveLength(1)
      expect(seen[0]!.apiKeyId).toBe(adminKey.id)
      await expectUnauthenticated(await target.request('/v1/tenants/current', { headers }))
    })

    test('a refused signature does not burn its nonce', async () => {
      const nonce = crypto.randomUUID()
      const headers = await api.sign(adminKey, '/v1/directories', { nonce })
      await expectUnauthenticated(await target.request('/v1/applications', { headers }))
      const seen = await target.db
        .select()
        .from(schema.usedNonces)
        .where(eq(schema.usedNonces.nonce, nonce))
        .all()
      expect(seen).toHaveLength(0)
    })

    test('a DISABLED key is refused', async () => {
      const key = await newKey()
      expect((await api.signed(key, '/v1/tenants/current')).status).toBe(302)
      await disableKey(key)
      await expectUnauthenticated(await api.signed(key, '/v1/tenants/current'))
    })

    test('a malformed SAuthc1 header is refused with 401', async () => {
      const headers = await api.sign(adminKey, '/v1/tenants/current')
      const good = headers.get('authorization')!
      for (const authorization of [
        'SAuthc1 ',
        'SAuthc1 sauthc1Id=x',
        good.replace('sauthc1_request', 'other_request'),
        good.replace(/sauthc1Signature=\w+/, 'sauthc1Signature=zz'),
        good.replace('host;', ''),
        `SAuthc1 ${'x'.repeat(10 * 1024)}`,
      ]) {
        headers.set('authorization', authorization)
        await expectUnauthenticated(await target.request('/v1/tenants/current', { headers }))
      }
    })
  })

  describe('session cookie', () => {
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })

    // Each test logs in again; the per-account login limit (10 per 5 minutes) is not under test.
    beforeEach(async () => {
      await target.db.delete(schema.rateLimits)
    })

    async function login(): Promise<{ cookie: string; token: string; setCookie: string }> {
      const response = await target.request(
        '/login',
        form({ tenantNameKey: admin.tenantKey, email: admin.email, password: admin.password }),
      )
      expect(response.status).toBe(204)
      expectRequestId(response)
      const setCookie = response.headers.get('set-cookie')!
      const cookie = setCookie.split(';')[0]!
      return { cookie, token: cookie.slice('sessionToken='.length), setCookie }
    }

    const withCookie = (cookie: string, path: string, init: RequestInit = {}) =>
      target.request(path, { ...init, headers: { ...init.headers, cookie } })

    const createDirectory = (cookie: string, name: string, headers: Record<string, string>) =>
      withCookie(cookie, '/v1/directories', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name }),
      })

    test('POST /login sets an HttpOnly, SameSite=Lax session cookie for the whole site', async () => {
      const { setCookie, token } = await login()
      expect(setCookie).toStartWith('sessionToken=')
      expect(setCookie).toContain('HttpOnly')
      expect(setCookie).toContain('SameSite=Lax')
      expect(setCookie).toContain('Path=/')
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    })

    test('the cookie authenticates /v1/accounts/current and /v1/tenants/current', async () => {
      const { cookie } = await login()
      const account = await withCookie(cookie, '/v1/accounts/current')
      expect(account.status).toBe(302)
      expect(account.headers.get('location')).toBe(admin.accountHref)
      const tenant = await withCookie(cookie, '/v1/tenants/current')
      expect(tenant.status).toBe(302)
      const followed = await withCookie(cookie, new URL(tenant.headers.get('location')!).pathname)
      expect(await followed.json()).toMatchObject({ key: admin.tenantKey })
    })

    test('a database leak yields no usable cookie: only the token hash is stored', async () => {
      const { token } = await login()
      const rows = await target.db.select().from(schema.apiSessions).all()
      expect(rows.length).toBeGreaterThan(0)
      expect(rows.some((row) => row.tokenHash === token)).toBe(false)
      expect(rows.map((row) => row.tokenHash)).toContain(await sha256Hex(token))
      await expectUnauthenticated(
        await withCookie(`sessionToken=${await sha256Hex(token)}`, '/v1/tenants/current'),
      )
    })

    test('stolen cookie after logout: GET /logout ends the session server-side', async () => {
      const { cookie, token } = await login()
      expect((await withCookie(cookie, '/v1/tenants/current')).status).toBe(302)
      const logout = await withCookie(cookie, '/logout')
      expect(logout.status).toBe(204)
      expect(logout.headers.get('set-cookie')).toMatch(/^sessionToken=;.*Max-Age=0/)
      const rows = await target.db
        .select()
        .from(schema.apiSessions)
        .where(eq(schema.apiSessions.tokenHash, await sha256Hex(token)))
        .all()
      expect(rows).toHaveLength(0)
      await expectUnauthenticated(await withCookie(cookie, '/v1/tenants/current'))
    })

    test('an expired session is refused', async () => {
      const { cookie, token } = await login()
      await target.db
        .update(schema.apiSessions)
        .set({ expiresAt: new Date(Date.now() - MINUTE) })
        .where(eq(schema.apiSessions.tokenHash, await sha256Hex(token)))
      await expectUnauthenticated(await withCookie(cookie, '/v1/tenants/current'))
    })

    test("a new login sweeps the account's expired sessions", async () => {
      const { token } = await login()
      const hash = await sha256Hex(token)
      await target.db
        .update(schema.apiSessions)
        .set({ expiresAt: new Date(Date.now() - MINUTE) })
        .where(eq(schema.apiSessions.tokenHash, hash))
      await login()
      const rows = await target.db
        .select()
        .from(schema.apiSessions)
        .where(eq(schema.apiSessions.tokenHash, hash))
        .all()
      expect(rows).toHaveLength(0)
    })

    test('CSRF: a cross-site POST with the session cookie is refused', async () => {
      const { cookie } = await login()
      const crossSite: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
        { origin: 'http://edgepass.test.evil.example' },
      ]
      for (const headers of crossSite) {
        const response = await createDirectory(cookie, 'Planted by evil', headers)
        expect(response.status).toBe(403)
        expect(await response.json()).toMatchObject({ status: 403, code: 403 })
      }
      const planted = await target.db
        .select()
        .from(schema.directories)
        .where(eq(schema.directories.name, 'Planted by evil'))
        .all()
      expect(planted).toHaveLength(0)
    })

    test('same-origin and Origin-less (curl) POSTs with the cookie work', async () => {
      const { cookie } = await login()
      const sameOrigin = await createDirectory(cookie, 'From the console', {
        origin: TEST_BASE_URL,
        'sec-fetch-site': 'same-origin',
      })
      expect(sameOrigin.status).toBe(201)
      const curl = await createDirectory(cookie, 'From curl', {})
      expect(curl.status).toBe(201)
    })

    test('a 10 KB cookie value is refused with 401, not 5xx', async () => {
      await expectUnauthenticated(
        await withCookie(`sessionToken=${'a'.repeat(10 * 1024)}`, '/v1/tenants/current'),
      )
      await expectUnauthenticated(
        await withCookie(`sessionToken=%E0%A4%A; other=${'%'.repeat(100)}`, '/v1/tenants/current'),
      )
    })

    test('a session of an account that is not an administrator is refused', async () => {
      // The account behind a session is re-checked on every request, not only at login.
      const token = 'session-token-of-a-non-admin'
      const { path } = await nonAdmin()
      const customerRow = await target.db
        .select()
        .from(schema.accounts)
        .where(eq(schema.accounts.id, path.split('/').pop()!))
        .get()
      await target.db.insert(schema.apiSessions).values({
        tokenHash: await sha256Hex(token),
        tenantId: customerRow!.tenantId,
        accountId: customerRow!.id,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 60 * MINUTE),
      })
      await expectUnauthenticated(await withCookie(`sessionToken=${token}`, '/v1/tenants/current'))
    })
  })

  describe('tenant isolation', () => {
    let other: Admin
    let otherKey: Key

    beforeAll(async () => {
      other = await bootstrapAdmin(target.request, 'other-tenant')
      otherKey = { id: other.keyId, secret: other.keySecret }
    })

    test("tenant B's key cannot see tenant A's tenant, directories or accounts (404)", async () => {
      const tenantA = await api.withKey(adminKey, '/v1/tenants/current')
      const tenantPath = new URL(tenantA.headers.get('location')!).pathname
      const directoryPath = await directoryOf(accountPath)
      const paths = [
        tenantPath,
        `${tenantPath}/directories`,
        directoryPath,
        `${directoryPath}/accounts`,
        accountPath,
        `/v1/apiKeys/${adminKey.id}`,
      ]
      for (const path of paths) {
        expect((await api.withKey(adminKey, path)).status).toBe(200)
        const response = await api.withKey(otherKey, path)
        expect(response.status).toBe(404)
        expect(await response.json()).toMatchObject({ status: 404, code: 404 })
      }
      // Writes are refused alike, and change nothing.
      const write = await api.postJson(otherKey, accountPath, { givenName: 'Mallory' })
      expect(write.status).toBe(404)
      const account = (await (await api.withKey(adminKey, accountPath)).json()) as {
        givenName: string
      }
      expect(account.givenName).toBe('Ada')
    })

    test('GET /v1/tenants/current always redirects to the caller’s own tenant', async () => {
      const own = await api.withKey(adminKey, '/v1/tenants/current')
      const theirs = await api.withKey(otherKey, '/v1/tenants/current')
      expect(own.headers.get('location')).not.toBe(theirs.headers.get('location'))
      const tenant = await api.withKey(otherKey, new URL(theirs.headers.get('location')!).pathname)
      expect(await tenant.json()).toMatchObject({ key: 'other-tenant' })
      const signed = await api.signed(otherKey, '/v1/tenants/current')
      expect(signed.headers.get('location')).toBe(theirs.headers.get('location'))
    })
  })
})
