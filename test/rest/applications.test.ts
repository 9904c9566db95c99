import { beforeAll, expect, test } from 'bun:test'
import { and, count, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { idOf, restClient, startingWith, V1, type Json } from './rest-client'

describeTargets('applications', (target) => {
  let admin: Admin
  let other: Admin
  const api = restClient(target, () => admin)
  const asOther = restClient(target, () => other)

  const countRows = async (table: typeof schema.applications | typeof schema.directories) =>
    (await target.db.select({ n: count() }).from(table).get())!.n

  const createApp = async (name: string, query = '') => {
    const reply = await api('POST', `/v1/applications${query}`, { name })
    expect(reply.status).toBe(201)
    return reply.body
  }
  const createDirectory = async (name: string) => {
    const reply = await api('POST', '/v1/directories', { name })
    expect(reply.status).toBe(201)
    return reply.body
  }
  const map = async (application: Json, store: Json, flags: Json = {}) => {
    const reply = await api('POST', '/v1/accountStoreMappings', {
      application: { href: application.href },
      accountStore: { href: store.href },
      ...flags,
    })
    expect(reply.status).toBe(201)
    return reply.body
  }
  const account = (email: string) => ({ email, password: 'Secret-pass-123', givenName: 'G' })

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'apps')
    other = await bootstrapAdmin(target.request, 'apps-other')
  })

  test('POST /applications answers 201 with Location and the full representation', async () => {
    const reply = await api('POST', '/v1/applications', {
      name: 'Billing',
      description: 'Pays',
      authorizedCallbackUris: ['https://billing.example.com/cb'],
    })
    expect(reply.status).toBe(201)
    const app = reply.body
    expect(reply.headers.get('location')).toBe(app.href)
    expect(app.href).toStartWith(`${V1}/applications/`)
    expect(app).toMatchObject({
      name: 'Billing',
      description: 'Pays',
      status: 'ENABLED',
      authorizedCallbackUris: ['https://billing.example.com/cb'],
      defaultAccountStoreMapping: null,
      defaultGroupStoreMapping: null,
      tenant: { href: startingWith(`${V1}/tenants/`) },
      customData: { href: `${app.href}/customData` },
      accountStoreMappings: { href: `${app.href}/accountStoreMappings` },
      accounts: { href: `${app.href}/accounts` },
      groups: { href: `${app.href}/groups` },
      apiKeys: { href: `${app.href}/apiKeys` },
      loginAttempts: { href: `${app.href}/loginAttempts` },
    })
    expect(new Date(app.createdAt).toISOString()).toBe(app.createdAt)
    expect(app.modifiedAt).toBe(app.createdAt)
    // Links only: no raw foreign keys or internal columns (stormpath-api reference §2, rule 8).
    for (const key of ['tenantId', 'isAdmin', 'version', 'id'])
      expect(Object.keys(app)).not.toContain(key)
    const read = await api('GET', app.href)
    expect(read.status).toBe(200)
    expect(read.body).toEqual(app)
  })

  test('?createDirectory=true creates "<name> Directory" as default account and group store', async () => {
    const app = await createApp('Shop', '?createDirectory=true')
    expect(app.defaultAccountStoreMapping).toEqual({
      href: startingWith(`${V1}/accountStoreMappings/`),
    })
    expect(app.defaultGroupStoreMapping).toEqual(app.defaultAccountStoreMapping)
    const mapping = await api('GET', `${app.defaultAccountStoreMapping.href}?expand=accountStore`)
    expect(mapping.body).toMatchObject({
      listIndex: 0,
      isDefaultAccountStore: true,
      isDefaultGroupStore: true,
      application: { href: app.href },
      accountStore: { name: 'Shop Directory', status: 'ENABLED' },
    })
  })

  test('?createDirectory=<name> names the directory', async () => {
    const app = await createApp('Forum', '?createDirectory=Forum%20Members')
    const mappings = await api('GET', `${app.href}/accountStoreMappings?expand=accountStore`)
    expect(mappings.body.items).toHaveLength(1)
    expect(mappings.body.items[0].accountStore.name).toBe('Forum Members')
  })

  test('?createDirectory with a taken directory name writes neither application nor directory', async () => {
    await createDirectory('Taken Directory')
    const [apps, directories] = [
      await countRows(schema.applications),
      await countRows(schema.directories),
    ]
    const reply = await api('POST', '/v1/applications?createDirectory=Taken%20Directory', {
      name: 'Orphan',
    })
    expect(reply.status).toBe(409)
    expect(reply.body.code).toBe(2001)
    expect(await countRows(schema.applications)).toBe(apps)
    expect(await countRows(schema.directories)).toBe(directories)
    // The name is still free.
    await createApp('Orphan')
  })

  test('?createDirectory with an empty value is refused with 2103 and nothing written', async () => {
    const apps = await countRows(schema.applications)
    const reply = await api('POST', '/v1/applications?createDirectory=%20', { name: 'Blank dir' })
    expect(reply.status).toBe(400)
    expect(reply.body.code).toBe(2103)
    expect(await countRows(schema.applications)).toBe(apps)
  })

  test('validates the fields of a new application', async () => {
    const apps = await countRows(schema.applications)
    const cases: [unknown, number][] = [
      [{}, 2000],
      [{ name: '' }, 2000],
      [{ name: '   ' }, 2007],
      [{ name: 'x'.repeat(256) }, 2008],
      [{ name: 42 }, 2004],
      [{ name: 'Fine', description: 'd'.repeat(4001) }, 2008],
      [{ name: 'Fine', status: 'SLEEPING' }, 2002],
      [{ name: 'Fine', authorizedCallbackUris: 'https://a.example' }, 2004],
    ]
    for (const [body, code] of cases) {
      const reply = await api('POST', '/v1/applications', body)
      expect({ body, status: reply.status, code: reply.body.code }).toEqual({
        body,
        status: 400,
        code,
      })
    }
    expect(await countRows(schema.applications)).toBe(apps)
  })

  test('application names are unique per tenant, case-insensitively (409/2001)', async () => {
    await createApp('Unique App')
    const reply = await api('POST', '/v1/applications', { name: 'UNIQUE app' })
    expect(reply.status).toBe(409)
    expect(reply.body.code).toBe(2001)
    // Another tenant may use the name.
    expect((await asOther('POST', '/v1/applications', { name: 'Unique App' })).status).toBe(201)
  })

  test("GET /applications lists the tenant's applications, searchable by name", async () => {
    const list = await api('GET', '/v1/applications?limit=100')
    expect(list.status).toBe(200)
    // The tenant's collection, which `GET /applications` serves (stormpath-api reference §2, rule 3).
    const tenantHref = list.body.items[0].tenant.href
    expect(list.body).toMatchObject({ href: `${tenantHref}/applications`, offset: 0, limit: 100 })
    const names = list.body.items.map((item: Json) => item.name)
    expect(names).toContain('Stormpath')
    expect(names).toContain('Billing')
    expect(names).not.toContain('Unique App'.toUpperCase())
    expect(list.body.size).toBe(list.body.items.length)
    // Items carry their default-store links too (`render` runs the view's `prepare`).
    const shop = list.body.items.find((item: Json) => item.name === 'Shop')
    expect(shop.defaultAccountStoreMapping).toEqual({
      href: startingWith(`${V1}/accountStoreMappings/`),
    })
    const found = await api('GET', '/v1/applications?name=bill*')
    expect(found.body.items.map((item: Json) => item.name)).toEqual(['Billing'])
  })

  test('POST /applications/:id updates partially and ignores read-only properties', async () => {
    const app = await createApp('Editable')
    const reply = await api('POST', app.href, {
      ...app,
      description: 'now described',
      href: `${V1}/applications/other`,
      createdAt: '2000-01-01T00:00:00.000Z',
      tenant: { href: `${V1}/tenants/other` },
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      href: app.href,
      name: 'Editable',
      description: 'now described',
      createdAt: app.createdAt,
      tenant: app.tenant,
    })
    const disabled = await api('POST', app.href, { status: 'DISABLED' })
    expect(disabled.body.status).toBe('DISABLED')
    expect((await api('POST', app.href, { status: 'ASLEEP' })).body.code).toBe(2002)
    expect((await api('GET', app.href)).body.status).toBe('DISABLED')
  })

  test('DELETE /applications/:id answers 204 and removes the application with its mappings', async () => {
    const app = await createApp('Doomed', '?createDirectory=true')
    const mappingHref = app.defaultAccountStoreMapping.href
    const deleted = await api('DELETE', app.href)
    expect(deleted.status).toBe(204)
    expect(await deleted.body).toEqual({})
    expect((await api('GET', app.href)).status).toBe(404)
    expect((await api('GET', mappingHref)).status).toBe(404)
    const left = await target.db
      .select({ n: count() })
      .from(schema.accountStoreMappings)
      .where(eq(schema.accountStoreMappings.ownerId, idOf(app.href)))
      .get()
    expect(left!.n).toBe(0)
  })

  test('the administrators application can be neither deleted nor disabled', async () => {
    const list = await api('GET', '/v1/applications?name=Stormpath')
    const adminApp = list.body.items[0]
    expect((await api('DELETE', adminApp.href)).status).toBe(400)
    expect((await api('POST', adminApp.href, { status: 'DISABLED' })).status).toBe(400)
    expect((await api('GET', adminApp.href)).body.status).toBe('ENABLED')
  })

  test('POST /applications/:id/accounts creates in the default directory', async () => {
    const app = await createApp('Accounts', '?createDirectory=true')
    const reply = await api('POST', `${app.href}/accounts`, account('ann@example.com'))
    expect(reply.status).toBe(201)
    expect(reply.headers.get('location')).toBe(reply.body.href)
    expect(reply.body).toMatchObject({ email: 'ann@example.com', status: 'ENABLED' })
    expect(reply.body.password).toBeUndefined()
    const mapping = (await api('GET', `${app.defaultAccountStoreMapping.href}`)).body
    const directory = (await api('GET', mapping.accountStore.href)).body
    expect(reply.body.directory.href).toBe(directory.href)
    const listed = await api('GET', `${app.href}/accounts`)
    expect(listed.status).toBe(200)
    expect(listed.body.items.map((item: Json) => item.email)).toEqual(['ann@example.com'])
  })

  test('a group as default account store creates the account in its directory and as a member', async () => {
    const app = await createApp('Via group')
    const directory = await createDirectory('Group home')
    const group = (await api('POST', `${directory.href}/groups`, { name: 'Members' })).body
    await map(app, group, { isDefaultAccountStore: true })
    const reply = await api('POST', `${app.href}/accounts`, account('gus@example.com'))
    expect(reply.status).toBe(201)
    expect(reply.body.directory.href).toBe(directory.href)
    const members = await api('GET', `${group.href}/accounts`)
    expect(members.body.items.map((item: Json) => item.href)).toEqual([reply.body.href])
  })

  test("an organization as default account store creates in the organization's default", async () => {
    const app = await createApp('Via organization')
    const directory = await createDirectory('Org home')
    const organization = (
      await api('POST', '/v1/organizations', { name: 'Org for app', nameKey: 'org-for-app' })
    ).body
    expect(
      (
        await api('POST', '/v1/organizationAccountStoreMappings', {
          organization: { href: organization.href },
          accountStore: { href: directory.href },
          isDefaultAccountStore: true,
          isDefaultGroupStore: true,
        })
      ).status,
    ).toBe(201)
    await map(app, organization, { isDefaultAccountStore: true })
    const reply = await api('POST', `${app.href}/accounts`, account('olga@example.com'))
    expect(reply.status).toBe(201)
    expect(reply.body.directory.href).toBe(directory.href)
  })

  test('POST /applications/:id/accounts: 5100 without a default store, 5101 when it is disabled', async () => {
    const app = await createApp('No default')
    const accounts = async () =>
      (await target.db.select({ n: count() }).from(schema.accounts).get())!.n
    const before = await accounts()
    const none = await api('POST', `${app.href}/accounts`, account('none@example.com'))
    expect([none.status, none.body.code]).toEqual([400, 5100])

    const directory = await createDirectory('Will be disabled')
    await map(app, directory, { isDefaultAccountStore: true })
    await api('POST', directory.href, { status: 'DISABLED' })
    const disabled = await api('POST', `${app.href}/accounts`, account('dis@example.com'))
    expect([disabled.status, disabled.body.code]).toEqual([400, 5101])

    const app2 = await createApp('Disabled group default')
    const home = await createDirectory('Enabled home')
    const group = (await api('POST', `${home.href}/groups`, { name: 'Off', status: 'DISABLED' }))
      .body
    await map(app2, group, { isDefaultAccountStore: true })
    const viaGroup = await api('POST', `${app2.href}/accounts`, account('grp@example.com'))
    expect([viaGroup.status, viaGroup.body.code]).toEqual([400, 5101])
    expect(await accounts()).toBe(before)
  })

  test('POST /applications/:id/groups creates in the default group store; 5102 / 5103', async () => {
    const app = await createApp('Groups app')
    const none = await api('POST', `${app.href}/groups`, { name: 'Nowhere' })
    expect([none.status, none.body.code]).toEqual([400, 5102])

    const directory = await createDirectory('Group store')
    await map(app, directory, { isDefaultGroupStore: true })
    const created = await api('POST', `${app.href}/groups`, { name: 'Editors' })
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(created.body.href)
    expect(created.body).toMatchObject({ name: 'Editors', directory: { href: directory.href } })
    const listed = await api('GET', `${app.href}/groups`)
    expect(listed.body.items.map((item: Json) => item.name)).toEqual(['Editors'])

    await api('POST', directory.href, { status: 'DISABLED' })
    const disabled = await api('POST', `${app.href}/groups`, { name: 'Writers' })
    expect([disabled.status, disabled.body.code]).toEqual([400, 5103])
    const groups = await target.db
      .select({ n: count() })
      .from(schema.groups)
      .where(and(eq(schema.groups.directoryId, idOf(directory.href))))
      .get()
    expect(groups!.n).toBe(1)
  })

  test('GET /applications/:id/accountStoreMappings lists the mappings in listIndex order', async () => {
    const app = await createApp('Ordered')
    const first = await createDirectory('Ordered one')
    const second = await createDirectory('Ordered two')
    await map(app, first)
    await map(app, second, { listIndex: 0 })
    const list = await api('GET', `${app.href}/accountStoreMappings`)
    expect(list.status).toBe(200)
    expect(list.body.href).toBe(`${app.href}/accountStoreMappings`)
    expect(list.body.items.map((m: Json) => [m.listIndex, m.accountStore.href])).toEqual([
      [0, second.href],
      [1, first.href],
    ])
  })

  test('GET /applications/:id/apiKeys?id= finds a key of an account the application reaches', async () => {
    const adminApp = (await api('GET', '/v1/applications?name=Stormpath')).body.items[0]
    const found = await api('GET', `${adminApp.href}/apiKeys?id=${admin.keyId}`)
    expect(found.status).toBe(200)
    expect(found.body.items).toHaveLength(1)
    expect(found.body.items[0]).toMatchObject({ id: admin.keyId, secret: admin.keySecret })
    expect((await api('GET', `${adminApp.href}/apiKeys?id=unknown`)).body.items).toEqual([])
    // An application that does not reach the administrators directory does not see the key.
    const unrelated = await createApp('Unrelated')
    expect((await api('GET', `${unrelated.href}/apiKeys?id=${admin.keyId}`)).body.items).toEqual([])
  })

  test('unsupported methods answer 405 with Allow', async () => {
    const app = await createApp('Methods')
    const reply = await api('PUT', app.href, { name: 'x' })
    expect(reply.status).toBe(405)
    expect(reply.body.code).toBe(1100)
    expect(reply.headers.get('allow')).toContain('DELETE')
  })

  test("tenant isolation: another tenant's application is 404 on every route and left intact", async () => {
    const theirs = (
      await asOther('POST', '/v1/applications?createDirectory=true', { name: 'Theirs' })
    ).body
    const paths: [string, string, unknown?][] = [
      ['GET', theirs.href],
      ['POST', theirs.href, { name: 'Hijacked' }],
      ['DELETE', theirs.href],
      ['GET', `${theirs.href}/accounts`],
      ['POST', `${theirs.href}/accounts`, account('spy@example.com')],
      ['GET', `${theirs.href}/groups`],
      ['POST', `${theirs.href}/groups`, { name: 'Spies' }],
      ['GET', `${theirs.href}/accountStoreMappings`],
      ['GET', `${theirs.href}/apiKeys?id=${other.keyId}`],
      [
        'POST',
        `${theirs.href}/loginAttempts`,
        { type: 'basic', value: btoa(`${other.email}:${other.password}`) },
      ],
      ['GET', theirs.defaultAccountStoreMapping.href],
      ['DELETE', theirs.defaultAccountStoreMapping.href],
    ]
    for (const [method, path, body] of paths) {
      const reply = await api(method, path, body)
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 404 })
    }
    const still = await asOther('GET', `${theirs.href}`)
    expect(still.body).toMatchObject({ name: 'Theirs', status: 'ENABLED' })
    expect(still.body.defaultAccountStoreMapping).toEqual(theirs.defaultAccountStoreMapping)
    const accounts = await target.db
      .select({ n: count() })
      .from(schema.accounts)
      .where(eq(schema.accounts.email, 'spy@example.com'))
      .get()
    expect(accounts!.n).toBe(0)
  })

  test('hostile input gets a 4xx, never a 5xx, and writes nothing', async () => {
    const apps = await countRows(schema.applications)
    let deep: unknown = 'x'
    for (let i = 0; i < 10_000; i++) deep = { a: deep }
    const bodies: (string | object)[] = [
      'not json',
      '[]',
      'null',
      '"string"',
      JSON.stringify({ name: { nested: true } }),
      JSON.stringify({ name: ['a'] }),
      JSON.stringify({ name: 'n'.repeat(10_000) }),
      JSON.stringify({ name: 'Deep', customData: deep }),
      JSON.stringify({ name: 'Cb', authorizedCallbackUris: Array(1000).fill('https://a.example') }),
      JSON.stringify({ name: 'Cb', authorizedCallbackUris: [1, 2] }),
    ]
    for (const body of bodies) {
      const reply = await api('POST', '/v1/applications', body)
      expect(reply.status).toBeGreaterThanOrEqual(400)
      expect(reply.status).toBeLessThan(500)
    }
    const wrongType = await target.request('/v1/applications', {
      method: 'POST',
      headers: { authorization: admin.basic, 'content-type': 'text/plain' },
      body: JSON.stringify({ name: 'Plain' }),
    })
    expect(wrongType.status).toBe(415)
    for (const path of [
      `/v1/applications/${'a'.repeat(10_000)}`,
      '/v1/applications/%00',
      "/v1/applications/'%20or%201=1",
      '/v1/applications/x/accounts?limit=-5',
    ]) {
      const reply = await api('GET', path)
      expect(reply.status).toBeGreaterThanOrEqual(400)
      expect(reply.status).toBeLessThan(500)
    }
    expect(await countRows(schema.applications)).toBe(apps)
  })
})
