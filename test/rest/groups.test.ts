import { expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { describeTargets, TEST_BASE_URL } from '../harness/targets'
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

const GROUP_KEYS = [
  'href',
  'name',
  'description',
  'status',
  'createdAt',
  'modifiedAt',
  'customData',
  'directory',
  'tenant',
  'accounts',
  'accountMemberships',
  'applications',
]

describeTargets('groups and group memberships', (target) => {
  let a: AdminClient
  let b: AdminClient
  let directory: Json

  const groupCount = () => countRows(target, schema.groups)
  const membershipCount = () => countRows(target, schema.groupMemberships)

  test('POST /directories/:id/groups creates a group: 201, Location and the full resource', async () => {
    a = await adminClient(target, 'groups-a')
    b = await adminClient(target, 'groups-b')
    directory = await createDirectory(a)
    const reply = await a.post(directory.groups.href, {
      name: ' Editors ',
      description: 'Can edit',
      status: 'DISABLED',
    })
    expect(reply.status).toBe(201)
    const group = reply.body
    expect(reply.headers.get('location')).toBe(group.href)
    expect(group.href).toMatch(new RegExp(`^${V1}/groups/[A-Za-z0-9]{22}$`))
    expect(Object.keys(group).sort()).toEqual([...GROUP_KEYS].sort())
    expect(group).toMatchObject({
      name: 'Editors',
      description: 'Can edit',
      status: 'DISABLED',
      directory: { href: directory.href },
      tenant: { href: a.tenantHref },
      customData: { href: `${group.href}/customData` },
      accounts: { href: `${group.href}/accounts` },
      accountMemberships: { href: `${group.href}/accountMemberships` },
      applications: { href: `${group.href}/applications` },
    })
    expect((await a.get(group.href)).body).toEqual(group)
  })

  test('POST /groups/:id updates partially and ignores read-only fields and foreign links', async () => {
    const group = await createGroup(a, directory, { description: 'kept' })
    const other = await createDirectory(a)
    const reply = await a.post(`${group.href}?expand=directory`, {
      ...group,
      name: uniqueName('Renamed'),
      status: 'DISABLED',
      directory: { href: other.href },
      tenant: { href: b.tenantHref },
      createdAt: '2000-01-01T00:00:00.000Z',
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      href: group.href,
      description: 'kept',
      status: 'DISABLED',
      createdAt: group.createdAt,
      directory: { href: directory.href, name: directory.name },
    })
  })

  test('validation names the field: 2000, 2008, 2004, 2002', async () => {
    const before = await groupCount()
    const cases: [Json, number, string][] = [
      [{}, 2000, 'name'],
      [{ name: '' }, 2000, 'name'],
      [{ name: 'x'.repeat(256) }, 2008, 'name'],
      [{ name: 3.5 }, 2004, 'name'],
      [{ name: ['Editors'] }, 2004, 'name'],
      [{ name: 'ok', description: 'x'.repeat(1001) }, 2008, 'description'],
      [{ name: 'ok', description: { text: 'x' } }, 2004, 'description'],
      [{ name: 'ok', status: 'ARCHIVED' }, 2002, 'status'],
      [{ name: 'ok', status: 'disabled' }, 2002, 'status'],
      [{ name: 'nul\u0000name' }, 2002, 'name'],
    ]
    for (const [body, code, field] of cases) {
      const reply = await a.post(directory.groups.href, body)
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(code)
      expect(`${reply.body.message} ${reply.body.developerMessage}`).toContain(field)
    }
    const group = await createGroup(a, directory)
    expect((await a.post(group.href, { name: '  ' })).body.code).toBe(2007)
    expect((await a.post(group.href, { status: 'OFF' })).body.code).toBe(2002)
    expect((await a.get(group.href)).body).toEqual(group)
    expect(await groupCount()).toBe(before + 1)
  })

  test('names are unique per directory case-insensitively (409/2001), not across directories', async () => {
    await createGroup(a, directory, { name: 'Admins' })
    const before = await groupCount()
    for (const name of ['Admins', 'ADMINS', ' admins']) {
      const reply = await a.post(directory.groups.href, { name })
      expect(reply.status).toBe(409)
      expect(reply.body.code).toBe(2001)
      expect(reply.body.message).toContain('name')
    }
    expect(await groupCount()).toBe(before)
    const other = await createGroup(a, directory)
    expect((await a.post(other.href, { name: 'admins' })).status).toBe(409)
    const elsewhere = await createDirectory(a)
    expect((await a.post(elsewhere.groups.href, { name: 'Admins' })).status).toBe(201)
  })

  test('unicode, a literal %00 and 255 characters are kept verbatim', async () => {
    for (const name of ['Gruppe Ä ö ß', '团队 👩‍💻', 'Rate %00 group', 'g'.repeat(255)]) {
      const reply = await a.post(directory.groups.href, { name })
      expect(reply.status).toBe(201)
      expect((await a.get(reply.body.href)).body.name).toBe(name)
    }
  })

  test('POST /groupMemberships adds an account: 201, Location, links only', async () => {
    const group = await createGroup(a, directory)
    const account = await createAccount(a, directory)
    const reply = await a.post('/groupMemberships', {
      account: { href: account.href },
      group: { href: group.href },
    })
    expect(reply.status).toBe(201)
    const membership = reply.body
    expect(reply.headers.get('location')).toBe(membership.href)
    expect(membership.href).toMatch(new RegExp(`^${V1}/groupMemberships/[A-Za-z0-9]{22}$`))
    expect(Object.keys(membership).sort()).toEqual(
      ['href', 'createdAt', 'modifiedAt', 'account', 'group'].sort(),
    )
    expect(membership).toMatchObject({
      account: { href: account.href },
      group: { href: group.href },
    })
    expect((await a.get(membership.href)).body).toEqual(membership)
    const expanded = await a.get(`${membership.href}?expand=account,group`)
    expect(expanded.body.account.email).toBe(account.email)
    expect(expanded.body.group.name).toBe(group.name)
    expect((await a.get(`${membership.href}?expand=directory`)).body.code).toBe(2107)
  })

  test('group collections list its accounts, memberships and applications', async () => {
    const group = await createGroup(a, directory)
    const [ann, bob] = [await createAccount(a, directory), await createAccount(a, directory)]
    const first = await addMember(a, ann!, group)
    await addMember(a, bob!, group)
    const accounts = await a.get(`${group.accounts.href}?orderBy=email%20desc`)
    expect(accounts.body).toMatchObject({ href: group.accounts.href, size: 2 })
    expect(accounts.body.items.map((item: Json) => item.email)).toEqual(
      [ann!.email, bob!.email].sort().reverse(),
    )
    const memberships = await a.get(`${group.accountMemberships.href}?limit=1&expand=account`)
    expect(memberships.body).toMatchObject({ size: 2, limit: 1 })
    expect(memberships.body.items[0]).toMatchObject({
      href: first.href,
      account: { email: ann!.email },
    })
    expect(
      (await a.get(`${group.accounts.href}?email=${encodeURIComponent(bob!.email)}`)).body.size,
    ).toBe(1)
    expect((await a.get(group.applications.href)).body).toMatchObject({ size: 0, items: [] })
    const application = (await a.post('/applications', { name: uniqueName('App') })).body
    await seedMapping(target, a, application, group, 0)
    const applications = await a.get(group.applications.href)
    expect(applications.body.items.map((item: Json) => item.href)).toEqual([application.href])
    const withGroups = await a.get(`${ann!.href}/groups`)
    expect(withGroups.body.items.map((item: Json) => item.href)).toEqual([group.href])
  })

  test('group collections of a directory filter, sort, page and expand', async () => {
    const own = await createDirectory(a)
    for (const name of ['Red team', 'Blue team', 'Green crew']) await createGroup(a, own, { name })
    const list = async (query: string) => (await a.get(`${own.groups.href}?${query}`)).body
    const names = (body: Json) => body.items.map((item: Json) => item.name)
    expect(names(await list('orderBy=name'))).toEqual(['Blue team', 'Green crew', 'Red team'])
    expect(names(await list('name=*TEAM&orderBy=name%20desc'))).toEqual(['Red team', 'Blue team'])
    expect(names(await list('name=gr*'))).toEqual(['Green crew'])
    expect(names(await list('q=crew'))).toEqual(['Green crew'])
    expect((await list('status=ENABLED')).size).toBe(3)
    expect((await list('createdAt=[2000-01,]')).size).toBe(3)
    expect(await list('limit=0')).toMatchObject({ limit: 1, size: 3 })
    expect(await list('limit=1000&nocache=true')).toMatchObject({ limit: 100, size: 3 })
    const expanded = await list('expand=directory,accounts(limit:1)')
    expect(expanded.items[0].directory.href).toBe(own.href)
    expect(expanded.items[0].accounts).toMatchObject({ limit: 1, size: 0 })
    for (const [query, code] of [
      ['orderBy=name%20up', 2104],
      ['orderBy=directory', 2106],
      ['createdAt=[2030,2020]', 2108],
      ['directoryId=x', 2105],
      ['expand=nope', 2107],
    ] as const) {
      const reply = await a.get(`${own.groups.href}?${query}`)
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(code)
    }
  })

  test('a bad expand on a membership or group write is refused (2107) and writes nothing', async () => {
    const group = await createGroup(a, directory)
    const account = await createAccount(a, directory)
    const before = await membershipCount()
    const reply = await a.post('/groupMemberships?expand=directory', {
      account: { href: account.href },
      group: { href: group.href },
    })
    expect(reply.status).toBe(400)
    expect(reply.body.code).toBe(2107)
    expect(await membershipCount()).toBe(before)
    expect((await a.post(`${group.href}?expand=nope`, { name: 'changed' })).body.code).toBe(2107)
    expect((await a.get(group.href)).body.name).toBe(group.name)
    const expanded = await a.post('/groupMemberships?expand=group', {
      account: { href: account.href },
      group: { href: group.href },
    })
    expect(expanded.status).toBe(201)
    expect(expanded.body.group.name).toBe(group.name)
  })

  test('a duplicate membership is 409/2001 and adds nothing', async () => {
    const group = await createGroup(a, directory)
    const account = await createAccount(a, directory)
    await addMember(a, account, group)
    const before = await membershipCount()
    const reply = await a.post('/groupMemberships', {
      account: { href: account.href },
      group: { href: group.href },
    })
    expect(reply.status).toBe(409)
    expect(reply.body.code).toBe(2001)
    expect(await membershipCount()).toBe(before)
  })

  test('an account of another directory cannot join the group (400)', async () => {
    const group = await createGroup(a, directory)
    const stranger = await createAccount(a, await createDirectory(a))
    const before = await membershipCount()
    const reply = await a.post('/groupMemberships', {
      account: { href: stranger.href },
      group: { href: group.href },
    })
    expect(reply.status).toBe(400)
    expect(reply.body.message).toContain('same directory')
    expect(await membershipCount()).toBe(before)
  })

  test('links accept our absolute hrefs and relative ones with or without /v1', async () => {
    const group = await createGroup(a, directory)
    const forms = (href: string) => [href, href.replace(TEST_BASE_URL, ''), href.replace(V1, '')]
    for (let form = 0; form < 3; form++) {
      const account = await createAccount(a, directory)
      const reply = await a.post('/groupMemberships', {
        account: { href: forms(account.href)[form] },
        group: { href: forms(group.href)[form] },
      })
      expect(reply.status).toBe(201)
      expect(reply.body).toMatchObject({
        account: { href: account.href },
        group: { href: group.href },
      })
    }
    expect((await a.get(group.accounts.href)).body.size).toBe(3)
  })

  test('bad links are 400/2016 naming the field; missing resources 400/2020; nothing is written', async () => {
    const group = await createGroup(a, directory)
    const account = await createAccount(a, directory)
    const id = idOf(account.href)
    const badAccounts: unknown[] = [
      undefined,
      null,
      account.href,
      42,
      [account.href],
      [{ href: account.href }],
      {},
      { href: 42 },
      { href: '' },
      { href: `https://evil.example.com/v1/accounts/${id}` },
      { href: `//evil.example.com/v1/accounts/${id}` },
      { href: `${TEST_BASE_URL}/accounts/${id}` },
      { href: `${V1}/directories/${idOf(directory.href)}` },
      { href: `${V1}/groups/${idOf(group.href)}` },
      { href: `${V1}/accounts/${id}/groups` },
      { href: `${V1}/accounts/${id}?expand=directory` },
      { href: `${V1}/accounts/${id}/` },
      { href: `${V1}/accounts/${id}%00` },
      { href: `${V1}/accounts/${'a'.repeat(1000)}` },
      { href: 'not a url at all' },
      { href: 'javascript:alert(1)' },
      { href: 'x'.repeat(10 * 1024) },
      { href: `/v1/accounts/${'é'.repeat(22)}` },
    ]
    const before = await membershipCount()
    for (const link of badAccounts) {
      const reply = await a.post('/groupMemberships', {
        account: link,
        group: { href: group.href },
      })
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(2016)
      expect(reply.body.message).toContain('account')
    }
    for (const link of [{ href: account.href }, 'group', { href: `${V1}/groupMemberships/x` }]) {
      const reply = await a.post('/groupMemberships', {
        account: { href: account.href },
        group: link,
      })
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(2016)
      expect(reply.body.message).toContain('group')
    }
    const missing = await a.post('/groupMemberships', {
      account: { href: `${V1}/accounts/DoesNotExist0000000000` },
      group: { href: group.href },
    })
    expect(missing.status).toBe(400)
    expect(missing.body.code).toBe(2020)
    const missingGroup = await a.post('/groupMemberships', {
      account: { href: account.href },
      group: { href: `/groups/DoesNotExist0000000000` },
    })
    expect(missingGroup.body.code).toBe(2020)
    expect(await membershipCount()).toBe(before)
  })

  test('hostile bodies on group routes get 4xx and write nothing', async () => {
    const group = await createGroup(a, directory)
    const groups = await groupCount()
    const memberships = await membershipCount()
    const deep = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`
    const attempts: [string, string, Record<string, string>, number][] = [
      [directory.groups.href, deep, {}, 400],
      [group.href, deep, {}, 400],
      ['/groupMemberships', deep, {}, 400],
      ['/groupMemberships', '[]', {}, 400],
      ['/groupMemberships', '"membership"', {}, 400],
      ['/groupMemberships', '{"account":{"href":"x"}}', { 'content-type': 'text/plain' }, 415],
      [directory.groups.href, '{"name":"x"}', { 'content-type': 'multipart/form-data' }, 415],
    ]
    for (const [path, body, headers, status] of attempts) {
      const reply = await a.post(path, body, headers)
      expect(reply.status).toBe(status)
      if (status === 415) expect(reply.body.code).toBe(1101)
    }
    const huge = await a.post('/groupMemberships', `{"account":"${'x'.repeat(10 * 1024 * 1024)}"}`)
    expect(huge.status).toBe(413)
    for (const id of ['x'.repeat(1000), '%00', '%ZZ']) {
      for (const path of [`/groups/${id}`, `/groups/${id}/accounts`, `/groupMemberships/${id}`]) {
        expect((await a.get(path)).status).toBe(404)
        expect((await a.delete(path)).status).toBeOneOf([404, 405])
      }
    }
    expect(await groupCount()).toBe(groups)
    expect(await membershipCount()).toBe(memberships)
    expect((await a.get(group.href)).body).toEqual(group)
  })

  test('DELETE /groupMemberships/:id removes the membership only: 204, then 404', async () => {
    const group = await createGroup(a, directory)
    const account = await createAccount(a, directory)
    const membership = await addMember(a, account, group)
    const reply = await a.delete(membership.href)
    expect(reply.status).toBe(204)
    expect((await a.get(membership.href)).status).toBe(404)
    expect((await a.get(group.accounts.href)).body.size).toBe(0)
    expect((await a.get(account.href)).status).toBe(200)
    expect((await a.get(group.href)).status).toBe(200)
    expect((await a.delete(membership.href)).status).toBe(404)
    const again = await addMember(a, account, group)
    expect((await a.post(`${again.href}?_method=DELETE`)).status).toBe(204)
    expect((await a.get(again.href)).status).toBe(404)
    // A membership is created and deleted, never updated.
    expect((await a.post(again.href, {})).status).toBe(405)
  })

  test('deleting a group removes its memberships and the mappings to it, renumbering the rest', async () => {
    const group = await createGroup(a, directory)
    const kept = await createGroup(a, directory)
    const [ann, bob] = [await createAccount(a, directory), await createAccount(a, directory)]
    await addMember(a, ann!, group)
    await addMember(a, bob!, group)
    await addMember(a, ann!, kept)
    const application = (await a.post('/applications', { name: uniqueName('App') })).body
    const organization = (
      await a.post('/organizations', { name: uniqueName('Org'), nameKey: `grp-${Date.now()}` })
    ).body
    await seedMapping(target, a, application, group, 0, { account: true })
    await seedMapping(target, a, application, directory, 1, { group: true })
    await seedMapping(target, a, application, kept, 2)
    await seedMapping(target, a, organization, group, 0)
    await seedMapping(target, a, organization, kept, 1)
    const { groupMemberships, accountStoreMappings } = schema
    const groupId = idOf(group.href)
    const before = {
      memberships: await membershipCount(),
      mappings: await countRows(target, accountStoreMappings),
    }
    expect(await countRows(target, groupMemberships, eq(groupMemberships.groupId, groupId))).toBe(2)

    const reply = await a.delete(group.href)
    expect(reply.status).toBe(204)

    expect(await countRows(target, groupMemberships, eq(groupMemberships.groupId, groupId))).toBe(0)
    expect(
      await countRows(target, accountStoreMappings, eq(accountStoreMappings.storeId, groupId)),
    ).toBe(0)
    expect(await membershipCount()).toBe(before.memberships - 2)
    expect(await countRows(target, accountStoreMappings)).toBe(before.mappings - 2)
    expect(await listIndexes(target, application)).toEqual({
      [idOf(directory.href)]: 0,
      [idOf(kept.href)]: 1,
    })
    expect(await listIndexes(target, organization)).toEqual({ [idOf(kept.href)]: 0 })
    const app = (await a.get(application.href)).body
    expect(app.defaultAccountStoreMapping).toBeNull()
    expect(app.defaultGroupStoreMapping.href).toStartWith(`${V1}/accountStoreMappings/`)
    expect((await a.get(group.href)).status).toBe(404)
    expect((await a.get(`${ann!.href}/groups`)).body.items.map((g: Json) => g.href)).toEqual([
      kept.href,
    ])
    expect((await a.get(bob!.href)).status).toBe(200)
  })

  test('POST /groups/:id?_method=DELETE deletes like DELETE', async () => {
    const group = await createGroup(a, directory)
    await addMember(a, await createAccount(a, directory), group)
    expect((await a.post(`${group.href}?_method=DELETE`)).status).toBe(204)
    expect((await a.get(group.href)).status).toBe(404)
    expect(
      await countRows(
        target,
        schema.groupMemberships,
        eq(schema.groupMemberships.groupId, idOf(group.href)),
      ),
    ).toBe(0)
  })

  test('tenant isolation: another tenant’s group and membership are 404 and stay unchanged', async () => {
    const group = await createGroup(a, directory)
    const account = await createAccount(a, directory)
    const membership = await addMember(a, account, group)
    const paths = [
      group.href,
      group.accounts.href,
      group.accountMemberships.href,
      group.applications.href,
      membership.href,
    ]
    for (const path of paths) expect((await b.get(path)).status).toBe(404)
    expect((await b.post(group.href, { name: 'stolen' })).status).toBe(404)
    expect((await b.delete(group.href)).status).toBe(404)
    expect((await b.delete(membership.href)).status).toBe(404)
    expect((await b.post(`${membership.href}?_method=DELETE`)).status).toBe(404)
    expect((await a.get(group.href)).body).toEqual(group)
    expect((await a.get(membership.href)).body).toEqual(membership)
  })

  test('tenant isolation: B cannot add A’s account to B’s group, nor B’s account to A’s group', async () => {
    const bDirectory = await createDirectory(b)
    const bGroup = await createGroup(b, bDirectory)
    const bAccount = await createAccount(b, bDirectory)
    const aGroup = await createGroup(a, directory)
    const aAccount = await createAccount(a, directory)
    const before = await membershipCount()
    const attempts = [
      { account: { href: aAccount.href }, group: { href: bGroup.href } },
      { account: { href: bAccount.href }, group: { href: aGroup.href } },
      { account: { href: aAccount.href }, group: { href: aGroup.href } },
    ]
    for (const body of attempts) {
      const reply = await b.post('/groupMemberships', body)
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(2020)
      expect(JSON.stringify(reply.body)).not.toContain(aAccount.email)
    }
    expect(await membershipCount()).toBe(before)
    expect((await b.get(bGroup.accounts.href)).body.size).toBe(0)
  })
})
