/**
 * The LDAP server against the real OpenLDAP client tools (`ldapsearch`, `ldapwhoami`,
 * `ldapcompare`, `ldapmodify` from Debian's ldap-utils) and ldapts as a library client: the
 * seed 001 commands and filters, binds of every kind, scopes, filters, attributes, paging,
 * limits, read-only answers, and who sees what.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { Client, InvalidCredentialsError } from 'ldapts'
import * as schema from '../../db/schema'
import { totpCode } from '../../src/mfa/totp'
import { bootstrapAdmin } from '../harness/admin'
import {
  ldapTool,
  parseLdif,
  PASSWORD,
  runTool,
  startLdapFixture,
  type LdapFixture,
} from './ldap-fixture'

let f: LdapFixture
let alice: any
let bob: any
let carol: any
let admins: any
let engineering: any
const SUFFIX = 'dc=cloudron'

/** Bind credentials for a tool, or 'anonymous'; the admin's by default. */
type Bind = [string, string] | 'anonymous'

const search = (args: string[], bind: Bind = [f.adminDn, f.adminSecret]) =>
  ldapTool('ldapsearch', f.url, bind === 'anonymous' ? undefined : bind, ['-LLL', ...args])

const entries = async (args: string[], bind?: Bind) => {
  const run = await search(args, bind)
  expect(run.stderr).toBe('')
  expect(run.exitCode).toBe(0)
  return parseLdif(run.stdout)
}

const whoami = (dn: string, password: string) => ldapTool('ldapwhoami', f.url, [dn, password], [])

const userDn = (account: any) => `cn=${account.href.split('/').pop()},ou=users,${SUFFIX}`
const idOf = (resource: any) => resource.href.split('/').pop() as string

beforeAll(async () => {
  f = await startLdapFixture({ tenantKey: 'ldap-server', suffix: SUFFIX })
  alice = await f.newAccount({
    username: 'alice',
    email: 'alice@example.com',
    givenName: 'Alice',
    surname: 'Liddell',
  })
  bob = await f.newAccount({
    username: 'bob',
    email: 'Bob@Example.com',
    givenName: 'Bob',
    surname: '',
  })
  carol = await f.newAccount({
    username: 'carol',
    email: 'carol@example.com',
    givenName: 'Carol',
    middleName: 'Ann',
    surname: 'Danvers',
  })
  admins = (await f.api('POST', `${f.directory.href}/groups`, { name: 'admins' })).body
  engineering = (await f.api('POST', `${f.directory.href}/groups`, { name: 'engineering' })).body
  for (const [account, group] of [
    [alice, admins],
    [alice, engineering],
    [bob, engineering],
  ]) {
    const reply = await f.api('POST', '/v1/groupMemberships', {
      account: { href: account.href },
      group: { href: group.href },
    })
    expect(reply.status).toBe(201)
  }
  await f.refresh()
})

afterAll(async () => {
  await f?.stop()
})

describe('seed 001: the Cloudron troubleshooting command and filters', () => {
  test('admin bind, search ou=users: every user with the seed’s attributes', async () => {
    const found = await entries(['-b', `ou=users,${SUFFIX}`, '(objectclass=user)'])
    const entry = found.find((e) => e.dn === userDn(alice))!
    expect(entry.attributes).toEqual({
      objectclass: ['user', 'inetorgperson', 'person'],
      objectcategory: ['person'],
      cn: [idOf(alice)],
      uid: [idOf(alice)],
      username: ['alice'],
      samaccountname: ['alice'],
      mail: ['alice@example.com'],
      displayname: ['Alice Liddell'],
      givenname: ['Alice'],
      sn: ['Liddell'],
      memberof: [`cn=admins,ou=groups,${SUFFIX}`, `cn=engineering,ou=groups,${SUFFIX}`],
    })
    expect(found.map((e) => e.attributes.username![0])).toEqual(
      expect.arrayContaining(['alice', 'bob', 'carol']),
    )
  })

  test('a one-word name has no sn; a middle name is part of displayname', async () => {
    const [b] = await entries(['-b', SUFFIX, '(username=bob)'])
    expect(b!.attributes.sn).toBeUndefined()
    expect(b!.attributes.displayname).toEqual(['Bob'])
    const [c] = await entries(['-b', SUFFIX, '(username=carol)', 'displayname'])
    expect(c!.attributes.displayname).toEqual(['Carol Ann Danvers'])
  })

  test('the user filter (&(objectclass=user)(|(username=%uid)(mail=%uid))) finds by username and by mail', async () => {
    for (const uid of ['alice', 'alice@example.com', 'ALICE', 'Alice@Example.COM']) {
      const found = await entries([
        '-b',
        SUFFIX,
        `(&(objectclass=user)(|(username=${uid})(mail=${uid})))`,
        'dn',
      ])
      expect(found.map((e) => e.dn)).toEqual([userDn(alice)])
    }
    expect(
      await entries(['-b', SUFFIX, '(&(objectclass=user)(|(username=nobody)(mail=nobody)))']),
    ).toEqual([])
  })

  test('attribute names match in any case, in filters and in the requested list (memberOf)', async () => {
    const [entry] = await entries([
      '-b',
      SUFFIX,
      '(&(objectClass=USER)(UserName=alice))',
      'memberOf',
      'MAIL',
    ])
    expect(entry!.attributes).toEqual({
      memberof: [`cn=admins,ou=groups,${SUFFIX}`, `cn=engineering,ou=groups,${SUFFIX}`],
      mail: ['alice@example.com'],
    })
  })

  test('the group filters: by memberuid and by member DN (in any spacing and case)', async () => {
    const byUid = await entries([
      '-b',
      `ou=groups,${SUFFIX}`,
      `(&(objectclass=group)(memberuid=${idOf(bob)}))`,
      'cn',
    ])
    expect(byUid).toEqual([
      { dn: `cn=engineering,ou=groups,${SUFFIX}`, attributes: { cn: ['engineering'] } },
    ])
    const loose = userDn(alice).toUpperCase().replace(/,/g, ', ')
    const byMember = await entries(['-b', SUFFIX, `(member=${loose})`, 'cn'])
    expect(byMember.map((e) => e.attributes.cn![0]).sort()).toEqual(['admins', 'engineering'])
    const [group] = await entries(['-b', `cn=engineering,ou=groups,${SUFFIX}`, '-s', 'base'])
    expect(group!.attributes).toEqual({
      objectclass: ['group', 'groupofnames'],
      cn: ['engineering'],
      member: [userDn(alice), userDn(bob)],
      memberuid: [idOf(alice), idOf(bob)],
    })
  })

  test('paged search with -E pr=2/noprompt returns every entry, two per page, with opaque cookies', async () => {
    const run = await ldapTool(
      'ldapsearch',
      f.url,
      [f.adminDn, f.adminSecret],
      ['-b', SUFFIX, '-E', 'pr=2/noprompt', '(objectclass=*)', 'dn'],
    )
    expect(run.exitCode).toBe(0)
    const paged = parseLdif(run.stdout).map((e) => e.dn)
    const all = (await entries(['-b', SUFFIX, '(objectclass=*)', 'dn'])).map((e) => e.dn)
    expect(paged).toEqual(all)
    expect(all.length).toBeGreaterThanOrEqual(8)
    const cookies = [...run.stdout.matchAll(/pagedresults: cookie=(\S*)/g)].map((m) => m[1]!)
    expect(cookies.length).toBe(Math.ceil(all.length / 2))
    expect(cookies.at(-1)).toBe('')
    for (const cookie of cookies.slice(0, -1)) expect(cookie).not.toMatch(/^\d+$/)
  })
})

describe('binds', () => {
  test('a user binds by DN, uid=, username= and mail= with the right password; ldapwhoami names the entry', async () => {
    for (const dn of [
      userDn(alice),
      `uid=alice,ou=users,${SUFFIX}`,
      `username=alice,ou=users,${SUFFIX}`,
      `mail=alice@example.com,ou=users,${SUFFIX}`,
      `UID=${idOf(alice)}, OU=Users, DC=Cloudron`,
    ]) {
      const run = await whoami(dn, PASSWORD)
      expect(run.stderr).toBe('')
      expect(run.stdout.trim()).toBe(`dn:${userDn(alice)}`)
    }
  })

  test('a wrong password, an unknown user and an unknown tenant all answer 49', async () => {
    for (const [dn, password] of [
      [`uid=alice,ou=users,${SUFFIX}`, 'wrong-password'],
      [`uid=nobody,ou=users,${SUFFIX}`, PASSWORD],
      [`uid=alice,ou=users,dc=elsewhere`, PASSWORD],
      [`cn=admin,ou=system,${SUFFIX}`, 'not-the-secret'],
      [`cn=whatever,ou=apps,${SUFFIX}`, 'x'],
    ]) {
      const run = await whoami(dn!, password!)
      expect(run.exitCode).toBe(49)
      expect(run.stderr).toContain('Invalid credentials (49)')
    }
  })

  test('the admin DN binds with its secret and ldapwhoami names it', async () => {
    const run = await whoami(f.adminDn, f.adminSecret)
    expect(run.stdout.trim()).toBe(`dn:${f.adminDn}`)
  })

  test('an account with TOTP binds with password+totpToken=NNNNNN, not with the password alone, and a code works once', async () => {
    const dave = await f.newAccount({ username: 'dave', email: 'dave@example.com' })
    const factor = (
      await f.api('POST', `${new URL(dave.href).pathname}/factors`, {
        type: 'google-authenticator',
      })
    ).body
    const confirmed = await f.api('POST', `${new URL(factor.href).pathname}/challenges`, {
      code: totpCode(factor.secret, new Date(Date.now() - 30_000)),
    })
    expect(confirmed.body.status).toBe('SUCCESS')
    await f.refresh()
    const dn = `uid=dave,ou=users,${SUFFIX}`
    expect((await whoami(dn, PASSWORD)).exitCode).toBe(49)
    const code = totpCode(factor.secret, new Date())
    expect((await whoami(dn, `wrong+totpToken=${code}`)).exitCode).toBe(49)
    const ok = await whoami(dn, `${PASSWORD}+totpToken=${code}`)
    expect(ok.stdout.trim()).toBe(`dn:${userDn(dave)}`)
    expect((await whoami(dn, `${PASSWORD}+totpToken=${code}`)).exitCode).toBe(49)
  })

  test('disabled, unverified and locked accounts cannot bind', async () => {
    const disabled = await f.newAccount({ username: 'disabled', email: 'disabled@example.com' })
    const unverified = await f.newAccount({
      username: 'unverified',
      email: 'unverified@example.com',
    })
    const locked = await f.newAccount({ username: 'locked', email: 'locked@example.com' })
    await f.refresh()
    for (const name of ['disabled', 'unverified', 'locked']) {
      expect((await whoami(`uid=${name},ou=users,${SUFFIX}`, PASSWORD)).exitCode).toBe(0)
    }
    await f.api('POST', new URL(disabled.href).pathname, { status: 'DISABLED' })
    await f.db
      .update(schema.accounts)
      .set({ status: 'UNVERIFIED' })
      .where(eq(schema.accounts.id, idOf(unverified)))
    const policy = (await f.api('GET', `/v1/accountLockingPolicies/${idOf(f.directory)}`)).body
    const maxAttempts = policy.maxFailedLoginAttempts as number
    expect(maxAttempts).toBeGreaterThan(0)
    await f.db
      .update(schema.accounts)
      .set({ failedLoginAttempts: maxAttempts, lastLoginAttemptAt: new Date() })
      .where(eq(schema.accounts.id, idOf(locked)))
    await f.refresh()
    for (const name of ['disabled', 'unverified', 'locked']) {
      expect((await whoami(`uid=${name},ou=users,${SUFFIX}`, PASSWORD)).exitCode).toBe(49)
    }
    // The unverified account is still served (only binds are refused); the disabled one is not.
    expect(await entries(['-b', SUFFIX, '(username=disabled)'])).toEqual([])
  })

  test('anonymous binds see the rootDSE only', async () => {
    const root = await entries(['-b', '', '-s', 'base', '(objectclass=*)', '+', '*'], 'anonymous')
    expect(root[0]!.attributes).toMatchObject({
      namingcontexts: [SUFFIX],
      supportedldapversion: ['3'],
      supportedcontrol: ['1.2.840.113556.1.4.319'],
      supportedextension: ['1.3.6.1.4.1.4203.1.11.3'],
    })
    const run = await search(['-b', SUFFIX, '(objectclass=*)'], 'anonymous')
    expect(run.exitCode).toBe(50)
    expect(run.stderr).toContain('Insufficient access')
  })

  test('a name without a password (unauthenticated bind) is refused with 53, SASL with 7', async () => {
    const client = new Client({ url: f.url })
    await expect(client.bind(userDn(alice), '')).rejects.toMatchObject({ code: 53 })
    const sasl = await runTool(['ldapwhoami', '-H', f.url, '-Y', 'EXTERNAL'])
    expect(sasl.exitCode).not.toBe(0)
    expect(sasl.stderr).toMatch(/Unknown authentication method|not supported|authentication/i)
    await client.unbind()
  })
})

describe('tenants', () => {
  test('another tenant on the same server: its own allowlist at bind time, and neither sees the other', async () => {
    const other = await bootstrapAdmin(f.request, 'ldap-other')
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await f.request(path, {
        method,
        headers: { authorization: other.basic, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return (await response.json()) as any
    }
    const tenant = new URL(
      (
        await f.request('/v1/tenants/current', { headers: { authorization: other.basic } })
      ).headers.get('location')!,
    ).pathname
    await call('POST', `${tenant}/ldap`, {
      enabled: true,
      suffix: 'dc=other',
      allowlist: ['10.0.0.0/8'],
    })
    const { adminSecret } = await call('POST', `${tenant}/ldap/adminSecret`)
    await f.refresh()
    const otherAdmin = 'cn=admin,ou=system,dc=other'
    // 127.0.0.1 may connect (the first tenant allows it) but not bind to this tenant.
    expect((await whoami(otherAdmin, adminSecret)).exitCode).toBe(49)
    await call('POST', `${tenant}/ldap`, { allowlist: ['127.0.0.1'] })
    await f.refresh()
    expect((await whoami(otherAdmin, adminSecret)).stdout.trim()).toBe(`dn:${otherAdmin}`)
    // Each admin sees its own tree only; the other tree does not exist for it.
    expect((await search(['-b', 'dc=other', '(objectclass=*)'])).exitCode).toBe(32)
    expect(
      (await search(['-b', SUFFIX, '(objectclass=*)'], [otherAdmin, adminSecret])).exitCode,
    ).toBe(32)
    const own = await entries(
      ['-b', 'dc=other', '(objectclass=user)', 'mail'],
      [otherAdmin, adminSecret],
    )
    expect(own.map((e) => e.attributes.mail![0])).toEqual([other.email])
    // The first tenant's secret does not open the second tenant's admin DN.
    expect((await whoami(otherAdmin, f.adminSecret)).exitCode).toBe(49)
  })
})

describe('search operations', () => {
  test('scopes: base returns the entry alone, one its children, sub the subtree', async () => {
    const base = await entries(['-b', `ou=users,${SUFFIX}`, '-s', 'base', '(objectclass=*)', 'dn'])
    expect(base.map((e) => e.dn)).toEqual([`ou=users,${SUFFIX}`])
    const one = await entries(['-b', SUFFIX, '-s', 'one', '(objectclass=*)', 'dn'])
    expect(one.map((e) => e.dn)).toEqual([`ou=users,${SUFFIX}`, `ou=groups,${SUFFIX}`])
    const sub = await entries(['-b', `ou=groups,${SUFFIX}`, '-s', 'sub', '(objectclass=*)', 'dn'])
    expect(sub.map((e) => e.dn)).toEqual([
      `ou=groups,${SUFFIX}`,
      `cn=admins,ou=groups,${SUFFIX}`,
      `cn=engineering,ou=groups,${SUFFIX}`,
    ])
    const entry = await entries(['-b', userDn(alice), '-s', 'base', '(objectclass=*)', 'uid'])
    expect(entry).toEqual([{ dn: userDn(alice), attributes: { uid: [idOf(alice)] } }])
  })

  test('every filter type: and, or, not, equality, presence, substring, >=, <=, approx', async () => {
    const names = async (filter: string) =>
      (await entries(['-b', `ou=users,${SUFFIX}`, filter, 'username']))
        .map((e) => e.attributes.username?.[0])
        .filter(Boolean)
        .sort()
    expect(await names('(&(givenname=alice)(sn=liddell))')).toEqual(['alice'])
    expect(await names('(|(username=alice)(username=bob))')).toEqual(['alice', 'bob'])
    expect(
      await names(
        '(&(objectclass=user)(!(memberof=cn=engineering,ou=groups,dc=cloudron))(|(username=alice)(username=bob)(username=carol)))',
      ),
    ).toEqual(['carol'])
    expect(await names('(&(sn=*)(|(username=bob)(username=carol)))')).toEqual(['carol'])
    expect(await names('(mail=*@EXAMPLE.com)')).toEqual(
      expect.arrayContaining(['alice', 'bob', 'carol']),
    )
    expect(await names('(username=a*c*e)')).toEqual(['alice'])
    expect(await names('(&(username>=bob)(username<=carol))')).toEqual(['bob', 'carol'])
    expect(await names('(username~=CAROL)')).toEqual(['carol'])
    expect(await names('(userAccountControl:1.2.840.113556.1.4.803:=2)')).toEqual([])
  })

  test('requested attributes: 1.1 gives none, + the operational ones, * and + together both', async () => {
    const [none] = await entries(['-b', userDn(alice), '-s', 'base', '(objectclass=*)', '1.1'])
    expect(none!.attributes).toEqual({})
    const [operational] = await entries(['-b', userDn(alice), '-s', 'base', '(objectclass=*)', '+'])
    expect(operational!.attributes).toEqual({
      entrydn: [userDn(alice)],
      hassubordinates: ['FALSE'],
      subschemasubentry: ['cn=Subschema'],
    })
    const [both] = await entries(['-b', userDn(alice), '-s', 'base', '(objectclass=*)', '*', '+'])
    expect(Object.keys(both!.attributes)).toEqual(
      expect.arrayContaining(['uid', 'mail', 'entrydn']),
    )
    const typesOnly = await ldapTool(
      'ldapsearch',
      f.url,
      [f.adminDn, f.adminSecret],
      ['-LLL', '-A', '-b', userDn(alice), '-s', 'base', '(objectclass=*)', 'mail'],
    )
    expect(typesOnly.stdout).toContain('mail')
    expect(typesOnly.stdout).not.toContain('alice@example.com')
  })

  test('a missing base answers 32 with the closest existing entry as matchedDN; a bad DN 34', async () => {
    const missing = await ldapTool(
      'ldapsearch',
      f.url,
      [f.adminDn, f.adminSecret],
      ['-b', `cn=ghost,ou=users,${SUFFIX}`],
    )
    expect(missing.exitCode).toBe(32)
    expect(missing.stdout).toContain(`matchedDN: ou=users,${SUFFIX}`)
    expect((await search(['-b', 'not a dn'])).exitCode).toBe(34)
  })

  test('size limit: -z 1 answers one entry and sizeLimitExceeded (4)', async () => {
    const run = await search(['-z', '1', '-b', `ou=users,${SUFFIX}`, '(objectclass=user)', 'dn'])
    expect(run.exitCode).toBe(4)
    expect(parseLdif(run.stdout)).toHaveLength(1)
  })

  test('compare on memberuid and member (ldapcompare): TRUE, FALSE, no such attribute', async () => {
    const compare = (dn: string, assertion: string) =>
      ldapTool('ldapcompare', f.url, [f.adminDn, f.adminSecret], [dn, assertion])
    const group = `cn=engineering,ou=groups,${SUFFIX}`
    expect((await compare(group, `memberuid:${idOf(bob)}`)).stdout.trim()).toBe('TRUE')
    expect((await compare(group, `member:${userDn(bob)}`)).stdout.trim()).toBe('TRUE')
    expect((await compare(group, `memberuid:${idOf(carol)}`)).stdout.trim()).toBe('FALSE')
    expect((await compare(group, 'title:x')).exitCode).toBe(16)
  })

  test('writes answer unwillingToPerform (53): add, modify, delete, modrdn', async () => {
    const ldif = async (text: string) => {
      const child = Bun.spawn(
        ['ldapmodify', '-x', '-H', f.url, '-D', f.adminDn, '-w', f.adminSecret],
        {
          stdin: Buffer.from(text),
          stderr: 'pipe',
        },
      )
      return { exitCode: await child.exited, stderr: await new Response(child.stderr).text() }
    }
    const add = await ldif(
      `dn: cn=new,ou=users,${SUFFIX}\nchangetype: add\nobjectclass: user\ncn: new\n`,
    )
    const modify = await ldif(
      `dn: ${userDn(alice)}\nchangetype: modify\nreplace: mail\nmail: evil@example.com\n`,
    )
    const remove = await ldif(`dn: ${userDn(alice)}\nchangetype: delete\n`)
    const rename = await ldif(
      `dn: ${userDn(alice)}\nchangetype: modrdn\nnewrdn: cn=x\ndeleteoldrdn: 1\n`,
    )
    for (const run of [add, modify, remove, rename]) {
      expect(run.exitCode).toBe(53)
      expect(run.stderr).toContain('read-only')
    }
    const [still] = await entries(['-b', userDn(alice), '-s', 'base', '(objectclass=*)', 'mail'])
    expect(still!.attributes.mail).toEqual(['alice@example.com'])
  })
})

describe('application scope', () => {
  test('an application DN sees only what its stores reach, and cannot bind users outside them', async () => {
    const other = (await f.api('POST', '/v1/directories', { name: 'Contractors' })).body
    const outsider = await f.newAccount({ username: 'eve', email: 'eve@example.com' }, other.href)
    const secret = (await f.api('POST', `${new URL(f.application.href).pathname}/ldapSecret`)).body
    expect(secret.bindDn).toBe(`cn=${idOf(f.application)},ou=apps,${SUFFIX}`)
    await f.refresh()

    const asApp = await entries(
      ['-b', SUFFIX, '(objectclass=user)', 'username'],
      [secret.bindDn, secret.secret],
    )
    const visible = asApp.map((e) => e.attributes.username![0])
    expect(visible).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']))
    expect(visible).not.toContain('eve')
    expect(visible).not.toContain(f.admin.email) // the tenant's administrators directory is not mapped
    const hidden = await search(
      ['-b', userDn(outsider), '-s', 'base'],
      [secret.bindDn, secret.secret],
    )
    expect(hidden.exitCode).toBe(32)
    const admin = await entries(['-b', SUFFIX, '(username=eve)', 'dn'])
    expect(admin).toHaveLength(1)

    // The usual search-then-bind on one connection (ldapts): the application's scope holds.
    const client = new Client({ url: f.url })
    await client.bind(secret.bindDn, secret.secret)
    const { searchEntries } = await client.search(SUFFIX, { filter: '(username=eve)' })
    expect(searchEntries).toEqual([])
    await expect(client.bind(`uid=eve,ou=users,${SUFFIX}`, PASSWORD)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    )
    await client.bind(secret.bindDn, secret.secret)
    await client.bind(`uid=alice,ou=users,${SUFFIX}`, PASSWORD)
    expect(await client.exop('1.3.6.1.4.1.4203.1.11.3')).toMatchObject({
      value: `dn:${userDn(alice)}`,
    })
    await client.unbind()

    const removed = await f.api('DELETE', `${new URL(f.application.href).pathname}/ldapSecret`)
    expect(removed.status).toBe(204)
    await f.refresh()
    expect((await whoami(secret.bindDn, secret.secret)).exitCode).toBe(49)
  })
})

describe('ldapts as a library client', () => {
  test('bind, search with paging, compare, WhoAmI', async () => {
    const client = new Client({ url: f.url })
    await client.bind(f.adminDn, f.adminSecret)
    const { searchEntries } = await client.search(`ou=users,${SUFFIX}`, {
      filter: '(objectclass=user)',
      attributes: ['username', 'memberOf'],
      paged: { pageSize: 2 },
    })
    const usernames = searchEntries.map((entry) => entry.username)
    expect(usernames).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']))
    const aliceEntry = searchEntries.find((entry) => entry.username === 'alice')!
    expect(aliceEntry.memberof).toEqual([
      `cn=admins,ou=groups,${SUFFIX}`,
      `cn=engineering,ou=groups,${SUFFIX}`,
    ])
    expect(await client.compare(`cn=admins,ou=groups,${SUFFIX}`, 'memberuid', idOf(alice))).toBe(
      true,
    )
    expect(await client.exop('1.3.6.1.4.1.4203.1.11.3')).toMatchObject({ value: `dn:${f.adminDn}` })
    await client.unbind()
  })
})
