/**
 * The account self-service page on both targets (issue "2FA" items 4 and 5): profile, password,
 * 2FA enrolment and removal; the tenant's lock profile refuses a self-service email change;
 * every form needs its CSRF token and a signed-in browser.
 */
import { beforeAll, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import { totpCode } from '../../src/mfa/totp'
import { describeTargets } from '../harness/targets'
import { browser, type Browser } from '../oidc/browser'
import { oidcFixture, PASSWORD, type RegisteredClient } from '../oidc/provider-fixture'
import { FORM_TYPE, readPage } from '../ui/page-client'

const PAGE = '/openid/account'
const BROWSER_POST = { origin: 'null', 'sec-fetch-site': 'same-origin' }

describeTargets('account page', (target) => {
  const rp = oidcFixture(target, 'account-page')
  let registered: RegisteredClient
  let config: client.Configuration

  beforeAll(async () => {
    registered = await rp.newClient({ trusted: true })
    config = await rp.configure(registered)
  })

  const tenantHref = async () =>
    new URL((await rp.api('GET', '/v1/tenants/current')).headers.get('location')!).pathname

  /** A new account signed in through the JSON interaction API; answers its browser. */
  const signedIn = async () => {
    const { username, href } = await rp.newUser('self')
    const b = browser(target)
    const { answer } = await rp.passwordStep(b, config, username)
    expect(answer.redirectTo).toBeString()
    return { b, username, href }
  }
  const open = async (b: Browser, path = PAGE) => readPage(await b.request(path))
  const post = (b: Browser, path: string, fields: Record<string, string>) =>
    b.request(path, {
      method: 'POST',
      headers: { 'content-type': FORM_TYPE, ...BROWSER_POST },
      body: new URLSearchParams(fields).toString(),
    })
  const submit = async (b: Browser, path: string, fields: Record<string, string>) => {
    const page = await open(b)
    return readPage(await post(b, path, { csrf: page.hidden.csrf!, ...fields }))
  }
  const accountOf = async (href: string) => (await rp.api('GET', new URL(href).pathname)).body

  test('shows the profile, the password form, 2FA and the sessions link', async () => {
    const { b, username } = await signedIn()
    const page = await open(b)
    expect(page.status).toBe(200)
    expect(page.html).toContain('<title>Your account</title>')
    expect(page.html).toContain(`Signed in as <strong>${username}</strong>`)
    expect(page.html).toContain(`value="${username}@example.com"`)
    expect(page.html).toContain(`action="http://edgepass.test${PAGE}/password"`)
    expect(page.html).toContain('Set up an authenticator app')
    expect(page.html).toContain(`href="http://edgepass.test${PAGE}/sessions"`)
  })

  test('/ui/account leads to the default issuer’s account page', async () => {
    const reply = await target.request('/ui/account')
    expect(reply.status).toBe(303)
    expect(reply.headers.get('location')).toBe(`http://edgepass.test${PAGE}`)
  })

  test('a browser without a session is told so and can change nothing', async () => {
    const stranger = browser(target)
    const page = await open(stranger)
    expect(page.html).toContain('This browser is not signed in')
    const csrf = page.hidden.csrf ?? 'x'.repeat(43)
    const reply = await post(stranger, `${PAGE}/profile`, { csrf, givenName: 'Mallory' })
    expect(reply.status).toBeLessThan(500)
  })

  test('the profile saves name and email', async () => {
    const { b, href } = await signedIn()
    const saved = await submit(b, `${PAGE}/profile`, {
      givenName: 'Grace',
      surname: 'Brewster',
      email: 'grace.brewster@example.com',
    })
    expect(saved.status).toBe(200)
    expect(saved.html).toContain('Your profile is saved.')
    expect(await accountOf(href)).toMatchObject({
      givenName: 'Grace',
      surname: 'Brewster',
      email: 'grace.brewster@example.com',
      // email_verified must not vouch for an address nobody verified.
      emailVerificationStatus: 'UNVERIFIED',
    })
  })

  test('lock profile: a self-service email or name change is refused (403) and nothing changes; admins still can', async () => {
    const { b, href, username } = await signedIn()
    const tenant = await tenantHref()
    await rp.api('POST', tenant, { lockProfile: true })
    try {
      const page = await open(b)
      expect(page.html).toContain('Your administrator manages your name and email address.')
      expect(page.html).toMatch(/id="email"[^>]*disabled/)
      const refused = await submit(b, `${PAGE}/profile`, { email: 'elsewhere@example.com' })
      expect(refused.status).toBe(403)
      const renamed = await submit(b, `${PAGE}/profile`, { givenName: 'Eve' })
      expect(renamed.status).toBe(403)
      expect(await accountOf(href)).toMatchObject({
        email: `${username}@example.com`,
        givenName: 'Test',
      })
      const byAdmin = await rp.api('POST', new URL(href).pathname, {
        email: 'admin-set@example.com',
      })
      expect(byAdmin.body.email).toBe('admin-set@example.com')
    } finally {
      await rp.api('POST', tenant, { lockProfile: false })
    }
  })

  test('the password changes with the current one, and not without it', async () => {
    const { b, username } = await signedIn()
    const wrong = await submit(b, `${PAGE}/password`, {
      currentPassword: 'not-it',
      newPassword: 'Brand-new-pass-42',
    })
    expect(wrong.status).toBe(400)
    const weak = await submit(b, `${PAGE}/password`, {
      currentPassword: PASSWORD,
      newPassword: 'a',
    })
    expect(weak.status).toBe(400)
    const changed = await submit(b, `${PAGE}/password`, {
      currentPassword: PASSWORD,
      newPassword: 'Brand-new-pass-42',
    })
    expect(changed.status).toBe(200)
    expect(changed.html).toContain('Your password is changed.')
    const login = await target.db
      .select()
      .from(schema.accounts)
      .where(eq(schema.accounts.username, username))
      .get()
    expect(login!.passwordModifiedAt).not.toBeNull()
  })

  test('2FA: set up with a QR code and a first code, recovery codes once; then sign-in asks for a code; turning it off needs the password', async () => {
    const { b, username } = await signedIn()
    const setup = await submit(b, `${PAGE}/mfa/setup`, {})
    expect(setup.status).toBe(200)
    expect(setup.html).toContain('<svg xmlns="http://www.w3.org/2000/svg"')
    const secret = /<span class="secret">([A-Z2-7 ]+)<\/span>/
      .exec(setup.html)![1]!
      .replace(/ /g, '')
    const wrong = readPage(
      await post(b, `${PAGE}/mfa/confirm`, { csrf: setup.hidden.csrf!, code: '000000' }),
    )
    expect((await wrong).status).toBe(totpCode(secret, new Date()) === '000000' ? 200 : 400)
    const done = await readPage(
      await post(b, `${PAGE}/mfa/confirm`, {
        csrf: setup.hidden.csrf!,
        code: totpCode(secret, new Date()),
      }),
    )
    expect(done.html).toContain('<title>Save your recovery codes</title>')
    expect(done.html.match(/<li>[0-9A-Z-]{19}<\/li>/g)).toHaveLength(10)
    const page = await open(b)
    expect(page.html).toContain('10 unused recovery codes')

    const { answer } = await rp.passwordStep(browser(target), config, username)
    expect(answer).toEqual({ prompt: 'mfa' })

    const refused = await submit(b, `${PAGE}/mfa/remove`, { currentPassword: 'not-it' })
    expect(refused.status).toBe(400)
    const off = await submit(b, `${PAGE}/mfa/remove`, { currentPassword: PASSWORD })
    expect(off.html).toContain('Two-factor authentication is off.')
    expect(off.html).toContain('Set up an authenticator app')
  })

  test('cross-site request forgery: a form post without the CSRF token changes nothing', async () => {
    const { b, href } = await signedIn()
    await open(b)
    const forged = await post(b, `${PAGE}/profile`, { givenName: 'Forged' })
    expect(forged.status).toBe(403)
    expect((await accountOf(href)).givenName).toBe('Test')
  })

  test('hostile input: oversized fields and bodies are 4xx pages and write nothing', async () => {
    const { b, href } = await signedIn()
    const long = await submit(b, `${PAGE}/profile`, { givenName: 'x'.repeat(5000) })
    expect(long.status).toBe(400)
    expect((await accountOf(href)).givenName).toBe('Test')
    const bad = await submit(b, `${PAGE}/profile`, { email: 'not an email' })
    expect(bad.status).toBe(400)
    const page = await open(b)
    const huge = await post(b, `${PAGE}/profile`, {
      csrf: page.hidden.csrf!,
      pad: 'x'.repeat(20_000),
    })
    expect(huge.status).toBe(413)
  })
})
