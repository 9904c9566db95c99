/**
 * "Sign in with …" on the hosted login, with Edgepass as its own upstream (issue
 * "Authentication framework", item 4 and acceptance): tenant B's application maps a directory
 * whose provider is `oidc` and points at tenant A's issuer; a user of A signs in to B's client
 * through A (password at A, consent), and comes back to B as an account of that directory.
 * Mandatory groups, account linking and bad callbacks too. On both targets: B reaches A's token
 * endpoint through the app's outbound fetch, routed back into the same app.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, type Target } from '../harness/targets'
import { restClient } from '../rest/rest-client'
import { json } from './browser'
import { oidcFixture, PASSWORD, REDIRECT } from './provider-fixture'

let self: Target | undefined
/** The deployment's public URL: https, as an upstream accepts only https redirect URIs. */
const TEST_BASE_URL = 'https://edgepass.test'

/** A browser whose cookies keep their paths (tenants' issuers set same-named cookies). */
function pathBrowser(target: Target) {
  const jar = new Map<string, { name: string; value: string; path: string }>()
  const request = async (url: string, init: RequestInit = {}) => {
    const path = url.startsWith(TEST_BASE_URL) ? url.slice(TEST_BASE_URL.length) : url
    const pathname = new URL(path, TEST_BASE_URL).pathname
    const sent = [...jar.values()]
      .filter(
        (cookie) =>
          pathname === cookie.path || pathname.startsWith(cookie.path.replace(/\/?$/, '/')),
      )
      .sort((a, b) => b.path.length - a.path.length)
    const headers = new Headers(init.headers)
    if (sent.length > 0) headers.set('cookie', sent.map((c) => `${c.name}=${c.value}`).join('; '))
    const response = await target.request(path, { ...init, headers })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, ...rest] = pair!.split('=')
      const cookiePath =
        attributes
          .map((a) => a.trim())
          .find((a) => /^path=/i.test(a))
          ?.slice(5) ?? '/'
      const key = `${name!.trim()};${cookiePath}`
      const value = rest.join('=')
      if (attributes.some((a) => /max-age=0/i.test(a.trim())) || value === '') jar.delete(key)
      else jar.set(key, { name: name!.trim(), value, path: cookiePath })
    }
    return response
  }
  return { request }
}

describeTargets(
  'Sign in with an upstream provider: tenant B through tenant A',
  (target) => {
    // The targets run one after the other: the outbound fetch goes to the one running now.
    beforeAll(() => {
      self = target
    })
    const a = oidcFixture(target, 'up-a') // tenant A: the default issuer, /openid
    let b: Admin
    const asB = restClient(target, () => b)
    let directory: any
    let clientOfB: any
    const issuerB = () => `${TEST_BASE_URL}/t/up-b-${target.name}/openid`

    beforeAll(async () => {
      b = await bootstrapAdmin(target.request, `up-b-${target.name}`)
      const created = await asB('POST', '/v1/directories', {
        name: 'Tenant A people',
        provider: {
          providerId: 'oidc',
          issuer: `${TEST_BASE_URL}/openid`,
          clientId: 'pending',
          buttonLabel: 'Tenant A',
        },
      })
      expect(created.status).toBe(201)
      directory = created.body
      const callback = `${issuerB()}/upstream/${directory.href.split('/').pop()}/callback`
      const upstreamClient = await a.newClient({ redirectUris: [callback], trusted: true })
      const updated = await asB('POST', `${new URL(directory.href).pathname}/provider`, {
        clientId: upstreamClient.clientId,
        clientSecret: upstreamClient.clientSecret,
        groupsClaim: 'groups',
      })
      expect(updated.status).toBe(200)
      expect(updated.body).toMatchObject({
        providerId: 'oidc',
        clientId: upstreamClient.clientId,
        clientSecretSet: true,
      })
      expect(JSON.stringify(updated.body)).not.toContain(upstreamClient.clientSecret!)
      const application = (await asB('POST', '/v1/applications', { name: 'B app' })).body
      await asB('POST', '/v1/accountStoreMappings', {
        application: { href: application.href },
        accountStore: { href: directory.href },
      })
      clientOfB = (
        await asB('POST', '/v1/oidcClients', {
          application: { href: application.href },
          redirectUris: [REDIRECT],
          trusted: true,
        })
      ).body
    })

    /** B's authorization request in browser `br`: its interaction URL. */
    const startAtB = async (br: ReturnType<typeof pathBrowser>) => {
      const url = new URL(`${issuerB()}/auth`)
      url.search = new URLSearchParams({
        client_id: clientOfB.clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid email',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString()
      const reply = await br.request(url.href)
      expect(reply.status).toBe(303)
      return reply.headers.get('location')!
    }

    /** Through A: its login (password) and on, until the browser is back at B. */
    const signInAtA = async (
      br: ReturnType<typeof pathBrowser>,
      start: string,
      username: string,
    ) => {
      let reply = await br.request(start)
      for (let hop = 0; hop < 10; hop++) {
        const location = reply.headers.get('location')
        if (!location) return reply
        if (location.startsWith(issuerB()) || location.startsWith(REDIRECT)) return reply
        if (/\/openid\/interaction\/[^/]+$/.test(location)) {
          const answer = await (
            await br.request(`${location}/login`, json({ username, password: PASSWORD }))
          ).json()
          reply = await br.request(
            answer.redirectTo ??
              (await (await br.request(`${location}/confirm`, json({}))).json()).redirectTo,
          )
          continue
        }
        reply = await br.request(location)
      }
      return reply
    }

    test('the hosted login offers the upstream; signing in through A creates B’s account and finishes B’s login', async () => {
      const user = await a.newUser('upstream')
      const br = pathBrowser(target)
      const interaction = await startAtB(br)
      const details = await (await br.request(`${interaction}/details`)).json()
      expect(details.upstreams).toEqual([
        { label: 'Tenant A', url: `${interaction}/upstream/${directory.href.split('/').pop()}` },
      ])
      const page = await (await br.request(interaction)).text()
      expect(page).toContain('Sign in with Tenant A')

      const back = await signInAtA(br, details.upstreams[0].url, user.username)
      const callback = back.headers.get('location')!
      expect(callback).toStartWith(`${issuerB()}/upstream/`)
      const finished = await br.request(callback)
      expect(finished.status).toBe(303)
      expect(finished.headers.get('location')).toBe(interaction)
      const resumed = await br.request(interaction)
      const toClient = await br.request(resumed.headers.get('location')!)
      expect(toClient.headers.get('location')).toStartWith(`${REDIRECT}?code=`)

      const accounts = await target.db
        .select()
        .from(schema.accounts)
        .where(eq(schema.accounts.directoryId, directory.href.split('/').pop()))
        .all()
      expect(accounts).toHaveLength(1)
      expect(accounts[0]).toMatchObject({
        email: `${user.username}@example.com`,
        passwordHash: null,
      })
      expect(accounts[0]!.externalId).toBeTruthy()
    })

    /** The whole sign-in at B through A for `username`: B's answer after the callback. */
    const throughA = async (username: string) => {
      const br = pathBrowser(target)
      const interaction = await startAtB(br)
      const details = await (await br.request(`${interaction}/details`)).json()
      const back = await signInAtA(br, details.upstreams[0].url, username)
      return br.request(back.headers.get('location')!)
    }
    const directoryId = () => directory.href.split('/').pop()
    const provider = () => `${new URL(directory.href).pathname}/provider`

    test('mandatory groups: a user outside them is refused, and nothing is written', async () => {
      const user = await a.newUser('outsider')
      expect((await asB('POST', provider(), { mandatoryGroups: ['harbour-staff'] })).status).toBe(
        200,
      )
      try {
        const refused = await throughA(user.username)
        expect(refused.status).toBe(403)
        expect(await refused.text()).toContain('not in a group that may sign in here')
        const rows = await target.db
          .select()
          .from(schema.accounts)
          .where(eq(schema.accounts.email, `${user.username}@example.com`))
          .all()
        expect(rows.filter((row) => row.directoryId === directoryId())).toEqual([])
      } finally {
        await asB('POST', provider(), { mandatoryGroups: [] })
      }
    })

    test('account linking: an account created in the directory is joined only when its email is verified', async () => {
      const user = await a.newUser('linked')
      const email = `${user.username}@example.com`
      const local = await asB(
        'POST',
        `${new URL(directory.href).pathname}/accounts?registrationWorkflowEnabled=false`,
        {
          email,
          password: 'Local-pass-1234',
          givenName: 'Pre',
          surname: 'Provisioned',
        },
      )
      expect(local.status).toBe(201)
      const localId = local.body.href.split('/').pop()
      // Unverified here: an email match alone must not hand the account over.
      const refused = await throughA(user.username)
      expect(refused.status).toBe(403)
      expect(await refused.text()).toContain('not joined')
      // Verified on both sides now: at B (the account) and at A (whose ID token says so).
      for (const id of [localId, user.id]) {
        await target.db
          .update(schema.accounts)
          .set({ emailVerificationStatus: 'VERIFIED' })
          .where(eq(schema.accounts.id, id))
      }
      const joined = await throughA(user.username)
      expect(joined.status).toBe(303)
      const row = await target.db
        .select()
        .from(schema.accounts)
        .where(eq(schema.accounts.id, localId))
        .get()
      expect(row!.externalId).toBeTruthy()
    })

    test('a callback without its state cookie, or for another tenant’s directory, goes nowhere', async () => {
      const br = pathBrowser(target)
      const id = directory.href.split('/').pop()
      const forged = await br.request(`${issuerB()}/upstream/${id}/callback?code=x&state=y`)
      expect(forged.status).toBe(401)
      expect(await forged.text()).toContain('did not complete')
      const elsewhere = await br.request(
        `${TEST_BASE_URL}/openid/upstream/${id}/callback?code=x&state=y`,
      )
      expect(elsewhere.status).toBe(404)
    })

    test('bad upstream settings are 400 naming the field; nothing is created or changed', async () => {
      const before = (await asB('GET', '/v1/directories')).body.size
      for (const [provider, field] of [
        [{ providerId: 'oidc', issuer: 'ftp://idp.example', clientId: 'x' }, 'issuer'],
        [{ providerId: 'oidc', issuer: 'https://idp.example' }, 'clientId'],
        [
          { providerId: 'oidc', issuer: 'https://idp.example', clientId: 'x', scopes: ['email'] },
          'scopes',
        ],
        [
          { providerId: 'oidc', issuer: 'https://idp.example', clientId: 'x', scopes: 'openid' },
          'scopes',
        ],
        [
          { providerId: 'oidc', issuer: 'https://idp.example', clientId: 'x', groupsClaim: 'a b' },
          'groupsClaim',
        ],
        [
          {
            providerId: 'oidc',
            issuer: 'https://idp.example',
            clientId: 'x',
            mandatoryGroups: [''],
          },
          'mandatoryGroups',
        ],
        [{ providerId: 'saml', issuer: 'https://idp.example' }, 'providerId'],
      ] as const) {
        const reply = await asB('POST', '/v1/directories', { name: `Bad ${field}`, provider })
        expect(reply.status).toBe(400)
        expect(reply.body.message).toContain(field)
      }
      expect((await asB('GET', '/v1/directories')).body.size).toBe(before)
      const path = `${new URL(directory.href).pathname}/provider`
      const current = (await asB('GET', path)).body
      for (const body of [
        { issuer: 'not a url' },
        { autoRegister: 'yes' },
        { providerId: 'ldap' },
      ]) {
        expect((await asB('POST', path, body)).status).toBe(400)
      }
      expect((await asB('GET', path)).body).toEqual(current)
    })

    test('a directory that the application does not map is not offered (404)', async () => {
      const br = pathBrowser(target)
      const interaction = await startAtB(br)
      const other = await asB('POST', '/v1/directories', {
        name: 'Unmapped upstream',
        provider: { providerId: 'oidc', issuer: `${TEST_BASE_URL}/openid`, clientId: 'x' },
      })
      const reply = await br.request(`${interaction}/upstream/${other.body.href.split('/').pop()}`)
      expect(reply.status).toBe(404)
    })
  },
  {
    env: { BASE_URL: TEST_BASE_URL },
    outbound: (request) => {
      const url = new URL(request.url)
      if (!self || url.origin !== TEST_BASE_URL)
        return new Response('no outbound network', { status: 502 })
      return self.request(url.pathname + url.search, {
        method: request.method,
        headers: request.headers,
        body: request.method === 'GET' ? undefined : request.body,
      })
    },
  },
)
