/**
 * Hosted login in headless Chromium, JavaScript off (issue "hosted login UI" acceptance): a
 * relying party on another site (`localhost` against the provider's `127.0.0.1`, so the
 * SameSite cookies and the CSP meet a real cross-site flow) sends the browser to sign in; the
 * browser logs in, consents, lands back with a code, and later signs out.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as client from 'openid-client'
import type { Browser, Page } from 'playwright-core'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { launchChromium, serveApp, type AppServer } from '../harness/browser'
import type { Target } from '../harness/targets'
import { restClient } from '../rest/rest-client'

const PASSWORD = 'Secret-pass-123'
const USERNAME = 'ada'

/** The relying party: a home page with links, and the pages the provider redirects to. */
interface RelyingParty {
  origin: string
  /** What the home page links to: the next sign-in, and sign-out once there is an ID token. */
  links: { signIn?: string; signOut?: string }
  /** The query strings `/callback` and `/signed-out` received, in order. */
  received: { path: string; query: URLSearchParams }[]
  stop(): void
}

function startRelyingParty(): RelyingParty {
  const links: RelyingParty['links'] = {}
  const received: RelyingParty['received'] = []
  const html = (body: string) =>
    new Response(`<!doctype html><html lang="en"><title>RP</title><body>${body}</body></html>`, {
      headers: { 'content-type': 'text/html; charset=utf-8' },
    })
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (request) => {
      const url = new URL(request.url)
      if (url.pathname === '/') {
        const anchor = (href: string | undefined, text: string) =>
          href ? `<a href="${href.replaceAll('&', '&amp;')}">${text}</a> ` : ''
        return html(
          anchor(links.signIn, 'Sign in with Edgepass') + anchor(links.signOut, 'Sign out'),
        )
      }
      const titles: Record<string, string> = {
        '/callback': 'Back at the app',
        '/signed-out': 'Signed out',
      }
      const title = titles[url.pathname]
      if (!title) return new Response('not found', { status: 404 }) // favicon.ico
      received.push({ path: url.pathname, query: url.searchParams })
      return html(`<h1>${title}</h1>`)
    },
  })
  return {
    origin: `http://localhost:${server.port}`,
    links,
    received,
    stop: () => server.stop(true),
  }
}

let server: AppServer
let chromium: Browser
let rp: RelyingParty
let admin: Admin
let registered: { clientId: string; clientSecret: string }
const APP_NAME = 'Difference Engine'

beforeAll(async () => {
  ;[server, chromium] = await Promise.all([serveApp(), launchChromium()])
  rp = startRelyingParty()
  const request = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, server.baseUrl), { redirect: 'manual', ...init })
  // The first tenant is the default issuer, at /openid.
  admin = await bootstrapAdmin(request, 'browser-login')
  const api = restClient({ request } as Target, () => admin)
  const application = (await api('POST', '/v1/applications', { name: APP_NAME })).body
  const directory = (await api('POST', '/v1/directories', { name: 'Engine users' })).body
  await api('POST', '/v1/accountStoreMappings', {
    application: { href: application.href },
    accountStore: { href: directory.href },
  })
  const account = await api('POST', `${directory.href}/accounts`, {
    username: USERNAME,
    email: 'ada@example.com',
    password: PASSWORD,
    givenName: 'Ada',
    surname: 'Lovelace',
  })
  expect(account.status).toBe(201)
  const created = await api('POST', '/v1/oidcClients', {
    application: { href: application.href },
    redirectUris: [`${rp.origin}/callback`],
    postLogoutRedirectUris: [`${rp.origin}/signed-out`],
  })
  expect(created.status).toBe(201)
  registered = created.body as typeof registered
})

afterAll(async () => {
  await chromium?.close()
  rp?.stop()
  await server?.stop()
})

const issuer = () => `${server.baseUrl}/openid`

/** A page in a fresh profile (no cookies from other tests), JavaScript off: plain HTML forms. */
const newPage = async () => (await chromium.newContext({ javaScriptEnabled: false })).newPage()

/** A fresh authorization request, linked from the RP's home page. */
async function prepareSignIn() {
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  rp.links.signIn = `${issuer()}/auth?${new URLSearchParams({
    client_id: registered.clientId,
    redirect_uri: `${rp.origin}/callback`,
    response_type: 'code',
    scope: 'openid profile email',
    state,
    nonce,
    login_hint: USERNAME,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  })}`
  return { verifier, state, nonce }
}

/**
 * Clicks a button or link and waits for the document it leads to (after redirects) to load. A
 * navigation the browser refuses (a CSP `form-action` violation) loads nothing: that fails here.
 */
async function click(page: Page, role: 'button' | 'link', name: string): Promise<void> {
  const loaded = page.waitForEvent('load', { timeout: 5000 }).catch(() => {
    throw new Error(`clicking "${name}" loaded no page (still at ${page.url()})`)
  })
  await page.getByRole(role, { name, exact: true }).click()
  await loaded
}

/** The id of the focused element, read through the DOM (no page script needed). */
const focusedId = (page: Page) =>
  page.locator('body').evaluate(() => (document.activeElement as HTMLElement | null)?.id ?? '')

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent()

describe('hosted login in Chromium', () => {
  test("logs in through the hosted page, consents, lands on the client's redirect URI with a code, and logs out", async () => {
    const page = await newPage()
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    const { verifier, state, nonce } = await prepareSignIn()
    await page.goto(`${rp.origin}/`)

    // The RP's link leads, through /openid/auth's 303, to the login page.
    await click(page, 'link', 'Sign in with Edgepass')
    expect(page.url()).toStartWith(`${issuer()}/interaction/`)
    expect(await heading(page)).toBe(`Sign in to ${APP_NAME}`)
    expect(await page.getByRole('list', { name: `${APP_NAME} is asking to:` }).textContent()).toBe(
      'Confirm who you areSee your name and usernameSee your email address',
    )
    const username = page.getByLabel('Username or email')
    const password = page.getByLabel('Password', { exact: true })
    expect(await username.inputValue()).toBe(USERNAME) // login_hint
    expect(await username.getAttribute('autocomplete')).toBe('username')
    expect(await password.getAttribute('autocomplete')).toBe('current-password')
    expect(await focusedId(page)).toBe('password') // the first empty field
    // The nonce lets the page's own stylesheet apply under the CSP.
    expect(
      await page
        .getByRole('button', { name: 'Sign in', exact: true })
        .evaluate((b) => getComputedStyle(b).backgroundColor),
    ).toBe('rgb(29, 78, 216)')

    // A wrong password: the page again, the error announced and tied to the fields.
    await password.fill('Wrong-pass-1')
    const refused = page.waitForResponse((r) => r.request().method() === 'POST')
    await click(page, 'button', 'Sign in')
    expect((await refused).status()).toBe(400)
    expect(await page.getByRole('alert').textContent()).toBe('Invalid username or password.')
    expect(await password.getAttribute('aria-invalid')).toBe('true')
    expect(await password.getAttribute('aria-describedby')).toBe('login-error')
    expect(await focusedId(page)).toBe('password')
    await expect(page.title()).resolves.toBe(`Error: Sign in to ${APP_NAME}`)
    expect(await password.inputValue()).toBe('') // never filled back in

    await password.fill(PASSWORD)
    await click(page, 'button', 'Sign in')
    expect(await heading(page)).toBe(`Allow ${APP_NAME} to use your account?`)
    expect(await page.getByRole('list', { name: `${APP_NAME} wants to:` }).count()).toBe(1)

    // Allow: confirm → 303 resume → 303 to the client, across sites, past `form-action`.
    await click(page, 'button', 'Allow')
    expect(await heading(page)).toBe('Back at the app')
    const callback = rp.received.at(-1)!
    expect(callback.path).toBe('/callback')
    expect(callback.query.get('state')).toBe(state)
    expect(callback.query.get('iss')).toBe(issuer())
    const code = callback.query.get('code')!
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(violations).toEqual([])

    // The client redeems the code: client_secret_basic and the PKCE verifier.
    const tokenReply = await fetch(`${issuer()}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa(`${registered.clientId}:${registered.clientSecret}`)}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: `${rp.origin}/callback`,
        code_verifier: verifier,
      }),
    })
    expect(tokenReply.status).toBe(200)
    const tokens = (await tokenReply.json()) as { id_token: string; access_token: string }
    const { payload } = await jwtVerify(
      tokens.id_token,
      createRemoteJWKSet(new URL(`${issuer()}/jwks`)),
      { issuer: issuer(), audience: registered.clientId },
    )
    expect(payload).toMatchObject({ sub: USERNAME, nonce, preferred_username: USERNAME })

    // Logs out: the RP's link to the end-session endpoint with the ID token as hint.
    rp.links.signOut = `${issuer()}/session/end?${new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: `${rp.origin}/signed-out`,
      state: 'bye',
    })}`
    await page.goto(`${rp.origin}/`)
    await click(page, 'link', 'Sign out')
    expect(await heading(page)).toBe('Signed out')
    const signedOut = rp.received.at(-1)!
    expect([signedOut.path, signedOut.query.get('state')]).toEqual(['/signed-out', 'bye'])

    // The session is over: signing in again asks for the password again.
    await prepareSignIn()
    await page.goto(`${rp.origin}/`)
    await click(page, 'link', 'Sign in with Edgepass')
    expect(await heading(page)).toBe(`Sign in to ${APP_NAME}`)
    expect(violations).toEqual([])
    expect(server.errors).toEqual([])
    await page.context().close()
  }, 30_000)

  test('Cancel on the consent page takes the browser back with error=access_denied', async () => {
    const page = await newPage()
    const { state } = await prepareSignIn()
    rp.links.signIn += '&prompt=consent'
    await page.goto(`${rp.origin}/`)
    await click(page, 'link', 'Sign in with Edgepass')
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await click(page, 'button', 'Sign in')
    expect(await heading(page)).toBe(`Allow ${APP_NAME} to use your account?`)
    await click(page, 'button', 'Cancel')
    expect(await heading(page)).toBe('Back at the app')
    const callback = rp.received.at(-1)!
    expect(Object.fromEntries(callback.query)).toMatchObject({ error: 'access_denied', state })
    expect(callback.query.has('code')).toBe(false)
    await page.context().close()
    expect(server.errors).toEqual([])
  }, 30_000)
})
