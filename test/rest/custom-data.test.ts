import { beforeAll, describe, expect, test } from 'bun:test'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import {
  apiClient,
  deeplyNested,
  expectClientError,
  expectError,
  OVERSIZED_BODY,
  type Json,
} from './api-client'

const OWNER_TYPES = [
  'tenants',
  'applications',
  'directories',
  'groups',
  'organizations',
  'accounts',
] as const
type OwnerType = (typeof OWNER_TYPES)[number]

const MB = 1024 * 1024

describeTargets('custom data', (target) => {
  let admin: Admin
  let other: Admin
  const api = apiClient(target, () => admin)
  const otherApi = apiClient(target, () => other)
  let serial = 0
  /** A fresh resource of each type (the tenant is the caller's own), so tests do not interfere. */
  const owners: Record<OwnerType, () => Promise<Json>> = {
    tenants: async () => {
      const location = (await api.raw('/v1/tenants/current')).headers.get('location')!
      return (await api.get(location)).body
    },
    applications: async () =>
      (await api.post('/v1/applications', { name: `App ${++serial}` })).body,
    directories: async () =>
      (await api.post('/v1/directories', { name: `Directory ${++serial}` })).body,
    groups: async () =>
      (await api.post(`${(await owners.directories()).href}/groups`, { name: 'Group' })).body,
    organizations: async () =>
      (
        await api.post('/v1/organizations', {
          name: `Organization ${++serial}`,
          nameKey: `org-${serial}`,
        })
      ).body,
    accounts: async () =>
      (
        await api.post(`${(await owners.directories()).href}/accounts`, {
          email: `custom-${++serial}@example.com`,
          password: 'Correct-horse-7',
        })
      ).body,
  }
  /** A fresh account's custom data href: most rules are the same for every owner. */
  const freshCustomData = async () => (await owners.accounts()).customData.href as string
  const read = async (href: string) => {
    const response = await api.get(href)
    expect(response.status).toBe(200)
    return response.body
  }
  /** The fields of a custom data resource, without its href and timestamps. */
  const fieldsOf = ({ href: _h, createdAt: _c, modifiedAt: _m, ...fields }: Json) => fields

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'custom-data-a')
    other = await bootstrapAdmin(target.request, 'custom-data-b')
  })

  describe.each(OWNER_TYPES)('/%s/{id}/customData', (type) => {
    let owner: Json
    let href: string

    beforeAll(async () => {
      owner = await owners[type]()
      expect(owner.href).toContain(`/v1/${type}/`)
      href = owner.customData.href
    })

    test('is linked from its owner at <owner href>/customData', () => {
      expect(href).toBe(`${owner.href}/customData`)
    })

    test('GET shows href and timestamps beside the fields', async () => {
      const customData = await read(href)
      expect(customData).toMatchObject({ href, createdAt: owner.createdAt })
      expect(Date.parse(customData.modifiedAt)).toBeGreaterThan(0)
    })

    test('POST merges keys and answers 200 with the whole custom data', async () => {
      await api.delete(href)
      expect((await api.post(href, { a: 1, nested: { b: [true, null] } })).status).toBe(200)
      const response = await api.post(href, { c: 'three', a: 2 })
      expect(response.status).toBe(200)
      expect(response.body.href).toBe(href)
      expect(fieldsOf(response.body)).toEqual({ a: 2, nested: { b: [true, null] }, c: 'three' })
      expect(fieldsOf(await read(href))).toEqual(fieldsOf(response.body))
    })

    test('DELETE of one key removes it (204); the others stay', async () => {
      await api.post(href, { keep: 1, drop: 2 })
      expect((await api.delete(`${href}/drop`)).status).toBe(204)
      const fields = fieldsOf(await read(href))
      expect(fields.keep).toBe(1)
      expect(fields).not.toHaveProperty('drop')
      // Removing a key that is not there is not an error.
      expect((await api.delete(`${href}/never-set`)).status).toBe(204)
    })

    test('DELETE clears it all (204), the owner stays', async () => {
      await api.post(href, { x: 1 })
      expect((await api.delete(href)).status).toBe(204)
      expect(fieldsOf(await read(href))).toEqual({})
      expect((await api.get(owner.href)).status).toBe(200)
    })

    test('expand=customData on the owner shows the same fields', async () => {
      await api.post(href, { shown: 'yes' })
      const expanded = (await api.get(`${owner.href}?expand=customData`)).body
      expect(expanded.customData).toMatchObject({ href, shown: 'yes' })
    })

    test(`tenant isolation: another tenant's admin cannot read, merge into or delete ${type} custom data (404, nothing changed)`, async () => {
      await api.delete(href)
      await api.post(href, { secret: 'mine' })
      const before = await read(href)
      expectError(await otherApi.get(href), 404, 404)
      expectError(await otherApi.post(href, { secret: 'stolen', planted: 1 }), 404, 404)
      expectError(await otherApi.delete(`${href}/secret`), 404, 404)
      expectError(await otherApi.delete(href), 404, 404)
      expectError(await otherApi.post(`${href}?_method=DELETE`), 404, 404)
      expect(await read(href)).toEqual(before)
    })
  })

  describe('names (3000–3003)', () => {
    test('reserved names posted back by the SDK (href, createdAt, modifiedAt, meta…) are ignored on merge', async () => {
      const href = await freshCustomData()
      const before = await read(href)
      const response = await api.post(href, {
        ...before,
        href: 'https://evil.example/customData',
        createdAt: '2000-01-01T00:00:00.000Z',
        modifiedAt: '2000-01-01T00:00:00.000Z',
        meta: 1,
        spMeta: 1,
        spmeta: 1,
        ionmeta: 1,
        ionMeta: 1,
        saved: true,
      })
      expect(response.status).toBe(200)
      expect(response.body).toMatchObject({ href, createdAt: before.createdAt, saved: true })
      expect(fieldsOf(await read(href))).toEqual({ saved: true })
    })

    test('names are refused naming the key: empty 3000, over 255 characters 3001, bad characters 3002', async () => {
      const href = await freshCustomData()
      await api.post(href, { existing: 1 })
      const cases: [Json, number, string][] = [
        [{ '': 1 }, 3000, '""'],
        [{ ['k'.repeat(256)]: 1 }, 3001, 'kkkk'],
        [{ 'has space': 1 }, 3002, 'has space'],
        [{ '-leading': 1 }, 3002, '-leading'],
        [{ 'dot.ted': 1 }, 3002, 'dot.ted'],
        [{ ünïcode: 1 }, 3002, 'ünïcode'],
        [{ fine: 1, not$fine: 2 }, 3002, 'not$fine'],
      ]
      for (const [body, code, named] of cases) {
        expectError(await api.post(href, body), 400, code, named)
      }
      // Nothing of a refused merge is kept, not even its valid keys.
      expect(fieldsOf(await read(href))).toEqual({ existing: 1 })
    })

    test('the longest valid name (255 characters), digits, _ and inner - are accepted', async () => {
      const href = await freshCustomData()
      const names = ['n'.repeat(255), '0day', '_private', 'kebab-case', '__proto__', 'constructor']
      const response = await api.post(href, Object.fromEntries(names.map((name) => [name, 1])))
      expect(response.status).toBe(200)
      expect(Object.keys(fieldsOf(await read(href))).sort()).toEqual([...names].sort())
    })

    test('__proto__ is stored as an ordinary key, not as a prototype', async () => {
      const href = await freshCustomData()
      const response = await api.post(href, '{"__proto__":{"polluted":true},"plain":1}')
      expect(response.status).toBe(200)
      const text = await (await api.raw(href)).text()
      expect(text).toContain('"__proto__":{"polluted":true}')
      expect(({} as Json).polluted).toBeUndefined()
    })

    test('deleting a reserved (3003) or malformed (3002) key is refused', async () => {
      const href = await freshCustomData()
      expectError(await api.delete(`${href}/href`), 400, 3003, 'href')
      expectError(await api.delete(`${href}/createdAt`), 400, 3003, 'createdAt')
      expectError(await api.delete(`${href}/-x`), 400, 3002, '-x')
      expectError(await api.delete(`${href}/a%20b`), 400, 3002, 'a b')
      expectError(await api.delete(`${href}/${'k'.repeat(256)}`), 400, 3001)
      expect((await read(href)).href).toBe(href)
    })
  })

  describe('size (3004) and hostile input: a 4xx, never a 5xx, and nothing written', () => {
    test('a merge whose result passes 10 MB is refused with 3004, and nothing is written', async () => {
      const href = await freshCustomData()
      expect((await api.post(href, { first: 'a'.repeat(MB) })).status).toBe(200)
      const response = await api.post(href, { second: 'b'.repeat(9.5 * MB) })
      expectError(response, 400, 3004)
      const fields = fieldsOf(await read(href))
      expect(Object.keys(fields)).toEqual(['first'])
    })

    test('custom data the database cannot store is refused with 3004, never a 500', async () => {
      // D1 stores at most about 2 MB per value, far under Stormpath's 10 MB; libSQL stores it.
      const href = await freshCustomData()
      const response = await api.post(href, { big: 'x'.repeat(3 * MB) })
      if (target.name === 'workerd') {
        expectError(response, 400, 3004)
        expect(fieldsOf(await read(href))).toEqual({})
      } else {
        expect(response.status).toBe(200)
        expect((await read(href)).big).toHaveLength(3 * MB)
      }
    })

    test('an account created or updated with customData the database cannot store is refused alike', async () => {
      const directory = await owners.directories()
      const create = await api.post(`${directory.href}/accounts`, {
        email: 'big@example.com',
        password: 'Correct-horse-7',
        customData: { big: 'x'.repeat(3 * MB) },
      })
      const account = await owners.accounts()
      const update = await api.post(account.href, { customData: { big: 'x'.repeat(3 * MB) } })
      if (target.name === 'workerd') {
        expectError(create, 400, 3004)
        expect((await api.get(`${directory.href}/accounts`)).body.size).toBe(0)
        expectError(update, 400, 3004)
        expect(fieldsOf(await read(account.customData.href))).toEqual({})
      } else {
        expect([create.status, update.status]).toEqual([201, 200])
      }
    })

    test('a body over 10 MiB is refused with 413', async () => {
      const href = await freshCustomData()
      const response = await api.raw(href, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: OVERSIZED_BODY,
      })
      expect(response.status).toBe(413)
      expect(fieldsOf(await read(href))).toEqual({})
    })

    test('JSON nested 1000 deep is refused; nesting within the limit is kept', async () => {
      const href = await freshCustomData()
      expectError(await api.post(href, deeplyNested(1000)), 400, 400)
      expect(fieldsOf(await read(href))).toEqual({})
      expect((await api.post(href, deeplyNested(20))).status).toBe(200)
      expect(JSON.stringify(fieldsOf(await read(href)))).toBe(deeplyNested(20))
    })

    test('non-object bodies, malformed JSON and other media types are refused', async () => {
      const href = await freshCustomData()
      for (const body of ['[1,2]', '"text"', '42', 'null', '{"a": ', '{"a":1}{"b":2}']) {
        expectError(await api.post(href, body), 400, 400)
      }
      const form = await api.raw(href, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"a":1}',
      })
      expect(form.status).toBe(415)
      expect(fieldsOf(await read(href))).toEqual({})
    })

    test('values of every JSON type are kept as sent', async () => {
      const href = await freshCustomData()
      const values = {
        text: 'été ✓ \u0000 "quoted"',
        number: -1.5e300,
        whole: 9007199254740991,
        yes: true,
        no: false,
        nothing: null,
        list: [1, 'two', { three: 3 }],
        object: { inner: { deeper: [] } },
      }
      expect((await api.post(href, values)).status).toBe(200)
      expect(fieldsOf(await read(href))).toEqual(values)
    })

    test('unknown owners and other tenants answer 404; unsupported methods 405', async () => {
      expectError(await api.get('/v1/accounts/nope/customData'), 404, 404)
      expectError(await api.post('/v1/groups/nope/customData', { a: 1 }), 404, 404)
      expectError(await api.get(`/v1/tenants/${'x'.repeat(100)}/customData`), 404, 404)
      const otherTenant = (await otherApi.raw('/v1/tenants/current')).headers.get('location')!
      expectError(await api.get(`${otherTenant}/customData`), 404, 404)
      expectError(await api.post(`${otherTenant}/customData`, { planted: 1 }), 404, 404)
      expect(fieldsOf((await otherApi.get(`${otherTenant}/customData`)).body)).toEqual({})
      const href = await freshCustomData()
      expect((await api.raw(href, { method: 'PUT' })).status).toBe(405)
      expect((await api.raw(`${href}/key`, { method: 'GET' })).status).toBe(405)
      expect((await api.raw('/v1/apiKeys/x/customData')).status).toBe(404)
    })
  })

  describe('concurrency', () => {
    test('concurrent merges of different keys all survive (versioned writes)', async () => {
      const href = await freshCustomData()
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => api.post(href, { [`k${i}`]: i })),
      )
      for (const response of responses) expect(response.status).toBe(200)
      const fields = fieldsOf(await read(href))
      expect(Object.keys(fields).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`))
    })
  })

  describe('hostile input on the account collection', () => {
    test('customData search with bad paths is refused, never a 500', async () => {
      const directory = await owners.directories()
      for (const query of [
        'customData.=1',
        'customData..a=1',
        "customData.a')--=1",
        `customData.${'a.'.repeat(20)}a=1`,
        'customData.a=[1,0]',
        'customData.a=[x,y]',
      ]) {
        expectClientError(await api.get(`${directory.href}/accounts?${query}`))
      }
    })
  })
})
