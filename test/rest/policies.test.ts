import { expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { describeTargets } from '../harness/targets'
import {
  adminClient,
  createDirectory,
  idOf,
  uniqueName,
  V1,
  type AdminClient,
  type Json,
} from './directory-helpers'

const DEFAULT_STRENGTH = {
  minLength: 8,
  maxLength: 100,
  minLowerCase: 1,
  minUpperCase: 1,
  minNumeric: 1,
  minSymbol: 0,
  minDiacritic: 0,
  preventReuse: 0,
}

describeTargets('directory policies', (target) => {
  let a: AdminClient
  let b: AdminClient
  let directory: Json

  const policiesRow = (dir: Json) =>
    target.db
      .select()
      .from(schema.directoryPolicies)
      .where(eq(schema.directoryPolicies.directoryId, idOf(dir.href)))
      .get()

  /** POSTs each body and expects 400 with `code`, naming `field`; the row must not change. */
  async function expectRefused(href: string, cases: [Json, number, string][]) {
    const before = await policiesRow(directory)
    for (const [body, code, field] of cases) {
      const reply = await a.post(href, body)
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(code)
      expect(`${reply.body.message} ${reply.body.developerMessage}`).toContain(field)
    }
    expect(await policiesRow(directory)).toEqual(before)
  }

  test('a new directory’s policies are addressed by its id and carry Stormpath’s defaults', async () => {
    a = await adminClient(target, 'policies-a')
    b = await adminClient(target, 'policies-b')
    directory = await createDirectory(a)
    const id = idOf(directory.href)

    const password = await a.get(directory.passwordPolicy.href)
    expect(password.status).toBe(200)
    expect(password.body).toMatchObject({
      href: `${V1}/passwordPolicies/${id}`,
      resetTokenTtl: 24,
      resetEmailStatus: 'ENABLED',
      resetSuccessEmailStatus: 'DISABLED',
      strength: { href: `${V1}/passwordPolicies/${id}/strength` },
    })

    const strength = await a.get(password.body.strength.href)
    expect(strength.status).toBe(200)
    expect(strength.body).toMatchObject({ href: password.body.strength.href, ...DEFAULT_STRENGTH })

    const creation = await a.get(directory.accountCreationPolicy.href)
    expect(creation.body).toMatchObject({
      href: `${V1}/accountCreationPolicies/${id}`,
      verificationEmailStatus: 'DISABLED',
      verificationSuccessEmailStatus: 'DISABLED',
      welcomeEmailStatus: 'DISABLED',
      emailDomainWhitelist: [],
      emailDomainBlacklist: [],
    })

    const locking = await a.get(directory.accountLockingPolicy.href)
    expect(locking.body).toMatchObject({
      href: `${V1}/accountLockingPolicies/${id}`,
      maxFailedLoginAttempts: 3,
      accountLockDuration: 'PT15M',
      accountLockedEmailStatus: 'DISABLED',
    })

    for (const body of [password.body, strength.body, creation.body, locking.body]) {
      expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt)
      expect(new Date(body.modifiedAt).toISOString()).toBe(body.modifiedAt)
      expect(Object.keys(body).filter((key) => /Id$|tenant|directory/.test(key))).toEqual([])
    }
  })

  test('the directory expands its policies to the same representations', async () => {
    const reply = await a.get(
      `${directory.href}?expand=passwordPolicy,accountCreationPolicy,accountLockingPolicy`,
    )
    expect(reply.status).toBe(200)
    for (const link of ['passwordPolicy', 'accountCreationPolicy', 'accountLockingPolicy']) {
      expect(reply.body[link]).toEqual((await a.get(directory[link].href)).body)
    }
  })

  test('expand=strength inlines the strength; other names are 2107 and a write with one changes nothing', async () => {
    const policy = await a.get(`${directory.passwordPolicy.href}?expand=strength`)
    expect(policy.status).toBe(200)
    expect(policy.body.strength).toEqual((await a.get(policy.body.strength.href)).body)
    const before = await policiesRow(directory)
    const refusals = [
      await a.get(`${directory.passwordPolicy.href}?expand=nope`),
      await a.get(`${directory.accountLockingPolicy.href}?expand=strength`),
      await a.get(`${directory.passwordPolicy.href}/strength?expand=strength`),
      await a.post(`${directory.passwordPolicy.href}?expand=nope`, { resetTokenTtl: 2 }),
      await a.post(`${directory.accountCreationPolicy.href}?expand=x`, {
        welcomeEmailStatus: 'ENABLED',
      }),
      await a.post(`${directory.passwordPolicy.href}/strength?expand=x`, { minLength: 9 }),
    ]
    for (const reply of refusals) {
      expect(reply.status).toBe(400)
      expect(reply.body.code).toBe(2107)
    }
    expect(await policiesRow(directory)).toEqual(before)
  })

  test('POST /passwordPolicies/:dirId updates it and ignores read-only fields', async () => {
    const current = (await a.get(directory.passwordPolicy.href)).body
    const reply = await a.post(directory.passwordPolicy.href, {
      ...current,
      resetTokenTtl: 48,
      resetSuccessEmailStatus: 'ENABLED',
      href: `${V1}/passwordPolicies/elsewhere`,
      strength: { href: 'x', minLength: 1 },
      unknown: true,
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      href: current.href,
      resetTokenTtl: 48,
      resetEmailStatus: 'ENABLED',
      resetSuccessEmailStatus: 'ENABLED',
      strength: current.strength,
      createdAt: current.createdAt,
    })
    expect((await a.get(current.strength.href)).body.minLength).toBe(8)
    await expectRefused(directory.passwordPolicy.href, [
      [{ resetTokenTtl: 0 }, 2009, 'resetTokenTtl'],
      [{ resetTokenTtl: 169 }, 2010, 'resetTokenTtl'],
      [{ resetTokenTtl: 1.5 }, 2002, 'resetTokenTtl'],
      [{ resetTokenTtl: '24' }, 2004, 'resetTokenTtl'],
      [{ resetTokenTtl: null }, 2004, 'resetTokenTtl'],
      [{ resetEmailStatus: 'enabled' }, 2002, 'resetEmailStatus'],
      [{ resetSuccessEmailStatus: ['ENABLED'] }, 2002, 'resetSuccessEmailStatus'],
    ])
  })

  test('POST /accountCreationPolicies/:dirId updates statuses and domain lists', async () => {
    const reply = await a.post(directory.accountCreationPolicy.href, {
      welcomeEmailStatus: 'ENABLED',
      emailDomainWhitelist: ['*example.com', 'partner.org'],
      emailDomainBlacklist: ['*spam.test'],
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      welcomeEmailStatus: 'ENABLED',
      verificationEmailStatus: 'DISABLED',
      emailDomainWhitelist: ['*example.com', 'partner.org'],
      emailDomainBlacklist: ['*spam.test'],
    })
    expect((await a.get(directory.accountCreationPolicy.href)).body).toEqual(reply.body)
    await expectRefused(directory.accountCreationPolicy.href, [
      [{ verificationEmailStatus: 'YES' }, 2002, 'verificationEmailStatus'],
      [{ emailDomainWhitelist: 'example.com' }, 2004, 'emailDomainWhitelist'],
      [{ emailDomainWhitelist: [42] }, 2004, 'emailDomainWhitelist'],
      [{ emailDomainBlacklist: ['not a domain!'] }, 2002, 'emailDomainBlacklist'],
      [{ emailDomainBlacklist: ['a\u0000b.com'] }, 2002, 'emailDomainBlacklist'],
      [{ emailDomainBlacklist: Array(1001).fill('x.com') }, 2008, 'emailDomainBlacklist'],
      [{ emailDomainWhitelist: { 0: 'example.com' } }, 2004, 'emailDomainWhitelist'],
    ])
    const cleared = await a.post(directory.accountCreationPolicy.href, { emailDomainWhitelist: [] })
    expect(cleared.body.emailDomainWhitelist).toEqual([])
  })

  test('verification turned on in the account creation policy makes new accounts UNVERIFIED', async () => {
    const own = await createDirectory(a)
    await a.post(own.accountCreationPolicy.href, { verificationEmailStatus: 'ENABLED' })
    const account = { password: 'Changeme-1234', givenName: 'V', surname: 'U' }
    const pending = await a.post(own.accounts.href, { ...account, email: 'pending@example.com' })
    expect(pending.body).toMatchObject({
      status: 'UNVERIFIED',
      emailVerificationStatus: 'UNVERIFIED',
    })
    const skipped = await a.post(`${own.accounts.href}?registrationWorkflowEnabled=false`, {
      ...account,
      email: 'skipped@example.com',
    })
    expect(skipped.body.status).toBe('ENABLED')
  })

  test('POST /accountLockingPolicies/:dirId takes ISO-8601 durations and bounded counts', async () => {
    const href = directory.accountLockingPolicy.href
    for (const [input, shown] of [
      ['PT30M', 'PT30M'],
      ['PT1H30M', 'PT1H30M'],
      ['PT90M', 'PT1H30M'],
      ['PT45S', 'PT45S'],
      ['PT0S', 'PT0S'],
      ['PT87600H', 'PT87600H'],
    ]) {
      const reply = await a.post(href, { accountLockDuration: input })
      expect(reply.status).toBe(200)
      expect(reply.body.accountLockDuration).toBe(shown)
    }
    const reply = await a.post(href, {
      maxFailedLoginAttempts: 5,
      accountLockDuration: 'PT15M',
      accountLockedEmailStatus: 'ENABLED',
    })
    expect(reply.body).toMatchObject({
      maxFailedLoginAttempts: 5,
      accountLockDuration: 'PT15M',
      accountLockedEmailStatus: 'ENABLED',
    })
    await expectRefused(href, [
      [{ maxFailedLoginAttempts: -1 }, 2009, 'maxFailedLoginAttempts'],
      [{ maxFailedLoginAttempts: 101 }, 2010, 'maxFailedLoginAttempts'],
      [{ maxFailedLoginAttempts: '5' }, 2004, 'maxFailedLoginAttempts'],
      [{ accountLockDuration: 'PT' }, 2002, 'accountLockDuration'],
      [{ accountLockDuration: 'P1D' }, 2002, 'accountLockDuration'],
      [{ accountLockDuration: '15 minutes' }, 2002, 'accountLockDuration'],
      [{ accountLockDuration: 'pt15m' }, 2002, 'accountLockDuration'],
      [{ accountLockDuration: 'PT-5M' }, 2002, 'accountLockDuration'],
      [{ accountLockDuration: 900 }, 2004, 'accountLockDuration'],
      [{ accountLockDuration: 'PT87601H' }, 2010, 'accountLockDuration'],
      [{ accountLockDuration: `PT${'9'.repeat(18)}H` }, 2002, 'accountLockDuration'],
      [{ accountLockDuration: `PT${'9'.repeat(400)}H` }, 2002, 'accountLockDuration'],
      [{ accountLockedEmailStatus: 'NO' }, 2002, 'accountLockedEmailStatus'],
    ])
  })

  test('POST …/strength tightens the policy; a weaker password is then refused on account creation', async () => {
    const own = await createDirectory(a)
    const strengthHref = `${own.passwordPolicy.href}/strength`
    const reply = await a.post(strengthHref, { minLength: 12, maxLength: 16, minSymbol: 1 })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      ...DEFAULT_STRENGTH,
      minLength: 12,
      maxLength: 16,
      minSymbol: 1,
    })
    expect((await a.get(strengthHref)).body).toEqual(reply.body)
    const create = (password: string) =>
      a.post(own.accounts.href, {
        email: `${uniqueName('p').replace(' ', '')}@example.com`,
        password,
      })
    const cases: [string, number][] = [
      ['Short-pw1', 2007],
      ['Much-too-long-password-1', 2008],
      ['NoSymbolsHere12', 400],
      ['no-uppercase-12', 400],
    ]
    for (const [password, code] of cases) {
      const refused = await create(password)
      expect(refused.status).toBe(400)
      expect(refused.body.code).toBe(code)
      expect(refused.body.message).toContain('assword')
    }
    expect((await a.get(own.accounts.href)).body.size).toBe(0)
    expect((await create('Strong-pass-12')).status).toBe(201)
    // The other directories keep the default policy.
    expect(
      (await a.post(directory.accounts.href, { email: 'x@example.com', password: 'Abcdefg1' }))
        .status,
    ).toBe(201)
    await a.post(strengthHref, { minDiacritic: 1 })
    expect((await create('Strong-pass-13')).status).toBe(400)
    expect((await create('Strong-pâss-13')).status).toBe(201)
  })

  test('strength bounds: minLength > maxLength, preventReuse 26 and other bad values are 400 and nothing is stored', async () => {
    const strengthHref = `${directory.passwordPolicy.href}/strength`
    await a.post(strengthHref, DEFAULT_STRENGTH)
    await expectRefused(strengthHref, [
      [{ minLength: 20, maxLength: 10 }, 2002, 'minLength'],
      [{ maxLength: 7 }, 2002, 'minLength'],
      [{ minLength: 101 }, 2002, 'minLength'],
      [{ minLength: 0 }, 2002, 'minLength'],
      [{ maxLength: 0 }, 2002, 'maxLength'],
      [{ preventReuse: 26 }, 2010, 'preventReuse'],
      [{ preventReuse: -1 }, 2009, 'preventReuse'],
      [{ minLength: 8.5 }, 2002, 'minLength'],
      [{ minLength: '8' }, 2004, 'minLength'],
      [{ minSymbol: 1e9 }, 2010, 'minSymbol'],
      [{ minNumeric: null }, 2004, 'minNumeric'],
      [{ minUpperCase: [1] }, 2004, 'minUpperCase'],
      // A valid field beside an invalid one: neither is stored.
      [{ minNumeric: 3, preventReuse: 26 }, 2010, 'preventReuse'],
    ])
    expect((await a.get(strengthHref)).body).toMatchObject(DEFAULT_STRENGTH)
    const edge = await a.post(strengthHref, { minLength: 1, maxLength: 1, preventReuse: 25 })
    expect(edge.body).toMatchObject({ minLength: 1, maxLength: 1, preventReuse: 25 })
    await a.post(strengthHref, DEFAULT_STRENGTH)
  })

  test('hostile bodies on policy routes get 4xx and change nothing', async () => {
    const before = await policiesRow(directory)
    const deep = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`
    const hrefs = [
      directory.passwordPolicy.href,
      `${directory.passwordPolicy.href}/strength`,
      directory.accountCreationPolicy.href,
      directory.accountLockingPolicy.href,
    ]
    for (const href of hrefs) {
      for (const [body, headers, status] of [
        [deep, {}, 400],
        ['[{"minLength":1}]', {}, 400],
        ['7', {}, 400],
        ['{"minLength":', {}, 400],
        ['{"minLength":9}', { 'content-type': 'text/plain' }, 415],
      ] as [string, Record<string, string>, number][]) {
        expect((await a.post(href, body, headers)).status).toBe(status)
      }
      expect((await a.post(href, `{"x":"${'x'.repeat(10 * 1024 * 1024)}"}`)).status).toBe(413)
    }
    expect(await policiesRow(directory)).toEqual(before)
  })

  test('unknown, deleted and absurd ids are 404; policies cannot be deleted (405)', async () => {
    const doomed = await createDirectory(a)
    expect((await a.delete(doomed.href)).status).toBe(204)
    for (const href of [
      doomed.passwordPolicy.href,
      `${doomed.passwordPolicy.href}/strength`,
      doomed.accountCreationPolicy.href,
      doomed.accountLockingPolicy.href,
    ]) {
      expect((await a.get(href)).status).toBe(404)
      expect((await a.post(href, { resetTokenTtl: 2 })).status).toBe(404)
    }
    for (const id of ['x'.repeat(1000), '%00', 'unknown']) {
      expect((await a.get(`/passwordPolicies/${id}`)).status).toBe(404)
      expect((await a.get(`/passwordPolicies/${id}/strength`)).status).toBe(404)
      expect(
        (await a.post(`/accountLockingPolicies/${id}`, { maxFailedLoginAttempts: 1 })).status,
      ).toBe(404)
    }
    for (const href of [directory.passwordPolicy.href, directory.accountCreationPolicy.href]) {
      const reply = await a.delete(href)
      expect(reply.status).toBe(405)
      expect(reply.body.code).toBe(1100)
      expect((await a.post(`${href}?_method=DELETE`)).status).toBe(405)
      expect((await a.get(href)).status).toBe(200)
    }
    expect((await a.get('/passwordPolicies')).status).toBe(404)
  })

  test('tenant isolation: another tenant’s policies are 404 to read and to change', async () => {
    const before = await policiesRow(directory)
    const hrefs = [
      directory.passwordPolicy.href,
      `${directory.passwordPolicy.href}/strength`,
      directory.accountCreationPolicy.href,
      directory.accountLockingPolicy.href,
    ]
    for (const href of hrefs) {
      expect((await b.get(href)).status).toBe(404)
      const reply = await b.post(href, {
        resetTokenTtl: 1,
        minLength: 1,
        verificationEmailStatus: 'ENABLED',
        maxFailedLoginAttempts: 0,
      })
      expect(reply.status).toBe(404)
    }
    expect((await b.get(`${directory.href}?expand=passwordPolicy`)).status).toBe(404)
    expect(await policiesRow(directory)).toEqual(before)
  })
})
