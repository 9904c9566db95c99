import { beforeEach, describe, expect, test } from 'bun:test'
import { count } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { describeTargets, TEST_BASE_URL, type Target } from '../harness/targets'

const PASSWORD = 'Owner-pass-1234'

type Fields = Record<string, string>

const form = (fields: Fields): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
})

const asJson = (fields: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(fields),
})

function registration(tenantNameKey: string, extra: Fields = {}): Fields {
  return {
    tenantNameKey,
    email: `owner@${tenantNameKey.toLowerCase()}.example.com`,
    givenName: 'Olga',
    surname: 'Owner',
    password: PASSWORD,
    ...extra,
  }
}

async function expectError(
  response: Response,
  status: number,
  code: number,
): Promise<{ message: string; developerMessage: string }> {
  expect(response.status).toBe(status)
  expect(response.headers.get('stormpath-request-id')).toBeString()
  const body = (await response.json()) as { message: string; developerMessage: string }
  expect(body).toMatchObject({ status, code, moreInfo: `${TEST_BASE_URL}/errors/${code}` })
  return body
}

/** Rows a registration writes; a failed one must leave every count as it was. */
async function rowCounts(target: Target): Promise<Record<string, number>> {
  const tables = {
    tenants: schema.tenants,
    directories: schema.directories,
    directoryPolicies: schema.directoryPolicies,
    applications: schema.applications,
    accountStoreMappings: schema.accountStoreMappings,
    accounts: schema.accounts,
  }
  const counts: Record<string, number> = {}
  for (const [name, table] of Object.entries(tables)) {
    counts[name] = (await target.db.select({ n: count() }).from(table).get())!.n
  }
  return counts
}

/** An API client for one tenant's owner: logs in, makes a key, then uses Basic. */
async function ownerClient(target: Target, tenantNameKey: string, email: string) {
  const login = await target.request('/login', form({ tenantNameKey, email, password: PASSWORD }))
  expect(login.status).toBe(204)
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!
  const current = await target.request('/v1/accounts/current', { headers: { cookie } })
  expect(current.status).toBe(302)
  const accountPath = new URL(current.headers.get('location')!).pathname
  const key = (await (
    await target.request(`${accountPath}/apiKeys`, { method: 'POST', headers: { cookie } })
  ).json()) as { id: string; secret: string }
  const authorization = `Basic ${btoa(`${key.id}:${key.secret}`)}`
  /** GETs a path or href with the new key; `follow` follows one redirect, as `curl -L` does. */
  const get = async (pathOrHref: string): Promise<Record<string, any>> => {
    let response = await target.request(
      new URL(pathOrHref, TEST_BASE_URL).pathname + new URL(pathOrHref, TEST_BASE_URL).search,
      {
        headers: { authorization },
      },
    )
    if (response.status === 302) {
      response = await target.request(new URL(response.headers.get('location')!).pathname, {
        headers: { authorization },
      })
    }
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, any>
  }
  return { accountPath, authorization, get }
}

describeTargets('bootstrap: /registration, /login, /logout', (target) => {
  // Every attempt counts against the per-address limits; each test starts with fresh counters.
  beforeEach(async () => {
    await target.db.delete(schema.rateLimits)
  })

  describe('POST /registration', () => {
    test('creates the tenant, its administrators directory, the "Stormpath" application and the owner', async () => {
      const before = await rowCounts(target)
      const response = await target.request('/registration', form(registration('acme')))
      expect(response.status).toBe(204)
      expect(response.headers.get('stormpath-request-id')).toBeString()
      expect(await response.text()).toBe('')
      const after = await rowCounts(target)
      expect(after.tenants).toBe(before.tenants! + 1)
      expect(after.accounts).toBe(before.accounts! + 1)

      const owner = await ownerClient(target, 'acme', 'owner@acme.example.com')
      const tenant = await owner.get('/v1/tenants/current')
      expect(tenant).toMatchObject({ key: 'acme' })

      const directories = await owner.get(tenant.directories.href)
      expect(directories.items.map((d: { name: string }) => d.name)).toEqual([
        'Stormpath Administrators',
      ])
      const adminDirectory = directories.items[0]

      const applications = await owner.get(tenant.applications.href)
      expect(applications.items.map((a: { name: string }) => a.name)).toEqual(['Stormpath'])
      const application = applications.items[0]
      for (const link of ['defaultAccountStoreMapping', 'defaultGroupStoreMapping']) {
        const mapping = await owner.get(application[link].href)
        expect(mapping.accountStore.href).toBe(adminDirectory.href)
        expect(mapping.application.href).toBe(application.href)
      }

      const accounts = await owner.get(tenant.accounts.href)
      expect(accounts.items).toHaveLength(1)
      expect(accounts.items[0]).toMatchObject({
        email: 'owner@acme.example.com',
        givenName: 'Olga',
        surname: 'Owner',
        status: 'ENABLED',
        directory: { href: adminDirectory.href },
      })
      // The owner is the tenant's owner: it cannot be deleted (4001).
      const deleted = await target.request(owner.accountPath, {
        method: 'DELETE',
        headers: { authorization: owner.authorization },
      })
      await expectError(deleted, 400, 4001)
    })

    test("the README's curl sequence works as written", async () => {
      // curl --data …/registration
      const registered = await target.request(
        '/registration',
        form({
          tenantNameKey: 'my-tenant',
          email: 'admin@example.com',
          givenName: 'Ada',
          surname: 'Admin',
          password: 'Change-me-1234',
        }),
      )
      expect(registered.status).toBe(204)
      // curl -c cookies.txt --data 'tenantNameKey=my-tenant&username=admin@example.com&…' …/login
      const login = await target.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'tenantNameKey=my-tenant&username=admin@example.com&password=Change-me-1234',
      })
      expect(login.status).toBe(204)
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!
      // curl -L -b cookies.txt …/v1/accounts/current
      const current = await target.request('/v1/accounts/current', { headers: { cookie } })
      expect(current.status).toBe(302)
      const accountHref = current.headers.get('location')!
      const account = await target.request(new URL(accountHref).pathname, { headers: { cookie } })
      expect(account.status).toBe(200)
      expect(await account.json()).toMatchObject({ href: accountHref, email: 'admin@example.com' })
      // curl -X POST -b cookies.txt …/v1/accounts/ACCOUNT_ID/apiKeys (no body, no content type)
      const keyResponse = await target.request(`${new URL(accountHref).pathname}/apiKeys`, {
        method: 'POST',
        headers: { cookie, accept: '*/*', 'user-agent': 'curl/8.5.0' },
      })
      expect(keyResponse.status).toBe(201)
      const key = (await keyResponse.json()) as { id: string; secret: string }
      expect(key.id).toBeString()
      expect(key.secret).toBeString()
      // curl -L -u API_KEY_ID:API_KEY_SECRET …/v1/tenants/current
      const authorization = `Basic ${btoa(`${key.id}:${key.secret}`)}`
      const redirect = await target.request('/v1/tenants/current', { headers: { authorization } })
      expect(redirect.status).toBe(302)
      const tenant = await target.request(new URL(redirect.headers.get('location')!).pathname, {
        headers: { authorization },
      })
      expect(tenant.status).toBe(200)
      expect(await tenant.json()).toMatchObject({ key: 'my-tenant' })
    })

    test('accepts JSON and multipart bodies', async () => {
      const json = await target.request('/registration', asJson(registration('json-co')))
      expect(json.status).toBe(204)
      const multipart = new FormData()
      for (const [name, value] of Object.entries(registration('multipart-co'))) {
        multipart.set(name, value)
      }
      const parts = await target.request('/registration', { method: 'POST', body: multipart })
      expect(parts.status).toBe(204)
      const keys = (await target.db.select().from(schema.tenants).all()).map((t) => t.nameKey)
      expect(keys).toContain('json-co')
      expect(keys).toContain('multipart-co')
    })

    test('a missing field is 400/2000 naming it, and writes nothing', async () => {
      const before = await rowCounts(target)
      for (const field of ['tenantNameKey', 'email', 'givenName', 'surname', 'password']) {
        const fields = registration('missing-field')
        delete fields[field]
        const body = await expectError(
          await target.request('/registration', form(fields)),
          400,
          2000,
        )
        expect(body.message).toContain(field)
      }
      expect(await rowCounts(target)).toEqual(before)
    })

    test('an empty or null field counts as missing', async () => {
      const before = await rowCounts(target)
      for (const field of ['tenantNameKey', 'email', 'givenName', 'surname', 'password']) {
        const blank = await target.request(
          '/registration',
          form(registration('blank-field', { [field]: '' })),
        )
        expect((await expectError(blank, 400, 2000)).message).toContain(field)
      }
      const nullField = await target.request(
        '/registration',
        asJson({ ...registration('null-field'), surname: null }),
      )
      expect((await expectError(nullField, 400, 2000)).message).toContain('surname')
      expect(await rowCounts(target)).toEqual(before)
    })

    test('a weak password is refused with 400 and writes nothing', async () => {
      const before = await rowCounts(target)
      for (const password of ['short1A', 'alllowercase123', 'NoDigitsHere']) {
        const response = await target.request(
          '/registration',
          form(registration('weak-password', { password })),
        )
        expect(response.status).toBe(400)
        expect(((await response.json()) as { message: string }).message).toMatch(/password/i)
      }
      expect(await rowCounts(target)).toEqual(before)
    })

    test('a bad tenantNameKey is 400 naming the field and writes nothing', async () => {
      const before = await rowCounts(target)
      for (const key of ['-x', 'x-', 'a b', 'a_b', 'a.b', 'a'.repeat(64), 'ünï']) {
        const body = await expectError(
          await target.request('/registration', form(registration('ok', { tenantNameKey: key }))),
          400,
          2002,
        )
        expect(body.message).toContain('tenantNameKey')
      }
      expect(await rowCounts(target)).toEqual(before)
    })

    test('an upper-case tenantNameKey is folded to lower case', async () => {
      const response = await target.request(
        '/registration',
        form(registration('UPPER', { email: 'owner@upper.example.com' })),
      )
      expect(response.status).toBe(204)
      const owner = await ownerClient(target, 'Upper', 'owner@upper.example.com')
      expect(await owner.get('/v1/tenants/current')).toMatchObject({ key: 'upper' })
    })

    test('a duplicate tenantNameKey is 409/2001, whatever its case, and writes nothing', async () => {
      expect((await target.request('/registration', form(registration('taken')))).status).toBe(204)
      const before = await rowCounts(target)
      for (const key of ['taken', 'TAKEN', ' taken ']) {
        await expectError(
          await target.request(
            '/registration',
            form(registration('other', { tenantNameKey: key, email: 'someone@else.example.com' })),
          ),
          409,
          2001,
        )
      }
      expect(await rowCounts(target)).toEqual(before)
    })

    test('spam: a filled-in honeypot field is 400 "Spam detected" and writes nothing', async () => {
      const before = await rowCounts(target)
      for (const honeypot of [
        'first_name',
        'last_name',
        'email_address',
        'company_name',
        'user_password',
        'confirm_password',
      ]) {
        const response = await target.request(
          '/registration',
          form(registration('spam-co', { [honeypot]: 'bot was here' })),
        )
        expect(response.status).toBe(400)
        expect(((await response.json()) as { message: string }).message).toBe('Spam detected.')
      }
      // An empty honeypot is what a human's browser sends.
      const human = await target.request(
        '/registration',
        form(registration('human-co', { first_name: '' })),
      )
      expect(human.status).toBe(204)
      const after = await rowCounts(target)
      expect(after.tenants).toBe(before.tenants! + 1)
    })

    test('a body that is neither a form nor JSON is 415/1101', async () => {
      const before = await rowCounts(target)
      for (const type of ['text/plain', 'application/xml', '']) {
        const response = await target.request('/registration', {
          method: 'POST',
          headers: type ? { 'content-type': type } : {},
          body: new URLSearchParams(registration('wrong-type')).toString(),
        })
        await expectError(response, 415, 1101)
      }
      expect(await rowCounts(target)).toEqual(before)
    })

    test('malformed JSON and overlong fields are 400, never 5xx', async () => {
      const malformed = await target.request('/registration', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"tenantNameKey": ',
      })
      expect(malformed.status).toBe(400)
      for (const [field, length] of [
        ['givenName', 256],
        ['surname', 256],
        ['email', 5000],
        ['password', 5000],
      ] as const) {
        const response = await target.request(
          '/registration',
          form(registration('long-field', { [field]: 'x'.repeat(length) })),
        )
        expect(response.status).toBe(400)
        expect(((await response.json()) as { message: string }).message).toContain(field)
      }
    })

    test('registration is limited to 10 per client address per hour (429 with Retry-After)', async () => {
      for (let attempt = 1; attempt <= 10; attempt++) {
        const response = await target.request('/registration', form({ tenantNameKey: 'x' }))
        expect(response.status).toBe(400)
      }
      const before = await rowCounts(target)
      const limited = await target.request('/registration', form(registration('limited')))
      await expectError(limited, 429, 429)
      const retryAfter = Number(limited.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThan(0)
      expect(retryAfter).toBeLessThanOrEqual(3600)
      expect(await rowCounts(target)).toEqual(before)
    })

    test('GET /registration is 405 with Allow: POST', async () => {
      const response = await target.request('/registration')
      await expectError(response, 405, 1100)
      expect(response.headers.get('allow')).toBe('POST')
    })
  })

  describe('POST /login and GET /logout', () => {
    const tenantNameKey = 'login-co'
    const email = 'owner@login-co.example.com'
    let registered = false

    beforeEach(async () => {
      if (registered) return
      const response = await target.request('/registration', form(registration(tenantNameKey)))
      expect(response.status).toBe(204)
      registered = true
    })

    test('the owner logs in with the form fields (204 and a session cookie)', async () => {
      const response = await target.request(
        '/login',
        form({ tenantNameKey, email, password: PASSWORD }),
      )
      expect(response.status).toBe(204)
      expect(response.headers.get('set-cookie')).toStartWith('sessionToken=')
      const json = await target.request(
        '/login',
        asJson({
          tenantNameKey: ' LOGIN-CO ',
          email: ' Owner@Login-Co.example.com ',
          password: PASSWORD,
        }),
      )
      expect(json.status).toBe(204)
    })

    test('user enumeration: wrong password, unknown tenant and unknown email get the same answer', async () => {
      const answers = []
      for (const fields of [
        { tenantNameKey, email, password: 'Wrong-pass-1234' },
        { tenantNameKey: 'no-such-tenant', email, password: PASSWORD },
        { tenantNameKey, email: 'nobody@login-co.example.com', password: PASSWORD },
      ]) {
        const response = await target.request('/login', form(fields))
        expect(response.headers.get('set-cookie')).toBeNull()
        const { requestId: _, ...body } = (await response.json()) as Record<string, unknown>
        answers.push({ status: response.status, body })
      }
      expect(answers[0]!.status).toBe(400)
      expect(answers[1]).toEqual(answers[0]!)
      expect(answers[2]).toEqual(answers[0]!)
    })

    test('brute force: the 11th attempt for one email within 5 minutes is 429 with Retry-After', async () => {
      for (let attempt = 1; attempt <= 10; attempt++) {
        const response = await target.request(
          '/login',
          form({ tenantNameKey, email, password: `Guess-${attempt}-Aa` }),
        )
        expect(response.status).toBe(400)
      }
      // Even the right password is refused now.
      const limited = await target.request(
        '/login',
        form({ tenantNameKey, email, password: PASSWORD }),
      )
      await expectError(limited, 429, 429)
      expect(limited.headers.get('set-cookie')).toBeNull()
      const retryAfter = Number(limited.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThan(0)
      expect(retryAfter).toBeLessThanOrEqual(300)
    })

    test('brute force: spelling the tenant key or email differently does not reset the count', async () => {
      const spellings = [
        [tenantNameKey, email],
        [` ${tenantNameKey}`, email],
        [`${tenantNameKey} `, email],
        [tenantNameKey.toUpperCase(), email],
        [tenantNameKey, email.toUpperCase()],
        [tenantNameKey, ` ${email}`],
        [`  ${tenantNameKey}`, email],
        [`\t${tenantNameKey}`, email],
        [tenantNameKey, `${email}\t`],
        [` ${tenantNameKey} `, ` ${email} `],
      ]
      for (const [key, login] of spellings) {
        const response = await target.request(
          '/login',
          form({ tenantNameKey: key!, email: login!, password: 'Guess-Aa-1234' }),
        )
        expect(response.status).toBe(400)
      }
      const limited = await target.request(
        '/login',
        form({ tenantNameKey: `   ${tenantNameKey}`, email, password: PASSWORD }),
      )
      expect(limited.status).toBe(429)
    })

    test('a missing field is 400/2000 naming it', async () => {
      for (const field of ['tenantNameKey', 'email', 'password']) {
        const fields: Fields = { tenantNameKey, email, password: PASSWORD }
        delete fields[field]
        const body = await expectError(await target.request('/login', form(fields)), 400, 2000)
        expect(body.message).toContain(field)
      }
    })

    test('GET /login is 405 with Allow: POST', async () => {
      const response = await target.request('/login')
      await expectError(response, 405, 1100)
      expect(response.headers.get('allow')).toBe('POST')
    })

    test('GET /logout without a session still clears the cookie', async () => {
      const response = await target.request('/logout')
      expect(response.status).toBe(204)
      expect(response.headers.get('set-cookie')).toMatch(/^sessionToken=;/)
    })
  })

  // The suite's last request: workerd answers 413 without reading the body and drops the
  // connection, which the harness's HTTP clients (requests and D1 alike) may still try to reuse.
  test('an oversized body is refused with 413 before it is read', async () => {
    const response = await target.request(
      '/registration',
      form(registration('huge', { padding: 'x'.repeat(100 * 1024) })),
    )
    await expectError(response, 413, 413)
  })
})
