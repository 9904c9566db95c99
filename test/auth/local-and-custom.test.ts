/**
 * The `local` provider (an Edgepass tenant's accounts, over HTTP and in-process) behind an app's
 * own login form, and a custom adapter + provider written in one file (api-key-strategy.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import {
  AuthError,
  createAuth,
  edgepassOverHttp,
  localProvider,
  memoryUserStore,
  noneAuthenticator,
  sessionAdapter,
  sessionCookieAuthenticator,
  type AuthVariables,
} from '../../src/auth'
import { edgepassInProcess } from '../../src/auth/providers/edgepass-local'
import { TEST_BASE_URL } from '../harness/targets'
import { PASSWORD, startLdapFixture, type LdapFixture } from '../workers/ldap-fixture'
import { apiKeyAdapter, staticKeysProvider } from './api-key-strategy'

const SECRET = 'local-provider-test-secret-0123456789abcdef'
const APP = 'http://local-app.test'
let f: LdapFixture

beforeAll(async () => {
  f = await startLdapFixture({ tenantKey: 'auth-local', suffix: 'dc=auth-local' })
  const account = await f.newAccount({
    username: 'lin',
    email: 'lin@example.com',
    givenName: 'Lin',
    surname: 'Lee',
  })
  const group = (await f.api('POST', `${f.directory.href}/groups`, { name: 'editors' })).body
  await f.api('POST', '/v1/groupMemberships', {
    account: { href: account.href },
    group: { href: group.href },
  })
})

afterAll(async () => {
  await f?.stop()
})

function appWith(check: Parameters<typeof localProvider>[0]['check']) {
  const session = sessionCookieAuthenticator({ secret: SECRET })
  const auth = createAuth({
    secret: SECRET,
    providers: {
      local: localProvider({ check }),
      keys: staticKeysProvider({ 'key-0123456789abcdef': { owner: 'robot', groups: ['bots'] } }),
    },
    adapters: { session: sessionAdapter(session), apiKey: apiKeyAdapter() },
    authenticators: { session, none: noneAuthenticator() },
    strategies: {
      local: {
        provider: 'local',
        adapter: 'session',
        authenticator: 'session',
        loginRedirect: '/login',
        successRedirect: '/private',
      },
      keys: {
        provider: 'keys',
        adapter: 'apiKey',
        authenticator: 'none',
        mandatoryGroups: ['bots'],
      },
    },
    users: memoryUserStore(),
  })
  const app = new Hono<{ Variables: AuthVariables }>()
  app.route('/', auth.routes)
  app.use('/private/*', auth.filter('local'))
  app.use('/private', auth.filter('local'))
  app.get('/private', (c) => c.json(c.get('identity')))
  app.use('/robots', auth.filter('keys'))
  app.get('/robots', (c) => c.json(c.get('identity')))
  app.onError((error, c) =>
    error instanceof AuthError
      ? c.json({ reason: error.reason }, error.status)
      : c.text('error', 500),
  )
  return app
}

const tenantIdOf = async () =>
  new URL(
    (
      await f.request('/v1/tenants/current', { headers: { authorization: f.admin.basic } })
    ).headers.get('location')!,
  ).pathname
    .split('/')
    .pop()!

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
})

describe.each(['over HTTP', 'in-process'])('the local provider (%s)', (mode) => {
  let app: ReturnType<typeof appWith>
  beforeAll(async () => {
    const applicationId = f.application.href.split('/').pop()
    app = appWith(
      mode === 'over HTTP'
        ? edgepassOverHttp({
            baseUrl: TEST_BASE_URL,
            applicationId,
            apiKeyId: f.admin.keyId,
            apiKeySecret: f.admin.keySecret,
            fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
              const url = new URL(String(input))
              return f.request(url.pathname + url.search, init)
            }) as typeof fetch,
          })
        : edgepassInProcess(f.deps, { tenantId: await tenantIdOf(), applicationId }),
    )
  })

  test('the app’s login form posts to the callback: a session, and the account’s groups', async () => {
    expect((await app.fetch(new Request(`${APP}/auth/local`))).headers.get('location')).toBe(
      '/login',
    )
    const reply = await app.fetch(
      new Request(`${APP}/auth/local/callback`, form({ username: 'lin', password: PASSWORD })),
    )
    expect(reply.status).toBe(302)
    expect(reply.headers.get('location')).toBe('/private')
    const cookie = reply.headers.getSetCookie()[0]!.split(';')[0]!
    const me = await app.fetch(new Request(`${APP}/private`, { headers: { cookie } }))
    expect(await me.json()).toMatchObject({
      strategy: 'local',
      email: 'lin@example.com',
      groups: ['editors'],
    })
  })

  test('a wrong password, missing fields and a form posted from another site are refused', async () => {
    for (const init of [
      form({ username: 'lin', password: 'wrong' }),
      form({ username: 'lin' }),
      form({ username: 'lin', password: PASSWORD }, { origin: 'https://evil.example' }),
    ]) {
      const reply = await app.fetch(new Request(`${APP}/auth/local/callback`, init))
      expect(reply.status).toBe(401)
      expect(await reply.json()).toEqual({ reason: 'not_verified' })
    }
  })
})

describe('a custom adapter and provider (one file)', () => {
  test('a known API key passes with its groups; an unknown or malformed one does not', async () => {
    const app = appWith(async () => null)
    const call = (key: string) =>
      app.fetch(new Request(`${APP}/robots`, { headers: { 'x-api-key': key } }))
    const ok = await call('key-0123456789abcdef')
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({
      strategy: 'keys',
      externalId: 'robot',
      groups: ['bots'],
    })
    expect(await (await call('key-unknown-0123456789')).json()).toEqual({ reason: 'not_verified' })
    expect(await (await call('bad key!')).json()).toEqual({ reason: 'adapter_failure' })
    expect(await (await app.fetch(new Request(`${APP}/robots`))).json()).toEqual({
      reason: 'no_authenticated_user',
    })
  })
})
