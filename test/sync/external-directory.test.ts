/**
 * External directories against a real OpenLDAP slapd on 127.0.0.1 (issue "External directory
 * connector"): the first sync creates users and groups; changes, added members and deleted
 * entries show at the next sync; a stopped server changes nothing; a local account with the same
 * name is a conflict; logins go to the server through login attempts, the LDAP server's binds
 * and (test/sync/external-login.test.ts) the hosted OIDC login; autoCreate; LDAPS with a
 * self-signed certificate; what /v1 may not change; switching the connector off.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { ldapDirectoryClient } from '../../workers/sync/ldap-client'
import { runQueuedSyncs } from '../../workers/sync/runner'
import { ldifEntry, startSlapd, type Slapd } from '../harness/slapd'
import { ldapTool, startLdapFixture, type LdapFixture } from '../workers/ldap-fixture'

const BASE = 'dc=example,dc=org'
let f: LdapFixture
let slapd: Slapd
let external: any
let runs = 0

const path = (href: string) => new URL(href).pathname

/** Queues a sync through /v1, runs it as the worker does, answers the finished run. */
async function sync(directory = external) {
  const queued = await f.api('POST', `${path(directory.href)}/sync`)
  expect(queued.status).toBe(202)
  expect(queued.body.state).toBe('queued')
  await runQueuedSyncs(f.deps, ldapDirectoryClient())
  runs++
  return (await f.api('GET', path(queued.body.href))).body
}

const accountsOf = async (directory = external) =>
  f.db
    .select()
    .from(schema.accounts)
    .where(eq(schema.accounts.directoryId, path(directory.href).split('/').pop()!))
    .all()

const login = (username: string, password: string) =>
  f.api('POST', `${path(f.application.href)}/loginAttempts`, {
    type: 'basic',
    value: btoa(`${username}:${password}`),
  })

beforeAll(async () => {
  slapd = await startSlapd()
  f = await startLdapFixture({ tenantKey: 'sync', suffix: 'dc=sync' })
  const created = await f.api('POST', '/v1/directories', {
    name: 'Corporate LDAP',
    provider: {
      providerId: 'ldap',
      preset: 'generic',
      url: slapd.url,
      baseDn: `ou=people,${BASE}`,
      bindDn: slapd.adminDn,
      bindPassword: slapd.adminPassword,
      groupBaseDn: `ou=groups,${BASE}`,
      syncGroups: true,
    },
  })
  expect(created.status).toBe(201)
  external = created.body
  const mapped = await f.api('POST', '/v1/accountStoreMappings', {
    application: { href: f.application.href },
    accountStore: { href: external.href },
  })
  expect(mapped.status).toBe(201)
})

afterAll(async () => {
  await f?.stop()
  await slapd?.destroy()
})

describe('the provider through /v1', () => {
  test('the provider shows its settings with the preset’s defaults, never the bind password', async () => {
    const provider = (await f.api('GET', `${path(external.href)}/provider`)).body
    expect(provider).toMatchObject({
      providerId: 'ldap',
      preset: 'generic',
      url: slapd.url,
      baseDn: `ou=people,${BASE}`,
      filter: '(objectClass=inetOrgPerson)',
      usernameField: 'uid',
      mailField: 'mail',
      nameFields: { givenName: 'givenName', surname: 'sn', displayName: 'cn' },
      uuidField: 'entryUUID',
      groupFilter: '(objectClass=groupOfNames)',
      bindDn: slapd.adminDn,
      bindPasswordSet: true,
      syncGroups: true,
      autoCreate: false,
      syncInterval: 'PT4H',
    })
    expect(JSON.stringify(provider)).not.toContain(slapd.adminPassword)
    const row = await f.db.select().from(schema.directoryProviders).get()
    expect(row!.bindPasswordSealed).not.toContain(slapd.adminPassword)
  })

  test('bad settings are 400 naming the field, and nothing is created', async () => {
    const before = (await f.api('GET', '/v1/directories')).body.size
    for (const [provider, field] of [
      [{ providerId: 'ldap', url: 'http://example.org', baseDn: BASE }, 'url'],
      [{ providerId: 'ldap', url: slapd.url, baseDn: 'not a dn' }, 'baseDn'],
      [{ providerId: 'ldap', url: slapd.url, baseDn: BASE, filter: '(uid=a' }, 'filter'],
      [
        { providerId: 'ldap', url: slapd.url, baseDn: BASE, usernameField: 'u id' },
        'usernameField',
      ],
      [{ providerId: 'ldap', url: slapd.url, baseDn: BASE, syncInterval: 'PT1M' }, 'syncInterval'],
      [{ providerId: 'ldap', url: slapd.url }, 'baseDn'],
      [{ providerId: 'ldap', url: slapd.url, baseDn: BASE, syncGroups: true }, 'groupBaseDn'],
      [{ providerId: 'saml' }, 'providerId'],
      [{ providerId: 'ldap', url: slapd.url, baseDn: BASE, nameFields: 'cn' }, 'nameFields'],
    ] as const) {
      const reply = await f.api('POST', '/v1/directories', { name: `Bad ${field}`, provider })
      expect(reply.status).toBe(400)
      expect(reply.body.message).toContain(field)
    }
    expect((await f.api('GET', '/v1/directories')).body.size).toBe(before)
  })

  test('a bad update of the provider is 400 and changes nothing', async () => {
    const path = `${new URL(external.href).pathname}/provider`
    const before = (await f.api('GET', path)).body
    for (const body of [
      { url: 'http://not-ldap.example' },
      { filter: 'uid=a' },
      { syncInterval: 'P1D' },
      { autoCreate: 'yes' },
      { nameFields: { givenName: 'two words' } },
      { providerId: 'oidc' },
    ]) {
      expect((await f.api('POST', path, body)).status).toBe(400)
    }
    expect((await f.api('GET', path)).body).toEqual(before)
  })

  test('presets fill the attribute defaults of Active Directory, Okta and Edgepass', async () => {
    const make = async (preset: string) =>
      (
        await f.api('POST', '/v1/directories', {
          name: `Preset ${preset}`,
          provider: { providerId: 'ldap', preset, url: 'ldaps://dc.example.org', baseDn: BASE },
        })
      ).body
    const ad = (await f.api('GET', `${path((await make('activedirectory')).href)}/provider`)).body
    expect(ad).toMatchObject({
      usernameField: 'sAMAccountName',
      mailField: 'userPrincipalName',
      uuidField: 'objectGUID',
    })
    const okta = (await f.api('GET', `${path((await make('okta')).href)}/provider`)).body
    expect(okta).toMatchObject({ uuidField: 'uniqueIdentifier', groupMemberField: 'uniqueMember' })
    const edgepass = (await f.api('GET', `${path((await make('edgepass')).href)}/provider`)).body
    expect(edgepass).toMatchObject({
      usernameField: 'username',
      uuidField: 'uid',
      filter: '(objectclass=user)',
    })
  })

  test('a local directory cannot sync (400) and cannot become external', async () => {
    expect((await f.api('POST', `${path(f.directory.href)}/sync`)).status).toBe(400)
    const reply = await f.api('POST', `${path(f.directory.href)}/provider`, { providerId: 'ldap' })
    expect(reply.status).toBe(400)
  })
})

describe('sync', () => {
  test('the first sync creates the users, keyed by entryUUID, and the groups with their members', async () => {
    const run = await sync()
    expect(run).toMatchObject({
      state: 'succeeded',
      trigger: 'manual',
      seen: 3,
      created: 3,
      updated: 0,
      missing: 0,
      conflicts: 0,
      groups: 2,
    })
    expect(run.total).toBe(run.processed)
    const accounts = await accountsOf()
    expect(accounts.map((a) => a.username).sort()).toEqual(['alice', 'bob', 'carol'])
    const alice = accounts.find((a) => a.username === 'alice')!
    expect(alice.externalId).toBe(await slapd.entryUuid(`uid=alice,ou=people,${BASE}`))
    expect(alice).toMatchObject({
      email: 'alice@example.org',
      givenName: 'Alice',
      surname: 'Adams',
      passwordHash: null,
    })
    // carol has no givenName: her names come from her display name (cn).
    expect(accounts.find((a) => a.username === 'carol')).toMatchObject({
      givenName: 'Carol',
      surname: 'Clark',
    })
    const groups = await f.db
      .select()
      .from(schema.groups)
      .where(eq(schema.groups.directoryId, alice.directoryId))
      .all()
    expect(groups.map((g) => g.name).sort()).toEqual(['admins', 'engineering'])
    const engineering = groups.find((g) => g.name === 'engineering')!
    const members = await f.db
      .select()
      .from(schema.groupMemberships)
      .where(eq(schema.groupMemberships.groupId, engineering.id))
      .all()
    expect(members.map((m) => accounts.find((a) => a.id === m.accountId)!.username).sort()).toEqual(
      ['alice', 'bob'],
    )
  })

  test('a resync with nothing changed changes nothing', async () => {
    expect(await sync()).toMatchObject({
      state: 'succeeded',
      created: 0,
      updated: 0,
      unchanged: 3,
      missing: 0,
    })
  })

  test('a changed mail and an added group member show after the next sync', async () => {
    await slapd.modify(
      `dn: uid=alice,ou=people,${BASE}\nchangetype: modify\nreplace: mail\nmail: alice.adams@example.org\n`,
    )
    await slapd.modify(
      `dn: cn=engineering,ou=groups,${BASE}\nchangetype: modify\nadd: member\nmember: uid=carol,ou=people,${BASE}\n`,
    )
    expect(await sync()).toMatchObject({ state: 'succeeded', updated: 1, unchanged: 2 })
    const accounts = await accountsOf()
    expect(accounts.find((a) => a.username === 'alice')!.email).toBe('alice.adams@example.org')
    const carol = accounts.find((a) => a.username === 'carol')!
    const groups = await f.db
      .select({ name: schema.groups.name })
      .from(schema.groupMemberships)
      .innerJoin(schema.groups, eq(schema.groups.id, schema.groupMemberships.groupId))
      .where(eq(schema.groupMemberships.accountId, carol.id))
      .all()
    expect(groups.map((g) => g.name)).toEqual(['engineering'])
  })

  test('a stopped server makes the sync fail and changes nothing', async () => {
    const before = await accountsOf()
    await slapd.stop()
    try {
      const run = await sync()
      expect(run.state).toBe('failed')
      expect(run.log[0]).toMatchObject({ kind: 'error' })
      expect(run.log[0].message).toMatch(/ECONNREFUSED|connect/i)
      expect(await accountsOf()).toEqual(before)
    } finally {
      await slapd.start()
    }
  })

  test('a search that finds no user changes nothing (no account is marked missing)', async () => {
    const provider = `${path(external.href)}/provider`
    expect((await f.api('POST', provider, { filter: '(uid=nobody-at-all)' })).status).toBe(200)
    try {
      const before = await accountsOf()
      const run = await sync()
      expect(run.state).toBe('failed')
      expect(run.log[0].message).toContain('found no user entries')
      expect(await accountsOf()).toEqual(before)
    } finally {
      await f.api('POST', provider, { filter: '(objectClass=inetOrgPerson)' })
    }
  })

  test('a local account with the same username in the mapped application is a conflict, logged and skipped', async () => {
    await f.newAccount({ username: 'dave', email: 'dave.local@example.com' })
    await slapd.add(
      ldifEntry(`uid=dave,ou=people,${BASE}`, {
        objectClass: ['inetOrgPerson'],
        uid: ['dave'],
        cn: ['Dave Davis'],
        sn: ['Davis'],
        mail: ['dave@example.org'],
        userPassword: ['dave-pass'],
      }),
    )
    const run = await sync()
    expect(run).toMatchObject({ state: 'succeeded', conflicts: 1, created: 0 })
    expect(run.log).toContainEqual(
      expect.objectContaining({
        kind: 'conflict',
        entry: `uid=dave,ou=people,${BASE}`,
        message: expect.stringContaining('dave'),
      }),
    )
    expect((await accountsOf()).map((a) => a.username)).not.toContain('dave')
  })

  test('a deleted entry marks its account missing: it stays, and its login fails', async () => {
    expect((await login('bob', 'bob-pass')).status).toBe(200)
    await slapd.delete(`uid=bob,ou=people,${BASE}`)
    const run = await sync()
    expect(run).toMatchObject({ state: 'succeeded', missing: 1 })
    const bob = (await accountsOf()).find((a) => a.username === 'bob')!
    expect(bob.missingAt).toBeInstanceOf(Date)
    const refused = await login('bob', 'bob-pass')
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe(7100)
  })

  test('a scheduled run is queued once the interval has passed, and a second request answers the same run', async () => {
    const first = await f.api('POST', `${path(external.href)}/sync`)
    const second = await f.api('POST', `${path(external.href)}/sync`)
    expect(second.body.href).toBe(first.body.href)
    await runQueuedSyncs(f.deps, ldapDirectoryClient())
    const list = (await f.api('GET', `${path(external.href)}/syncRuns`)).body
    expect(list.size).toBeGreaterThanOrEqual(runs + 1)
    expect(list.items[0].state).toBe('succeeded')
  })
})

describe('login of external accounts', () => {
  test('login attempts bind to the server: right password 200, wrong 400/7100', async () => {
    const ok = await login('alice', 'alice-pass')
    expect(ok.status).toBe(200)
    const alice = (await accountsOf()).find((a) => a.username === 'alice')!
    expect(ok.body.account.href).toEndWith(`/accounts/${alice.id}`)
    const wrong = await login('alice', 'not-her-password')
    expect(wrong.status).toBe(400)
    expect(wrong.body.code).toBe(7100)
    expect((await login('alice.adams@example.org', 'alice-pass')).status).toBe(200)
  })

  test('LDAP filter injection: a login of *, or one that closes the filter, finds no entry', async () => {
    for (const name of ['*', 'alice)(uid=*', '*)(|(uid=*', 'ali*']) {
      const reply = await login(name, 'alice-pass')
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(7100)
    }
  })

  test('another tenant sees none of this directory’s runs and cannot sync it (404)', async () => {
    const { bootstrapAdmin } = await import('../harness/admin')
    const other = await bootstrapAdmin(f.request, 'sync-other')
    const runs = (await f.api('GET', `${path(external.href)}/syncRuns`)).body
    const as = (method: string, target: string) =>
      f.request(path(target), { method, headers: { authorization: other.basic } })
    expect((await as('GET', runs.items[0].href)).status).toBe(404)
    expect((await as('POST', `${external.href}/sync`)).status).toBe(404)
    expect((await as('GET', `${external.href}/provider`)).status).toBe(404)
  })

  test('the LDAP server’s user binds go to the external server too (right and wrong password)', async () => {
    const whoami = (password: string) =>
      ldapTool('ldapwhoami', f.url, [`uid=alice,ou=users,dc=sync`, password], [])
    const ok = await whoami('alice-pass')
    expect(ok.stderr).toBe('')
    expect(ok.stdout).toStartWith('dn:cn=')
    expect((await whoami('wrong')).exitCode).toBe(49)
  })

  test('autoCreate off: an unknown user the server knows cannot log in; on: created at first login', async () => {
    await slapd.add(
      ldifEntry(`uid=erin,ou=people,${BASE}`, {
        objectClass: ['inetOrgPerson'],
        uid: ['erin'],
        cn: ['Erin Evans'],
        givenName: ['Erin'],
        sn: ['Evans'],
        mail: ['erin@example.org'],
        userPassword: ['erin-pass'],
      }),
    )
    expect((await login('erin', 'erin-pass')).status).toBe(400)
    const enabled = await f.api('POST', `${path(external.href)}/provider`, { autoCreate: true })
    expect(enabled.status).toBe(200)
    expect(enabled.body.autoCreate).toBe(true)
    expect((await login('erin', 'wrong')).status).toBe(400)
    expect((await accountsOf()).map((a) => a.username)).not.toContain('erin')
    const ok = await login('erin', 'erin-pass')
    expect(ok.status).toBe(200)
    const erin = (await accountsOf()).find((a) => a.username === 'erin')!
    expect(erin).toMatchObject({
      email: 'erin@example.org',
      externalId: await slapd.entryUuid(`uid=erin,ou=people,${BASE}`),
    })
  })
})

describe('what /v1 may change on external accounts and groups', () => {
  test('profile fields, the password and deletion are refused (409/7400); status and custom data are local', async () => {
    const alice = (await accountsOf()).find((a) => a.username === 'alice')!
    const href = `/v1/accounts/${alice.id}`
    for (const body of [
      { email: 'x@example.org' },
      { givenName: 'Eve' },
      { password: 'New-pass-1234' },
    ]) {
      const reply = await f.api('POST', href, body)
      expect(reply.status).toBe(409)
      expect(reply.body.code).toBe(7400)
    }
    // The SDKs post unchanged values back on save: not a change.
    expect((await f.api('POST', href, { email: alice.email, username: 'alice' })).status).toBe(200)
    expect((await f.api('POST', href, { username: 'ALICE' })).status).toBe(409)
    expect((await f.api('POST', href, { customData: { team: 'blue' } })).status).toBe(200)
    expect((await f.api('POST', href, { status: 'DISABLED' })).status).toBe(200)
    expect((await login('alice', 'alice-pass')).body.code).toBe(7101)
    expect((await f.api('POST', href, { status: 'ENABLED' })).status).toBe(200)
    expect((await f.api('DELETE', href)).status).toBe(409)
    expect(
      (
        await f.api('POST', `${path(external.href)}/accounts`, {
          email: 'new@example.org',
          password: 'Pass-1234-x',
        })
      ).status,
    ).toBe(409)
  })

  test('external groups are read-only; a local group in the directory may hold external accounts', async () => {
    const directoryId = path(external.href).split('/').pop()!
    const engineering = (await f.db
      .select()
      .from(schema.groups)
      .where(and(eq(schema.groups.directoryId, directoryId), eq(schema.groups.name, 'engineering')))
      .get())!
    const alice = (await accountsOf()).find((a) => a.username === 'alice')!
    expect((await f.api('POST', `/v1/groups/${engineering.id}`, { name: 'renamed' })).status).toBe(
      409,
    )
    expect((await f.api('DELETE', `/v1/groups/${engineering.id}`)).status).toBe(409)
    const erin = (await accountsOf()).find((a) => a.username === 'erin')!
    const add = await f.api('POST', '/v1/groupMemberships', {
      account: { href: `/v1/accounts/${erin.id}` },
      group: { href: `/v1/groups/${engineering.id}` },
    })
    expect(add.status).toBe(409)
    const local = await f.api('POST', `${path(external.href)}/groups`, { name: 'book club' })
    expect(local.status).toBe(201)
    const member = await f.api('POST', '/v1/groupMemberships', {
      account: { href: `/v1/accounts/${alice.id}` },
      group: { href: local.body.href },
    })
    expect(member.status).toBe(201)
    // The next sync leaves the local group and its members alone.
    await sync()
    const kept = await f.db
      .select()
      .from(schema.groupMemberships)
      .where(eq(schema.groupMemberships.groupId, path(local.body.href).split('/').pop()!))
      .all()
    expect(kept).toHaveLength(1)
  })
})

describe('LDAPS', () => {
  test('a self-signed certificate is accepted only when acceptSelfSignedCertificates is on', async () => {
    const secure = await startSlapd({ tls: true, suffix: 'dc=secure,dc=org' })
    try {
      const created = await f.api('POST', '/v1/directories', {
        name: 'Secure LDAP',
        provider: {
          providerId: 'ldap',
          url: secure.ldapsUrl,
          baseDn: `ou=people,dc=secure,dc=org`,
          bindDn: secure.adminDn,
          bindPassword: secure.adminPassword,
        },
      })
      const refused = await sync(created.body)
      expect(refused.state).toBe('failed')
      expect(refused.log[0].message).toMatch(/certificate/i)
      expect(await accountsOf(created.body)).toEqual([])
      await f.api('POST', `${path(created.body.href)}/provider`, {
        acceptSelfSignedCertificates: true,
      })
      expect(await sync(created.body)).toMatchObject({ state: 'succeeded', created: 3 })
    } finally {
      await secure.destroy()
    }
  })
})

describe('switching the connector off', () => {
  test('the directory becomes local, its accounts local ones without a password until a reset', async () => {
    const other = await startSlapd({ suffix: 'dc=other,dc=org' })
    try {
      const created = (
        await f.api('POST', '/v1/directories', {
          name: 'Leaving LDAP',
          provider: {
            providerId: 'ldap',
            url: other.url,
            baseDn: `ou=people,dc=other,dc=org`,
            bindDn: other.adminDn,
            bindPassword: other.adminPassword,
          },
        })
      ).body
      expect(await sync(created)).toMatchObject({ state: 'succeeded', created: 3 })
      const off = await f.api('POST', `${path(created.href)}/provider`, { providerId: 'stormpath' })
      expect(off.status).toBe(200)
      expect(off.body.providerId).toBe('stormpath')
      const accounts = await accountsOf(created)
      expect(accounts).toHaveLength(3)
      for (const account of accounts)
        expect(account).toMatchObject({ externalId: null, passwordHash: null })
      // Local now: editable, and it can be given a password.
      const alice = accounts.find((a) => a.username === 'alice')!
      expect(
        (
          await f.api('POST', `/v1/accounts/${alice.id}`, {
            givenName: 'Alicia',
            password: 'Local-pass-1234',
          })
        ).status,
      ).toBe(200)
      expect((await f.api('POST', `${path(created.href)}/sync`)).status).toBe(400)
    } finally {
      await other.destroy()
    }
  })
})
