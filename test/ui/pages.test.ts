/**
 * The hosted pages over HTTP on both targets, and the attacks on them: cross-site request
 * forgery, token leaks, hostile input. Seeded through `/v1` like any client; the verification
 * token is read from the outbox, as the mail would carry it.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { createSealer } from '../../src/security/seal'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL, TEST_SECRET_KEY } from '../harness/targets'
import { idOf, restClient, type Json } from '../rest/rest-client'
import { pageClient, type HostedPage } from './page-client'

const PASSWORD = 'Secret-pass-123'
const NEW_PASSWORD = 'Brand-new-pass-456'
const UNKNOWN_TOKEN = 'A'.repeat(43)
/** What Chromium sends with a form post from a `Referrer-Policy: no-referrer` page. */
const BROWSER_POST = { origin: 'null', 'sec-fetch-site': 'same-origin' }

describeTargets('hosted pages', (target) => {
  let admin: Admin
  let app: Json
  let serial = 0
  const api = restClient(target, () => admin)
  const pages = pageClient(target)
  const sealer = createSealer(TEST_SECRET_KEY)

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, `ui-${target.name}`)
    app = (await api('POST', '/v1/applications', { name: 'Hosted pages app' })).body
    const directory = (await api('POST', '/v1/directories', { name: 'Hosted pages users' })).body
    await api('POST', '/v1/accountStoreMappings', {
      application: { href: app.href },
      accountStore: { href: directory.href },
      isDefaultAccountStore: true,
    })
    const creation = `/v1/accountCreationPolicies/${idOf(directory.href)}`
    expect((await api('POST', creation, { verificationEmailStatus: 'ENABLED' })).status).toBe(200)
  })

  /** An account that can log in at once, with a live reset link. */
  const accountWithResetLink = async (extra: Json = {}) => {
    const email = `reset-${++serial}@example.com`
    const created = await api('POST', `${app.href}/accounts?registrationWorkflowEnabled=false`, {
      email,
      password: PASSWORD,
      givenName: 'Grace',
      surname: 'Hopper',
      ...extra,
    })
    expect(created.status).toBe(201)
    const requested = await api('POST', `${app.href}/passwordResetTokens`, { email })
    return { email, token: idOf(requested.body.href) }
  }
  /** An UNVERIFIED account and the token its verification mail carries. */
  const accountWithVerificationLink = async () => {
    const email = `verify-${++serial}@example.com`
    const created = await api('POST', `${app.href}/accounts`, {
      email,
      password: PASSWORD,
      givenName: 'Grace',
      surname: 'Hopper',
    })
    expect(created.body.status).toBe('UNVERIFIED')
    const { outbox } = schema
    const mail = (await target.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.toAddress, email), eq(outbox.workflow, 'verification')))
      .get())!
    const body = await sealer.open(mail.bodySealed, `outbox:${mail.id}`)
    return { email, href: created.body.href as string, token: /sptoken=([\w-]+)/.exec(body)![1]! }
  }
  const canLogIn = async (email: string, password: string) =>
    (
      await api('POST', `${app.href}/loginAttempts`, {
        type: 'basic',
        value: btoa(`${email}:${password}`),
      })
    ).status === 200
  const accountStatus = async (href: string) => {
    const account = (await api('GET', href)).body
    return [account.status, account.emailVerificationStatus]
  }
  /** Opens a reset link and posts its form with `fields`, as a browser would. */
  const submitReset = async (token: string, fields: Record<string, string>) => {
    const form = await pages.open(`/ui/reset?sptoken=${token}`)
    return pages.post(
      '/ui/reset',
      { ...form.hidden, ...fields },
      { cookie: form.cookie, headers: BROWSER_POST },
    )
  }
  const expectInvalidLinkPage = (page: HostedPage) => {
    expect(page.status).toBe(404)
    expect(page.headers.get('content-type')).toStartWith('text/html')
    expect(page.html).toContain('<h1>This link is invalid or has expired</h1>')
  }

  describe('password reset', () => {
    test('the form lists the policy, sets the CSRF cookie, and a valid password changes it', async () => {
      const { email, token } = await accountWithResetLink()
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      expect(form.status).toBe(200)
      expect(form.html).toContain('<html lang="en">')
      expect(form.html).toContain('<li>At least 8 characters</li>')
      expect(form.html).toContain('<li>At least 1 uppercase letter</li>')
      expect(form.html).toContain('<label for="password">New password</label>')
      expect(form.html).toContain('<label for="confirmation">Confirm new password</label>')
      expect(form.html).toContain('aria-describedby="password-rules"')
      expect(form.html).toMatch(/<form method="post" action="reset">/)
      expect(Object.keys(form.hidden).sort()).toEqual(['csrf', 'sptoken'])
      expect(form.hidden.sptoken).toBe(token)
      const cookie = form.headers.get('set-cookie')!
      expect(cookie).toStartWith(`edgepass-csrf=${form.hidden.csrf};`)
      expect(cookie).toContain('; Path=/ui')
      expect(cookie).toContain('; HttpOnly')
      expect(cookie).toContain('; SameSite=Strict')
      expect(cookie).not.toContain('Secure') // BASE_URL is http: a Secure cookie would be lost

      const done = await pages.post(
        '/ui/reset',
        { ...form.hidden, password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
        { cookie: form.cookie, headers: BROWSER_POST },
      )
      expect(done.status).toBe(200)
      expect(done.html).toContain('<h1>Your password has been changed</h1>')
      expect(await canLogIn(email, PASSWORD)).toBe(false)
      expect(await canLogIn(email, NEW_PASSWORD)).toBe(true)
      expectInvalidLinkPage(await pages.open(`/ui/reset?sptoken=${token}`))
    })

    test("a refused password shows the policy's message on the form (400) and keeps the link usable", async () => {
      const { email, token } = await accountWithResetLink()
      const refused = await submitReset(token, { password: 'short', confirmation: 'short' })
      expect(refused.status).toBe(400)
      expect(refused.html).toContain(
        '<p class="error" id="password-error" role="alert">Password requires at least 8 characters.</p>',
      )
      expect(refused.html).toContain('aria-describedby="password-rules password-error"')
      expect(refused.html).toContain('aria-invalid="true"')
      expect(refused.html).toContain('<title>Error: Choose a new password</title>')
      expect(refused.html).not.toContain('value="short"')
      expect(await canLogIn(email, PASSWORD)).toBe(true)
      expect((await pages.open(`/ui/reset?sptoken=${token}`)).status).toBe(200)
    })

    test('a confirmation that differs is an error on that field (400), nothing changed', async () => {
      const { email, token } = await accountWithResetLink()
      const page = await submitReset(token, {
        password: NEW_PASSWORD,
        confirmation: `${NEW_PASSWORD}?`,
      })
      expect(page.status).toBe(400)
      expect(page.html).toContain(
        '<p class="error" id="confirmation-error" role="alert">The two passwords do not match.</p>',
      )
      expect(page.html).toContain('aria-describedby="confirmation-error"')
      expect(await canLogIn(email, PASSWORD)).toBe(true)
    })

    test('a password over 1024 characters is refused on the form (400) before any hashing', async () => {
      const { email, token } = await accountWithResetLink()
      const huge = `Aa1${'x'.repeat(1100)}`
      const page = await submitReset(token, { password: huge, confirmation: huge })
      expect(page.status).toBe(400)
      expect(page.html).toContain('Password may be at most 1024 characters.')
      expect(await canLogIn(email, PASSWORD)).toBe(true)
    })

    test('hash flooding: more than 10 posts per account in 5 minutes answer 429', async () => {
      const { email, token } = await accountWithResetLink()
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      const attempt = () =>
        pages.post(
          '/ui/reset',
          { ...form.hidden, password: NEW_PASSWORD, confirmation: 'something else' },
          { cookie: form.cookie },
        )
      for (let i = 0; i < 10; i++) expect((await attempt()).status).toBe(400)
      const limited = await attempt()
      expect(limited.status).toBe(429)
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(limited.html).toContain('<h1>Too many attempts</h1>')
      expect(await canLogIn(email, PASSWORD)).toBe(true)
    })

    test('stored XSS: a hostile username is escaped on the reset page', async () => {
      const { token } = await accountWithResetLink({ username: '"><script>alert(1)</script>' })
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      expect(form.status).toBe(200)
      expect(form.html).not.toContain('<script')
      expect(form.html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')
    })
  })

  describe('email verification', () => {
    test('mail scanners: opening the link twice does not consume it; the button does', async () => {
      const { email, href, token } = await accountWithVerificationLink()
      for (const parameter of ['sptoken', 'cpToken']) {
        const page = await pages.open(`/ui/verify?${parameter}=${token}`)
        expect(page.status).toBe(200)
        expect(page.html).toContain('<h1>Confirm your email address</h1>')
        expect(page.html).toContain(`<strong>${email}</strong>`)
      }
      expect(await accountStatus(href)).toEqual(['UNVERIFIED', 'UNVERIFIED'])

      const page = await pages.open(`/ui/verify?sptoken=${token}`)
      const done = await pages.post('/ui/verify', page.hidden, {
        cookie: page.cookie,
        headers: BROWSER_POST,
      })
      expect(done.status).toBe(200)
      expect(done.html).toContain('<h1>Your email is verified</h1>')
      expect(await accountStatus(href)).toEqual(['ENABLED', 'VERIFIED'])

      const replay = await pages.post('/ui/verify', page.hidden, { cookie: page.cookie })
      expectInvalidLinkPage(replay)
    })
  })

  describe('cross-site request forgery', () => {
    test('a POST without the CSRF cookie is refused with 403 and the password is unchanged', async () => {
      const { email, token } = await accountWithResetLink()
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      const forged = await pages.post('/ui/reset', {
        ...form.hidden,
        password: NEW_PASSWORD,
        confirmation: NEW_PASSWORD,
      })
      expect(forged.status).toBe(403)
      expect(forged.html).toContain('<h1>This form has expired</h1>')
      expect(await canLogIn(email, PASSWORD)).toBe(true)
      expect(await canLogIn(email, NEW_PASSWORD)).toBe(false)
    })

    test("a POST whose token does not match the cookie's is refused with 403, nothing changed", async () => {
      const { href, token } = await accountWithVerificationLink()
      const page = await pages.open(`/ui/verify?sptoken=${token}`)
      const other = await pages.open(`/ui/verify?sptoken=${token}`)
      expect(other.hidden.csrf).not.toBe(page.hidden.csrf)
      const forged = await pages.post('/ui/verify', page.hidden, { cookie: other.cookie })
      expect(forged.status).toBe(403)
      const empty = await pages.post(
        '/ui/verify',
        { ...page.hidden, csrf: '' },
        { cookie: 'edgepass-csrf=' },
      )
      expect(empty.status).toBe(403)
      expect(await accountStatus(href)).toEqual(['UNVERIFIED', 'UNVERIFIED'])
    })

    test('a POST from a foreign Origin or a cross-site context is refused even with both tokens', async () => {
      const { email, token } = await accountWithResetLink()
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      const fields = { ...form.hidden, password: NEW_PASSWORD, confirmation: NEW_PASSWORD }
      const foreign: Record<string, string>[] = [
        { origin: 'https://attacker.example' },
        { origin: 'http://edgepass.test.attacker.example' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
      ]
      for (const headers of foreign) {
        const forged = await pages.post('/ui/reset', fields, { cookie: form.cookie, headers })
        expect(forged.status).toBe(403)
      }
      expect(await canLogIn(email, PASSWORD)).toBe(true)
      // Our own origin, spelled out, is accepted; so the link was still good.
      const own = await pages.post('/ui/reset', fields, {
        cookie: form.cookie,
        headers: { origin: TEST_BASE_URL },
      })
      expect(own.status).toBe(200)
    })
  })

  describe('token leaks and framing', () => {
    test('every page is no-store, no-referrer, unframeable, with a CSP that runs no script', async () => {
      const { token } = await accountWithResetLink()
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      const invalid = await pages.open(`/ui/verify?sptoken=${UNKNOWN_TOKEN}`)
      for (const page of [form, invalid]) {
        expect(page.headers.get('cache-control')).toBe('no-store')
        expect(page.headers.get('referrer-policy')).toBe('no-referrer')
        expect(page.headers.get('x-frame-options')).toBe('DENY')
        expect(page.headers.get('x-content-type-options')).toBe('nosniff')
        const csp = page.headers.get('content-security-policy')!
        const nonce = /style-src 'nonce-([^']+)'/.exec(csp)![1]!
        expect(csp).toBe(
          `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
        )
        expect(page.html).toContain(`<style nonce="${nonce}">`)
        expect(page.html.match(/<style/g)).toHaveLength(1)
        expect(page.html).not.toContain('<script')
        expect(page.html).toContain('<meta name="referrer" content="no-referrer"/>')
      }
      const again = await pages.open(`/ui/reset?sptoken=${token}`)
      expect(again.headers.get('content-security-policy')).not.toBe(
        form.headers.get('content-security-policy'),
      ) // a fresh nonce per page
    })
  })

  describe('hostile input', () => {
    test('missing, garbage and oversized tokens answer the invalid-link page, never 5xx', async () => {
      for (const query of [
        '',
        '?sptoken=',
        '?sptoken=nope!',
        '?sptoken=%00%ff%fe',
        `?sptoken=${encodeURIComponent('<script>alert(1)</script>')}`,
        `?sptoken=${'a'.repeat(129)}`,
        `?sptoken=${'a'.repeat(8000)}`,
        `?sptoken=${UNKNOWN_TOKEN}`,
      ]) {
        for (const path of ['/ui/verify', '/ui/reset']) {
          const page = await pages.open(`${path}${query}`)
          expectInvalidLinkPage(page)
          expect(page.html).not.toContain('<script')
        }
      }
    })

    test('a form with a garbage or unknown token answers the invalid-link page', async () => {
      const { token } = await accountWithResetLink()
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      for (const sptoken of ['', 'x'.repeat(129), UNKNOWN_TOKEN, '../../v1']) {
        const fields = { ...form.hidden, sptoken, password: NEW_PASSWORD }
        const cookie = { cookie: form.cookie }
        expectInvalidLinkPage(
          await pages.post('/ui/reset', { ...fields, confirmation: NEW_PASSWORD }, cookie),
        )
        expectInvalidLinkPage(await pages.post('/ui/verify', fields, cookie))
      }
    })

    test('an oversized form body is refused with 413', async () => {
      const { email, token } = await accountWithResetLink()
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      const padding = 'x'.repeat(17 * 1024)
      const page = await pages.post(
        '/ui/reset',
        { ...form.hidden, password: NEW_PASSWORD, confirmation: NEW_PASSWORD, padding },
        { cookie: form.cookie },
      )
      expect(page.status).toBe(413)
      expect(page.html).toContain('<h1>This form is too large</h1>')
      expect(await canLogIn(email, PASSWORD)).toBe(true)
    })

    test('a body that is not a form is refused with 415', async () => {
      const { token } = await accountWithResetLink()
      const form = await pages.open(`/ui/reset?sptoken=${token}`)
      for (const type of ['application/json', 'multipart/form-data; boundary=x', 'text/plain']) {
        const response = await target.request('/ui/reset', {
          method: 'POST',
          headers: { 'content-type': type, cookie: form.cookie! },
          body: JSON.stringify({ ...form.hidden, password: NEW_PASSWORD }),
        })
        expect(response.status).toBe(415)
        expect(await response.text()).toContain('<h1>This form could not be read</h1>')
      }
    })

    test('errors under /ui are HTML pages, not Stormpath JSON', async () => {
      const missing = await pages.open('/ui/nothing-here')
      expect(missing.status).toBe(404)
      expect(missing.headers.get('content-type')).toStartWith('text/html')
      expect(missing.html).toContain('<h1>Page not found</h1>')
      const response = await target.request('/ui/reset', { method: 'PUT' })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST')
      expect(response.headers.get('content-type')).toStartWith('text/html')
    })
  })
})
