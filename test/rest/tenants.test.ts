import { expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { describeTargets, TEST_BASE_URL } from '../harness/targets'
import { adminClient, countRows, idOf, V1, type AdminClient } from './directory-helpers'

const TENANT_COLLECTIONS = ['applications', 'directories', 'accounts', 'groups', 'organizations']

describeTargets('tenants', (target) => {
  let a: AdminClient
  let b: AdminClient

  test('GET /tenants/current redirects with 302 to the absolute href of the caller’s tenant', async () => {
    a = await adminClient(target, 'tenants-a')
    b = await adminClient(target, 'tenants-b')
    for (const path of ['/tenants/current', '/tenants/current?nocache=true']) {
      const response = await a.raw(path)
      expect(response.status).toBe(302)
      const location = response.headers.get('location')!
      expect(location).toMatch(new RegExp(`^${V1}/tenants/[A-Za-z0-9]{22}$`))
      expect(location).toBe(a.tenantHref)
    }
    expect(b.tenantHref).not.toBe(a.tenantHref)
  })

  test('the tenant has absolute hrefs, its key, links to its collections and no raw foreign keys', async () => {
    const reply = await a.get(a.tenantHref)
    expect(reply.status).toBe(200)
    const tenant = reply.body
    expect(tenant).toMatchObject({ href: a.tenantHref, name: 'tenants-a', key: 'tenants-a' })
    expect(new Date(tenant.createdAt).toISOString()).toBe(tenant.createdAt)
    expect(new Date(tenant.modifiedAt).toISOString()).toBe(tenant.modifiedAt)
    expect(tenant.customData).toEqual({ href: `${a.tenantHref}/customData` })
    for (const name of TENANT_COLLECTIONS) {
      expect(tenant[name]).toEqual({ href: `${a.tenantHref}/${name}` })
    }
    expect(Object.keys(tenant).filter((key) => /Id$|^owner|generic|version/.test(key))).toEqual([])
  })

  test('each tenant collection lists what registration created, with the collection shape', async () => {
    const expected: Record<string, string[]> = {
      applications: ['Stormpath'],
      directories: ['Stormpath Administrators'],
      accounts: [a.admin.email],
      groups: [],
      organizations: [],
    }
    for (const name of TENANT_COLLECTIONS) {
      const reply = await a.get(`${a.tenantHref}/${name}`)
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ href: `${a.tenantHref}/${name}`, offset: 0, limit: 25 })
      expect(reply.body.size).toBe(expected[name]!.length)
      const labels = reply.body.items.map((item: any) => item.name ?? item.email)
      expect(labels).toEqual(expected[name]!)
      for (const item of reply.body.items) expect(item.href).toStartWith(`${V1}/`)
    }
  })

  test('tenant collections page, filter, sort and expand like every collection', async () => {
    const directories = `${a.tenantHref}/directories`
    expect((await a.get(`${directories}?limit=0`)).body.limit).toBe(1)
    expect((await a.get(`${directories}?limit=1000`)).body.limit).toBe(100)
    expect((await a.get(`${directories}?name=stormpath*&nocache=true`)).body.size).toBe(1)
    expect((await a.get(`${directories}?q=nothing-like-this`)).body.size).toBe(0)
    expect((await a.get(`${directories}?orderBy=name%20desc`)).status).toBe(200)
    expect((await a.get(`${directories}?orderBy=tenant`)).body.code).toBe(2106)
    expect((await a.get(`${directories}?nope=1`)).body.code).toBe(2105)
    const expanded = await a.get(`${directories}?expand=tenant`)
    expect(expanded.body.items[0].tenant).toMatchObject({ href: a.tenantHref, key: 'tenants-a' })
  })

  test('expand on the tenant inlines a collection with its paging, and refuses unknown links', async () => {
    const reply = await a.get(`${a.tenantHref}?expand=directories(offset:0,limit:1),accounts`)
    expect(reply.status).toBe(200)
    expect(reply.body.directories).toMatchObject({
      href: `${a.tenantHref}/directories`,
      offset: 0,
      limit: 1,
      size: 1,
    })
    expect(reply.body.accounts.items[0].email).toBe(a.admin.email)
    const refused = await a.get(`${a.tenantHref}?expand=nope`)
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe(2107)
  })

  test('POST /tenants/:id renames the tenant, ignores read-only fields and keeps the key', async () => {
    const before = (await a.get(a.tenantHref)).body
    const reply = await a.post(a.tenantHref, {
      ...before,
      name: '  Tenant Ä  ',
      key: 'stolen-key',
      href: `${V1}/tenants/other`,
      createdAt: '2000-01-01T00:00:00.000Z',
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      href: a.tenantHref,
      name: 'Tenant Ä',
      key: 'tenants-a',
      createdAt: before.createdAt,
    })
    expect(Date.parse(reply.body.modifiedAt)).toBeGreaterThanOrEqual(Date.parse(before.modifiedAt))
    expect((await a.get(a.tenantHref)).body.name).toBe('Tenant Ä')
  })

  test('POST /tenants/:id validates name, naming the field', async () => {
    const cases: [unknown, number, number][] = [
      ['', 400, 2007],
      ['   ', 400, 2007],
      ['x'.repeat(256), 400, 2008],
      [42, 400, 2004],
      [['a'], 400, 2004],
      ['a\u0000b', 400, 2002],
    ]
    for (const [name, status, code] of cases) {
      const reply = await a.post(a.tenantHref, { name })
      expect(reply.status).toBe(status)
      expect(reply.body.code).toBe(code)
      expect(`${reply.body.message} ${reply.body.developerMessage}`).toContain('name')
    }
    expect((await a.get(a.tenantHref)).body.name).toBe('Tenant Ä')
  })

  test('hostile bodies on POST /tenants/:id get 4xx and change nothing', async () => {
    const before = await target.db
      .select()
      .from(schema.tenants)
      .where(eq(schema.tenants.id, idOf(a.tenantHref)))
      .get()
    const deep = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`
    const bodies: [string, Record<string, string>, number][] = [
      [deep, {}, 400],
      ['[1,2,3]', {}, 400],
      ['"name"', {}, 400],
      ['{"name": ', {}, 400],
      ['name=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
      ['{"name":"x"}', { 'content-type': 'text/plain' }, 415],
    ]
    for (const [body, headers, status] of bodies) {
      const reply = await a.post(a.tenantHref, body, headers)
      expect(reply.status).toBe(status)
      if (status === 415) expect(reply.body.code).toBe(1101)
    }
    const huge = await a.post(a.tenantHref, `{"name":"${'x'.repeat(10 * 1024 * 1024)}"}`)
    expect(huge.status).toBe(413)
    const after = await target.db
      .select()
      .from(schema.tenants)
      .where(eq(schema.tenants.id, idOf(a.tenantHref)))
      .get()
    expect(after).toEqual(before)
  })

  test('a tenant has no DELETE; ?_method=DELETE is refused the same way', async () => {
    const direct = await a.delete(a.tenantHref)
    expect(direct.status).toBe(405)
    expect(direct.body.code).toBe(1100)
    expect(direct.headers.get('allow')).toContain('GET')
    expect((await a.post(`${a.tenantHref}?_method=DELETE`)).status).toBe(405)
    expect(await countRows(target, schema.tenants)).toBe(2)
  })

  test('ids of 1000 characters, %00 and unknown ids answer 404', async () => {
    for (const id of ['x'.repeat(1000), '%00', 'unknown', `${idOf(a.tenantHref)}%00`]) {
      expect((await a.get(`/tenants/${id}`)).status).toBe(404)
      expect((await a.get(`/tenants/${id}/directories`)).status).toBe(404)
    }
  })

  test('tenant isolation: another tenant’s tenant and collections are 404 and cannot be renamed', async () => {
    const before = (await a.get(a.tenantHref)).body
    for (const name of ['', ...TENANT_COLLECTIONS.map((collection) => `/${collection}`)]) {
      const reply = await b.get(`${a.tenantHref}${name}`)
      expect(reply.status).toBe(404)
      expect(JSON.stringify(reply.body)).not.toContain('tenants-a')
    }
    expect((await b.post(a.tenantHref, { name: 'taken over' })).status).toBe(404)
    expect((await a.get(a.tenantHref)).body).toEqual(before)
  })

  test('tenant isolation: the collections at the root list only the caller’s tenant', async () => {
    for (const name of ['applications', 'directories', 'organizations']) {
      const mine = await b.get(`/${name}`)
      expect(mine.status).toBe(200)
      expect(mine.body.href).toBe(`${b.tenantHref}/${name}`)
      expect(JSON.stringify(mine.body)).not.toContain(idOf(a.tenantHref))
    }
  })

  test('an unauthenticated caller gets 401 and no tenant', async () => {
    const response = await target.request('/v1/tenants/current', { redirect: 'manual' })
    expect(response.status).toBe(401)
    expect(response.headers.get('location')).toBeNull()
    const anonymous = await target.request(a.tenantHref.replace(TEST_BASE_URL, ''))
    expect(anonymous.status).toBe(401)
  })
})
