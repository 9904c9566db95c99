// The throw-away slapd harness, checked with the same client library the connector uses.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { Client, InvalidCredentialsError, SizeLimitExceededError, type Entry } from 'ldapts'
import type { ClientOptions } from 'ldapts'
import { ldifEntry, startSlapd, type Slapd } from './slapd'

const PEOPLE = 'ou=people,dc=example,dc=org'
const GROUPS = 'ou=groups,dc=example,dc=org'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Connects, binds, runs `use`, and always unbinds (an open socket keeps the run alive). */
async function withClient<T>(
  options: ClientOptions,
  bind: [dn: string, password: string],
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client(options)
  try {
    await client.bind(...bind)
    return await use(client)
  } finally {
    await client.unbind()
  }
}

/** ldapts gives one value as a string and several as an array. */
function values(entry: Entry | undefined, attribute: string): string[] {
  const value = entry?.[attribute]
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map(String)
}

describe('startSlapd with the default seed', () => {
  let slapd: Slapd
  let admin: [string, string]
  beforeAll(async () => {
    slapd = await startSlapd()
    admin = [slapd.adminDn, slapd.adminPassword]
  })
  afterAll(() => slapd.destroy())

  const people = () =>
    withClient({ url: slapd.url }, admin, async (client) => {
      const { searchEntries } = await client.search(PEOPLE, {
        scope: 'one',
        filter: '(objectClass=inetOrgPerson)',
        attributes: ['uid', 'mail', 'givenName', 'memberOf'],
      })
      return new Map(searchEntries.map((entry) => [String(entry.uid), entry]))
    })

  test('the admin finds alice, bob and carol with mail and memberOf from the overlay', async () => {
    const byUid = await people()
    expect([...byUid.keys()].sort()).toEqual(['alice', 'bob', 'carol'])
    expect(values(byUid.get('alice'), 'mail')).toEqual(['alice@example.org'])
    expect(values(byUid.get('alice'), 'memberOf').sort()).toEqual([
      `cn=admins,${GROUPS}`,
      `cn=engineering,${GROUPS}`,
    ])
    expect(values(byUid.get('bob'), 'memberOf')).toEqual([`cn=engineering,${GROUPS}`])
    expect(values(byUid.get('carol'), 'memberOf')).toEqual([])
    expect(values(byUid.get('carol'), 'givenName')).toEqual([])
  })

  test('alice binds with her password and a wrong one gives invalidCredentials (49)', async () => {
    const whoami = await withClient(
      { url: slapd.url },
      [`uid=alice,${PEOPLE}`, 'alice-pass'],
      (c) => c.exop('1.3.6.1.4.1.4203.1.11.3'),
    )
    expect(whoami.value).toBe(`dn:uid=alice,${PEOPLE}`)
    const wrong = withClient({ url: slapd.url }, [`uid=alice,${PEOPLE}`, 'bob-pass'], async () => 0)
    await expect(wrong).rejects.toBeInstanceOf(InvalidCredentialsError)
  })

  test('modify changes a mail address', async () => {
    await slapd.modify(
      `dn: uid=carol,${PEOPLE}\nchangetype: modify\nreplace: mail\nmail: carol@elsewhere.test\n`,
    )
    expect(values((await people()).get('carol'), 'mail')).toEqual(['carol@elsewhere.test'])
  })

  test('entryUuid returns the entryUUID the server reports', async () => {
    const uuid = await slapd.entryUuid(`uid=alice,${PEOPLE}`)
    expect(uuid).toMatch(UUID)
    const reported = await withClient({ url: slapd.url }, admin, async (client) => {
      const { searchEntries } = await client.search(`uid=alice,${PEOPLE}`, {
        scope: 'base',
        attributes: ['entryUUID'],
      })
      return searchEntries[0]?.entryUUID
    })
    expect(reported).toBe(uuid)
  })

  test('deleting bob removes him from engineering (memberof-refint)', async () => {
    await slapd.delete(`uid=bob,${PEOPLE}`)
    const members = await withClient({ url: slapd.url }, admin, async (client) => {
      const { searchEntries } = await client.search(`cn=engineering,${GROUPS}`, {
        scope: 'base',
        attributes: ['member'],
      })
      return values(searchEntries[0], 'member')
    })
    expect(members).toEqual([`uid=alice,${PEOPLE}`])
    expect([...(await people()).keys()].sort()).toEqual(['alice', 'carol'])
  })

  test('stop refuses connections; start brings it back on the same URL with the data', async () => {
    const uuid = await slapd.entryUuid(`uid=alice,${PEOPLE}`)
    await slapd.stop()
    expect(slapd.isRunning()).toBe(false)
    const down = withClient({ url: slapd.url, connectTimeout: 1000 }, admin, async () => 0)
    await expect(down).rejects.toThrow('ECONNREFUSED')

    await slapd.start()
    expect(slapd.isRunning()).toBe(true)
    expect(await slapd.entryUuid(`uid=alice,${PEOPLE}`)).toBe(uuid)
    const byUid = await people()
    expect([...byUid.keys()].sort()).toEqual(['alice', 'carol'])
    expect(values(byUid.get('carol'), 'mail')).toEqual(['carol@elsewhere.test'])
  })
})

describe('startSlapd with tls', () => {
  let slapd: Slapd
  beforeAll(async () => {
    slapd = await startSlapd({ tls: true })
  })
  afterAll(() => slapd.destroy())

  test('ldaps works for a client that trusts the self-signed certificate', async () => {
    expect(slapd.ldapsUrl).toMatch(/^ldaps:\/\/127\.0\.0\.1:\d+$/)
    const ca = readFileSync(slapd.caCertPath!)
    const whoami = await withClient(
      { url: slapd.ldapsUrl!, tlsOptions: { ca: [ca] } },
      [`uid=bob,${PEOPLE}`, 'bob-pass'],
      (client) => client.exop('1.3.6.1.4.1.4203.1.11.3'),
    )
    expect(whoami.value).toBe(`dn:uid=bob,${PEOPLE}`)
  })

  test('ldaps fails for a client that does not trust the certificate', async () => {
    const untrusted = withClient(
      { url: slapd.ldapsUrl!, connectTimeout: 2000 },
      [`uid=bob,${PEOPLE}`, 'bob-pass'],
      async () => 0,
    )
    // Bun says 'self signed', Node 'self-signed'.
    await expect(untrusted).rejects.toThrow(/self[- ]signed certificate/)
  })
})

describe('startSlapd with 1,500 users', () => {
  const COUNT = 1500
  let slapd: Slapd
  beforeAll(async () => {
    slapd = await startSlapd({ seed: '' })
    let ldif = ''
    for (let i = 0; i < COUNT; i++) {
      const uid = `user${String(i).padStart(4, '0')}`
      ldif += ldifEntry(`uid=${uid},${PEOPLE}`, {
        objectClass: ['inetOrgPerson'],
        uid: [uid],
        cn: [`User ${i}`],
        sn: [String(i)],
        userPassword: [`pw${i}`],
      })
    }
    await slapd.add(ldif)
  })
  afterAll(() => slapd.destroy())

  const search = (bind: [string, string], paged: boolean) =>
    withClient({ url: slapd.url }, bind, async (client) => {
      const { searchEntries } = await client.search(PEOPLE, {
        scope: 'one',
        filter: '(objectClass=inetOrgPerson)',
        attributes: ['uid'],
        ...(paged ? { paged: { pageSize: 500 } } : {}),
      })
      return searchEntries.length
    })

  test('the admin pages through all of them', async () => {
    expect(await search([slapd.adminDn, slapd.adminPassword], true)).toBe(COUNT)
  })

  test('an ordinary bind hits the 1,000 size limit unless it pages', async () => {
    const user: [string, string] = [`uid=user0007,${PEOPLE}`, 'pw7']
    const unpaged = search(user, false)
    await expect(unpaged).rejects.toBeInstanceOf(SizeLimitExceededError)
    expect(await search(user, true)).toBe(COUNT)
  })
})

test('destroy stops slapd and removes its directory', async () => {
  const slapd = await startSlapd({ seed: '' })
  expect(existsSync(`${slapd.dir}/slapd.conf`)).toBe(true)
  await slapd.destroy()
  expect(slapd.isRunning()).toBe(false)
  expect(existsSync(slapd.dir)).toBe(false)
  await expect(slapd.start()).rejects.toThrow('destroyed')
})
