/**
 * "Sign in with …" in headless Chromium (issue "Authentication framework" acceptance): the hosted
 * login of an application mapped to a directory with provider `oidc` shows the button; clicking
 * it goes to the upstream (node-oidc-provider 9 on Node, test/auth/upstream-idp.mjs), which signs
 * the user in and sends the browser back; Edgepass creates the account in the directory and the
 * relying party gets its code.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import type { Browser } from 'playwright-core'
import * as schema from '../../db/schema'
import { bootstrapAdmin } from '../harness/admin'
import { launchChromium, serveApp, type AppServer } from '../harness/browser'
import type { Target } from '../harness/targets'
import { startUpstreamIdp } from '../auth/upstream-idp'
import { restClient } from '../rest/rest-client'

let server: AppServer
let chromium: Browser
let upstream: Bun.Subprocess<'ignore', 'pipe', 'inherit'> | undefined
let rp: ReturnType<typeof Bun.serve>

async function startUpstream(redirectUris: string[]): Promise<string> {
  const started = await startUpstreamIdp(
    {
      grace: {
        email: 'grace@corp.example',
        email_verified: true,
        name: 'Grace Hopper',
        groups: ['navy'],
      },
    },
    redirectUris,
  )
  upstream = started.child
  return started.issuer
}

beforeAll(async () => {
  ;[server, chromium] = await Promise.all([
    serveApp({ outbound: (input, init) => fetch(input, init) }),
    launchChromium(),
  ])
  rp = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () =>
      new Response('<!doctype html><title>RP</title><h1>Back at the app</h1>', {
        headers: { 'content-type': 'text/html' },
      }),
  })
})

afterAll(async () => {
  upstream?.kill()
  rp?.stop(true)
  await chromium?.close()
  await server?.stop()
})

describe('Sign in with an upstream provider, in Chromium', () => {
  test('the button on the hosted login leads through the upstream and back with a code', async () => {
    const request = (path: string, init: RequestInit = {}) =>
      fetch(new URL(path, server.baseUrl), { redirect: 'manual', ...init })
    const admin = await bootstrapAdmin(request, 'upstream-browser')
    const api = restClient({ request } as Target, () => admin)
    const directory = (
      await api('POST', '/v1/directories', {
        name: 'Corp',
        provider: {
          providerId: 'oidc',
          issuer: 'http://127.0.0.1:1',
          clientId: 'sample-app',
          buttonLabel: 'Corp IdP',
        },
      })
    ).body
    const directoryId = directory.href.split('/').pop()
    const issuer = await startUpstream([
      `${server.baseUrl}/openid/upstream/${directoryId}/callback`,
    ])
    const updated = await api('POST', `${new URL(directory.href).pathname}/provider`, {
      issuer,
      clientSecret: 'sample-app-secret-0123456789',
      scopes: ['openid', 'email', 'profile', 'groups'],
    })
    expect(updated.status).toBe(200)
    const application = (await api('POST', '/v1/applications', { name: 'Harbour' })).body
    await api('POST', '/v1/accountStoreMappings', {
      application: { href: application.href },
      accountStore: { href: directory.href },
    })
    const callback = `http://127.0.0.1:${rp.port}/callback`
    const client = (
      await api('POST', '/v1/oidcClients', {
        application: { href: application.href },
        redirectUris: [callback],
        trusted: true,
      })
    ).body

    const authorize = new URL(`${server.baseUrl}/openid/auth`)
    authorize.search = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: callback,
      response_type: 'code',
      scope: 'openid email',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString()
    const page = await chromium.newPage()
    try {
      await page.goto(authorize.href)
      await page.getByRole('link', { name: 'Sign in with Corp IdP', exact: true }).click()
      await page.waitForURL((url) => url.href.startsWith(callback), { timeout: 15_000 })
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy()
      expect(await page.getByRole('heading').textContent()).toBe('Back at the app')
    } finally {
      await page.close()
    }
    const accounts = await server.deps.db
      .select()
      .from(schema.accounts)
      .where(eq(schema.accounts.directoryId, directoryId))
      .all()
    expect(accounts).toHaveLength(1)
    expect(accounts[0]).toMatchObject({
      email: 'grace@corp.example',
      emailVerificationStatus: 'VERIFIED',
      externalId: 'grace',
    })
    const groups = await server.deps.db
      .select()
      .from(schema.groups)
      .where(eq(schema.groups.directoryId, directoryId))
      .all()
    expect(groups.map((group) => group.name)).toEqual(['navy'])
    expect(server.errors).toEqual([])
  }, 30_000)
})
