/**
 * Password guessing over LDAP: failed binds are counted per bind DN and per client address in
 * the database; past a limit every bind is refused with 49, before any password is hashed, and
 * the directory's lockout policy locks the account as at any other login. A fixture of its own:
 * the per-address limit would refuse the other suites' binds from 127.0.0.1 for five minutes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { Client, InvalidCredentialsError } from 'ldapts'
import * as schema from '../../db/schema'
import {
  LDAP_BIND_FAILURES_PER_ADDRESS,
  LDAP_BIND_FAILURES_PER_DN,
} from '../../src/security/rate-limit'
import { PASSWORD, startLdapFixture, type LdapFixture } from './ldap-fixture'

const SUFFIX = 'dc=throttle'
let f: LdapFixture
let hashes = 0

beforeAll(async () => {
  f = await startLdapFixture({ tenantKey: 'throttle', suffix: SUFFIX })
  const passwords = f.deps.passwords
  // Every password verification the LDAP server runs, real or dummy, is counted.
  f.deps.passwords = {
    ...passwords,
    verify: (password, stored) => {
      hashes++
      return passwords.verify(password, stored)
    },
    verifyDummy: (password) => {
      hashes++
      return passwords.verifyDummy(password)
    },
  }
})

afterAll(async () => {
  await f?.stop()
})

/** One bind on a fresh connection: 'ok', or the LDAP result code. */
async function bind(dn: string, password: string): Promise<'ok' | number> {
  const client = new Client({ url: f.url })
  try {
    await client.bind(dn, password)
    return 'ok'
  } catch (error) {
    if (error instanceof InvalidCredentialsError) return 49
    return (error as { code?: number }).code ?? -1
  } finally {
    await client.unbind().catch(() => {})
  }
}

describe('failed-bind throttling', () => {
  test('password guessing on one DN: past the limit even the right password is refused, without hashing', async () => {
    await f.newAccount({ username: 'target', email: 'target@example.com' })
    await f.refresh()
    const dn = `uid=target,ou=users,${SUFFIX}`
    expect(LDAP_BIND_FAILURES_PER_DN.max).toBe(10)
    for (let i = 0; i < LDAP_BIND_FAILURES_PER_DN.max; i++)
      expect(await bind(dn, `guess-${i}`)).toBe(49)
    const before = hashes
    expect(await bind(dn, PASSWORD)).toBe(49)
    expect(await bind(dn, 'another-guess')).toBe(49)
    expect(hashes).toBe(before)
    // The same DN written differently is the same DN.
    expect(await bind(`UID=Target, OU=Users, DC=Throttle`, PASSWORD)).toBe(49)
    expect(hashes).toBe(before)
  })

  test('the directory’s lockout policy counts failed binds and locks the account', async () => {
    const account = await f.newAccount({ username: 'lockme', email: 'lockme@example.com' })
    await f.refresh()
    const id = account.href.split('/').pop()
    const policy = (
      await f.api('GET', `/v1/accountLockingPolicies/${f.directory.href.split('/').pop()}`)
    ).body
    for (let i = 0; i < policy.maxFailedLoginAttempts; i++) {
      expect(await bind(`mail=lockme@example.com,ou=users,${SUFFIX}`, `wrong-${i}`)).toBe(49)
    }
    const row = await f.db.select().from(schema.accounts).where(eq(schema.accounts.id, id)).get()
    expect(row!.failedLoginAttempts).toBe(policy.maxFailedLoginAttempts)
    // Locked: the right password fails through another form of the DN (not throttled by DN).
    expect(await bind(`cn=${id},ou=users,${SUFFIX}`, PASSWORD)).toBe(49)
  })

  test('guessing across many DNs from one address: past the limit every bind from it is refused', async () => {
    expect(LDAP_BIND_FAILURES_PER_ADDRESS.max).toBe(100)
    const client = new Client({ url: f.url })
    let failures = 0
    // Failures so far in this file count too. Each guess names another application DN (no
    // password hash to pay, and never the per-DN limit).
    for (let i = 0; failures < LDAP_BIND_FAILURES_PER_ADDRESS.max && i < 200; i++) {
      await client.bind(`cn=app-${i},ou=apps,${SUFFIX}`, `not-the-secret-${i}`).catch(() => {})
      const rows = await f.db.select().from(schema.rateLimits).all()
      failures = rows.find((row) => row.key === 'ldap-bind-address:127.0.0.1')?.count ?? 0
    }
    await client.unbind()
    expect(failures).toBe(LDAP_BIND_FAILURES_PER_ADDRESS.max)
    const before = hashes
    expect(await bind(f.adminDn, f.adminSecret)).toBe(49)
    expect(await bind(`uid=lockme,ou=users,${SUFFIX}`, PASSWORD)).toBe(49)
    expect(hashes).toBe(before)
  })
})
