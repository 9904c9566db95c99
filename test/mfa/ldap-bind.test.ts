/** The LDAP bind convention `password+totpToken=NNNNNN` (issue "2FA", item 7). */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Deps } from '../../src/deps'
import { checkTotpFactor, enrolTotp } from '../../src/mfa/factors'
import { checkLdapBindSecret, splitBindSecret } from '../../src/mfa/ldap-bind'
import { totpCode } from '../../src/mfa/totp'
import { createSealer } from '../../src/security/seal'
import { TEST_SECRET_KEY } from '../harness/targets'
import { openTestDatabase, type TestDatabase } from '../oidc/test-database'

const TENANT = 'tenant-ldap-bind'
const PASSWORD = 'Correct-horse-1'
let target: TestDatabase
let deps: Deps
let now = new Date('2026-06-01T12:00:00.000Z')
let serial = 0

beforeAll(async () => {
  target = await openTestDatabase()
  deps = { ...target.deps, now: () => now, sealer: createSealer(TEST_SECRET_KEY) }
})
afterAll(() => target.close())

const passwordMatches = async (password: string) => password === PASSWORD

async function accountWithTotp() {
  const account = { tenantId: TENANT, id: `account-${++serial}` }
  const { factor, secret } = await enrolTotp(deps, {
    tenantId: TENANT,
    accountId: account.id,
    accountName: 'ada',
    issuer: 'Acme',
  })
  await checkTotpFactor(deps, factor, totpCode(secret, now))
  now = new Date(now.getTime() + 30_000)
  return { account, secret }
}

describe('splitBindSecret', () => {
  test('splits the last +totpToken= suffix of six digits off', () => {
    expect(splitBindSecret('pw+totpToken=123456')).toEqual({ password: 'pw', totp: '123456' })
    expect(splitBindSecret('a+totpToken=1+totpToken=654321')).toEqual({
      password: 'a+totpToken=1',
      totp: '654321',
    })
    expect(splitBindSecret('+totpToken=000000')).toEqual({ password: '', totp: '000000' })
  })

  test('anything else is all password', () => {
    for (const secret of [
      'pw',
      'pw+totpToken=12345',
      'pw+totpToken=1234567',
      'pw+totptoken=123456',
    ]) {
      expect(splitBindSecret(secret)).toEqual({ password: secret })
    }
  })
})

describe('checkLdapBindSecret', () => {
  test('without 2FA the whole secret is the password, even one ending like the suffix', async () => {
    const account = { tenantId: TENANT, id: `account-${++serial}` }
    expect(await checkLdapBindSecret(deps, account, PASSWORD, passwordMatches)).toEqual({
      kind: 'accepted',
      amr: ['pwd'],
    })
    const odd = async (password: string) => password === 'pw+totpToken=123456'
    expect((await checkLdapBindSecret(deps, account, 'pw+totpToken=123456', odd)).kind).toBe(
      'accepted',
    )
    expect((await checkLdapBindSecret(deps, account, 'wrong', passwordMatches)).kind).toBe(
      'refused',
    )
  })

  test('with TOTP: password and a fresh code bind; no code is totp_required', async () => {
    const { account, secret } = await accountWithTotp()
    expect((await checkLdapBindSecret(deps, account, PASSWORD, passwordMatches)).kind).toBe(
      'totp_required',
    )
    const good = `${PASSWORD}+totpToken=${totpCode(secret, now)}`
    expect(await checkLdapBindSecret(deps, account, good, passwordMatches)).toEqual({
      kind: 'accepted',
      amr: ['pwd', 'otp', 'mfa'],
    })
  })

  test('replay: the same suffixed secret does not bind twice', async () => {
    const { account, secret } = await accountWithTotp()
    const good = `${PASSWORD}+totpToken=${totpCode(secret, now)}`
    expect((await checkLdapBindSecret(deps, account, good, passwordMatches)).kind).toBe('accepted')
    expect((await checkLdapBindSecret(deps, account, good, passwordMatches)).kind).toBe('refused')
  })

  test('a wrong password does not spend the code', async () => {
    const { account, secret } = await accountWithTotp()
    const code = totpCode(secret, now)
    expect(
      (await checkLdapBindSecret(deps, account, `nope+totpToken=${code}`, passwordMatches)).kind,
    ).toBe('refused')
    expect(
      (await checkLdapBindSecret(deps, account, `${PASSWORD}+totpToken=${code}`, passwordMatches))
        .kind,
    ).toBe('accepted')
  })
})
