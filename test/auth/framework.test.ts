/**
 * The authentication framework (src/auth) protecting a sample Hono app, with a real upstream
 * IdP: node-oidc-provider 9 on Node (test/auth/upstream-idp.mjs). Anonymous requests go to the
 * login page with `requested_url`; the full code flow; auto-registration on and off; a missing
 * mandatory group; a tampered session cookie; logout without an open redirect; account linking
 * only on verified emails; a forged JWT refused by the trusted-JWT provider.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { SignJWT, UnsecuredJWT } from 'jose'
import { fileURLToPath } from 'node:url'
import {
  AuthError,
  bearerAdapter,
  createAuth,
  memoryUserStore,
  noneAuthenticator,
  oidcProvider,
  sessionAdapter,
  sessionCookieAuthenticator,
  trustedJwtProvider,
  type AuthVariables,
} from '../../src/auth'

const APP = 'http://app.test'
const SECRET = 'sample-app-secret-for-sealing-0123456789'
const JWT_KEY = new TextEncoder().encode('a-shared-hs256-key-of-32-bytes!!')
const UPSTREAM_USERS = {
  alice: { email: 'alice@example.com', email_verified: true, name: 'Alice A', groups: ['staff'] },
  bob: { email: 'bob@example.com', email_verified: true, name: 'Bob B', groups: [] },
  dana: { email: 'dana@example.com', email_verified: true, name: 'Dana D', groups: [] },
  eve: { email: 'erin@example.com', email_verified: false, name: 'Eve E', groups: [] },
}

let upstream: Bun.Subprocess<'ignore', 'pipe', 'inherit'>
let issuer: string
let users: ReturnType<typeof memoryUserStore>
let app: Hono<{ Variables: AuthVariables }>

beforeAll(async () => {
  const strategies = ['corp', 'strict', 'staff', 'sso']
  upstream = Bun.spawn(['node', fileURLToPath(new URL('./upstream-idp.mjs', import.meta.url))], {
    env: {
      ...process.env,
      USERS: JSON.stringify(UPSTREAM_USERS),
      REDIRECT_URIS: JSON.stringify(strategies.map((name) => `${APP}/auth/${name}/callback`)),
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const reader = upstream.stdout.getReader()
  let printed = ''
  while (!/listening (\d+)/.test(printed)) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`upstream IdP did not start: ${printed}`)
    printed += new TextDecoder().decode(value)
  }
  issuer = `http://127.0.0.1:${/listening (\d+)/.exec(printed)![1]}`

  users = memoryUserStore([
    { id: 'local-dana', email: 'dana@example.com', emailVerified: true, links: new Set() },
    { id: 'local-erin', email: 'erin@example.com', emailVerified: true, links: new Set() },
  ])
  const session = sessionCookieAuthenticator({ secret: SECRET })
  const corp = oidcProvider({
    issuer,
    clientId: 'sample-app',
    clientSecret: 'sample-app-secret-0123456789',
    scopes: ['openid', 'email', 'profile', 'groups'],
    allowInsecureRequests: true,
  })
  const auth = createAuth({
    secret: SECRET,
    providers: {
      corp,
      token: trustedJwtProvider({
        key: JWT_KEY,
        issuer: 'https://gateway.example',
        audience: 'sample-app',
        algorithms: ['HS256'],
      }),
    },
    adapters: { session: sessionAdapter(session), bearer: bearerAdapter() },
    authenticators: { session, none: noneAuthenticator() },
    strategies: {
      corp: {
        provider: 'corp',
        adapter: 'session',
        authenticator: 'session',
        loginRedirect: '/login',
        adapterFailureHandler: (c, reason) => c.text(`adapter failure: ${reason}`, 401),
      },
      strict: {
        provider: 'corp',
        adapter: 'session',
        authenticator: 'session',
        autoRegister: false,
        registrationRedirect: '/register',
      },
      staff: {
        provider: 'corp',
        adapter: 'session',
        authenticator: 'session',
        mandatoryGroups: ['staff'],
        registrationRedirect: '/register',
      },
      api: { provider: 'token', adapter: 'bearer', authenticator: 'none' },
    },
    users,
  })
  app = new Hono<{ Variables: AuthVariables }>()
  app.route('/', auth.routes)
  app.use('/admin/*', auth.filter('corp'))
  app.get('/admin/me', (c) => c.json(c.get('identity')))
  app.use('/api/*', auth.filter('api'))
  app.get('/api/me', (c) => c.json(c.get('identity')))
  app.use('/public/*', auth.filter('corp', { anonymous: true }))
  app.get('/public/page', (c) => c.text(c.get('identity') ? 'hello member' : 'hello guest'))
  app.onError((error, c) =>
    error instanceof AuthError
      ? c.json({ reason: error.reason }, error.status)
      : c.text('error', 500),
  )
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
    const response = url.startsWith(APP) ? await app.fetch(request) : await fetch(request)
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
    for (let hop = 0; hop < 12 && response.status >= 300 && response.status < 400; hop++) {
      const next = new URL(response.headers.get('location')!, url).href
      if (stopAtApp && next.startsWith(APP) && !next.includes('/auth/'))
        return { response, location: next }
      url = next
      response = await send(url)
    }
    return { response, location: response.headers.get('location') ?? undefined }
  }
  return { send, follow, jars }
}

const nextLogin = (login: string) =>
  fetch(`${issuer}/test/next-login`, { method: 'POST', body: JSON.stringify({ login }) })

describe('a Hono app protected by filter()', () => {
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
    expect(users.accounts.filter((account) => account.email === 'alice@example.com')).toHaveLength(
      1,
    )
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
    const before = users.accounts.length
    const b = browser()
    const { location } = await b.follow(`${APP}/auth/strict`)
    expect(location).toBe(`${APP}/register`)
    expect(b.jars.get('app.test')!.has('edgepass_auth_registration')).toBe(true)
    expect(users.accounts.length).toBe(before)
  })

  test('autoRegister on (the default): the same user is created', async () => {
    await nextLogin('bob')
    const b = browser()
    await b.follow(`${APP}/auth/corp?returnTo=/admin/me`)
    expect(users.accounts.some((account) => account.email === 'bob@example.com')).toBe(true)
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
    const response = await app.fetch(new Request(`${APP}/auth/corp/callback?code=x&state=y`))
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ reason: 'not_verified' })
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
    const original = app
    app = example as unknown as typeof app // the browser helper serves APP from `app`
    try {
      const { location } = await b.follow(`${APP}/private`)
      expect(location).toBe(`${APP}/private`)
      expect(await (await b.send(`${APP}/private`)).text()).toBe('Hello alice@example.com')
    } finally {
      app = original
    }
  })
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
    app.fetch(new Request(`${APP}/api/me`, { headers: { authorization: `Bearer ${jwt}` } }))

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
    const malformed = await app.fetch(
      new Request(`${APP}/api/me`, { headers: { authorization: 'Bearer a b c' } }),
    )
    expect(await malformed.json()).toEqual({ reason: 'adapter_failure' })
  })

  test('a configuration mistake stops at start-up, naming it', () => {
    expect(() =>
      createAuth({
        secret: 'short',
        providers: {},
        strategies: { x: { provider: 'nope' } },
        users,
      }),
    ).toThrow(
      'invalid auth configuration: secret must be at least 32 characters; strategy x: no provider nope',
    )
    expect(() =>
      trustedJwtProvider({ key: JWT_KEY, issuer: 'i', audience: 'a', algorithms: ['none'] }),
    ).toThrow('never none')
  })
})
