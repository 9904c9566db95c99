/**
 * Passkeys in headless Chromium with a CDP virtual authenticator (issue "2FA" acceptance): the
 * account page registers a passkey, the browser signs out, then signs in with the passkey
 * alone; another account uses its passkey as the second factor after its password. The app is
 * served as `http://localhost:<port>` (WebAuthn refuses an IP address as RP id).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import * as client from 'openid-client'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { launchChromium, serveApp, type AppServer } from '../harness/browser'
import type { Target } from '../harness/targets'
import { restClient } from '../rest/rest-client'

const PASSWORD = 'Secret-pass-123'

describe('passkeys in Chromium', () => {
  let server: AppServer
  let chromium: Browser
  let admin: Admin
  let rp: ReturnType<typeof Bun.serve>
  let callback: string
  let clientId: string
  let directoryHref: string
  const api = restClient(
    {
      request: (path: string, init?: RequestInit) =>
        fetch(path.startsWith('http') ? path : `${server.baseUrl}${path}`, init),
    } as Target,
    () => admin,
  )

  beforeAll(async () => {
    ;[server, chromium] = await Promise.all([serveApp({ host: 'localhost' }), launchChromium()])
    rp = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () =>
        new Response('<!doctype html><title>Back at the app</title><h1>Back at the app</h1>', {
          headers: { 'content-type': 'text/html' },
        }),
    })
    callback = `http://127.0.0.1:${rp.port}/callback`
    admin = await bootstrapAdmin(
      (path, init) => fetch(`${server.baseUrl}${path}`, init),
      'passkeys',
    )
    const directory = (await api('POST', '/v1/directories', { name: 'Users' })).body
    directoryHref = directory.href
    const application = (await api('POST', '/v1/applications', { name: 'Wiki' })).body
    await api('POST', '/v1/accountStoreMappings', {
      application: { href: application.href },
      accountStore: { href: directory.href },
    })
    const registered = await api('POST', '/v1/oidcClients', {
      application: { href: application.href },
      redirectUris: [callback],
      trusted: true,
      tokenEndpointAuthMethod: 'none',
    })
    clientId = registered.body.clientId
  }, 60_000)
  afterAll(async () => {
    await chromium?.close()
    rp?.stop(true)
    await server?.stop()
  })

  const newAccount = async (username: string) => {
    const reply = await api('POST', `${directoryHref}/accounts`, {
      username,
      email: `${username}@example.com`,
      password: PASSWORD,
      givenName: 'Pass',
      surname: 'Key',
    })
    expect(reply.status).toBe(201)
  }

  /** A browser context with a platform authenticator that verifies its user. */
  const contextWithAuthenticator = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await chromium.newContext()
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable')
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    })
    return { context, page }
  }

  const authorizationUrl = async () => {
    const params = new URLSearchParams({
      client_id: clientId,
      redirect_uri: callback,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    })
    return `${server.baseUrl}/openid/auth?${params}`
  }

  const passwordSignIn = async (page: Page, username: string) => {
    await page.goto(await authorizationUrl())
    await page.fill('#username', username)
    await page.fill('#password', PASSWORD)
    await page.click('button[type="submit"]:has-text("Sign in")')
  }

  const registerPasskey = async (page: Page, name: string) => {
    await page.goto(`${server.baseUrl}/openid/account`)
    await page.fill('#passkeyName', name)
    await page.click('button:has-text("Add a passkey")')
    await page.waitForSelector(`strong:has-text("${name}")`)
  }

  const signOut = async (page: Page) => {
    await page.goto(`${server.baseUrl}/openid/account/sessions`)
    await page.click(
      'button:has-text("Sign out everywhere"), li:first-child button:has-text("Sign out")',
    )
    await page.waitForSelector('h1:has-text("You are signed out")')
  }

  test('registers a passkey on the account page, signs out, and signs in with the passkey alone', async () => {
    await newAccount('ada')
    const { context, page } = await contextWithAuthenticator()
    try {
      await passwordSignIn(page, 'ada')
      await page.waitForURL(/\/callback\?/)
      await registerPasskey(page, 'Laptop')
      await signOut(page)
      await page.goto(await authorizationUrl())
      await page.click('button:has-text("Sign in with a passkey")')
      await page.waitForURL(/\/callback\?/)
      const url = new URL(page.url())
      expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(url.searchParams.get('state')).toBe('st')
      expect(server.errors).toEqual([])
    } finally {
      await context.close()
    }
  }, 60_000)

  test('uses a passkey as the second factor after the password', async () => {
    await newAccount('grace')
    const { context, page } = await contextWithAuthenticator()
    try {
      await passwordSignIn(page, 'grace')
      await page.waitForURL(/\/callback\?/)
      await registerPasskey(page, 'Phone')
      await signOut(page)
      await passwordSignIn(page, 'grace')
      await page.waitForSelector('h1:has-text("Enter your verification code")')
      await page.click('button:has-text("Use a passkey instead")')
      await page.waitForURL(/\/callback\?/)
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy()
    } finally {
      await context.close()
    }
  }, 60_000)
})
