import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL } from '../harness/targets'
import {
  apiClient,
  countRows,
  deeplyNested,
  expectClientError,
  expectError,
  OVERSIZED_BODY,
  type Json,
} from './api-client'

const PASSWORD = 'Correct-horse-7'

/** The Node SDK's query for API keys (stormpath-api reference §10.7), with a 22-character salt. */
function encryptionQuery(
  salt = randomBytes(16).toString('base64url'),
  iterations: number | string = 1024,
  size = 256,
) {
  return `encryptSecret=true&encryptionKeySize=${size}&encryptionKeyIterations=${iterations}&encryptionKeySalt=${salt}`
}

/** What the SDK's `_getDecryptedSecret` does: PBKDF2-SHA1 → AES-256-CBC, iv = first 16 bytes. */
function decryptSecret(encrypted: string, callerSecret: string, salt: string): string {
  const key = pbkdf2Sync(callerSecret, Buffer.from(salt, 'base64url'), 1024, 32, 'sha1')
  const bytes = Buffer.from(encrypted, 'base64')
  const decipher = createDecipheriv('aes-256-cbc', key, bytes.subarray(0, 16))
  return Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString('utf8')
}

const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`

describeTargets('API keys', (target) => {
  let admin: Admin
  let other: Admin
  /** The tenant's "Stormpath Administrators" directory: its accounts' keys call /v1. */
  let adminDirectory: Json
  let people: Json
  const api = apiClient(target, () => admin)
  const otherApi = apiClient(target, () => other)
  let serial = 0
  const createAccount = async (dir: Json) => {
    const response = await api.post(`${dir.href}/accounts`, {
      email: `key-owner-${++serial}@example.com`,
      password: PASSWORD,
    })
    expect(response.status).toBe(201)
    return response.body
  }
  const createKey = async (account: Json, fields: Json = {}) => {
    const response = await api.post(`${account.href}/apiKeys`, fields)
    expect(response.status).toBe(201)
    return response.body
  }
  /** `GET /tenants/current` with the key: 302 when it authenticates, 401 when it does not. */
  const tenantsCurrentWith = async (key: Json) =>
    (
      await target.request('/v1/tenants/current', {
        headers: { authorization: basic(key.id, key.secret) },
      })
    ).status

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'api-keys-a')
    other = await bootstrapAdmin(target.request, 'api-keys-b')
    const owner = (await api.get(admin.accountHref)).body
    adminDirectory = (await api.get(owner.directory.href)).body
    people = (await api.post('/v1/directories', { name: 'Key holders' })).body
  })

  describe('create and read', () => {
    test('creating a key answers 201 with Location, the id as href id, and the secret', async () => {
      const account = await createAccount(people)
      const response = await api.post(`${account.href}/apiKeys`, {
        name: 'CI',
        description: 'deploys',
      })
      expect(response.status).toBe(201)
      const key = response.body
      expect(response.headers.get('location')).toBe(key.href)
      expect(key.href).toBe(`${TEST_BASE_URL}/v1/apiKeys/${key.id}`)
      expect(key.id).toMatch(/^[A-Z0-9]{25}$/)
      expect(key.secret).toBeString()
      expect(key.secret.length).toBeGreaterThanOrEqual(40)
      expect(key).toMatchObject({
        name: 'CI',
        description: 'deploys',
        status: 'ENABLED',
        account: { href: account.href },
        tenant: { href: people.tenant.href },
      })
      expect(key).not.toHaveProperty('accountId')
      expect(key).not.toHaveProperty('secretSealed')
    })

    test('an empty body makes an ENABLED key without name or description', async () => {
      const key = await createKey(await createAccount(people))
      expect(key).toMatchObject({ status: 'ENABLED', name: '', description: '' })
    })

    test('the secret is returned in clear on read and in the account collection', async () => {
      const account = await createAccount(people)
      const key = await createKey(account)
      const read = await api.get(key.href)
      expect(read.status).toBe(200)
      expect(read.body).toMatchObject({ id: key.id, secret: key.secret })
      const collection = (await api.get(account.apiKeys.href)).body
      expect(collection).toMatchObject({ href: account.apiKeys.href, size: 1 })
      expect(collection.items[0]).toMatchObject({ id: key.id, secret: key.secret })
    })

    test('expanding apiKeys on an account never shows a secret', async () => {
      const account = await createAccount(people)
      const key = await createKey(account)
      const expanded = (await api.get(`${account.href}?expand=apiKeys`)).body
      expect(expanded.apiKeys.items[0].id).toBe(key.id)
      expect(JSON.stringify(expanded)).not.toContain(key.secret)
    })

    test('the key expands its account', async () => {
      const account = await createAccount(people)
      const key = await createKey(account)
      const read = (await api.get(`${key.href}?expand=account`)).body
      expect(read.account).toMatchObject({ href: account.href, email: account.email })
    })

    test('the secret is stored sealed: the api_keys row does not contain it', async () => {
      const key = await createKey(await createAccount(people))
      const row = await target.db
        .select()
        .from(schema.apiKeys)
        .where(eq(schema.apiKeys.id, key.id))
        .get()
      expect(row!.secretSealed).not.toContain(key.secret)
      expect(row!.secretSealed).not.toContain(Buffer.from(key.secret).toString('base64'))
      expect(JSON.stringify(row)).not.toContain(key.secret)
    })
  })

  describe('secret encryption for the Node SDK (reference §10.7)', () => {
    test('encryptSecret=true returns a secret that decrypts with the calling key', async () => {
      const account = await createAccount(people)
      const salt = randomBytes(16).toString('base64url')
      expect(salt).toHaveLength(22)
      const created = await api.post(`${account.href}/apiKeys?${encryptionQuery(salt)}`)
      expect(created.status).toBe(201)
      const plain = (await api.get(created.body.href)).body.secret
      expect(created.body.secret).not.toBe(plain)
      expect(decryptSecret(created.body.secret, admin.keySecret, salt)).toBe(plain)
    })

    test('read and list encrypt too, each with a fresh IV', async () => {
      const account = await createAccount(people)
      const key = await createKey(account)
      const salt = randomBytes(16).toString('base64url')
      const first = (await api.get(`${key.href}?${encryptionQuery(salt)}&expand=account`)).body
      const second = (await api.get(`${key.href}?${encryptionQuery(salt)}`)).body
      expect(first.secret).not.toBe(second.secret)
      expect(decryptSecret(first.secret, admin.keySecret, salt)).toBe(key.secret)
      expect(first.account.href).toBe(account.href)
      const list = (await api.get(`${account.apiKeys.href}?${encryptionQuery(salt)}`)).body
      expect(decryptSecret(list.items[0].secret, admin.keySecret, salt)).toBe(key.secret)
    })

    test('encryptionKeyIterations above 100000 is refused with 400/2103, and no key is made', async () => {
      const account = await createAccount(people)
      const response = await api.post(
        `${account.href}/apiKeys?${encryptionQuery(undefined, 100_001)}`,
      )
      expectError(response, 400, 2103, 'encryptionKeyIterations')
      const id = account.href.split('/').pop()!
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.accountId, id))).toBe(0)
    })

    test('a missing or bad salt, a bad key size or iteration count is 400/2103', async () => {
      const key = await createKey(await createAccount(people))
      for (const [query, field] of [
        ['encryptSecret=true', 'encryptionKeySalt'],
        ['encryptSecret=true&encryptionKeySalt=%%%', 'encryptionKeySalt'],
        [`encryptSecret=true&encryptionKeySalt=${'A'.repeat(300)}`, 'encryptionKeySalt'],
        [encryptionQuery(undefined, 1024, 512), 'encryptionKeySize'],
        [encryptionQuery(undefined, 0), 'encryptionKeyIterations'],
        [encryptionQuery(undefined, '1e3'), 'encryptionKeyIterations'],
      ] as const) {
        expectError(await api.get(`${key.href}?${query}`), 400, 2103, field)
      }
    })
  })

  describe('update and delete', () => {
    test('updates name, description and status: 200 with the key', async () => {
      const key = await createKey(await createAccount(people))
      const response = await api.post(key.href, {
        name: 'renamed',
        description: 'rotated',
        status: 'DISABLED',
      })
      expect(response.status).toBe(200)
      expect(response.body).toMatchObject({
        id: key.id,
        name: 'renamed',
        description: 'rotated',
        status: 'DISABLED',
        secret: key.secret,
      })
      expect((await api.get(key.href)).body.status).toBe('DISABLED')
    })

    test('ignores id, secret, account and other read-only fields on update', async () => {
      const account = await createAccount(people)
      const key = await createKey(account)
      const elsewhere = await createAccount(people)
      const response = await api.post(key.href, {
        ...key,
        id: 'CHOSEN',
        secret: 'chosen-secret',
        account: { href: elsewhere.href },
        createdAt: '2000-01-01T00:00:00.000Z',
        name: 'kept',
      })
      expect(response.status).toBe(200)
      expect(response.body).toMatchObject({
        id: key.id,
        secret: key.secret,
        account: { href: account.href },
        createdAt: key.createdAt,
        name: 'kept',
      })
    })

    test('refuses bad values naming the field, and changes nothing', async () => {
      const key = await createKey(await createAccount(people), { name: 'before' })
      for (const [body, code, field] of [
        [{ status: 'REVOKED' }, 2002, 'status'],
        [{ status: 1 }, 2002, 'status'],
        [{ name: 'x'.repeat(256) }, 2008, 'name'],
        [{ description: 'x'.repeat(1001) }, 2008, 'description'],
        [{ name: 42 }, 2004, 'name'],
        [{ description: ['a'] }, 2004, 'description'],
      ] as const) {
        expectError(await api.post(key.href, body), 400, code, field)
      }
      expect((await api.get(key.href)).body).toMatchObject({
        name: 'before',
        status: 'ENABLED',
        modifiedAt: key.modifiedAt,
      })
    })

    test('refuses bad values on create too, and makes no key', async () => {
      const account = await createAccount(people)
      expectError(await api.post(`${account.href}/apiKeys`, { status: 'ON' }), 400, 2002, 'status')
      expectError(await api.post(`${account.href}/apiKeys`, { name: {} }), 400, 2004, 'name')
      const id = account.href.split('/').pop()!
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.accountId, id))).toBe(0)
    })

    test('deleting a key answers 204; it is gone and no longer authenticates', async () => {
      const account = await createAccount(adminDirectory)
      const key = await createKey(account)
      expect(await tenantsCurrentWith(key)).toBe(302)
      expect((await api.delete(key.href)).status).toBe(204)
      expect((await api.get(key.href)).status).toBe(404)
      expect(await tenantsCurrentWith(key)).toBe(401)
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.id, key.id))).toBe(0)
      expect((await api.delete(key.href)).status).toBe(404)
    })

    test('an unknown or absurd key id is 404', async () => {
      for (const id of ['NOPE', 'x'.repeat(65), 'x'.repeat(4000), '%00']) {
        expectError(await api.get(`/v1/apiKeys/${id}`), 404, 404)
      }
    })
  })

  describe('which keys authenticate', () => {
    test('an ENABLED key of an ENABLED administrator authenticates', async () => {
      const key = await createKey(await createAccount(adminDirectory))
      expect(await tenantsCurrentWith(key)).toBe(302)
    })

    test('a key of an account outside the administrators directory never authenticates', async () => {
      const key = await createKey(await createAccount(people))
      expect(await tenantsCurrentWith(key)).toBe(401)
    })

    test('disabled key reuse: a DISABLED key is refused with 401, and works again once enabled', async () => {
      const key = await createKey(await createAccount(adminDirectory))
      expect((await api.post(key.href, { status: 'DISABLED' })).status).toBe(200)
      expect(await tenantsCurrentWith(key)).toBe(401)
      const response = await target.request(`/v1/apiKeys/${key.id}`, {
        headers: { authorization: basic(key.id, key.secret) },
      })
      expect(response.status).toBe(401)
      expect((await api.post(key.href, { status: 'ENABLED' })).status).toBe(200)
      expect(await tenantsCurrentWith(key)).toBe(302)
    })

    test('disabled key reuse: the key of a DISABLED administrator is refused with 401', async () => {
      const account = await createAccount(adminDirectory)
      const key = await createKey(account)
      expect(await tenantsCurrentWith(key)).toBe(302)
      expect((await api.post(account.href, { status: 'DISABLED' })).status).toBe(200)
      expect(await tenantsCurrentWith(key)).toBe(401)
      expect((await api.post(account.href, { status: 'ENABLED' })).status).toBe(200)
      expect(await tenantsCurrentWith(key)).toBe(302)
    })

    test('a disabled key cannot re-enable itself', async () => {
      const key = await createKey(await createAccount(adminDirectory))
      const self = apiClient(target, () => ({ ...admin, basic: basic(key.id, key.secret) }))
      expect((await self.post(key.href, { status: 'DISABLED' })).status).toBe(200)
      expect((await self.post(key.href, { status: 'ENABLED' })).status).toBe(401)
      expect((await api.get(key.href)).body.status).toBe('DISABLED')
    })

    test('a wrong secret for a real key id is 401', async () => {
      const key = await createKey(await createAccount(adminDirectory))
      expect(await tenantsCurrentWith({ id: key.id, secret: `${key.secret}x` })).toBe(401)
    })

    test('deleting an account deletes its keys: they stop authenticating', async () => {
      const account = await createAccount(adminDirectory)
      const key = await createKey(account)
      expect((await api.delete(account.href)).status).toBe(204)
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.id, key.id))).toBe(0)
      expect(await tenantsCurrentWith(key)).toBe(401)
    })
  })

  describe('tenant isolation', () => {
    test("tenant isolation: another tenant's admin cannot read a key or its secret (404)", async () => {
      const account = await createAccount(adminDirectory)
      const key = await createKey(account)
      for (const path of [key.href, `${key.href}?${encryptionQuery()}`, account.apiKeys.href]) {
        const response = await otherApi.get(path)
        expectError(response, 404, 404)
        expect(JSON.stringify(response.body)).not.toContain(key.secret)
      }
    })

    test("tenant isolation: another tenant's admin cannot disable, rename or delete a key (404, nothing changed)", async () => {
      const key = await createKey(await createAccount(adminDirectory), { name: 'victim' })
      expectError(await otherApi.post(key.href, { status: 'DISABLED', name: 'owned' }), 404, 404)
      expectError(await otherApi.delete(key.href), 404, 404)
      expectError(await otherApi.post(`${key.href}?_method=DELETE`), 404, 404)
      expect((await api.get(key.href)).body).toMatchObject({
        name: 'victim',
        status: 'ENABLED',
        modifiedAt: key.modifiedAt,
      })
      expect(await tenantsCurrentWith(key)).toBe(302)
    })

    test("tenant isolation: another tenant's admin cannot mint a key for an account (404, no key)", async () => {
      const account = await createAccount(adminDirectory)
      expectError(await otherApi.post(`${account.href}/apiKeys`, { name: 'backdoor' }), 404, 404)
      const id = account.href.split('/').pop()!
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.accountId, id))).toBe(0)
    })

    test('tenant isolation: a key authenticates only into its own tenant', async () => {
      const response = await otherApi.raw('/v1/tenants/current')
      const otherTenant = response.headers.get('location')!
      expect(otherTenant).not.toBe(people.tenant.href)
      expectError(await otherApi.get(people.tenant.href), 404, 404)
    })
  })

  describe('hostile input: a 4xx, never a 5xx, and nothing written', () => {
    test('a body over 10 MiB is refused with 413', async () => {
      const account = await createAccount(people)
      const key = await createKey(account)
      for (const path of [`${account.href}/apiKeys`, key.href]) {
        const response = await api.raw(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: OVERSIZED_BODY,
        })
        expect(response.status).toBe(413)
      }
      const id = account.href.split('/').pop()!
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.accountId, id))).toBe(1)
    })

    test('JSON nested 1000 deep, malformed JSON and a JSON array are refused', async () => {
      const account = await createAccount(people)
      const key = await createKey(account, { name: 'stable' })
      for (const body of [deeplyNested(1000), '{"name": ', '["name"]', '"name"']) {
        expectClientError(await api.post(`${account.href}/apiKeys`, body))
        expectClientError(await api.post(key.href, body))
      }
      const id = account.href.split('/').pop()!
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.accountId, id))).toBe(1)
      expect((await api.get(key.href)).body.name).toBe('stable')
    })

    test('bad expand and unknown methods', async () => {
      const key = await createKey(await createAccount(people))
      expectError(await api.get(`${key.href}?expand=nope`), 400, 2107)
      expectError(await api.get(`${key.href}?expand=account(offset:1)`), 400, 2100)
      expect((await api.raw(key.href, { method: 'PUT' })).status).toBe(405)
    })

    test('the account apiKeys collection refuses bad queries', async () => {
      const account = await createAccount(people)
      for (const query of ['orderBy=secret', 'secret=x', 'limit=x', 'expand=groups']) {
        expectClientError(await api.get(`${account.apiKeys.href}?${query}`))
      }
    })
  })
})
