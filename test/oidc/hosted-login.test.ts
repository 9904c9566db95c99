/**
 * The hosted login and consent pages over HTTP on both targets (reference §1.5 item 2): the
 * HTML face of the interaction, the form flow from the authorization request to the client's
 * redirect URI, and the attacks on it: cross-site request forgery, hostile input. The JSON face
 * of the same routes is flow.test.ts's; here only that it is still JSON.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { LoggedOutPage, LogoutConfirmPage } from '../../src/oidc/pages/logout'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL } from '../harness/targets'
import { restClient, type Json } from '../rest/rest-client'
import { FORM_TYPE, readPage, type HostedPage } from '../ui/page-client'
import { browser, json, type Browser } from './browser'

const ISSUER = `${TEST_BASE_URL}/openid`
const REDIRECT = 'https://rp.example.com/callback'
const PASSWORD = 'Secret-pass-123'
/** What Chromium sends with a form post from a `Referrer-Policy: no-referrer` page. */
const BROWSER_POST = { origin: 'null', 'sec-fetch-site': 'same-origin' }
/** Any valid S256 challenge: these tests never redeem the code. */
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

describeTargets('hosted login pages', (target) => {
  let admin: Admin
  const api = restClient(target, () => admin)
  let directory: Json
  let serial = 0
  let plain: { clientId: string; appName: string }
  let trusted: { clientId: string; appName: string }
  const username = 'ada'

  const newClient = async (body: Json = {}) => {
    const appName = `Analytical Engine ${++serial}`
    const owner = (await api('POST', '/v1/applications', { name: appName })).body
    await api('POST', '/v1/accountStoreMappings', {
      application: { href: owner.href },
      accountStore: { href: directory.href },
    })
    const reply = await api('POST', '/v1/oidcClients', {
      application: { href: owner.href },
      redirectUris: [REDIRECT],
      ...body,
    })
    expect(reply.status).toBe(201)
    return { clientId: reply.body.clientId as string, appName }
  }

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, `hosted-login-${target.name}`)
    directory = (await api('POST', '/v1/directories', { name: 'Hosted login users' })).body
    const created = await api('POST', `${directory.href}/accounts`, {
      username,
      email: 'ada@example.com',
      password: PASSWORD,
      givenName: 'Ada',
      surname: 'Lovelace',
    })
    expect(created.status).toBe(201)
    // The guessing test's victim: enough failures lock an account, and ada must stay usable.
    const victim = await api('POST', `${directory.href}/accounts`, {
      username: 'babbage',
      email: 'babbage@example.com',
      password: PASSWORD,
      givenName: 'Charles',
      surname: 'Babbage',
    })
    expect(victim.status).toBe(201)
    plain = await newClient()
    trusted = await newClient({ trusted: true })
  })

  // Many logins of one user: the per-login limit has its own tests.
  beforeEach(async () => {
    await target.db.delete(schema.rateLimits)
  })

  /** A fresh browser's authorization request; answers the interaction page's URL. */
  const start = async (b: Browser, clientId: string, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid profile email',
      state: 'st-123',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
      ...extra,
    })
    const reply = await b.request(`/openid/auth?${query}`)
    expect(reply.status).toBe(303)
    const location = reply.headers.get('location')!
    expect(location).toStartWith(`${ISSUER}/interaction/`)
    return location
  }
  const open = async (b: Browser, url: string) => readPage(await b.request(url))
  const post = async (
    b: Browser,
    url: string,
    fields: Record<string, string>,
    headers: Record<string, string> = BROWSER_POST,
  ) =>
    b.request(url, {
      method: 'POST',
      headers: { 'content-type': FORM_TYPE, ...headers },
      body: new URLSearchParams(fields).toString(),
    })
  /** Opens the interaction's login page and posts the form with these credentials. */
  const logIn = async (b: Browser, url: string, password = PASSWORD, login = username) => {
    const page = await open(b, url)
    return post(b, `${url}/login`, { csrf: page.hidden.csrf!, username: login, password })
  }
  const codesOf = async (clientId: string) =>
    target.db
      .select()
      .from(schema.oidcTokens)
      .where(and(eq(schema.oidcTokens.clientId, clientId), eq(schema.oidcTokens.kind, 'code')))
      .all()
  const expectPage = (page: HostedPage, status: number) => {
    expect(page.status).toBe(status)
    expect(page.headers.get('content-type')).toStartWith('text/html')
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(page.html).toStartWith('<!doctype html>')
  }

  describe('login page', () => {
    test('renders for a fresh interaction: the app, its scopes in words, a CSRF field, a form to …/login', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId, { login_hint: 'ada@example.com' })
      const page = await open(b, url)
      expectPage(page, 200)
      expect(page.html).toContain(`<title>Sign in to ${plain.appName}</title>`)
      expect(page.html).toContain(`<form method="post" action="${url}/login">`)
      expect(page.html).toContain(`<form method="post" action="${url}/abort">`)
      for (const words of ['Confirm who you are', 'See your name and username']) {
        expect(page.html).toContain(`<li>${words}</li>`)
      }
      expect(page.html).toContain('<li>See your email address</li>')
      expect(page.html).toMatch(
        /<input type="text" id="username" name="username" value="ada@example.com" autocomplete="username"/,
      )
      expect(page.html).toMatch(
        /<label for="password">Password<\/label><input type="password" id="password" name="password" autocomplete="current-password"[^>]* autofocus=""/,
      )
      // Double submit: the hidden field carries the cookie's value.
      expect(page.hidden.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(b.cookies.get('edgepass-csrf')).toBe(page.hidden.csrf)
      const csp = page.headers.get('content-security-policy')!
      expect(csp).toContain("form-action 'self' https://rp.example.com;")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toMatch(/style-src 'nonce-[^']+'/)
      expect(page.headers.get('x-frame-options')).toBe('DENY')
      expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    })

    test('without a login_hint the username field is empty and has the focus', async () => {
      const b = browser(target)
      const page = await open(b, await start(b, plain.clientId))
      expect(page.html).toMatch(
        /<input type="text" id="username" name="username" value=""[^>]* autofocus=""/,
      )
    })

    test('a wrong password answers the login page again (400) with the error; nothing is issued', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId)
      const reply = await readPage(await logIn(b, url, 'Wrong-pass-1'))
      expectPage(reply, 400)
      expect(reply.html).toContain('<title>Error: Sign in to')
      expect(reply.html).toContain(
        '<p class="error" id="login-error" role="alert">Invalid username or password.</p>',
      )
      expect(reply.html).toMatch(
        /id="username" name="username" value="ada"[^>]* aria-invalid="true" aria-describedby="login-error"/,
      )
      expect(reply.html).toMatch(
        /id="password" name="password"[^>]* autofocus="" aria-invalid="true" aria-describedby="login-error"/,
      )
      expect(reply.html).not.toContain(PASSWORD)
      expect(b.cookies.has('edgepass_session')).toBe(false)
      expect(await codesOf(plain.clientId)).toHaveLength(0)
      // The interaction is still usable.
      expect((await open(b, url)).status).toBe(200)
    })
  })

  describe('form flow', () => {
    test('login answers 303 to the consent page; Allow answers 303 to resume, which redirects to the client with code and state', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId)
      const login = await logIn(b, url)
      expect([login.status, login.headers.get('location')]).toEqual([303, url])
      expect(b.cookies.has('edgepass_session')).toBe(true)

      const consent = await open(b, url)
      expectPage(consent, 200)
      expect(consent.html).toContain(`<title>Allow ${plain.appName} to use your account?</title>`)
      expect(consent.html).toContain('You are signed in as <strong>ada</strong>.')
      expect(consent.html).toContain(`<strong>${plain.appName}</strong> wants to:`)
      expect(consent.html).toContain(`<form method="post" action="${url}/confirm">`)
      expect(consent.html).toContain(`formaction="${url}/abort"`)
      expect(consent.html).not.toContain('autofocus')

      const allow = await post(b, `${url}/confirm`, { csrf: consent.hidden.csrf! })
      expect(allow.status).toBe(303)
      const resume = allow.headers.get('location')!
      expect(resume).toBe(`${ISSUER}/auth/${url.split('/').pop()}`)
      const back = await b.request(resume)
      expect(back.status).toBe(303)
      const location = new URL(back.headers.get('location')!)
      expect(location.origin + location.pathname).toBe(REDIRECT)
      expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(location.searchParams.get('state')).toBe('st-123')
      expect(location.searchParams.get('iss')).toBe(ISSUER)
      expect(await codesOf(plain.clientId)).toHaveLength(1)
    })

    test('a trusted client has no consent page: login answers 303 to the resume URL', async () => {
      const b = browser(target)
      const url = await start(b, trusted.clientId)
      const login = await logIn(b, url)
      expect([login.status, login.headers.get('location')]).toEqual([
        303,
        `${ISSUER}/auth/${url.split('/').pop()}`,
      ])
      const back = await b.request(login.headers.get('location')!)
      expect(new URL(back.headers.get('location')!).searchParams.get('code')).toBeTruthy()
    })

    test('Cancel on the consent page redirects to the client with error=access_denied and state', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId, { prompt: 'consent' })
      await logIn(b, url)
      const consent = await open(b, url)
      const cancel = await post(b, `${url}/abort`, { csrf: consent.hidden.csrf! })
      expect(cancel.status).toBe(303)
      const location = new URL(cancel.headers.get('location')!)
      expect(location.origin + location.pathname).toBe(REDIRECT)
      expect(Object.fromEntries(location.searchParams)).toMatchObject({
        error: 'access_denied',
        state: 'st-123',
        iss: ISSUER,
      })
      // Single use: the interaction is gone.
      expect((await open(b, url)).status).toBe(404)
    })

    test('Cancel on the login page redirects to the client with error=access_denied', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId)
      const page = await open(b, url)
      const cancel = await post(b, `${url}/abort`, { csrf: page.hidden.csrf! })
      expect(new URL(cancel.headers.get('location')!).searchParams.get('error')).toBe(
        'access_denied',
      )
    })

    test('with an SSO session and no consent yet, the page is the consent page at once', async () => {
      const b = browser(target)
      await logIn(b, await start(b, trusted.clientId))
      const url = await start(b, plain.clientId, { scope: 'openid groups offline_access' })
      const consent = await open(b, url)
      expect(consent.html).toContain('<li>See the groups you belong to</li>')
      expect(consent.html).toContain('<li>Keep this access after you leave</li>')
      expect(consent.html).toContain(`action="${url}/confirm"`)
    })
  })

  describe('attacks', () => {
    test('cross-site request forgery: a form POST without the CSRF token is refused', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId)
      const page = await open(b, url)
      const credentials = { username, password: PASSWORD }
      const refusals = [
        await post(b, `${url}/login`, credentials),
        await post(b, `${url}/login`, { ...credentials, csrf: 'A'.repeat(43) }),
        await post(
          b,
          `${url}/login`,
          { ...credentials, csrf: page.hidden.csrf! },
          {
            origin: 'https://evil.example',
          },
        ),
        await post(
          b,
          `${url}/login`,
          { ...credentials, csrf: page.hidden.csrf! },
          {
            'sec-fetch-site': 'same-site',
          },
        ),
        await post(b, `${url}/confirm`, {}),
        await post(b, `${url}/abort`, {}),
      ]
      for (const reply of refusals) {
        const refused = await readPage(reply)
        expectPage(refused, 403)
        expect(refused.html).toContain('<h1>This form has expired</h1>')
      }
      expect(b.cookies.has('edgepass_session')).toBe(false)
      // Nothing was done: the interaction still asks for a login.
      expect((await (await b.request(`${url}/details`)).json()).prompt).toBe('login')
    })

    test('cross-site request forgery: a text/plain form posing as JSON is refused', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId)
      await open(b, url)
      // `<form enctype="text/plain">` can send a body that parses as JSON, but never the type.
      const reply = await b.request(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...BROWSER_POST },
        body: JSON.stringify({ username, password: PASSWORD }),
      })
      expectPage(await readPage(reply), 415)
      expect(b.cookies.has('edgepass_session')).toBe(false)
    })

    test('hostile input: huge and missing fields, wrong content types, huge bodies are 4xx pages, never 5xx', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId)
      const { csrf } = (await open(b, url)).hidden
      const cases: [RequestInit, number, string][] = [
        [
          form({ csrf: csrf!, username: 'x'.repeat(5000), password: PASSWORD }),
          400,
          'may be at most 1024 characters',
        ],
        [
          form({ csrf: csrf!, username, password: 'x'.repeat(5000) }),
          400,
          'may be at most 1024 characters',
        ],
        [form({ csrf: csrf!, username }), 400, 'Enter your password.'],
        [form({ csrf: csrf!, password: PASSWORD }), 400, 'Enter your username or email.'],
        [form({ csrf: csrf!, username: '', password: '' }), 400, 'Enter your username or email.'],
        [form({ csrf: csrf!, pad: 'x'.repeat(20_000) }), 413, 'This form is too large'],
        [
          {
            method: 'POST',
            headers: { ...BROWSER_POST, 'content-type': 'multipart/form-data; boundary=x' },
            body: '--x--',
          },
          415,
          'could not be read',
        ],
        [{ method: 'POST', headers: BROWSER_POST, body: 'username=ada' }, 415, 'could not be read'],
        [
          {
            method: 'POST',
            headers: { ...BROWSER_POST, 'content-type': FORM_TYPE },
            body: '%%%&=&&csrf',
          },
          403,
          'This form has expired',
        ],
      ]
      for (const [init, status, text] of cases) {
        const page = await readPage(await b.request(`${url}/login`, init))
        expectPage(page, status)
        expect(page.html).toContain(text)
      }
      const missing = await readPage(
        await b.request(`${url}/login`, form({ csrf: csrf!, username })),
      )
      expect(missing.html).toMatch(
        /id="password"[^>]* autofocus="" aria-invalid="true" aria-describedby="login-error"/,
      )
      // Unknown, malformed and oversized interaction ids.
      for (const uid of ['A'.repeat(43), '%00', 'x'.repeat(5000)]) {
        expectPage(await open(b, `${ISSUER}/interaction/${uid}`), 404)
        const page = await readPage(
          await b.request(
            `${ISSUER}/interaction/${uid}/login`,
            form({ csrf: csrf!, username, password: PASSWORD }),
          ),
        )
        expectPage(page, 404)
        expect(page.html).toContain('This sign-in request has expired')
      }
      expect(b.cookies.has('edgepass_session')).toBe(false)
    })

    test('password guessing: past 10 attempts on one login the form answers a 429 page', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId)
      for (let attempt = 1; attempt <= 10; attempt++) {
        expect((await logIn(b, url, `Guess-${attempt}-pass`, 'babbage')).status).toBe(400)
      }
      const page = await readPage(await logIn(b, url, PASSWORD, 'babbage'))
      expectPage(page, 429)
      expect(page.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(page.html).toContain('<h1>Too many attempts</h1>')
      expect(b.cookies.has('edgepass_session')).toBe(false)
    })

    test('Allow before logging in is a 400 page, and grants nothing', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId)
      const { csrf } = (await open(b, url)).hidden
      const page = await readPage(await post(b, `${url}/confirm`, { csrf: csrf! }))
      expectPage(page, 400)
      expect(page.html).toContain('Log in before consenting.')
    })

    test('an interaction page opened in another browser is a 404 page', async () => {
      const url = await start(browser(target), plain.clientId)
      expectPage(await open(browser(target), url), 404)
    })
  })

  describe('other faces', () => {
    test('the JSON API still answers JSON, without a CSRF token', async () => {
      const b = browser(target)
      const url = await start(b, plain.clientId, { prompt: 'consent' })
      const details = await b.request(`${url}/details`)
      expect(details.headers.get('content-type')).toStartWith('application/json')
      expect(await details.json()).toMatchObject({
        prompt: 'login',
        client: { clientId: plain.clientId, name: plain.appName },
        scopes: ['openid', 'profile', 'email'],
      })
      const wrong = await b.request(`${url}/login`, json({ username, password: 'Wrong-pass-1' }))
      expect([wrong.status, await wrong.json()]).toEqual([
        400,
        { error: 'invalid_credentials', error_description: 'Invalid username or password.' },
      ])
      const login = await b.request(`${url}/login`, json({ username, password: PASSWORD }))
      expect([login.status, await login.json()]).toEqual([200, { prompt: 'consent' }])
      const confirm = await b.request(`${url}/confirm`, json({}))
      expect(await confirm.json()).toEqual({ redirectTo: `${ISSUER}/auth/${url.split('/').pop()}` })
      const missing = await b.request(`${ISSUER}/interaction/${'A'.repeat(43)}/confirm`, json({}))
      expect([missing.status, (await missing.json()).error]).toEqual([404, 'not_found'])
    })

    test("the authorization endpoint's error page is a hosted page: 400, never a redirect", async () => {
      const reply = await target.request(
        `/openid/auth?${new URLSearchParams({ client_id: plain.clientId, redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'openid' })}`,
      )
      const page = await readPage(reply)
      expectPage(page, 400)
      expect(reply.headers.get('location')).toBeNull()
      expect(page.html).toContain('<title>Error: This sign-in request cannot continue</title>')
      expect(page.html).toContain(
        '<p class="lead" role="alert">The redirect_uri is not registered for this client.</p>',
      )
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    })
  })
})

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': FORM_TYPE, ...BROWSER_POST },
    body: new URLSearchParams(fields).toString(),
  }
}

describe('logout page components (for the end-session endpoint)', () => {
  test('the confirmation posts the CSRF field and the carried values, escaped, with one button', async () => {
    const html = String(
      await LogoutConfirmPage({
        clientName: 'Gitea <admin>',
        csrfToken: 'token-1',
        action: `${ISSUER}/session/end`,
        postLogoutRedirectUri: 'https://rp.example.com/bye?a=1&b="2"',
        state: 's&t',
      }).toString(),
    )
    expect(html).toContain(`<form method="post" action="${ISSUER}/session/end">`)
    expect(html).toContain('<strong>Gitea &lt;admin&gt;</strong> is signing you out.')
    expect(html).toContain('<input type="hidden" name="csrf" value="token-1"/>')
    expect(html).toContain(
      '<input type="hidden" name="post_logout_redirect_uri" value="https://rp.example.com/bye?a=1&amp;b=&quot;2&quot;"/>',
    )
    expect(html).toContain('<input type="hidden" name="state" value="s&amp;t"/>')
    expect(html).not.toContain('name="client_id"')
    expect(html.match(/<button/g)).toHaveLength(1)
  })

  test('the signed-out page names the application when known', async () => {
    expect(String(await LoggedOutPage({ clientName: 'Gitea' }).toString())).toContain(
      'You have been signed out of <strong>Gitea</strong>',
    )
    expect(String(await LoggedOutPage({}).toString())).toContain(
      'You have been signed out of this account in this browser.',
    )
  })
})
