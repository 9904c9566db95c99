import { beforeAll, beforeEach, expect, test } from 'bun:test'
import bcrypt from 'bcryptjs'
import { count, eq, like } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { idOf, restClient, type Json, type Reply } from './rest-client'

/** base64 of UTF-8 bytes (btoa alone takes Latin-1). */
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const basicValue = (login: string, password: string) =>
  base64(new TextEncoder().encode(`${login}:${password}`))

const PASSWORD = 'Secret-pass-123'
const WRONG = 'Wrong-pass-456'
const MINUTE = 60_000

describeTargets('login attempts', (target) => {
  let admin: Admin
  let other: Admin
  const api = restClient(target, () => admin)
  const asOther = restClient(target, () => other)
  let serial = 0

  const create = async (path: string, body: Json) => {
    const reply = await api('POST', path, body)
    if (reply.status !== 201)
      throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`)
    return reply.body
  }
  const newDirectory = () => create('/v1/directories', { name: `Directory ${++serial}` })
  const newApplication = () => create('/v1/applications', { name: `App ${++serial}` })
  const newAccount = (directory: Json, email: string, extra: Json = {}) =>
    create(`${directory.href}/accounts`, { email, password: PASSWORD, ...extra })
  const map = (owner: Json, store: Json, flags: Json = {}) =>
    owner.href.includes('/organizations/')
      ? create('/v1/organizationAccountStoreMappings', {
          organization: { href: owner.href },
          accountStore: { href: store.href },
          ...flags,
        })
      : create('/v1/accountStoreMappings', {
          application: { href: owner.href },
          accountStore: { href: store.href },
          ...flags,
        })
  /** An application with one fresh directory mapped, and an account in it. */
  const appWithAccount = async (email: string, extra: Json = {}) => {
    const app = await newApplication()
    const directory = await newDirectory()
    await map(app, directory, { isDefaultAccountStore: true })
    const account = await newAccount(directory, email, extra)
    return { app, directory, account }
  }
  const attempt = (
    app: Json,
    login: string,
    password: string,
    options: { accountStore?: unknown; query?: string } = {},
  ) =>
    api('POST', `${app.href}/loginAttempts${options.query ?? ''}`, {
      type: 'basic',
      value: basicValue(login, password),
      ...(options.accountStore === undefined ? {} : { accountStore: options.accountStore }),
    })
  const expectRefused = (reply: Reply, status: number, code: number) =>
    expect([reply.status, reply.body.code]).toEqual([status, code])
  const storedAccount = async (href: string) =>
    (await target.db
      .select()
      .from(schema.accounts)
      .where(eq(schema.accounts.id, idOf(href)))
      .get())!
  const setGenericErrors = async (tenantKey: string, on: boolean) =>
    target.db
      .update(schema.tenants)
      .set({ genericLoginErrors: on })
      .where(eq(schema.tenants.nameKey, tenantKey))

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'logins')
    other = await bootstrapAdmin(target.request, 'logins-other')
  })
  // Every suite's requests come from the same address ('unknown'), which has its own limit:
  // start each test with fresh login counters so tests do not throttle one another.
  beforeEach(async () => {
    await target.db.delete(schema.rateLimits).where(like(schema.rateLimits.key, 'login:%'))
  })

  test('answers 200 {account:{href}}, and the full account with ?expand=account', async () => {
    const { app, account } = await appWithAccount('ada@example.com', { givenName: 'Ada' })
    const plain = await attempt(app, 'ada@example.com', PASSWORD)
    expect(plain.status).toBe(200)
    expect(plain.body).toEqual({ account: { href: account.href } })

    const expanded = await attempt(app, 'ada@example.com', PASSWORD, { query: '?expand=account' })
    expect(expanded.status).toBe(200)
    expect(Object.keys(expanded.body)).toEqual(['account'])
    expect(expanded.body.account).toMatchObject({
      href: account.href,
      email: 'ada@example.com',
      givenName: 'Ada',
      status: 'ENABLED',
      directory: account.directory,
    })
    for (const secret of ['password', 'passwordHash'])
      expect(Object.keys(expanded.body.account)).not.toContain(secret)
  })

  test('logs in by username or email, case-insensitively', async () => {
    const { app, account } = await appWithAccount('Bob.Builder@Example.com', {
      username: 'BobTheBuilder',
    })
    for (const login of [
      'bob.builder@example.com',
      'BOB.BUILDER@EXAMPLE.COM',
      'BobTheBuilder',
      'bobthebuilder',
      ' BOBTHEBUILDER ',
    ]) {
      const reply = await attempt(app, login, PASSWORD)
      expect({ login, status: reply.status }).toEqual({ login, status: 200 })
      expect(reply.body.account.href).toBe(account.href)
    }
  })

  test('a username with non-ASCII letters logs in as it was stored', async () => {
    const { app, account } = await appWithAccount('olaf@example.com', { username: 'Ölaf' })
    const reply = await attempt(app, 'Ölaf', PASSWORD)
    expect(reply.status).toBe(200)
    expect(reply.body.account.href).toBe(account.href)
  })

  test('a password may contain ":" (the value is split at the first colon)', async () => {
    const { app } = await appWithAccount('colon@example.com', { password: 'Pa:ss:word-1A' })
    expect((await attempt(app, 'colon@example.com', 'Pa:ss:word-1A')).status).toBe(200)
    expectRefused(await attempt(app, 'colon@example.com', 'Pa'), 400, 7100)
  })

  test('stores are walked in listIndex order and the first match wins', async () => {
    const app = await newApplication()
    const [first, second] = [await newDirectory(), await newDirectory()]
    const firstMapping = await map(app, first)
    const secondMapping = await map(app, second)
    const inFirst = await newAccount(first, 'twin@example.com', { password: 'First-pass-1' })
    const inSecond = await newAccount(second, 'twin@example.com', { password: 'Second-pass-2' })

    const ok = await attempt(app, 'twin@example.com', 'First-pass-1')
    expect(ok.body.account.href).toBe(inFirst.href)
    // The second store is not consulted once the first holds the login.
    expectRefused(await attempt(app, 'twin@example.com', 'Second-pass-2'), 400, 7100)

    await api('POST', secondMapping.href, { listIndex: 0 })
    expect((await api('GET', firstMapping.href)).body.listIndex).toBe(1)
    const swapped = await attempt(app, 'twin@example.com', 'Second-pass-2')
    expect(swapped.body.account.href).toBe(inSecond.href)
    expectRefused(await attempt(app, 'twin@example.com', 'First-pass-1'), 400, 7100)
  })

  test('accountStore {href} restricts the attempt to that mapped store; unmapped → 5114', async () => {
    const app = await newApplication()
    const [first, second, unmapped] = [
      await newDirectory(),
      await newDirectory(),
      await newDirectory(),
    ]
    await map(app, first)
    await map(app, second)
    await newAccount(first, 'pick@example.com', { password: 'First-pass-1' })
    const inSecond = await newAccount(second, 'pick@example.com', { password: 'Second-pass-2' })
    const only = await attempt(app, 'pick@example.com', 'Second-pass-2', {
      accountStore: { href: second.href },
    })
    expect(only.status).toBe(200)
    expect(only.body.account.href).toBe(inSecond.href)
    expectRefused(
      await attempt(app, 'pick@example.com', 'First-pass-1', {
        accountStore: { href: second.href },
      }),
      400,
      7100,
    )
    expectRefused(
      await attempt(app, 'pick@example.com', 'First-pass-1', {
        accountStore: { href: unmapped.href },
      }),
      400,
      5114,
    )
    // The href's type counts: a directory href carrying a mapped group's id names no mapped store.
    const group = await create(`${unmapped.href}/groups`, { name: 'Mapped group' })
    await map(app, group)
    const mistyped = `${new URL(first.href).origin}/v1/directories/${idOf(group.href)}`
    expectRefused(
      await attempt(app, 'pick@example.com', 'First-pass-1', { accountStore: { href: mistyped } }),
      400,
      5114,
    )
    const theirs = (await asOther('POST', '/v1/directories', { name: 'Theirs' })).body
    expectRefused(
      await attempt(app, 'pick@example.com', 'First-pass-1', {
        accountStore: { href: theirs.href },
      }),
      400,
      5114,
    )
  })

  test('accountStore {nameKey} selects a mapped organization by its nameKey', async () => {
    const app = await newApplication()
    const [direct, orgDirectory] = [await newDirectory(), await newDirectory()]
    const organization = await create('/v1/organizations', { name: 'Wayne Corp', nameKey: 'wayne' })
    const unmappedOrg = await create('/v1/organizations', { name: 'Stark', nameKey: 'stark' })
    await map(app, direct)
    await map(app, organization)
    await map(organization, orgDirectory)
    await newAccount(direct, 'bruce@example.com', { password: 'Direct-pass-1' })
    const inOrg = await newAccount(orgDirectory, 'bruce@example.com', { password: 'Org-pass-22' })

    // Without a selector the directory (listIndex 0) answers first.
    expectRefused(await attempt(app, 'bruce@example.com', 'Org-pass-22'), 400, 7100)
    for (const nameKey of ['wayne', 'WAYNE']) {
      const reply = await attempt(app, 'bruce@example.com', 'Org-pass-22', {
        accountStore: { nameKey },
      })
      expect(reply.status).toBe(200)
      expect(reply.body.account.href).toBe(inOrg.href)
    }
    // By the organization's href, too; its name is not a nameKey.
    expect(
      (
        await attempt(app, 'bruce@example.com', 'Org-pass-22', {
          accountStore: { href: organization.href },
        })
      ).status,
    ).toBe(200)
    for (const nameKey of ['Wayne Corp', unmappedOrg.nameKey, 'nobody'])
      expectRefused(
        await attempt(app, 'bruce@example.com', 'Org-pass-22', { accountStore: { nameKey } }),
        400,
        5114,
      )
  })

  test('an application without stores answers 5105; a chosen organization without stores 4605', async () => {
    const app = await newApplication()
    expectRefused(await attempt(app, 'anyone@example.com', PASSWORD), 400, 5105)
    const empty = await create('/v1/organizations', { name: 'Empty', nameKey: 'empty' })
    const directory = await newDirectory()
    await map(app, empty)
    await map(app, directory)
    const account = await newAccount(directory, 'walker@example.com')
    expectRefused(
      await attempt(app, 'walker@example.com', PASSWORD, { accountStore: { nameKey: 'empty' } }),
      400,
      4605,
    )
    // Walking every store, the empty organization holds no one and the next store answers.
    const walked = await attempt(app, 'walker@example.com', PASSWORD)
    expect(walked.status).toBe(200)
    expect(walked.body.account.href).toBe(account.href)
  })

  test('refusals: 7100 wrong password, 7101 disabled, 7102 unverified', async () => {
    const { app, directory } = await appWithAccount('ok@example.com')
    await newAccount(directory, 'off@example.com', { status: 'DISABLED' })
    await newAccount(directory, 'new@example.com', { status: 'UNVERIFIED' })
    expectRefused(await attempt(app, 'ok@example.com', WRONG), 400, 7100)
    expectRefused(await attempt(app, 'off@example.com', PASSWORD), 400, 7101)
    expectRefused(await attempt(app, 'new@example.com', PASSWORD), 400, 7102)
  })

  test('status is revealed only after the right password: disabled or unverified + wrong password → 7100', async () => {
    const { app, directory } = await appWithAccount('status-ok@example.com')
    await newAccount(directory, 'status-off@example.com', { status: 'DISABLED' })
    await newAccount(directory, 'status-new@example.com', { status: 'UNVERIFIED' })
    const reference = await attempt(app, 'status-ok@example.com', WRONG)
    for (const login of ['status-off@example.com', 'status-new@example.com']) {
      const reply = await attempt(app, login, WRONG)
      expectRefused(reply, 400, 7100)
      expect(reply.body.message).toBe(reference.body.message)
    }
  })

  test('user enumeration: unknown login and wrong password give the same answer', async () => {
    const { app } = await appWithAccount('known@example.com')
    const wrong = await attempt(app, 'known@example.com', WRONG)
    const unknown = await attempt(app, 'unknown@example.com', WRONG)
    const answer = (reply: Reply) => {
      const { requestId: _, ...rest } = reply.body
      return { status: reply.status, ...rest }
    }
    expect(answer(unknown)).toEqual(answer(wrong))
    expect(answer(wrong)).toMatchObject({ status: 400, code: 7100 })
  })

  test('refusals on the path: 7105 group disabled, 7106 directory disabled, 7107 organization disabled', async () => {
    const app = await newApplication()
    const groupHome = await newDirectory()
    const group = await create(`${groupHome.href}/groups`, { name: 'Staff' })
    const member = await newAccount(groupHome, 'member@example.com')
    await create('/v1/groupMemberships', {
      account: { href: member.href },
      group: { href: group.href },
    })
    const directory = await newDirectory()
    await newAccount(directory, 'direct@example.com')
    const organization = await create('/v1/organizations', { name: 'Oscorp', nameKey: 'oscorp' })
    const orgDirectory = await newDirectory()
    await newAccount(orgDirectory, 'norman@example.com')
    await map(organization, orgDirectory)
    for (const store of [group, directory, organization]) await map(app, store)

    for (const login of ['member@example.com', 'direct@example.com', 'norman@example.com'])
      expect((await attempt(app, login, PASSWORD)).status).toBe(200)

    await api('POST', group.href, { status: 'DISABLED' })
    await api('POST', directory.href, { status: 'DISABLED' })
    await api('POST', organization.href, { status: 'DISABLED' })
    expectRefused(await attempt(app, 'member@example.com', PASSWORD), 400, 7105)
    expectRefused(await attempt(app, 'direct@example.com', PASSWORD), 400, 7106)
    expectRefused(await attempt(app, 'norman@example.com', PASSWORD), 400, 7107)
    // The password still comes first.
    expectRefused(await attempt(app, 'direct@example.com', WRONG), 400, 7100)
  })

  test('a disabled application answers 2021 before any lookup', async () => {
    const { app } = await appWithAccount('app-off@example.com')
    await api('POST', app.href, { status: 'DISABLED' })
    expectRefused(await attempt(app, 'app-off@example.com', PASSWORD), 400, 2021)
    expectRefused(await attempt(app, 'nobody@example.com', WRONG), 400, 2021)
  })

  test('per-tenant generic login errors answer 7104 for every refusal', async () => {
    const { app, directory } = await appWithAccount('generic@example.com')
    await newAccount(directory, 'generic-off@example.com', { status: 'DISABLED' })
    await newAccount(directory, 'generic-new@example.com', { status: 'UNVERIFIED' })
    await setGenericErrors(admin.tenantKey, true)
    try {
      const replies = [
        await attempt(app, 'generic@example.com', WRONG),
        await attempt(app, 'nobody@example.com', WRONG),
        await attempt(app, 'generic-off@example.com', PASSWORD),
        await attempt(app, 'generic-new@example.com', PASSWORD),
      ]
      await api('POST', directory.href, { status: 'DISABLED' })
      replies.push(await attempt(app, 'generic@example.com', PASSWORD))
      const { message } = replies[0]!.body
      for (const reply of replies) {
        expectRefused(reply, 400, 7104)
        expect(reply.body.message).toBe(message)
      }
    } finally {
      await setGenericErrors(admin.tenantKey, false)
    }
    // The other tenant is unaffected.
    const theirs = (await asOther('POST', '/v1/applications?createDirectory=true', { name: 'G' }))
      .body
    const reply = await asOther('POST', `${theirs.href}/loginAttempts`, {
      type: 'basic',
      value: basicValue('nobody@example.com', WRONG),
    })
    expectRefused(reply, 400, 7100)
  })

  test('lockout: the default policy locks after 3 failures within PT15M (7103 even with the right password)', async () => {
    const { app, directory, account } = await appWithAccount('lock@example.com')
    const policy = await api('GET', `/v1/accountLockingPolicies/${idOf(directory.href)}`)
    expect(policy.body).toMatchObject({ maxFailedLoginAttempts: 3, accountLockDuration: 'PT15M' })

    for (let i = 1; i <= 3; i++) {
      expectRefused(await attempt(app, 'lock@example.com', WRONG), 400, 7100)
      expect((await storedAccount(account.href)).failedLoginAttempts).toBe(i)
    }
    const locked = await attempt(app, 'lock@example.com', PASSWORD)
    expectRefused(locked, 400, 7103)
    // A locked account does not tell a wrong password from an unknown login.
    expectRefused(await attempt(app, 'lock@example.com', WRONG), 400, 7100)

    // Once the lock window has passed, the right password gets in and resets the counter.
    await target.db
      .update(schema.accounts)
      .set({ lastLoginAttemptAt: new Date(Date.now() - 16 * MINUTE) })
      .where(eq(schema.accounts.id, idOf(account.href)))
    expect((await attempt(app, 'lock@example.com', PASSWORD)).status).toBe(200)
    expect((await storedAccount(account.href)).failedLoginAttempts).toBe(0)
  })

  test('lockout: a success resets the counter', async () => {
    const { app, account } = await appWithAccount('reset@example.com')
    for (let round = 0; round < 2; round++) {
      expectRefused(await attempt(app, 'reset@example.com', WRONG), 400, 7100)
      expectRefused(await attempt(app, 'reset@example.com', WRONG), 400, 7100)
      expect((await storedAccount(account.href)).failedLoginAttempts).toBe(2)
      expect((await attempt(app, 'reset@example.com', PASSWORD)).status).toBe(200)
      expect((await storedAccount(account.href)).failedLoginAttempts).toBe(0)
    }
  })

  test('lockout: failures older than the window do not count towards a lock', async () => {
    const { app, account } = await appWithAccount('window@example.com')
    expectRefused(await attempt(app, 'window@example.com', WRONG), 400, 7100)
    expectRefused(await attempt(app, 'window@example.com', WRONG), 400, 7100)
    await target.db
      .update(schema.accounts)
      .set({ lastLoginAttemptAt: new Date(Date.now() - 16 * MINUTE) })
      .where(eq(schema.accounts.id, idOf(account.href)))
    expectRefused(await attempt(app, 'window@example.com', WRONG), 400, 7100)
    expect((await storedAccount(account.href)).failedLoginAttempts).toBe(1)
    expect((await attempt(app, 'window@example.com', PASSWORD)).status).toBe(200)

    // The same after a full lock has expired: one typo does not lock again at once.
    for (let i = 0; i < 3; i++) await attempt(app, 'window@example.com', WRONG)
    expectRefused(await attempt(app, 'window@example.com', PASSWORD), 400, 7103)
    await target.db
      .update(schema.accounts)
      .set({ lastLoginAttemptAt: new Date(Date.now() - 16 * MINUTE) })
      .where(eq(schema.accounts.id, idOf(account.href)))
    expectRefused(await attempt(app, 'window@example.com', WRONG), 400, 7100)
    expect((await attempt(app, 'window@example.com', PASSWORD)).status).toBe(200)
  })

  test('lockout follows the directory policy: 1 attempt, and 0 disables locking', async () => {
    const { app, directory } = await appWithAccount('strict@example.com')
    const policyHref = `/v1/accountLockingPolicies/${idOf(directory.href)}`
    const updated = await api('POST', policyHref, {
      maxFailedLoginAttempts: 1,
      accountLockDuration: 'PT1H',
    })
    expect(updated.body).toMatchObject({ maxFailedLoginAttempts: 1, accountLockDuration: 'PT1H' })
    expectRefused(await attempt(app, 'strict@example.com', WRONG), 400, 7100)
    expectRefused(await attempt(app, 'strict@example.com', PASSWORD), 400, 7103)

    await api('POST', policyHref, { maxFailedLoginAttempts: 0 })
    for (let i = 0; i < 4; i++) await attempt(app, 'strict@example.com', WRONG)
    expect((await attempt(app, 'strict@example.com', PASSWORD)).status).toBe(200)
  })

  test('rate limit: more than 10 attempts per login in 5 minutes → 429 with Retry-After', async () => {
    const { app, directory } = await appWithAccount('busy@example.com')
    const tenant = (await target.db
      .select()
      .from(schema.tenants)
      .where(eq(schema.tenants.nameKey, admin.tenantKey))
      .get())!
    const key = `login:account:${tenant.id}:busy@example.com`
    // Variants of the same login share one budget.
    const logins = ['busy@example.com', 'BUSY@example.com', ' busy@example.com ']
    for (let i = 0; i < 10; i++) {
      const reply = await attempt(app, logins[i % logins.length]!, i === 9 ? PASSWORD : 'Nope')
      expect(reply.status).not.toBe(429)
    }
    const limited = await attempt(app, 'busy@example.com', PASSWORD)
    expect(limited.status).toBe(429)
    expect(limited.body.code).toBe(429)
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(300)
    const row = await target.db
      .select()
      .from(schema.rateLimits)
      .where(eq(schema.rateLimits.key, key))
      .get()
    expect(row?.count).toBe(11)
    // Another login is not affected.
    await newAccount(directory, 'calm@example.com')
    expect((await attempt(app, 'calm@example.com', PASSWORD)).status).toBe(200)
  })

  test('rate limit: counters live in the database, so they hold across instances', async () => {
    const { app } = await appWithAccount('shared@example.com')
    const tenant = (await target.db
      .select()
      .from(schema.tenants)
      .where(eq(schema.tenants.nameKey, admin.tenantKey))
      .get())!
    const key = `login:account:${tenant.id}:shared@example.com`
    // As if other instances had already counted ten attempts in this window.
    await target.db.insert(schema.rateLimits).values({ key, windowStart: Date.now(), count: 10 })
    const limited = await attempt(app, 'shared@example.com', PASSWORD)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBeTruthy()
    // A window that has ended starts again.
    await target.db
      .update(schema.rateLimits)
      .set({ windowStart: Date.now() - 6 * MINUTE })
      .where(eq(schema.rateLimits.key, key))
    expect((await attempt(app, 'shared@example.com', PASSWORD)).status).toBe(200)
    const row = await target.db
      .select()
      .from(schema.rateLimits)
      .where(eq(schema.rateLimits.key, key))
      .get()
    expect(row?.count).toBe(1)
  })

  test('import: a bcrypt hash created with ?passwordFormat=mcf logs in and is rehashed to argon2id', async () => {
    const app = await newApplication()
    const directory = await newDirectory()
    await map(app, directory)
    const hash = bcrypt.hashSync('Imported-pass-1', 4)
    const imported = await create(`${directory.href}/accounts?passwordFormat=mcf`, {
      email: 'imported@example.com',
      password: hash,
    })
    expect((await storedAccount(imported.href)).passwordHash).toBe(hash)
    expectRefused(await attempt(app, 'imported@example.com', 'imported-pass-1'), 400, 7100)
    expect((await storedAccount(imported.href)).passwordHash).toBe(hash)

    expect((await attempt(app, 'imported@example.com', 'Imported-pass-1')).status).toBe(200)
    const rehashed = (await storedAccount(imported.href)).passwordHash!
    expect(rehashed).toStartWith('$argon2id$')
    expect((await attempt(app, 'imported@example.com', 'Imported-pass-1')).status).toBe(200)
    expect((await storedAccount(imported.href)).passwordHash).toBe(rehashed)

    // Stormpath's own export format, too (stormpath-api reference §11.2 known answer).
    const legacy = await create(`${directory.href}/accounts?passwordFormat=mcf`, {
      email: 'monkey@example.com',
      password: '$stormpath2$MD5$1$$0HY+2qnZvSqVFigOkETYhQ==',
    })
    expect((await attempt(app, 'monkey@example.com', 'monkey')).status).toBe(200)
    expect((await storedAccount(legacy.href)).passwordHash).toStartWith('$argon2id$')
  })

  test("tenant isolation: another tenant's accounts and stores are out of reach", async () => {
    const { app } = await appWithAccount('mine@example.com')
    const theirs = (await asOther('POST', '/v1/applications?createDirectory=true', { name: 'T' }))
      .body
    await asOther('POST', `${theirs.href}/accounts`, {
      email: 'theirs@example.com',
      password: PASSWORD,
    })
    expectRefused(await attempt(app, 'theirs@example.com', PASSWORD), 400, 7100)
    expect((await attempt(theirs, 'mine@example.com', PASSWORD)).status).toBe(404)
    const login = await asOther('POST', `${theirs.href}/loginAttempts`, {
      type: 'basic',
      value: basicValue('theirs@example.com', PASSWORD),
    })
    expect(login.status).toBe(200)
  })

  test('hostile input gets a 4xx, never a 5xx, and counts nothing', async () => {
    const { app, directory, account } = await appWithAccount('target@example.com')
    const rateRows = async () =>
      (await target.db.select({ n: count() }).from(schema.rateLimits).get())!.n
    const before = await rateRows()
    const good = basicValue('target@example.com', WRONG)
    const dirPath = new URL(directory.href).pathname
    let deep: unknown = 'x'
    for (let i = 0; i < 1000; i++) deep = { href: deep }
    const bodies: unknown[] = [
      {},
      { type: 'basic' },
      { value: good },
      { type: 'digest', value: good },
      { type: 'basic', value: 42 },
      { type: 'basic', value: [good] },
      { type: 'basic', value: '' },
      { type: 'basic', value: '%%%not base64%%%' },
      { type: 'basic', value: btoa('no colon at all') },
      { type: 'basic', value: btoa(':password-without-login') },
      { type: 'basic', value: base64(new Uint8Array([0xff, 0xfe, 0x3a, 0x41])) }, // not UTF-8
      { type: 'basic', value: 'A'.repeat(10_240) },
      { type: 'basic', value: good, accountStore: 'a string' },
      { type: 'basic', value: good, accountStore: 42 },
      { type: 'basic', value: good, accountStore: [{ href: directory.href }] },
      { type: 'basic', value: good, accountStore: { href: dirPath.slice(1) } },
      { type: 'basic', value: good, accountStore: { href: `https://evil.example${dirPath}` } },
      { type: 'basic', value: good, accountStore: { href: account.href } },
      { type: 'basic', value: good, accountStore: { href: app.href } },
      { type: 'basic', value: good, accountStore: { href: 'h'.repeat(10_240) } },
      { type: 'basic', value: good, accountStore: { nameKey: 42 } },
      { type: 'basic', value: good, accountStore: deep },
      '{"type": "basic", "value": ',
      '["basic"]',
    ]
    for (const body of bodies) {
      const reply = await api('POST', `${app.href}/loginAttempts`, body)
      expect({ body, status: reply.status }).toEqual({ body, status: 400 })
      expect(reply.body.code).not.toBe(7100)
    }
    const huge = await api(
      'POST',
      `${app.href}/loginAttempts`,
      `{"type":"basic","value":"${'A'.repeat(10 * 1024 * 1024)}"}`,
    )
    expect(huge.status).toBe(413)
    expect((await storedAccount(account.href)).failedLoginAttempts).toBe(0)
    expect(await rateRows()).toBe(before)
  })
})
