import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL } from '../harness/targets'
import {
  apiClient,
  countRows,
  deeplyNested,
  expectClientError,
  expectError,
  OVERSIZED_BODY,
  type Json,
} from './api-client'

const PASSWORD = 'Correct-horse-7'

/** `$stormpath2$` known answers (stormpath-api reference §11.2). */
const STORMPATH2_VECTORS: [password: string, mcf: string][] = [
  [
    '123456',
    '$stormpath2$MD5$1$OWI3OTQwYjEwODEwOTdkNTcwZDY5NjQ2ZDNlNmZjNzM=$ULWTW74NXPyLYj3VfYHWrg==',
  ],
  [
    'password',
    '$stormpath2$MD5$1$NzEyN2ZhYzdkZTAyMjJlMGQyMWYxMWRmZmY2YjA1MWI=$K18Ak0YikAFrqgglhIaY5g==',
  ],
  [
    'qwerty',
    '$stormpath2$MD5$1$OGYyMmM5YzVlMDEwODEwZTg3MzM4ZTA2YjljZjMxYmE=$EuFAr2NTM83PrizVAYuOvw==',
  ],
  ['monkey', '$stormpath2$MD5$1$$0HY+2qnZvSqVFigOkETYhQ=='],
  [
    'testing12',
    '$stormpath2$SHA-512$1$ZFhBRmpFSnEwVEx2ekhKS0JTMDJBNTNmcg==$Q+sGFg9e+pe9QsUdfnbJUMDtrQNf27ezTnnGllBVkQpMRc9bqH6WkyE3y0svD/7cBk8uJW9Wb3dolWwDtDLFjg==',
  ],
]

describeTargets('accounts', (target) => {
  let admin: Admin
  let other: Admin
  let directory: Json
  const api = apiClient(target, () => admin)
  const otherApi = apiClient(target, () => other)
  let serial = 0
  const uniqueEmail = (prefix = 'user') => `${prefix}-${++serial}@example.com`
  const accountsOf = (dir: Json) => `${dir.href}/accounts`
  const createAccount = async (fields: Json = {}, dir = directory) => {
    const response = await api.post(accountsOf(dir), {
      email: uniqueEmail(),
      password: PASSWORD,
      ...fields,
    })
    expect(response.status).toBe(201)
    return response.body
  }
  const accountRow = async (href: string) =>
    target.db
      .select()
      .from(schema.accounts)
      .where(eq(schema.accounts.id, href.split('/').pop()!))
      .get()
  const accountCount = () => countRows(target, schema.accounts)

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'accounts-a')
    other = await bootstrapAdmin(target.request, 'accounts-b')
    directory = (await api.post('/v1/directories', { name: 'People' })).body
  })

  describe('create', () => {
    test('answers 201 with Location and the account as reference §7 describes it', async () => {
      const response = await api.post(accountsOf(directory), {
        email: '  Grace.Hopper@Example.COM ',
        password: PASSWORD,
        givenName: 'Grace',
        middleName: 'Brewster',
        surname: 'Hopper',
      })
      expect(response.status).toBe(201)
      const account = response.body
      expect(response.headers.get('location')).toBe(account.href)
      expect(account.href).toStartWith(`${TEST_BASE_URL}/v1/accounts/`)
      expect(account).toMatchObject({
        email: 'grace.hopper@example.com',
        username: 'grace.hopper@example.com',
        fullName: 'Grace Brewster Hopper',
        status: 'ENABLED',
        emailVerificationStatus: 'UNKNOWN',
        directory: { href: directory.href },
        tenant: { href: directory.tenant.href },
        customData: { href: `${account.href}/customData` },
        groups: { href: `${account.href}/groups` },
        groupMemberships: { href: `${account.href}/groupMemberships` },
        applications: { href: `${account.href}/applications` },
        apiKeys: { href: `${account.href}/apiKeys` },
      })
      expect(Date.parse(account.createdAt)).toBeGreaterThan(0)
      expect(account.modifiedAt).toBe(account.createdAt)
      expect(account.passwordModifiedAt).toBeString()
    })

    test('never shows the password, its hash or raw foreign keys', async () => {
      const account = await createAccount()
      const text = JSON.stringify(account)
      for (const hidden of ['password"', 'passwordHash', 'directoryId', 'tenantId', PASSWORD]) {
        expect(text).not.toContain(hidden)
      }
      expect(text).not.toContain('$argon2id$')
    })

    test('fullName joins only the non-empty name parts, with one space', async () => {
      expect((await createAccount({ givenName: 'Ada', surname: 'Lovelace' })).fullName).toBe(
        'Ada Lovelace',
      )
      expect((await createAccount({ surname: 'Turing' })).fullName).toBe('Turing')
      expect((await createAccount()).fullName).toBe('')
    })

    test('keeps an explicit username and embedded customData, ignoring reserved names', async () => {
      const account = await createAccount({
        username: 'Nickname',
        customData: { level: 3, href: 'https://evil.example/x', createdAt: 'yesterday' },
      })
      expect(account.username).toBe('Nickname')
      const customData = (await api.get(account.customData.href)).body
      expect(customData).toMatchObject({ href: account.customData.href, level: 3 })
      expect(customData.createdAt).toBe(account.createdAt)
    })

    test('ignores unknown and read-only fields (href, createdAt, fullName, tenant)', async () => {
      const account = await createAccount({
        href: `${TEST_BASE_URL}/v1/accounts/chosen-id`,
        id: 'chosen-id',
        createdAt: '2001-01-01T00:00:00.000Z',
        fullName: 'Not Computed',
        tenant: { href: other.accountHref },
        directory: { href: 'elsewhere' },
        emailVerificationStatus: 'VERIFIED',
        passwordHash: '$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234',
        favouriteColour: 'blue',
      })
      expect(account.href).not.toContain('chosen-id')
      expect(account.createdAt).not.toStartWith('2001')
      expect(account.fullName).toBe('')
      expect(account.tenant.href).toBe(directory.tenant.href)
      expect(account.directory.href).toBe(directory.href)
      expect(account.emailVerificationStatus).toBe('UNKNOWN')
      expect(account).not.toHaveProperty('favouriteColour')
    })

    test('the same email may live in two directories', async () => {
      const email = uniqueEmail('twice')
      await createAccount({ email })
      const elsewhere = (await api.post('/v1/directories', { name: 'Elsewhere' })).body
      expect((await createAccount({ email }, elsewhere)).email).toBe(email)
    })
  })

  describe('create: validation names the field', () => {
    const refused = async (fields: Json, status: number, code: number, field: string) => {
      const before = await accountCount()
      const response = await api.post(accountsOf(directory), fields)
      expectError(response, status, code, field)
      expect(await accountCount()).toBe(before)
    }

    test('email and password are required (2000)', async () => {
      await refused({ password: PASSWORD }, 400, 2000, 'email')
      await refused({ email: uniqueEmail() }, 400, 2000, 'password')
      await refused({ email: '', password: PASSWORD }, 400, 2000, 'email')
      await refused({ email: null, password: PASSWORD }, 400, 2000, 'email')
    })

    test('too long values (2008)', async () => {
      const email = `${'a'.repeat(250)}@example.com`
      await refused({ email, password: PASSWORD }, 400, 2008, 'email')
      for (const field of ['givenName', 'middleName', 'surname', 'username']) {
        await refused(
          { email: uniqueEmail(), password: PASSWORD, [field]: 'x'.repeat(256) },
          400,
          2008,
          field,
        )
      }
    })

    test('numbers, arrays and objects where strings belong (2004)', async () => {
      for (const [field, value] of [
        ['email', 42],
        ['password', 12345678],
        ['givenName', ['Ada']],
        ['surname', { text: 'Lovelace' }],
        ['username', true],
        ['customData', 'level=3'],
      ] as const) {
        await refused(
          { email: uniqueEmail(), password: PASSWORD, [field]: value },
          400,
          2004,
          field,
        )
      }
    })

    test('invalid values (2002): a malformed email, an unknown status, an array as customData', async () => {
      await refused({ email: 'not-an-email', password: PASSWORD }, 400, 2002, 'email')
      await refused({ email: 'a b@example.com', password: PASSWORD }, 400, 2002, 'email')
      await refused(
        { email: uniqueEmail(), password: PASSWORD, status: 'ACTIVE' },
        400,
        2002,
        'status',
      )
      await refused(
        { email: uniqueEmail(), password: PASSWORD, customData: [1, 2] },
        400,
        2002,
        'customData',
      )
    })

    test('a duplicate email in the directory, in any case, is 409/2001 naming email', async () => {
      const email = uniqueEmail('dup')
      await createAccount({ email })
      await refused({ email: email.toUpperCase(), password: PASSWORD }, 409, 2001, 'email')
      // Also when the username is explicit, so only the email collides.
      await refused({ email, username: 'someone-else', password: PASSWORD }, 409, 2001, 'email')
    })

    test('a duplicate username, case-insensitively, is 409/2001 naming username', async () => {
      await createAccount({ username: 'Unique-Name' })
      await refused(
        { email: uniqueEmail(), username: 'unique-NAME', password: PASSWORD },
        409,
        2001,
        'username',
      )
    })

    test('the directory password policy: min length 2007, max length 2008, character classes 400', async () => {
      await refused({ email: uniqueEmail(), password: 'Sh0rt' }, 400, 2007, 'password')
      await refused(
        { email: uniqueEmail(), password: `Aa1${'x'.repeat(98)}` },
        400,
        2008,
        'password',
      )
      await refused({ email: uniqueEmail(), password: 'no-upper-case-1' }, 400, 400, 'password')
      await refused({ email: uniqueEmail(), password: 'NO-LOWER-CASE-1' }, 400, 400, 'password')
      await refused({ email: uniqueEmail(), password: 'No-Digits-Here' }, 400, 400, 'password')
    })

    test('a blank username is too short (2007) rather than an empty login', async () => {
      await refused(
        { email: uniqueEmail(), password: PASSWORD, username: '' },
        400,
        2007,
        'username',
      )
      await refused(
        { email: uniqueEmail(), password: PASSWORD, username: ' \t ' },
        400,
        2007,
        'username',
      )
    })

    test('registrationWorkflowEnabled must be true or false (2103)', async () => {
      const response = await api.post(`${accountsOf(directory)}?registrationWorkflowEnabled=yes`, {
        email: uniqueEmail(),
        password: PASSWORD,
      })
      expectError(response, 400, 2103, 'registrationWorkflowEnabled')
    })

    test('an unknown passwordFormat is refused with 2103', async () => {
      const response = await api.post(`${accountsOf(directory)}?passwordFormat=sha1`, {
        email: uniqueEmail(),
        password: PASSWORD,
      })
      expectError(response, 400, 2103, 'passwordFormat')
    })
  })

  describe('through an application with ?createDirectory=true: imported hashes and logins', () => {
    let application: Json
    /** The directory `?createDirectory=true` made for `application`: logins go through it. */
    let appDirectory: Json
    const login = (email: string, password: string) =>
      api.post(`${application.href}/loginAttempts`, {
        type: 'basic',
        value: btoa(`${email}:${password}`),
      })

    beforeAll(async () => {
      const created = await api.post('/v1/applications?createDirectory=true', { name: 'Shop' })
      expect(created.status).toBe(201)
      application = created.body
      const mapping = (await api.get(application.defaultAccountStoreMapping.href)).body
      appDirectory = (await api.get(mapping.accountStore.href)).body
    })

    const importThenLogin = async (password: string, mcf: string) => {
      const email = uniqueEmail('imported')
      const response = await api.post(`${accountsOf(appDirectory)}?passwordFormat=mcf`, {
        email,
        password: mcf,
      })
      expect(response.status).toBe(201)
      expect((await accountRow(response.body.href))!.passwordHash).toBe(mcf)
      expect((await login(email, `${password}-wrong`)).body.code).toBe(7100)
      const success = await login(email, password)
      expect(success.status).toBe(200)
      expect(success.body.account.href).toBe(response.body.href)
      expect((await accountRow(response.body.href))!.passwordHash).toStartWith('$argon2id$')
      // The rehashed password still logs in.
      expect((await login(email, password)).status).toBe(200)
    }

    test('accepts a bcrypt hash ($2a$, $2b$, $2y$), logs in and rehashes it to argon2id', async () => {
      const bcrypt = Bun.password.hashSync('weak', { algorithm: 'bcrypt', cost: 4 })
      expect(bcrypt).toStartWith('$2b$04$')
      for (const prefix of ['$2a$', '$2b$', '$2y$']) {
        await importThenLogin('weak', `${prefix}${bcrypt.slice(4)}`)
      }
    })

    test.each(STORMPATH2_VECTORS)(
      'accepts the $stormpath2$ hash of %p, logs in and rehashes it',
      async (password, mcf) => {
        await importThenLogin(password, mcf)
      },
    )

    test('refuses a plain password, or an argon2 string, with passwordFormat=mcf (2002)', async () => {
      for (const password of [PASSWORD, '$argon2id$v=19$m=1000000,t=100,p=1$c2FsdA$aGFzaA']) {
        const before = await accountCount()
        const response = await api.post(`${accountsOf(appDirectory)}?passwordFormat=mcf`, {
          email: uniqueEmail(),
          password,
        })
        expectError(response, 400, 2002, 'password')
        expect(await accountCount()).toBe(before)
      }
    })

    test('an account update checks the new password against the policy, then it logs in', async () => {
      const account = await createAccount({}, appDirectory)
      expectError(await api.post(account.href, { password: 'short' }), 400, 2007, 'password')
      expect((await api.post(account.href, { password: 'Another-pass-9' })).status).toBe(200)
      expect((await login(account.email, 'Another-pass-9')).status).toBe(200)
    })

    test('applications lists the applications whose stores hold the account', async () => {
      const account = await createAccount({}, appDirectory)
      const applications = (await api.get(account.applications.href)).body
      expect(applications.size).toBe(1)
      expect(applications.items[0]).toMatchObject({ href: application.href, name: 'Shop' })
      const unmapped = await createAccount()
      expect((await api.get(unmapped.applications.href)).body).toMatchObject({
        size: 0,
        items: [],
      })
    })
  })

  describe('read, update, delete', () => {
    test('reads an account, expanding customData and directory', async () => {
      const account = await createAccount({ customData: { plan: 'gold' } })
      const response = await api.get(`${account.href}?expand=customData,directory`)
      expect(response.status).toBe(200)
      expect(response.body.customData).toMatchObject({
        href: `${account.href}/customData`,
        plan: 'gold',
      })
      expect(response.body.directory).toMatchObject({ href: directory.href, name: 'People' })
      // Expansion leaves the other links alone.
      expect(response.body.tenant).toEqual({ href: directory.tenant.href })
    })

    test('accepts and ignores ?nocache=true', async () => {
      const account = await createAccount()
      expect((await api.get(`${account.href}?nocache=true`)).body.href).toBe(account.href)
    })

    test('updates partially: 200, the full account, a later modifiedAt', async () => {
      const account = await createAccount({ givenName: 'Old', surname: 'Name' })
      await Bun.sleep(5)
      const response = await api.post(account.href, {
        givenName: 'New',
        email: 'Renamed@Example.com',
      })
      expect(response.status).toBe(200)
      expect(response.body).toMatchObject({
        href: account.href,
        givenName: 'New',
        surname: 'Name',
        fullName: 'New Name',
        email: 'renamed@example.com',
        createdAt: account.createdAt,
      })
      expect(response.body.modifiedAt > account.modifiedAt).toBe(true)
      expect((await api.get(account.href)).body.givenName).toBe('New')
    })

    test('an update posting the whole resource back, as the SDK save() does, changes only writable fields', async () => {
      const account = (await api.get(`${(await createAccount()).href}?expand=customData`)).body
      const response = await api.post(account.href, {
        ...account,
        surname: 'Saved',
        fullName: 'Ignored',
        createdAt: '1999-01-01T00:00:00.000Z',
        customData: { ...account.customData, colour: 'red' },
      })
      expect(response.status).toBe(200)
      expect(response.body).toMatchObject({
        surname: 'Saved',
        fullName: 'Saved',
        createdAt: account.createdAt,
      })
      expect((await api.get(account.customData.href)).body.colour).toBe('red')
    })

    test('an update to an email or username taken in the directory is 409/2001', async () => {
      const first = await createAccount({ username: 'first-user' })
      const second = await createAccount()
      expectError(
        await api.post(second.href, { email: first.email.toUpperCase() }),
        409,
        2001,
        'email',
      )
      expectError(await api.post(second.href, { username: 'FIRST-USER' }), 409, 2001, 'username')
      expect((await api.get(second.href)).body).toMatchObject({
        email: second.email,
        username: second.username,
      })
    })

    test('an update refuses wrong types and values, and changes nothing', async () => {
      const account = await createAccount({ givenName: 'Kept' })
      for (const [body, code, field] of [
        [{ givenName: 7 }, 2004, 'givenName'],
        [{ givenName: 'x'.repeat(256) }, 2008, 'givenName'],
        [{ status: 'LOCKED' }, 2002, 'status'],
        [{ email: 'nope' }, 2002, 'email'],
        [{ username: '' }, 2007, 'username'],
        [{ username: '   ' }, 2007, 'username'],
        [{ customData: { 'bad name': 1 } }, 3002, 'bad name'],
      ] as const) {
        expectError(await api.post(account.href, body), 400, code, field)
      }
      expect((await api.get(account.href)).body).toMatchObject({
        givenName: 'Kept',
        modifiedAt: account.modifiedAt,
      })
    })

    test('deleting an account answers 204 and removes its API keys and group memberships', async () => {
      const account = await createAccount()
      const group = (await api.post(`${directory.href}/groups`, { name: 'Deleted members' })).body
      const membership = await api.post('/v1/groupMemberships', {
        account: { href: account.href },
        group: { href: group.href },
      })
      expect(membership.status).toBe(201)
      expect((await api.post(`${account.href}/apiKeys`)).status).toBe(201)
      const id = account.href.split('/').pop()!
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.accountId, id))).toBe(1)

      const response = await api.delete(account.href)
      expect(response.status).toBe(204)
      expect((await api.get(account.href)).status).toBe(404)
      expect(await countRows(target, schema.accounts, eq(schema.accounts.id, id))).toBe(0)
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.accountId, id))).toBe(0)
      expect(
        await countRows(target, schema.groupMemberships, eq(schema.groupMemberships.accountId, id)),
      ).toBe(0)
      expect((await api.get(group.href)).status).toBe(200)
      expect((await api.delete(account.href)).status).toBe(404)
    })

    test('POST ?_method=DELETE deletes', async () => {
      const account = await createAccount()
      expect((await api.post(`${account.href}?_method=DELETE`)).status).toBe(204)
      expect((await api.get(account.href)).status).toBe(404)
    })

    test('the tenant owner cannot be deleted (4001) nor change status (4002)', async () => {
      expectError(await api.delete(admin.accountHref), 400, 4001)
      expectError(await api.post(admin.accountHref, { status: 'DISABLED' }), 400, 4002, 'status')
      const owner = (await api.get(admin.accountHref)).body
      expect(owner.status).toBe('ENABLED')
      // Saving the owner with its unchanged status is fine (the SDK posts every field).
      expect((await api.post(admin.accountHref, { ...owner, givenName: 'Ada' })).status).toBe(200)
      expect(
        (await target.request('/v1/tenants/current', { headers: { authorization: admin.basic } }))
          .status,
      ).toBe(302)
    })

    test('an unknown or absurd account id is 404', async () => {
      for (const id of ['nope', 'x'.repeat(65), 'x'.repeat(5000), '%00', '..%2F..%2Ftenants']) {
        const response = await api.get(`/v1/accounts/${id}`)
        expect(response.status).toBe(404)
      }
    })

    test('other methods are 405 with Allow', async () => {
      const account = await createAccount()
      const response = await api.raw(account.href, { method: 'PUT' })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toContain('POST')
    })
  })

  describe('GET /accounts/current', () => {
    test("redirects an API key's caller to its own account", async () => {
      const response = await api.raw('/v1/accounts/current')
      expect(response.status).toBe(302)
      expect(response.headers.get('location')).toBe(admin.accountHref)
      const otherResponse = await otherApi.raw('/v1/accounts/current')
      expect(otherResponse.headers.get('location')).toBe(other.accountHref)
    })

    test('needs authentication', async () => {
      expect((await target.request('/v1/accounts/current')).status).toBe(401)
    })
  })

  describe("an account's collections", () => {
    test('groups and groupMemberships list the groups the account belongs to', async () => {
      const account = await createAccount()
      const group = (await api.post(`${directory.href}/groups`, { name: 'Readers' })).body
      await api.post('/v1/groupMemberships', {
        account: { href: account.href },
        group: { href: group.href },
      })
      const groups = (await api.get(account.groups.href)).body
      expect(groups).toMatchObject({ href: account.groups.href, offset: 0, limit: 25, size: 1 })
      expect(groups.items[0]).toMatchObject({ href: group.href, name: 'Readers' })
      const memberships = (await api.get(`${account.groupMemberships.href}?expand=group`)).body
      expect(memberships.size).toBe(1)
      expect(memberships.items[0]).toMatchObject({
        account: { href: account.href },
        group: { href: group.href, name: 'Readers' },
      })
    })

    test('the collections refuse bad queries with 400, not 500', async () => {
      const account = await createAccount()
      for (const query of ['expand=nope', 'orderBy=password', 'limit=x', 'secret=1']) {
        expectClientError(await api.get(`${account.groups.href}?${query}`))
      }
    })
  })

  describe('the directory accounts collection', () => {
    let people: Json
    const list = async (query: string) => {
      const response = await api.get(`${accountsOf(people)}?${query}`)
      expect(response.status).toBe(200)
      return response.body
    }
    const emails = (collection: Json) => collection.items.map((item: Json) => item.email)

    beforeAll(async () => {
      people = (await api.post('/v1/directories', { name: 'Searchable people' })).body
      for (const [email, givenName, level] of [
        ['alice@example.com', 'Alice', 7],
        ['bob@example.com', 'Bob', 3],
        ['carol@example.org', 'Carol', 7],
        ['dave@example.com', 'Dave', '7'],
      ] as const) {
        await createAccount({ email, givenName, customData: { level } }, people)
      }
    })

    test('pages: limit=1000 echoes 100, limit=0 echoes 1, offset skips', async () => {
      expect(await list('limit=1000')).toMatchObject({ limit: 100, size: 4 })
      const first = await list('limit=0')
      expect(first).toMatchObject({ offset: 0, limit: 1, size: 4, href: accountsOf(people) })
      expect(first.items).toHaveLength(1)
      const rest = await list('offset=1&limit=2')
      expect(rest).toMatchObject({ offset: 1, limit: 2 })
      expect(emails(rest)).toEqual(['bob@example.com', 'carol@example.org'])
      expect((await list('offset=-5')).offset).toBe(0)
    })

    test('q searches the text attributes, case-insensitively', async () => {
      expect(emails(await list('q=ALI'))).toEqual(['alice@example.com'])
      expect(emails(await list('q=example.org'))).toEqual(['carol@example.org'])
    })

    test('attribute search: email=*@example.com, with orderBy=email desc', async () => {
      expect(emails(await list('email=*@example.com&orderBy=email%20desc'))).toEqual([
        'dave@example.com',
        'bob@example.com',
        'alice@example.com',
      ])
      expect(emails(await list('givenName=carol'))).toEqual(['carol@example.org'])
    })

    test('date range: createdAt=[2000,] matches all, createdAt=[2000,2001) none', async () => {
      expect((await list('createdAt=[2000,]')).size).toBe(4)
      expect((await list('createdAt=[2000,2001)')).size).toBe(0)
    })

    test('customData.level=7 matches the number 7 and the text "7"', async () => {
      expect(emails(await list('customData.level=7&orderBy=email'))).toEqual([
        'alice@example.com',
        'carol@example.org',
        'dave@example.com',
      ])
      expect(emails(await list('customData.level=[5,]'))).toEqual([
        'alice@example.com',
        'carol@example.org',
      ])
    })

    test('expand=customData,directory expands every item', async () => {
      const collection = await list('expand=customData,directory&limit=2')
      for (const item of collection.items) {
        expect(item.customData).toMatchObject({ href: `${item.href}/customData` })
        expect(item.customData.level).toBeDefined()
        expect(item.directory).toMatchObject({ href: people.href, name: 'Searchable people' })
      }
    })

    test('bad expand, orderBy and search syntax are 400 with the Stormpath query codes', async () => {
      const cases: [string, number][] = [
        ['expand=nope', 2107],
        ['expand=groups(offset:x)', 2103],
        ['expand=groups(offset:1', 2100],
        ['expand=directory.tenant', 2107],
        ['orderBy=email%20sideways', 2104],
        ['orderBy=password', 2106],
        ['orderBy=', 2104],
        ['createdAt=[2016,2015]', 2108],
        ['createdAt=[2015', 2103],
        ['createdAt=yesterday', 2103],
        ['password=secret', 2105],
        ['email=', 2103],
        ['limit=ten', 2103],
        ['customData.=x', 2105],
        ["customData.a'b=x", 2105],
        ['email=a&email=b', 2100],
      ]
      for (const [query, code] of cases) {
        const response = await api.get(`${accountsOf(people)}?${query}`)
        expectClientError(response)
        expect({ query, code: response.body.code }).toEqual({ query, code })
      }
    })
  })

  describe('hostile input: a 4xx, never a 5xx, and nothing written', () => {
    test('a body over 10 MiB is refused with 413', async () => {
      const before = await accountCount()
      const create = await api.raw(accountsOf(directory), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: OVERSIZED_BODY,
      })
      expect(create.status).toBe(413)
      const account = await createAccount()
      const update = await api.raw(account.href, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: OVERSIZED_BODY,
      })
      expect(update.status).toBe(413)
      expect(await accountCount()).toBe(before + 1)
      expect((await api.get(account.href)).body.modifiedAt).toBe(account.modifiedAt)
    })

    test('JSON nested 1000 deep is refused', async () => {
      const before = await accountCount()
      const body = `{"email":"deep@example.com","password":"${PASSWORD}","customData":${deeplyNested(1000)}}`
      expectError(await api.post(accountsOf(directory), body), 400, 400)
      expect(await accountCount()).toBe(before)
    })

    test('malformed JSON, a JSON array and a non-JSON content type are refused', async () => {
      const before = await accountCount()
      expectError(await api.post(accountsOf(directory), '{"email": '), 400, 400)
      expectError(await api.post(accountsOf(directory), '[1,2]'), 400, 400)
      const form = await api.raw(accountsOf(directory), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=a@example.com&password=x',
      })
      expect(form.status).toBe(415)
      expect(await accountCount()).toBe(before)
    })

    test('bad expand on a single account: expand=nope is 2107, expand=groups(offset:x) is 2103', async () => {
      const account = await createAccount()
      expectError(await api.get(`${account.href}?expand=nope`), 400, 2107)
      expectError(await api.get(`${account.href}?expand=groups(offset:x)`), 400, 2103)
      expectError(await api.get(`${account.href}?expand=__proto__`), 400, 2107)
    })
  })

  describe('tenant isolation', () => {
    test("tenant isolation: another tenant's admin cannot read an account or its collections (404)", async () => {
      const account = await createAccount()
      for (const path of [
        account.href,
        `${account.href}?expand=customData`,
        account.groups.href,
        account.groupMemberships.href,
        account.applications.href,
        account.apiKeys.href,
        account.customData.href,
      ]) {
        expectError(await otherApi.get(path), 404, 404)
      }
    })

    test("tenant isolation: another tenant's admin cannot update or delete an account (404, nothing changed)", async () => {
      const account = await createAccount({ givenName: 'Victim' })
      expectError(
        await otherApi.post(account.href, { givenName: 'Owned', status: 'DISABLED' }),
        404,
        404,
      )
      expectError(await otherApi.post(`${account.href}/apiKeys`), 404, 404)
      expectError(await otherApi.delete(account.href), 404, 404)
      expectError(await otherApi.post(`${account.href}?_method=DELETE`), 404, 404)
      expect((await api.get(account.href)).body).toMatchObject({
        givenName: 'Victim',
        status: 'ENABLED',
        modifiedAt: account.modifiedAt,
      })
      const id = account.href.split('/').pop()!
      expect(await countRows(target, schema.apiKeys, eq(schema.apiKeys.accountId, id))).toBe(0)
    })

    test("tenant isolation: another tenant's admin cannot create accounts in a directory or list it (404)", async () => {
      const before = await accountCount()
      expectError(
        await otherApi.post(accountsOf(directory), { email: uniqueEmail(), password: PASSWORD }),
        404,
        404,
      )
      expectError(await otherApi.get(accountsOf(directory)), 404, 404)
      expect(await accountCount()).toBe(before)
    })

    test("tenant isolation: another tenant's owner is not reachable through accounts/current", async () => {
      const response = await otherApi.raw('/v1/accounts/current')
      expect(response.headers.get('location')).not.toBe(admin.accountHref)
      expectError(await otherApi.get(admin.accountHref), 404, 404)
    })
  })
})
