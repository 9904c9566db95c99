import { beforeAll, expect, test } from 'bun:test'
import { count, eq, or } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { idOf, restClient, V1, type Json } from './rest-client'

describeTargets('organizations', (target) => {
  let admin: Admin
  let other: Admin
  const api = restClient(target, () => admin)
  const asOther = restClient(target, () => other)

  const organizationCount = async () =>
    (await target.db.select({ n: count() }).from(schema.organizations).get())!.n
  const createOrganization = async (name: string, nameKey: string, extra: Json = {}) => {
    const reply = await api('POST', '/v1/organizations', { name, nameKey, ...extra })
    expect(reply.status).toBe(201)
    return reply.body
  }
  const createDirectory = async (name: string) => {
    const reply = await api('POST', '/v1/directories', { name })
    expect(reply.status).toBe(201)
    return reply.body
  }
  const mapToOrganization = async (organization: Json, store: Json, flags: Json = {}) => {
    const reply = await api('POST', '/v1/organizationAccountStoreMappings', {
      organization: { href: organization.href },
      accountStore: { href: store.href },
      ...flags,
    })
    expect(reply.status).toBe(201)
    return reply.body
  }
  const account = (email: string) => ({ email, password: 'Secret-pass-123' })

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'orgs')
    other = await bootstrapAdmin(target.request, 'orgs-other')
  })

  test('POST /organizations answers 201 with Location and the full representation', async () => {
    const reply = await api('POST', '/v1/organizations', {
      name: 'Acme Inc',
      nameKey: 'acme',
      description: 'Rockets',
    })
    expect(reply.status).toBe(201)
    const organization = reply.body
    expect(reply.headers.get('location')).toBe(organization.href)
    expect(organization.href).toStartWith(`${V1}/organizations/`)
    expect(organization).toMatchObject({
      name: 'Acme Inc',
      nameKey: 'acme',
      description: 'Rockets',
      status: 'ENABLED',
      defaultAccountStoreMapping: null,
      defaultGroupStoreMapping: null,
      customData: { href: `${organization.href}/customData` },
      accountStoreMappings: { href: `${organization.href}/accountStoreMappings` },
      accounts: { href: `${organization.href}/accounts` },
      groups: { href: `${organization.href}/groups` },
    })
    expect(organization.tenant.href).toStartWith(`${V1}/tenants/`)
    for (const key of ['tenantId', 'version', 'id'])
      expect(Object.keys(organization)).not.toContain(key)
    expect((await api('GET', organization.href)).body).toEqual(organization)
  })

  test('nameKey: 1–63 of [a-z0-9-], no leading or trailing -', async () => {
    const before = await organizationCount()
    const cases: [unknown, number][] = [
      [undefined, 2000],
      ['', 2000],
      ['has space', 2002],
      ['under_score', 2002],
      ['-leading', 2002],
      ['trailing-', 2002],
      ['ünïcode', 2002],
      ['a'.repeat(64), 2008],
      [42, 2004],
    ]
    for (const [nameKey, code] of cases) {
      const reply = await api('POST', '/v1/organizations', { name: `Org ${code}`, nameKey })
      expect({ nameKey, status: reply.status, code: reply.body.code }).toEqual({
        nameKey,
        status: 400,
        code,
      })
    }
    expect(await organizationCount()).toBe(before)
    for (const nameKey of ['a', '0', 'a-b-c', 'x'.repeat(63)])
      await createOrganization(`Valid ${nameKey}`, nameKey)
  })

  test('nameKey is unique per tenant case-insensitively (409/2001), and stored lower-case', async () => {
    const organization = await createOrganization('Globex', 'Globex')
    expect(organization.nameKey).toBe('globex')
    const clash = await api('POST', '/v1/organizations', { name: 'Globex 2', nameKey: 'GLOBEX' })
    expect([clash.status, clash.body.code]).toEqual([409, 2001])
    const nameClash = await api('POST', '/v1/organizations', {
      name: 'globex',
      nameKey: 'globex-2',
    })
    expect([nameClash.status, nameClash.body.code]).toEqual([409, 2001])
    // Another tenant may use the same key.
    expect(
      (await asOther('POST', '/v1/organizations', { name: 'G', nameKey: 'globex' })).status,
    ).toBe(201)
  })

  test('validates name, description and status', async () => {
    const before = await organizationCount()
    const cases: [Json, number][] = [
      [{ nameKey: 'no-name' }, 2000],
      [{ name: '  ', nameKey: 'blank-name' }, 2007],
      [{ name: 'n'.repeat(256), nameKey: 'long-name' }, 2008],
      [{ name: 'Desc', nameKey: 'desc', description: 'd'.repeat(1001) }, 2008],
      [{ name: 'Stat', nameKey: 'stat', status: 'ON' }, 2002],
    ]
    for (const [body, code] of cases) {
      const reply = await api('POST', '/v1/organizations', body)
      expect({ body, status: reply.status, code: reply.body.code }).toEqual({
        body,
        status: 400,
        code,
      })
    }
    expect(await organizationCount()).toBe(before)
  })

  test('GET /organizations lists them, searchable by nameKey', async () => {
    const list = await api('GET', '/v1/organizations?limit=100')
    expect(list.status).toBe(200)
    const keys = list.body.items.map((item: Json) => item.nameKey)
    expect(keys).toContain('acme')
    expect(keys).toContain('globex')
    const found = await api('GET', '/v1/organizations?nameKey=acme')
    expect(found.body.items.map((item: Json) => item.name)).toEqual(['Acme Inc'])
  })

  test('POST /organizations/:id updates partially; nameKey rules apply on update too', async () => {
    const organization = await createOrganization('Initech', 'initech')
    const renamed = await api('POST', organization.href, {
      ...organization,
      name: 'Initech Ltd',
      nameKey: 'Initech-Ltd',
    })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ name: 'Initech Ltd', nameKey: 'initech-ltd' })
    expect((await api('POST', organization.href, { nameKey: 'bad key' })).body.code).toBe(2002)
    const taken = await api('POST', organization.href, { nameKey: 'ACME' })
    expect([taken.status, taken.body.code]).toEqual([409, 2001])
    expect((await api('GET', organization.href)).body.nameKey).toBe('initech-ltd')
  })

  test('POST /organizations/:id/accounts and /groups create in its default stores', async () => {
    const organization = await createOrganization('Umbrella', 'umbrella')
    const directory = await createDirectory('Umbrella people')
    const mapping = await mapToOrganization(organization, directory, {
      isDefaultAccountStore: true,
      isDefaultGroupStore: true,
    })
    const read = (await api('GET', organization.href)).body
    expect(read.defaultAccountStoreMapping).toEqual({ href: mapping.href })
    expect(read.defaultGroupStoreMapping).toEqual({ href: mapping.href })
    expect(mapping.href).toStartWith(`${V1}/organizationAccountStoreMappings/`)

    const created = await api('POST', `${organization.href}/accounts`, account('uma@example.com'))
    expect(created.status).toBe(201)
    expect(created.body.directory.href).toBe(directory.href)
    const group = await api('POST', `${organization.href}/groups`, { name: 'Scientists' })
    expect(group.status).toBe(201)
    expect(group.body.directory.href).toBe(directory.href)
    expect(
      (await api('GET', `${organization.href}/accounts`)).body.items.map((a: Json) => a.email),
    ).toEqual(['uma@example.com'])
    expect(
      (await api('GET', `${organization.href}/groups`)).body.items.map((g: Json) => g.name),
    ).toEqual(['Scientists'])
    const mappings = await api('GET', `${organization.href}/accountStoreMappings`)
    expect(mappings.body.items.map((m: Json) => m.href)).toEqual([mapping.href])
  })

  test('accounts and groups are refused without a default store, or when it is disabled', async () => {
    const organization = await createOrganization('Hooli', 'hooli')
    const accounts = async () =>
      (await target.db.select({ n: count() }).from(schema.accounts).get())!.n
    const before = await accounts()
    const noAccountStore = await api(
      'POST',
      `${organization.href}/accounts`,
      account('h@example.com'),
    )
    expect(noAccountStore.status).toBe(400)
    expect(noAccountStore.body.code).toBe(4600)
    const noGroupStore = await api('POST', `${organization.href}/groups`, { name: 'Nope' })
    expect(noGroupStore.status).toBe(400)
    expect(noGroupStore.body.code).toBe(4602)

    const directory = await createDirectory('Hooli people')
    await mapToOrganization(organization, directory, {
      isDefaultAccountStore: true,
      isDefaultGroupStore: true,
    })
    await api('POST', directory.href, { status: 'DISABLED' })
    const disabledAccountStore = await api(
      'POST',
      `${organization.href}/accounts`,
      account('h@example.com'),
    )
    expect(disabledAccountStore.status).toBe(400)
    expect(disabledAccountStore.body.code).toBe(4601)
    const disabledGroupStore = await api('POST', `${organization.href}/groups`, { name: 'Nope' })
    expect(disabledGroupStore.status).toBe(400)
    expect(disabledGroupStore.body.code).toBe(4603)
    expect(await accounts()).toBe(before)
    const groups = await target.db
      .select({ n: count() })
      .from(schema.groups)
      .where(eq(schema.groups.directoryId, idOf(directory.href)))
      .get()
    expect(groups!.n).toBe(0)
  })

  test('a disabled organization as an application default store refuses account creation (5101)', async () => {
    const organization = await createOrganization('Soylent', 'soylent')
    const directory = await createDirectory('Soylent people')
    await mapToOrganization(organization, directory, { isDefaultAccountStore: true })
    const app = (await api('POST', '/v1/applications', { name: 'Soylent app' })).body
    await api('POST', '/v1/accountStoreMappings', {
      application: { href: app.href },
      accountStore: { href: organization.href },
      isDefaultAccountStore: true,
    })
    await api('POST', organization.href, { status: 'DISABLED' })
    const reply = await api('POST', `${app.href}/accounts`, account('s@example.com'))
    expect([reply.status, reply.body.code]).toEqual([400, 5101])
  })

  test("DELETE /organizations/:id removes its mappings and the applications' mappings to it", async () => {
    const organization = await createOrganization('Cyberdyne', 'cyberdyne')
    const directory = await createDirectory('Cyberdyne people')
    const own = await mapToOrganization(organization, directory, { isDefaultAccountStore: true })
    const app = (await api('POST', '/v1/applications', { name: 'Skynet' })).body
    const appMapping = (
      await api('POST', '/v1/accountStoreMappings', {
        application: { href: app.href },
        accountStore: { href: organization.href },
        isDefaultAccountStore: true,
      })
    ).body
    expect((await api('GET', app.href)).body.defaultAccountStoreMapping).toEqual({
      href: appMapping.href,
    })

    const deleted = await api('DELETE', organization.href)
    expect(deleted.status).toBe(204)
    expect((await api('GET', organization.href)).status).toBe(404)
    expect((await api('GET', own.href)).status).toBe(404)
    expect((await api('GET', appMapping.href)).status).toBe(404)
    expect((await api('GET', app.href)).body.defaultAccountStoreMapping).toBeNull()
    expect((await api('GET', directory.href)).status).toBe(200)
    const left = await target.db
      .select({ n: count() })
      .from(schema.accountStoreMappings)
      .where(
        or(
          eq(schema.accountStoreMappings.ownerId, idOf(organization.href)),
          eq(schema.accountStoreMappings.storeId, idOf(organization.href)),
        ),
      )
      .get()
    expect(left!.n).toBe(0)
  })

  test("tenant isolation: another tenant's organization is 404 on every route and left intact", async () => {
    const theirs = (
      await asOther('POST', '/v1/organizations', { name: 'Theirs', nameKey: 'theirs' })
    ).body
    for (const [method, path, body] of [
      ['GET', theirs.href],
      ['POST', theirs.href, { name: 'Hijacked' }],
      ['DELETE', theirs.href],
      ['GET', `${theirs.href}/accounts`],
      ['POST', `${theirs.href}/accounts`, account('spy@example.com')],
      ['GET', `${theirs.href}/groups`],
      ['POST', `${theirs.href}/groups`, { name: 'Spies' }],
      ['GET', `${theirs.href}/accountStoreMappings`],
    ] as [string, string, unknown?][]) {
      const reply = await api(method, path, body)
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 404 })
    }
    expect((await asOther('GET', theirs.href)).body).toMatchObject({ name: 'Theirs' })
    // Its nameKey does not collide with ours.
    await createOrganization('Ours', 'theirs')
  })

  test('hostile input gets a 4xx, never a 5xx, and writes nothing', async () => {
    const before = await organizationCount()
    let deep: unknown = 1
    for (let i = 0; i < 5000; i++) deep = [deep]
    for (const body of [
      '{',
      '[]',
      JSON.stringify({ name: 'Deep', nameKey: 'deep', customData: { x: deep } }),
      JSON.stringify({ name: 'K', nameKey: 'k'.repeat(10_000) }),
      JSON.stringify({ name: 'K', nameKey: ['k'] }),
      JSON.stringify({ name: 'K', nameKey: { href: 'x' } }),
      JSON.stringify({ name: 'K', nameKey: 'k\u0000' }),
      JSON.stringify({ name: 'K', nameKey: "k'; drop table organizations; --" }),
    ]) {
      const reply = await api('POST', '/v1/organizations', body)
      expect(reply.status).toBeGreaterThanOrEqual(400)
      expect(reply.status).toBeLessThan(500)
    }
    expect(await organizationCount()).toBe(before)
  })
})
