import { expect, test } from 'bun:test'
import { eq, inArray, or } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { describeTargets } from '../harness/targets'
import {
  addMember,
  adminClient,
  countRows,
  createAccount,
  createDirectory,
  createGroup,
  idOf,
  listIndexes,
  seedMapping,
  uniqueName,
  V1,
  type AdminClient,
  type Json,
} from './directory-helpers'

const DIRECTORY_KEYS = [
  'href',
  'name',
  'description',
  'status',
  'createdAt',
  'modifiedAt',
  'tenant',
  'provider',
  'customData',
  'passwordPolicy',
  'accountCreationPolicy',
  'accountLockingPolicy',
  'accounts',
  'groups',
  'applicationMappings',
  'applications',
  'organizationMappings',
  'organizations',
]
const DIRECTORY_COLLECTIONS = [
  'accounts',
  'groups',
  'applicationMappings',
  'applications',
  'organizationMappings',
  'organizations',
]

describeTargets('directories', (target) => {
  let a: AdminClient
  let b: AdminClient
  let adminDirectory: Json

  const directoryCount = () => countRows(target, schema.directories)

  test('POST /directories creates a directory: 201, Location and the full resource', async () => {
    a = await adminClient(target, 'directories-a')
    b = await adminClient(target, 'directories-b')
    const reply = await a.post('/directories', {
      name: '  Employees  ',
      description: 'Staff accounts',
      status: 'DISABLED',
    })
    expect(reply.status).toBe(201)
    const directory = reply.body
    expect(reply.headers.get('location')).toBe(directory.href)
    expect(directory.href).toMatch(new RegExp(`^${V1}/directories/[A-Za-z0-9]{22}$`))
    expect(Object.keys(directory).sort()).toEqual([...DIRECTORY_KEYS].sort())
    expect(directory).toMatchObject({
      name: 'Employees',
      description: 'Staff accounts',
      status: 'DISABLED',
      tenant: { href: a.tenantHref },
      provider: { href: `${directory.href}/provider` },
      customData: { href: `${directory.href}/customData` },
    })
    const id = idOf(directory.href)
    // Policies are addressed by the directory's id, not ids of their own.
    expect(directory.passwordPolicy).toEqual({ href: `${V1}/passwordPolicies/${id}` })
    expect(directory.accountCreationPolicy).toEqual({ href: `${V1}/accountCreationPolicies/${id}` })
    expect(directory.accountLockingPolicy).toEqual({ href: `${V1}/accountLockingPolicies/${id}` })
    for (const name of DIRECTORY_COLLECTIONS) {
      expect(directory[name]).toEqual({ href: `${directory.href}/${name}` })
    }
    expect(directory.createdAt).toBe(directory.modifiedAt)
    expect(
      await countRows(
        target,
        schema.directoryPolicies,
        eq(schema.directoryPolicies.directoryId, id),
      ),
    ).toBe(1)
  })

  test('a new directory is ENABLED by default and GET returns what POST returned', async () => {
    const created = await createDirectory(a)
    expect(created.status).toBe('ENABLED')
    expect(created.description).toBe('')
    const read = await a.get(created.href)
    expect(read.status).toBe(200)
    expect(read.body).toEqual(created)
  })

  test('GET /directories/:id/provider describes the local provider', async () => {
    const directory = await createDirectory(a)
    const reply = await a.get(directory.provider.href)
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ href: directory.provider.href, providerId: 'stormpath' })
    const expanded = await a.get(`${directory.href}?expand=provider`)
    expect(expanded.body.provider).toEqual(reply.body)
  })

  test('POST /directories/:id updates partially; the SDK’s whole-resource save is accepted', async () => {
    const directory = await createDirectory(a, { description: 'before' })
    const renamed = await a.post(directory.href, { name: uniqueName('Renamed') })
    expect(renamed.status).toBe(200)
    expect(renamed.body.description).toBe('before')
    // The SDK posts everything back: links, timestamps, expanded objects.
    const saved = await a.post(`${directory.href}?expand=tenant`, {
      ...renamed.body,
      tenant: { href: b.tenantHref, name: 'foreign' },
      href: `${V1}/directories/elsewhere`,
      createdAt: '2000-01-01T00:00:00.000Z',
      provider: { providerId: 'ldap' },
      status: 'DISABLED',
    })
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({
      href: directory.href,
      name: renamed.body.name,
      status: 'DISABLED',
      createdAt: directory.createdAt,
      tenant: { href: a.tenantHref },
    })
    expect((await a.get(directory.provider.href)).body.providerId).toBe('stormpath')
    expect((await a.post(directory.href, { status: 'ENABLED' })).body.status).toBe('ENABLED')
  })

  test('validation names the field: required 2000, too long 2008, wrong type 2004, bad status 2002', async () => {
    const before = await directoryCount()
    const cases: [Json, number, string][] = [
      [{}, 2000, 'name'],
      [{ name: '' }, 2000, 'name'],
      [{ name: null }, 2000, 'name'],
      [{ name: 'x'.repeat(256) }, 2008, 'name'],
      [{ name: 42 }, 2004, 'name'],
      [{ name: ['a'] }, 2004, 'name'],
      [{ name: { href: 'x' } }, 2004, 'name'],
      [{ name: 'ok', description: 'x'.repeat(1001) }, 2008, 'description'],
      [{ name: 'ok', description: 7 }, 2004, 'description'],
      [{ name: 'ok', status: 'enabled' }, 2002, 'status'],
      [{ name: 'ok', status: 'PAUSED' }, 2002, 'status'],
      [{ name: 'ok', status: 1 }, 2002, 'status'],
      [{ name: 'a\u0000b' }, 2002, 'name'],
      [{ name: 'ok', description: 'a\u0000b' }, 2002, 'description'],
    ]
    for (const [body, code, field] of cases) {
      const reply = await a.post('/directories', body)
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(code)
      expect(`${reply.body.message} ${reply.body.developerMessage}`).toContain(field)
    }
    expect(await directoryCount()).toBe(before)
    const directory = await createDirectory(a)
    expect((await a.post(directory.href, { name: '   ' })).body.code).toBe(2007)
    expect((await a.post(directory.href, { status: 'GONE' })).body.code).toBe(2002)
    expect((await a.get(directory.href)).body).toEqual(directory)
  })

  test('a bad expand on a create or update is refused (2107) before anything is written', async () => {
    const before = await directoryCount()
    const name = uniqueName('Never')
    const refused = await a.post('/directories?expand=nope', { name })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe(2107)
    expect(await directoryCount()).toBe(before)
    const directory = await createDirectory(a)
    expect((await a.post(`${directory.href}?expand=nope`, { name })).body.code).toBe(2107)
    expect((await a.post(`${directory.groups.href}?expand=nope`, { name })).body.code).toBe(2107)
    expect((await a.get(directory.href)).body).toEqual(directory)
    expect((await a.get(directory.groups.href)).body.size).toBe(0)
    const withTenant = await a.post(`/directories?expand=tenant`, { name })
    expect(withTenant.status).toBe(201)
    expect(withTenant.body.tenant.key).toBe('directories-a')
  })

  test('a name of exactly 255 characters, unicode and a literal %00 are kept verbatim', async () => {
    for (const name of [
      'é'.repeat(255),
      'Ünïcödé 目录 🚀 עברית',
      'Literal %00 percent',
      'tab\u00a0nbsp',
    ]) {
      const reply = await a.post('/directories', { name })
      expect(reply.status).toBe(201)
      expect(reply.body.name).toBe(name)
      expect((await a.get(reply.body.href)).body.name).toBe(name)
    }
  })

  test('a duplicate name in the tenant is 409/2001, case-insensitively, on create and on rename', async () => {
    const existing = await createDirectory(a, { name: 'Partners' })
    const before = await directoryCount()
    for (const name of ['Partners', 'PARTNERS', ' partners ']) {
      const reply = await a.post('/directories', { name })
      expect(reply.status).toBe(409)
      expect(reply.body.code).toBe(2001)
      expect(reply.body.message).toContain('name')
    }
    expect(await directoryCount()).toBe(before)
    const other = await createDirectory(a)
    const rename = await a.post(other.href, { name: 'partners' })
    expect(rename.status).toBe(409)
    expect(rename.body.code).toBe(2001)
    expect((await a.get(other.href)).body.name).toBe(other.name)
    // Changing only the case of its own name is no conflict.
    expect((await a.post(existing.href, { name: 'PARTNERS' })).body.name).toBe('PARTNERS')
    // Another tenant may use the name.
    expect((await b.post('/directories', { name: 'Partners' })).status).toBe(201)
  })

  test('the Stormpath Administrators directory cannot be deleted, disabled or renamed', async () => {
    const list = await a.get('/directories?name=Stormpath%20Administrators')
    adminDirectory = list.body.items[0]
    expect(adminDirectory.name).toBe('Stormpath Administrators')
    const refusals = [
      await a.delete(adminDirectory.href),
      await a.post(`${adminDirectory.href}?_method=DELETE`),
      await a.post(adminDirectory.href, { status: 'DISABLED' }),
      await a.post(adminDirectory.href, { name: 'Admins' }),
    ]
    for (const reply of refusals) {
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(2002)
    }
    expect((await a.get(adminDirectory.href)).body).toEqual(adminDirectory)
    // The SDK's save() posts the name back unchanged; the description may change.
    const saved = await a.post(adminDirectory.href, { ...adminDirectory, description: 'Admins' })
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({ name: 'Stormpath Administrators', status: 'ENABLED' })
    // The administrators can still call the API.
    expect((await a.get(a.tenantHref)).status).toBe(200)
  })

  test('GET|POST /directories/:id/accounts lists and creates the directory’s accounts', async () => {
    const directory = await createDirectory(a)
    const created = await a.post(directory.accounts.href, {
      email: 'Jane@Example.com',
      password: 'Changeme-1234',
      givenName: 'Jane',
      surname: 'Doe',
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(created.body.href)
    expect(created.body.directory).toEqual({ href: directory.href })
    expect(created.body.password).toBeUndefined()
    const list = await a.get(directory.accounts.href)
    expect(list.body).toMatchObject({
      href: directory.accounts.href,
      offset: 0,
      limit: 25,
      size: 1,
    })
    expect(list.body.items[0].href).toBe(created.body.href)
    const missing = await a.post(directory.accounts.href, { email: 'x@example.com' })
    expect(missing.status).toBe(400)
    expect(missing.body.code).toBe(2000)
    expect((await a.get(directory.accounts.href)).body.size).toBe(1)
  })

  test('GET|POST /directories/:id/groups lists and creates the directory’s groups', async () => {
    const directory = await createDirectory(a)
    const created = await a.post(directory.groups.href, { name: 'Readers' })
    expect(created.status).toBe(201)
    expect(created.body.directory).toEqual({ href: directory.href })
    const list = await a.get(directory.groups.href)
    expect(list.body).toMatchObject({ href: directory.groups.href, size: 1 })
    expect(list.body.items.map((group: Json) => group.name)).toEqual(['Readers'])
  })

  test('mapping collections list the applications and organizations that map the directory', async () => {
    const directory = await createDirectory(a)
    const application = (await a.post('/applications', { name: uniqueName('App') })).body
    const organization = (
      await a.post('/organizations', { name: uniqueName('Org'), nameKey: `org-${Date.now()}` })
    ).body
    for (const name of DIRECTORY_COLLECTIONS.slice(2)) {
      const empty = await a.get(directory[name].href)
      expect(empty.status).toBe(200)
      expect(empty.body).toMatchObject({ href: `${directory.href}/${name}`, size: 0, items: [] })
    }
    const appMapping = await seedMapping(target, a, application, directory, 0)
    const orgMapping = await seedMapping(target, a, organization, directory, 0)
    const items = async (name: string) =>
      (await a.get(directory[name].href)).body.items.map((item: Json) => item.href)
    expect(await items('applicationMappings')).toEqual([`${V1}/accountStoreMappings/${appMapping}`])
    expect(await items('applications')).toEqual([application.href])
    expect(await items('organizationMappings')).toEqual([
      `${V1}/organizationAccountStoreMappings/${orgMapping}`,
    ])
    // An application reaches the directory through the organization too.
    const viaOrganization = (await a.post('/applications', { name: uniqueName('App') })).body
    await seedMapping(target, a, viaOrganization, organization, 0)
    expect((await items('applications')).sort()).toEqual(
      [application.href, viaOrganization.href].sort(),
    )
    expect(await items('organizations')).toEqual([organization.href])
  })

  test('deleting a directory removes its accounts, groups, memberships, API keys, mappings and policies', async () => {
    const doomed = await createDirectory(a)
    const kept = await createDirectory(a)
    const [ann, bob] = [await createAccount(a, doomed), await createAccount(a, doomed)]
    const [g1, g2] = [await createGroup(a, doomed), await createGroup(a, doomed)]
    await addMember(a, ann!, g1!)
    await addMember(a, bob!, g1!)
    await addMember(a, ann!, g2!)
    expect((await a.post(`${ann!.href}/apiKeys`, {})).status).toBe(201)
    const keptAccount = await createAccount(a, kept)
    const keptGroup = await createGroup(a, kept)
    await addMember(a, keptAccount, keptGroup)
    const application = (await a.post('/applications', { name: uniqueName('App') })).body
    const organization = (
      await a.post('/organizations', { name: uniqueName('Org'), nameKey: `del-${Date.now()}` })
    ).body
    await seedMapping(target, a, application, doomed, 0, { account: true, group: true })
    await seedMapping(target, a, application, g1!, 1)
    await seedMapping(target, a, application, kept, 2)
    await seedMapping(target, a, application, keptGroup, 3)
    await seedMapping(target, a, organization, g2!, 0)
    await seedMapping(target, a, organization, kept, 1)

    const doomedId = idOf(doomed.href)
    const doomedAccounts = [idOf(ann!.href), idOf(bob!.href)]
    const doomedGroups = [idOf(g1!.href), idOf(g2!.href)]
    const { accounts, groups, groupMemberships, apiKeys, accountStoreMappings, directoryPolicies } =
      schema
    const owned = {
      accounts: () => countRows(target, accounts, eq(accounts.directoryId, doomedId)),
      groups: () => countRows(target, groups, eq(groups.directoryId, doomedId)),
      memberships: () =>
        countRows(
          target,
          groupMemberships,
          or(
            inArray(groupMemberships.accountId, doomedAccounts),
            inArray(groupMemberships.groupId, doomedGroups),
          ),
        ),
      apiKeys: () => countRows(target, apiKeys, inArray(apiKeys.accountId, doomedAccounts)),
      mappings: () =>
        countRows(
          target,
          accountStoreMappings,
          inArray(accountStoreMappings.storeId, [doomedId, ...doomedGroups]),
        ),
      policies: () =>
        countRows(target, directoryPolicies, eq(directoryPolicies.directoryId, doomedId)),
    }
    const totals = async () => ({
      accounts: await countRows(target, accounts),
      groups: await countRows(target, groups),
      memberships: await countRows(target, groupMemberships),
      apiKeys: await countRows(target, apiKeys),
      mappings: await countRows(target, accountStoreMappings),
      policies: await countRows(target, directoryPolicies),
      directories: await directoryCount(),
    })
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(Object.entries(owned).map(async ([k, f]) => [k, await f()])),
      )
    expect(await counts()).toEqual({
      accounts: 2,
      groups: 2,
      memberships: 3,
      apiKeys: 1,
      mappings: 3,
      policies: 1,
    })
    const before = await totals()
    const mapped = (await a.get(application.href)).body
    expect(mapped.defaultAccountStoreMapping.href).toStartWith(`${V1}/accountStoreMappings/`)
    expect(mapped.defaultGroupStoreMapping).toEqual(mapped.defaultAccountStoreMapping)

    const reply = await a.delete(doomed.href)
    expect(reply.status).toBe(204)
    expect(await reply.body).toEqual({})

    expect(await counts()).toEqual({
      accounts: 0,
      groups: 0,
      memberships: 0,
      apiKeys: 0,
      mappings: 0,
      policies: 0,
    })
    expect(await totals()).toEqual({
      accounts: before.accounts - 2,
      groups: before.groups - 2,
      memberships: before.memberships - 3,
      apiKeys: before.apiKeys - 1,
      mappings: before.mappings - 3,
      policies: before.policies - 1,
      directories: before.directories - 1,
    })
    // The other owners' mappings close ranks: 0..n-1 in their previous order.
    expect(await listIndexes(target, application)).toEqual({
      [idOf(kept.href)]: 0,
      [idOf(keptGroup.href)]: 1,
    })
    expect(await listIndexes(target, organization)).toEqual({ [idOf(kept.href)]: 0 })
    const app = (await a.get(application.href)).body
    expect(app.defaultAccountStoreMapping).toBeNull()
    expect(app.defaultGroupStoreMapping).toBeNull()
    for (const href of [doomed.href, ann!.href, g1!.href, doomed.passwordPolicy.href]) {
      expect((await a.get(href)).status).toBe(404)
    }
    expect((await a.get(keptAccount.href)).status).toBe(200)
    expect((await a.get(keptGroup.accountMemberships.href)).body.size).toBe(1)
    expect((await a.delete(doomed.href)).status).toBe(404)
  })

  test('POST /directories/:id?_method=DELETE deletes like DELETE', async () => {
    const directory = await createDirectory(a)
    await createGroup(a, directory)
    const reply = await a.post(`${directory.href}?_method=DELETE`)
    expect(reply.status).toBe(204)
    expect((await a.get(directory.href)).status).toBe(404)
    expect(
      await countRows(target, schema.groups, eq(schema.groups.directoryId, idOf(directory.href))),
    ).toBe(0)
  })

  test('GET /directories pages with the effective limit echoed, and filters, sorts and expands', async () => {
    const names = ['Zeta Sales', 'Alpha sales', 'Mid Ops']
    const made: Json[] = []
    for (const name of names) made.push(await createDirectory(a, { name }))
    await createGroup(a, made[0]!)
    await createGroup(a, made[0]!)
    const list = async (query: string) => (await a.get(`/directories?${query}`)).body
    const total = (await list('')).size
    expect(await list('limit=0')).toMatchObject({ href: `${a.tenantHref}/directories`, limit: 1 })
    expect((await list('limit=0')).items).toHaveLength(1)
    expect(await list('limit=1000')).toMatchObject({ limit: 100, size: total })
    expect((await list(`offset=${total - 1}&limit=5`)).items).toHaveLength(1)
    const nameOf = (body: Json) => body.items.map((item: Json) => item.name)
    expect(nameOf(await list('q=SALES&orderBy=name'))).toEqual(['Alpha sales', 'Zeta Sales'])
    expect(nameOf(await list('name=zeta*'))).toEqual(['Zeta Sales'])
    expect(nameOf(await list('name=*OPS'))).toEqual(['Mid Ops'])
    expect(nameOf(await list('name=*sales&orderBy=name%20desc'))).toEqual([
      'Zeta Sales',
      'Alpha sales',
    ])
    expect((await list('createdAt=[2000-01,]&nocache=true')).size).toBe(total)
    expect((await list('createdAt=[2030,]')).size).toBe(0)
    for (const [query, code] of [
      ['orderBy=name%20sideways', 2104],
      ['orderBy=tenant', 2106],
      ['orderBy=provider', 2106],
      ['createdAt=[2030,2020]', 2108],
      ['providerId=stormpath', 2105],
      ['tenantId=x', 2105],
      ['expand=nope', 2107],
      ['expand=tenant.directories', 2107],
    ] as const) {
      const reply = await a.get(`/directories?${query}`)
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(code)
    }
    const expanded = await list('name=Zeta%20Sales&expand=groups(offset:0,limit:1),tenant')
    expect(expanded.items[0].groups).toMatchObject({
      href: made[0]!.groups.href,
      offset: 0,
      limit: 1,
      size: 2,
    })
    expect(expanded.items[0].groups.items).toHaveLength(1)
    expect(expanded.items[0].tenant).toMatchObject({ href: a.tenantHref, key: 'directories-a' })
    const one = await a.get(`${made[0]!.href}?expand=tenant,accountCreationPolicy`)
    expect(one.body.tenant.key).toBe('directories-a')
    expect(one.body.accountCreationPolicy.href).toBe(made[0]!.accountCreationPolicy.href)
    expect((await a.get(`${made[0]!.href}?expand=nope`)).body.code).toBe(2107)
  })

  test('every directory collection accepts collection queries', async () => {
    const directory = await createDirectory(a)
    for (const name of DIRECTORY_COLLECTIONS) {
      const reply = await a.get(`${directory[name].href}?limit=1000&offset=0&nocache=true`)
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ href: directory[name].href, offset: 0, limit: 100 })
      expect((await a.get(`${directory[name].href}?nope=1`)).body.code).toBe(2105)
    }
  })

  test('hostile input: 4xx, never 5xx, and nothing is written', async () => {
    const directory = await createDirectory(a)
    const before = await directoryCount()
    const deep = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`
    const attempts: [string, string, Record<string, string>, number][] = [
      ['/directories', deep, {}, 400],
      [
        '/directories',
        `{"name":"x","description":${'['.repeat(1000)}${']'.repeat(1000)}}`,
        {},
        400,
      ],
      ['/directories', '[{"name":"x"}]', {}, 400],
      ['/directories', '12', {}, 400],
      ['/directories', 'null', {}, 400],
      ['/directories', '{"name":', {}, 400],
      ['/directories', '{"name":"x"}', { 'content-type': 'text/plain' }, 415],
      ['/directories', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
      ['/directories', '{"name":"x"}', { 'content-type': 'application/jsonp' }, 415],
      [directory.href, deep, {}, 400],
      [directory.groups.href, '["a"]', {}, 400],
      [directory.accounts.href, '{"email":"x@example.com",', {}, 400],
    ]
    for (const [path, body, headers, status] of attempts) {
      const reply = await a.post(path, body, headers)
      expect(reply.status).toBe(status)
      if (status === 415) expect(reply.body.code).toBe(1101)
    }
    const huge = await a.post(
      '/directories',
      `{"name":"x","description":"${'x'.repeat(10 * 1024 * 1024)}"}`,
    )
    expect(huge.status).toBe(413)
    expect(huge.body.code).toBe(413)
    expect(await directoryCount()).toBe(before)
    expect((await a.get(directory.href)).body).toEqual(directory)
    expect((await a.get(directory.groups.href)).body.size).toBe(0)
    for (const id of ['x'.repeat(1000), '%00', '%ZZ', '..%2F..%2Ftenants', "1'%20or%20'1'='1"]) {
      for (const suffix of ['', '/provider', '/groups', '/accounts', '/applications']) {
        const reply = await a.get(`/directories/${id}${suffix}`)
        expect(reply.status).toBeGreaterThanOrEqual(400)
        expect(reply.status).toBeLessThan(500)
      }
      expect((await a.delete(`/directories/${id}`)).status).toBe(404)
      expect((await a.post(`/directories/${id}`, { name: 'x' })).status).toBe(404)
    }
    expect(await directoryCount()).toBe(before)
  })

  test('unsupported methods answer 405/1100 with Allow', async () => {
    const directory = await createDirectory(a)
    const cases: [string, string, string][] = [
      ['PUT', '/directories', 'POST'],
      ['DELETE', '/directories', 'GET'],
      ['PATCH', directory.href, 'DELETE'],
      ['DELETE', directory.provider.href, 'GET'],
      ['DELETE', directory.applications.href, 'GET'],
    ]
    for (const [method, path, allowed] of cases) {
      const response = await a.raw(path, { method })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toContain(allowed)
      expect(((await response.json()) as Json).code).toBe(1100)
    }
  })

  test('tenant isolation: another tenant’s directory is 404 everywhere and nothing changes', async () => {
    const directory = await createDirectory(a)
    await createGroup(a, directory)
    await createAccount(a, directory)
    const totals = async () => ({
      directories: await directoryCount(),
      groups: await countRows(target, schema.groups),
      accounts: await countRows(target, schema.accounts),
    })
    const before = await totals()
    for (const path of [
      directory.href,
      directory.provider.href,
      ...DIRECTORY_COLLECTIONS.map((name) => directory[name].href),
    ]) {
      const reply = await b.get(path)
      expect(reply.status).toBe(404)
      expect(JSON.stringify(reply.body)).not.toContain(directory.name)
    }
    expect((await b.post(directory.href, { name: 'stolen', status: 'DISABLED' })).status).toBe(404)
    expect((await b.post(directory.groups.href, { name: 'Intruders' })).status).toBe(404)
    expect(
      (await b.post(directory.accounts.href, { email: 'i@example.com', password: 'Changeme-1234' }))
        .status,
    ).toBe(404)
    expect((await b.delete(directory.href)).status).toBe(404)
    expect((await b.post(`${directory.href}?_method=DELETE`)).status).toBe(404)
    expect((await b.delete(adminDirectory.href)).status).toBe(404)
    expect(await totals()).toEqual(before)
    expect((await a.get(directory.href)).body).toEqual(directory)
    const listed = await b.get('/directories?limit=100')
    expect(listed.body.items.map((item: Json) => item.href)).not.toContain(directory.href)
    expect((await b.get(`/directories?id=${idOf(directory.href)}`)).body.size).toBe(0)
  })

  test('tenant isolation: a directory id in another tenant’s filter finds nothing', async () => {
    const own = await a.get(`/directories?id=${idOf(adminDirectory.href)}`)
    expect(own.body.size).toBe(1)
    const foreign = await b.get(`/directories?id=${idOf(adminDirectory.href)}&name=Stormpath*`)
    expect(foreign.body.size).toBe(0)
    // Both tenants have a directory of that name; B sees only its own.
    expect(
      await countRows(
        target,
        schema.directories,
        eq(schema.directories.name, 'Stormpath Administrators'),
      ),
    ).toBe(2)
    expect((await b.get('/directories?name=Stormpath*')).body.items[0].href).not.toBe(
      adminDirectory.href,
    )
  })
})
