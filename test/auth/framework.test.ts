/**
 * The authentication framework (src/auth) protecting a sample Hono app, with a real upstream
 * IdP: node-oidc-provider 9 on Node (test/auth/upstream-idp.mjs). Anonymous requests go to the
 * login page with `requested_url`; the full code flow; auto-registration on and off; a missing
 * mandatory group; a tampered session cookie; logout without an open redirect; account linking
 * only on verified emails; a forged JWT refused by the trusted-JWT provider.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SignJWT, UnsecuredJWT } from 'jose'
import { Miniflare } from 'miniflare'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAuth, memoryUserStore, trustedJwtProvider } from '../../src/auth'
import { TARGETS } from '../harness/targets'
import { SAMPLE_JWT_KEY, SAMPLE_SECRET, sampleApp } from './sample-app'
import { startUpstreamIdp } from './upstream-idp'

const APP = 'http://app.test'
const SECRET = SAMPLE_SECRET
const JWT_KEY = new TextEncoder().encode(SAMPLE_JWT_KEY)
const UPSTREAM_USERS = {
  alice: { email: 'alice@example.com', email_verified: true, name: 'Alice A', groups: ['staff'] },
  bob: { email: 'bob@example.com', email_verified: true, name: 'Bob B', groups: [] },
  dana: { email: 'dana@example.com', email_verified: true, name: 'Dana D', groups: [] },
  eve: { email: 'erin@example.com', email_verified: false, name: 'Eve E', groups: [] },
}

let upstream: Bun.Subprocess<'ignore', 'pipe', 'inherit'>
let issuer: string
/** The app under test: the sample app in-process (bun) or in workerd. */
let appFetch: (request: Request) => Promise<Response>

beforeAll(async () => {
  const strategies = ['corp', 'strict', 'staff', 'sso']
  ;({ issuer, child: upstream } = await startUpstreamIdp(
    UPSTREAM_USERS,
    strategies.map((name) => `${APP}/auth/${name}/callback`),
  ))
})

afterAll(() => {
  upstream?.kill()
})

/** A browser: cookies per host, redirects followed across the app (in-process) and the IdP. */
function browser() {
  const jars = new Map<string, Map<string, string>>()
  const send = async (url: string, init: RequestInit = {}) => {
    const { host } = new URL(url)
    const jar = jars.get(host) ?? new Map<string, string>()
    jars.set(host, jar)
    const headers = new Headers(init.headers)
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const request = new Request(url, { ...init, headers, redirect: 'manual' })
    const response = url.startsWith(APP) ? await appFetch(request) : await fetch(request)
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const [name, ...value] = pair!.split('=')
      if (/max-age=0/i.test(cookie) || value.join('=') === '') jar.delete(name!.trim())
      else jar.set(name!.trim(), value.join('='))
    }
    return response
  }
  /** Follows redirects until an answer that is not one, or one back to the app's pages. */
  const follow = async (url: string, stopAtApp = true) => {
    let response = await send(url)
    console.error('hop', url, response.status, response.headers.get('location'))
    for (let hop = 0; hop < 12 && response.status >= 300 && response.status < 400; hop++) {
      const next = new URL(response.headers.get('location')!, url).href
      if (stopAtApp && next.startsWith(APP) && !next.includes('/auth/'))
        return { response, location: next }
      url = next
      response = await send(url)
      console.error('hop', url, response.status, response.headers.get('location'))
    }
    return { response, location: response.headers.get('location') ?? undefined }
  }
  return { send, follow, jars }
}

const nextLogin = (login: string) =>
  fetch(`${issuer}/test/next-login`, { method: 'POST', body: JSON.stringify({ login }) })

/** Starts the sample app on `target`; answers how to stop it. */
async function startSample(target: string): Promise<() => Promise<void>> {
  if (target === 'bun') {
    const app = sampleApp({ issuer })
    appFetch = async (request) => app.fetch(request)
    return async () => {}
  }
  const dir = await mkdtemp(join(tmpdir(), 'edgepass-auth-worker-'))
  const built = await Bun.build({
    entrypoints: [fileURLToPath(new URL('./sample-worker.ts', import.meta.url))],
    outdir: dir,
    target: 'browser',
    format: 'esm',
  })
  if (!built.success) throw new Error(built.logs.join('\n'))
  const mf = new Miniflare({
    modules: true,
    script: await readFile(built.outputs[0]!.path, 'utf8'),
    compatibilityDate: '2025-09-01',
    bindings: { ISSUER: issuer, BASE_URL: APP },
  })
  appFetch = async (request) => {
    const answer = await mf.dispatchFetch(request.url, {
      method: request.method,
      headers: [...request.headers],
      body: request.method === 'GET' ? undefined : await request.arrayBuffer(),
      redirect: 'manual',
    })
    const headers = new Headers()
    for (const [name, value] of answer.headers) headers.append(name, value)
    const body = [204, 302, 303].includes(answer.status) ? null : await answer.arrayBuffer()
    return new Response(body, { status: answer.status, headers })
  }
  return async () => {
    await mf.dispose()
    await rm(dir, { recursive: true, force: true })
  }
}

const accountEmails = async () =>
  (await (await appFetch(new Request(`${APP}/test/accounts`))).json()) as string[]

describe.each(TARGETS)('a Hono app protected by filter() [%s]', (target) => {
  let stop: () => Promise<void>
  beforeAll(async () => {
    stop = await startSample(target)
  })
  afterAll(async () => {
    await stop?.()
  })

  test('anonymous: the login redirect carries requested_url; anonymous routes let guests through', async () => {
    const b = browser()
    const response = await b.send(`${APP}/admin/me?tab=1`)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/login?requested_url=%2Fadmin%2Fme%3Ftab%3D1')
    expect(await (await b.send(`${APP}/public/page`)).text()).toBe('hello guest')
  })

  test('the full round trip: upstream login, callback, session, identity on the context', async () => {
    await nextLogin('alice')
    const b = browser()
    const { location } = await b.follow(`${APP}/auth/corp?returnTo=/admin/me`)
    expect(location).toBe(`${APP}/admin/me`)
    const me = await b.send(`${APP}/admin/me`)
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({
      strategy: 'corp',
      externalId: 'alice',
      email: 'alice@example.com',
      groups: ['staff'],
    })
    expect(await (await b.send(`${APP}/public/page`)).text()).toBe('hello member')
    // Registered once, on the first sight of this upstream identity.
    expect((await accountEmails()).filter((email) => email === 'alice@example.com')).toHaveLength(1)
  })

  test('a returnTo on another site is ignored (no open redirect); logout too', async () => {
    await nextLogin('alice')
    const b = browser()
    const { location } = await b.follow(`${APP}/auth/corp?returnTo=https://evil.example/steal`)
    expect(location).toBe(`${APP}/`)
    const out = await b.send(`${APP}/auth/corp/logout?redirect=https://evil.example/`)
    expect(out.status).toBe(302)
    expect(out.headers.get('location')).toBe('/')
    expect((await b.send(`${APP}/admin/me`)).status).toBe(302)
  })

  test('autoRegister off: a new user goes to registrationRedirect, with nothing created', async () => {
    await nextLogin('bob')
    const before = (await accountEmails()).length
    const b = browser()
    const { location } = await b.follow(`${APP}/auth/strict`)
    expect(location).toBe(`${APP}/register`)
    // The app's registration page reads what the upstream said (sealed; tampering voids it).
    const pending = await (await b.send(`${APP}/register`)).json()
    expect(pending).toMatchObject({
      strategy: 'strict',
      profile: { externalId: 'bob', email: 'bob@example.com' },
    })
    b.jars.get('app.test')!.set('edgepass_auth_registration', 'tampered')
    expect(await (await b.send(`${APP}/register`)).json()).toBeNull()
    expect((await accountEmails()).length).toBe(before)
  })

  test('autoRegister on (the default): the same user is created', async () => {
    await nextLogin('bob')
    const b = browser()
    await b.follow(`${APP}/auth/corp?returnTo=/admin/me`)
    expect(await accountEmails()).toContain('bob@example.com')
  })

  test('a missing mandatory group is refused (403), never offered registration', async () => {
    await nextLogin('bob')
    const b = browser()
    const { response, location } = await b.follow(`${APP}/auth/staff`)
    expect(location).toBeUndefined()
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ reason: 'missing_mandatory_group' })
    await nextLogin('alice')
    expect((await browser().follow(`${APP}/auth/staff`)).location).toBe(`${APP}/`)
  })

  test('a tampered session cookie is an adapter failure: adapterFailureHandler answers', async () => {
    await nextLogin('alice')
    const b = browser()
    await b.follow(`${APP}/auth/corp?returnTo=/admin/me`)
    const jar = b.jars.get('app.test')!
    const value = jar.get('edgepass_auth')!
    jar.set('edgepass_auth', `${value.slice(0, -4)}AAAA`)
    const response = await b.send(`${APP}/admin/me`)
    expect(response.status).toBe(401)
    expect(await response.text()).toBe('adapter failure: the session cookie is not valid')
  })

  test('account linking: a verified upstream email links to a verified local account; an unverified one does not', async () => {
    await nextLogin('dana')
    const b = browser()
    await b.follow(`${APP}/auth/corp?returnTo=/admin/me`)
    expect(await (await b.send(`${APP}/admin/me`)).json()).toMatchObject({ id: 'local-dana' })
    await nextLogin('eve') // asserts erin@example.com, unverified
    const { response } = await browser().follow(`${APP}/auth/corp`)
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ reason: 'account_not_linked' })
  })

  test('a callback without the state cookie (CSRF, or another browser) is refused', async () => {
    const response = await appFetch(new Request(`${APP}/auth/corp/callback?code=x&state=y`))
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ reason: 'not_verified' })
  })

  describe('the trusted JWT provider', () => {
    const token = (claims: Record<string, unknown>, key = JWT_KEY, expires = '5m') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://gateway.example')
        .setAudience('sample-app')
        .setSubject('svc-1')
        .setIssuedAt()
        .setExpirationTime(expires)
        .sign(key)
    const call = (jwt: string) =>
      appFetch(new Request(`${APP}/api/me`, { headers: { authorization: `Bearer ${jwt}` } }))

    test('a signed token passes; the identity is on the context', async () => {
      const response = await call(await token({ email: 'svc@example.com' }))
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ strategy: 'api', externalId: 'svc-1' })
    })

    test('forged JWT: another key, alg none, an expired token, a malformed header are all refused', async () => {
      const forged = await token({}, new TextEncoder().encode('not-the-shared-key-of-32-bytes!!!'))
      const unsigned = new UnsecuredJWT({ sub: 'svc-1' })
        .setIssuer('https://gateway.example')
        .setAudience('sample-app')
        .encode()
      const expired = await token({}, JWT_KEY, '-1m')
      for (const jwt of [forged, unsigned, expired]) {
        const response = await call(jwt)
        expect(response.status).toBe(401)
        expect(await response.json()).toEqual({ reason: 'not_verified' })
      }
      const malformed = await appFetch(
        new Request(`${APP}/api/me`, { headers: { authorization: 'Bearer a b c' } }),
      )
      expect(await malformed.json()).toEqual({ reason: 'adapter_failure' })
    })
  })
})

describe('examples/protect-a-route.ts', () => {
  test('the ten-line example protects /private with the upstream IdP', async () => {
    const { exampleApp } = await import('../../examples/protect-a-route')
    const example = exampleApp({
      AUTH_SECRET: SECRET,
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: 'sample-app',
      OIDC_CLIENT_SECRET: 'sample-app-secret-0123456789',
      OIDC_ALLOW_HTTP: '1',
    })
    const anonymous = await example.fetch(new Request(`${APP}/private`))
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('location')).toBe('/auth/sso?returnTo=%2Fprivate')
    await nextLogin('alice')
    const b = browser()
    const original = appFetch
    appFetch = async (request) => example.fetch(request) // the browser helper serves APP from it
    try {
      const { location } = await b.follow(`${APP}/private`)
      expect(location).toBe(`${APP}/private`)
      expect(await (await b.send(`${APP}/private`)).text()).toBe('Hello alice@example.com')
    } finally {
      appFetch = original
    }
  })
})

describe('configuration', () => {
  test('a configuration mistake stops at start-up, naming it', () => {
    expect(() =>
      createAuth({
        secret: 'short',
        providers: {},
        strategies: { x: { provider: 'nope' } },
        users: memoryUserStore(),
      }),
    ).toThrow(
      'invalid auth configuration: secret must be at least 32 characters; strategy x: no provider nope',
    )
    expect(() =>
      trustedJwtProvider({ key: JWT_KEY, issuer: 'i', audience: 'a', algorithms: ['none'] }),
    ).toThrow('never none')
  })
})
