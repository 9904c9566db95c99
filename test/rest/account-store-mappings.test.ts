import { beforeAll, expect, test } from 'bun:test'
import { asc, count, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { idOf, restClient, V1, type Json } from './rest-client'

describeTargets('account store mappings', (target) => {
  let admin: Admin
  let other: Admin
  const api = restClient(target, () => admin)
  const asOther = restClient(target, () => other)
  let serial = 0

  const create = async (path: string, body: Json) => {
    const reply = await api('POST', path, body)
    expect(reply.status).toBe(201)
    return reply.body
  }
  const newApplication = () => create('/v1/applications', { name: `App ${++serial}` })
  const newDirectory = () => create('/v1/directories', { name: `Directory ${++serial}` })
  const newOrganization = () =>
    create('/v1/organizations', { name: `Org ${++serial}`, nameKey: `org-${serial}` })
  const newGroup = async () =>
    create(`${(await newDirectory()).href}/groups`, { name: `Group ${++serial}` })
  const mapping = (owner: Json, store: Json, flags: Json = {}) =>
    api(
      'POST',
      owner.href.includes('/organizations/')
        ? '/v1/organizationAccountStoreMappings'
        : '/v1/accountStoreMappings',
      {
        [owner.href.includes('/organizations/') ? 'organization' : 'application']: {
          href: owner.href,
        },
        accountStore: { href: store.href },
        ...flags,
      },
    )
  const map = async (owner: Json, store: Json, flags: Json = {}) => {
    const reply = await mapping(owner, store, flags)
    expect(reply.status).toBe(201)
    return reply.body
  }
  /** The owner's stores in listIndex order, as `[listIndex, store href]`, read from the database. */
  const stored = async (owner: Json) => {
    const m = schema.accountStoreMappings
    const rows = await target.db
      .select()
      .from(m)
      .where(eq(m.ownerId, idOf(owner.href)))
      .orderBy(asc(m.listIndex))
      .all()
    return rows.map((row) => [row.listIndex, row.storeId])
  }
  const mappingCount = async () =>
    (await target.db.select({ n: count() }).from(schema.accountStoreMappings).get())!.n
  /** Maps `n` fresh directories in order; returns their ids. */
  const mapDirectories = async (owner: Json, n: number) => {
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      const directory = await newDirectory()
      await map(owner, directory)
      ids.push(idOf(directory.href))
    }
    return ids
  }
  const indexed = (ids: string[]) => ids.map((id, index) => [index, id])

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'mappings')
    other = await bootstrapAdmin(target.request, 'mappings-other')
  })

  test('POST /accountStoreMappings answers 201 with Location and links only', async () => {
    const app = await newApplication()
    const directory = await newDirectory()
    const reply = await mapping(app, directory, { isDefaultAccountStore: true })
    expect(reply.status).toBe(201)
    const body = reply.body
    expect(reply.headers.get('location')).toBe(body.href)
    expect(body.href).toStartWith(`${V1}/accountStoreMappings/`)
    expect(body).toMatchObject({
      listIndex: 0,
      isDefaultAccountStore: true,
      isDefaultGroupStore: false,
      application: { href: app.href },
      accountStore: { href: directory.href },
    })
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt)
    for (const key of ['tenantId', 'ownerId', 'ownerType', 'storeId', 'storeType', 'id'])
      expect(Object.keys(body)).not.toContain(key)
    const read = await api('GET', body.href)
    expect(read.status).toBe(200)
    expect(read.body).toEqual(body)
    const expanded = await api('GET', `${body.href}?expand=application,accountStore`)
    expect(expanded.body.application).toMatchObject({
      name: app.name,
      defaultAccountStoreMapping: { href: body.href },
    })
    expect(expanded.body.accountStore).toMatchObject({ name: directory.name })
    expect((await api('GET', app.href)).body.defaultAccountStoreMapping).toEqual({
      href: body.href,
    })
  })

  test('relative hrefs, with or without /v1, are accepted as links', async () => {
    const app = await newApplication()
    const [one, two] = [await newDirectory(), await newDirectory()]
    for (const [appHref, storeHref] of [
      [new URL(app.href).pathname, new URL(one.href).pathname],
      [new URL(app.href).pathname.slice(3), new URL(two.href).pathname.slice(3)],
    ]) {
      const reply = await api('POST', '/v1/accountStoreMappings', {
        application: { href: appHref },
        accountStore: { href: storeHref },
      })
      expect(reply.status).toBe(201)
    }
    expect(await stored(app)).toEqual(indexed([idOf(one.href), idOf(two.href)]))
  })

  test('listIndex on create: appends by default, inserts and shifts, negative → 0, past the end → last', async () => {
    const app = await newApplication()
    const ids = await mapDirectories(app, 3)
    expect(await stored(app)).toEqual(indexed(ids))

    const first = await newDirectory()
    const atZero = await map(app, first, { listIndex: 0 })
    expect(atZero.listIndex).toBe(0)
    ids.unshift(idOf(first.href))
    expect(await stored(app)).toEqual(indexed(ids))

    const middle = await newDirectory()
    expect((await map(app, middle, { listIndex: 2 })).listIndex).toBe(2)
    ids.splice(2, 0, idOf(middle.href))
    expect(await stored(app)).toEqual(indexed(ids))

    const negative = await newDirectory()
    expect((await map(app, negative, { listIndex: -7 })).listIndex).toBe(0)
    ids.unshift(idOf(negative.href))

    const far = await newDirectory()
    expect((await map(app, far, { listIndex: 1000 })).listIndex).toBe(ids.length)
    ids.push(idOf(far.href))
    expect(await stored(app)).toEqual(indexed(ids))
  })

  test('listIndex on update moves a mapping; deletion closes the gap', async () => {
    const app = await newApplication()
    const ids = await mapDirectories(app, 4)
    const list = (await api('GET', `${app.href}/accountStoreMappings`)).body.items as Json[]
    const hrefOf = (id: string) => list.find((m) => m.accountStore.href.endsWith(id))!.href

    // Down: 0 → 2.
    const moved = await api('POST', hrefOf(ids[0]!), { listIndex: 2 })
    expect(moved.status).toBe(200)
    expect(moved.body.listIndex).toBe(2)
    const order = [ids[1]!, ids[2]!, ids[0]!, ids[3]!]
    expect(await stored(app)).toEqual(indexed(order))

    // Up: 3 → 1.
    expect((await api('POST', hrefOf(ids[3]!), { listIndex: 1 })).body.listIndex).toBe(1)
    order.splice(3, 1)
    order.splice(1, 0, ids[3]!)
    expect(await stored(app)).toEqual(indexed(order))

    // Past the end → last; negative → 0.
    expect((await api('POST', hrefOf(order[0]!), { listIndex: 99 })).body.listIndex).toBe(3)
    order.push(order.shift()!)
    expect(await stored(app)).toEqual(indexed(order))
    expect((await api('POST', hrefOf(order[3]!), { listIndex: -1 })).body.listIndex).toBe(0)
    order.unshift(order.pop()!)
    expect(await stored(app)).toEqual(indexed(order))

    // Delete the second: the rest stay dense 0..n−1.
    const deleted = await api('DELETE', hrefOf(order[1]!))
    expect(deleted.status).toBe(204)
    order.splice(1, 1)
    expect(await stored(app)).toEqual(indexed(order))
    const listed = (await api('GET', `${app.href}/accountStoreMappings`)).body.items as Json[]
    expect(listed.map((m) => m.listIndex)).toEqual([0, 1, 2])
  })

  test('at most one default account store and one default group store per owner', async () => {
    const app = await newApplication()
    const [a, b] = [await newDirectory(), await newDirectory()]
    const first = await map(app, a, { isDefaultAccountStore: true, isDefaultGroupStore: true })
    const second = await map(app, b, { isDefaultAccountStore: true })
    expect((await api('GET', first.href)).body).toMatchObject({
      isDefaultAccountStore: false,
      isDefaultGroupStore: true,
    })
    let read = (await api('GET', app.href)).body
    expect(read.defaultAccountStoreMapping).toEqual({ href: second.href })
    expect(read.defaultGroupStoreMapping).toEqual({ href: first.href })

    // Moving the defaults by update.
    await api('POST', second.href, { isDefaultGroupStore: true })
    await api('POST', first.href, { isDefaultAccountStore: true })
    read = (await api('GET', app.href)).body
    expect(read.defaultAccountStoreMapping).toEqual({ href: first.href })
    expect(read.defaultGroupStoreMapping).toEqual({ href: second.href })
    const m = schema.accountStoreMappings
    const rows = await target.db
      .select()
      .from(m)
      .where(eq(m.ownerId, idOf(app.href)))
      .all()
    expect(rows.filter((row) => row.isDefaultAccountStore)).toHaveLength(1)
    expect(rows.filter((row) => row.isDefaultGroupStore)).toHaveLength(1)

    // Deleting the default mapping leaves the owner without one.
    await api('DELETE', first.href)
    expect((await api('GET', app.href)).body.defaultAccountStoreMapping).toBeNull()
  })

  test('a group cannot be the default group store (5112), on create or update', async () => {
    const app = await newApplication()
    const group = await newGroup()
    const before = await mappingCount()
    const refused = await mapping(app, group, { isDefaultGroupStore: true })
    expect([refused.status, refused.body.code]).toEqual([400, 5112])
    expect(await mappingCount()).toBe(before)
    const plain = await map(app, group, { isDefaultAccountStore: true })
    const update = await api('POST', plain.href, { isDefaultGroupStore: true })
    expect([update.status, update.body.code]).toEqual([400, 5112])
    expect((await api('GET', plain.href)).body.isDefaultGroupStore).toBe(false)
  })

  test('an organization cannot map an organization (4614)', async () => {
    const [outer, inner] = [await newOrganization(), await newOrganization()]
    const before = await mappingCount()
    for (const store of [inner, outer]) {
      const reply = await mapping(outer, store)
      expect([reply.status, reply.body.code]).toEqual([400, 4614])
    }
    expect(await mappingCount()).toBe(before)
  })

  test('a store is mapped once per owner (409/5104) and the list is unchanged', async () => {
    const app = await newApplication()
    const directory = await newDirectory()
    await map(app, directory)
    const ids = [idOf(directory.href)]
    const more = await mapDirectories(app, 1)
    const duplicate = await mapping(app, directory, { listIndex: 0, isDefaultAccountStore: true })
    expect([duplicate.status, duplicate.body.code]).toEqual([409, 5104])
    expect(await stored(app)).toEqual(indexed([...ids, ...more]))
    expect((await api('GET', app.href)).body.defaultAccountStoreMapping).toBeNull()
  })

  test("mapping another tenant's store or application is refused and writes nothing", async () => {
    const app = await newApplication()
    const theirDirectory = (await asOther('POST', '/v1/directories', { name: 'Their dir' })).body
    const theirApp = (await asOther('POST', '/v1/applications', { name: 'Their app' })).body
    const ourDirectory = await newDirectory()
    const before = await mappingCount()
    for (const body of [
      { application: { href: app.href }, accountStore: { href: theirDirectory.href } },
      { application: { href: theirApp.href }, accountStore: { href: ourDirectory.href } },
      {
        application: { href: `${V1}/applications/doesNotExist` },
        accountStore: { href: ourDirectory.href },
      },
    ]) {
      const reply = await api('POST', '/v1/accountStoreMappings', body)
      expect(reply.status === 404 || (reply.status === 400 && reply.body.code === 2020)).toBe(true)
    }
    expect(await mappingCount()).toBe(before)
  })

  test('organization mappings live at /organizationAccountStoreMappings', async () => {
    const organization = await newOrganization()
    const [directory, group] = [await newDirectory(), await newGroup()]
    const first = await mapping(organization, directory, { isDefaultAccountStore: true })
    expect(first.status).toBe(201)
    expect(first.headers.get('location')).toBe(first.body.href)
    expect(first.body.href).toStartWith(`${V1}/organizationAccountStoreMappings/`)
    expect(first.body).toMatchObject({
      organization: { href: organization.href },
      accountStore: { href: directory.href },
      listIndex: 0,
      isDefaultAccountStore: true,
    })
    const second = await map(organization, group, { listIndex: 0 })
    expect(second.listIndex).toBe(0)
    expect((await api('GET', first.body.href)).body.listIndex).toBe(1)

    const updated = await api('POST', first.body.href, { listIndex: 0 })
    expect(updated.body.listIndex).toBe(0)
    expect((await api('GET', second.href)).body.listIndex).toBe(1)

    // Each kind of mapping is found only at its own address.
    const asApplicationMapping = first.body.href.replace(
      '/organizationAccountStoreMappings/',
      '/accountStoreMappings/',
    )
    expect((await api('GET', asApplicationMapping)).status).toBe(404)
    expect((await api('DELETE', asApplicationMapping)).status).toBe(404)

    expect((await api('DELETE', first.body.href)).status).toBe(204)
    expect((await api('GET', first.body.href)).status).toBe(404)
    expect(await stored(organization)).toEqual([[0, idOf(group.href)]])
    expect((await api('GET', organization.href)).body.defaultAccountStoreMapping).toBeNull()
  })

  test('an application can map an organization, which cannot be its default group store', async () => {
    const app = await newApplication()
    const organization = await newOrganization()
    const refused = await mapping(app, organization, { isDefaultGroupStore: true })
    expect([refused.status, refused.body.code]).toEqual([400, 5112])
    const reply = await map(app, organization, { isDefaultAccountStore: true })
    expect(reply.accountStore).toEqual({ href: organization.href })
  })

  test('validates the writable fields and ignores read-only ones on update', async () => {
    const app = await newApplication()
    const directory = await newDirectory()
    const before = await mappingCount()
    for (const [flags, code] of [
      [{ listIndex: '1' }, 2004],
      [{ listIndex: 1.5 }, 2002],
      [{ isDefaultAccountStore: 'true' }, 2004],
      [{ isDefaultGroupStore: 1 }, 2004],
    ] as [Json, number][]) {
      const reply = await mapping(app, directory, flags)
      expect({ flags, status: reply.status, code: reply.body.code }).toEqual({
        flags,
        status: 400,
        code,
      })
    }
    expect(await mappingCount()).toBe(before)
    const created = await map(app, directory)
    const otherDirectory = await newDirectory()
    const saved = await api('POST', created.href, {
      ...created,
      accountStore: { href: otherDirectory.href },
      application: { href: `${V1}/applications/else` },
      href: `${V1}/accountStoreMappings/else`,
    })
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({
      href: created.href,
      application: { href: app.href },
      accountStore: { href: directory.href },
    })
  })

  test("tenant isolation: another tenant's mapping is 404 for GET, POST and DELETE", async () => {
    const theirApp = (await asOther('POST', '/v1/applications?createDirectory=true', { name: 'T' }))
      .body
    const theirOrg = (await asOther('POST', '/v1/organizations', { name: 'T', nameKey: 't' })).body
    const theirDir = (await asOther('POST', '/v1/directories', { name: 'T dir' })).body
    const theirOrgMapping = (
      await asOther('POST', '/v1/organizationAccountStoreMappings', {
        organization: { href: theirOrg.href },
        accountStore: { href: theirDir.href },
      })
    ).body
    for (const href of [theirApp.defaultAccountStoreMapping.href, theirOrgMapping.href]) {
      expect((await api('GET', href)).status).toBe(404)
      expect((await api('POST', href, { listIndex: 5, isDefaultAccountStore: false })).status).toBe(
        404,
      )
      expect((await api('DELETE', href)).status).toBe(404)
      expect((await asOther('GET', href)).status).toBe(200)
    }
    expect((await asOther('GET', theirApp.defaultAccountStoreMapping.href)).body).toMatchObject({
      isDefaultAccountStore: true,
    })
  })

  test('hostile links are refused with 4xx (2016 for bad hrefs) and write nothing', async () => {
    const app = await newApplication()
    const directory = await newDirectory()
    const account = await create(`${directory.href}/accounts`, {
      email: 'link@example.com',
      password: 'Secret-pass-123',
    })
    const before = await mappingCount()
    const dirPath = new URL(directory.href).pathname
    const badStores: unknown[] = [
      undefined,
      null,
      'a string',
      42,
      [directory.href],
      { href: 42 },
      { href: '' },
      { href: dirPath.slice(1) }, // relative without a leading slash
      { href: `/v1/directories/../applications/${idOf(app.href)}` },
      { href: `https://evil.example${dirPath}` }, // foreign host
      { href: `${directory.href}/accounts` },
      { href: `${directory.href}?x=1` },
      { href: account.href }, // wrong type
      { href: app.href }, // an application is not a store
      { href: `${V1}/directories/${'a'.repeat(10_240)}` }, // 10 KB
      { href: 'h'.repeat(10_240) },
      { href: `${V1}/directories/%00` },
    ]
    for (const accountStore of badStores) {
      const reply = await api('POST', '/v1/accountStoreMappings', {
        application: { href: app.href },
        accountStore,
      })
      expect({ accountStore, status: reply.status, code: reply.body.code }).toEqual({
        accountStore,
        status: 400,
        code: 2016,
      })
    }
    for (const application of [{ href: directory.href }, 'x', { href: '/v1/applications/' }]) {
      const reply = await api('POST', '/v1/accountStoreMappings', {
        application,
        accountStore: { href: directory.href },
      })
      expect([reply.status, reply.body.code]).toEqual([400, 2016])
    }
    let deep: unknown = directory.href
    for (let i = 0; i < 1000; i++) deep = { href: deep }
    for (const body of [
      JSON.stringify({ application: { href: app.href }, accountStore: deep }),
      '{"application": ',
      '"just a string"',
    ]) {
      const reply = await api('POST', '/v1/accountStoreMappings', body)
      expect(reply.status).toBe(400)
    }
    const huge = await api(
      'POST',
      '/v1/accountStoreMappings',
      `{"application":{"href":"${app.href}"},"pad":"${'x'.repeat(10 * 1024 * 1024)}"}`,
    )
    expect(huge.status).toBe(413)
    expect(await mappingCount()).toBe(before)
  })
})
