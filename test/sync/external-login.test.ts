/**
 * External accounts signing in through the hosted OIDC login (against a real slapd), and
 * Edgepass as another Edgepass's external directory: a tenant syncs from the first tenant's LDAP
 * server, and its users' second factor passes through (`password+totpToken=NNNNNN`).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import * as client from 'openid-client'
import { totpCode } from '../../src/mfa/totp'
import { ldapDirectoryClient } from '../../workers/sync/ldap-client'
import { runQueuedSyncs } from '../../workers/sync/runner'
import { startSlapd, type Slapd } from '../harness/slapd'
import type { Target } from '../harness/targets'
import { authorizeThrough, browser, json } from '../oidc/browser'
import { oidcFixture, REDIRECT } from '../oidc/provider-fixture'
import { PASSWORD, startLdapFixture, type LdapFixture } from '../workers/ldap-fixture'

let f: LdapFixture
let slapd: Slapd
const path = (href: string) => new URL(href).pathname

/** The LDAP fixture's app as a target, so the OIDC fixture can drive it. */
const target: Target = {
  name: 'bun',
  request: (url, init) => f.request(url, init),
  get db() {
    return f.db
  },
  stop: async () => {},
}

beforeAll(async () => {
  slapd = await startSlapd()
  // Tenant A (the LDAP fixture's) serves LDAP; the OIDC fixture's tenant is the default issuer.
  f = await startLdapFixture({
    tenantKey: 'ext-a',
    suffix: 'dc=tenant-a',
    env: { DEFAULT_TENANT: 'ext-b-bun' },
  })
})

const rp = oidcFixture(target, 'ext-b')

afterAll(async () => {
  await f?.stop()
  await slapd?.destroy()
})

/** An external directory in the OIDC fixture's tenant, mapped to `applicationHref`, synced. */
async function externalDirectory(
  name: string,
  provider: Record<string, unknown>,
  applicationHref: string,
) {
  const created = await rp.api('POST', '/v1/directories', {
    name,
    provider: { providerId: 'ldap', ...provider },
  })
  expect(created.status).toBe(201)
  const mapped = await rp.api('POST', '/v1/accountStoreMappings', {
    application: { href: applicationHref },
    accountStore: { href: created.body.href },
  })
  expect(mapped.status).toBe(201)
  expect((await rp.api('POST', `${path(created.body.href)}/sync`)).status).toBe(202)
  await runQueuedSyncs(f.deps, ldapDirectoryClient())
  const runs = (await rp.api('GET', `${path(created.body.href)}/syncRuns`)).body
  expect(runs.items[0].state).toBe('succeeded')
  return { directory: created.body, run: runs.items[0] }
}

describe('the hosted OIDC login', () => {
  test('an external account signs in with its server’s password; a wrong one is refused', async () => {
    const registered = await rp.newClient()
    await externalDirectory(
      'Slapd people',
      {
        url: slapd.url,
        baseDn: 'ou=people,dc=example,dc=org',
        bindDn: slapd.adminDn,
        bindPassword: slapd.adminPassword,
      },
      registered.application.href,
    )
    const configuration = await rp.configure(registered)
    const verifier = client.randomPKCECodeVerifier()
    const b = browser(target)
    const interaction = await rp.startSignIn(b, configuration, verifier)
    const wrong = await b.request(
      `${interaction}/login`,
      json({ username: 'bob', password: 'not-bobs' }),
    )
    expect(wrong.status).toBe(400)
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
    const back = await authorizeThrough(b, url.href, { username: 'bob', password: 'bob-pass' })
    expect(back.status).toBe(303)
    const tokens = await client.authorizationCodeGrant(
      configuration,
      new URL(back.headers.get('location')!),
      {
        pkceCodeVerifier: verifier,
      },
    )
    expect(tokens.claims()).toMatchObject({ sub: 'bob', email: 'bob@example.org' })
  })
})

describe('Edgepass as the external directory of another Edgepass', () => {
  test('tenant B syncs tenant A’s users over LDAP; logins pass the TOTP suffix through', async () => {
    const yan = await f.newAccount({ username: 'yan', email: 'yan@tenant-a.example' })
    const zoe = await f.newAccount({ username: 'zoe', email: 'zoe@tenant-a.example' })
    const factor = (
      await f.api('POST', `${path(zoe.href)}/factors`, { type: 'google-authenticator' })
    ).body
    const confirmed = await f.api('POST', `${path(factor.href)}/challenges`, {
      code: totpCode(factor.secret, new Date(Date.now() - 30_000)),
    })
    expect(confirmed.body.status).toBe('SUCCESS')
    await f.refresh()

    const registered = await rp.newClient()
    const { directory, run } = await externalDirectory(
      'Tenant A',
      {
        preset: 'edgepass',
        url: f.url,
        baseDn: 'ou=users,dc=tenant-a',
        bindDn: f.adminDn,
        bindPassword: f.adminSecret,
        groupBaseDn: 'ou=groups,dc=tenant-a',
        syncGroups: true,
      },
      registered.application.href,
    )
    expect(run.created).toBeGreaterThanOrEqual(3) // tenant A's administrator, yan, zoe
    const synced = (await rp.api('GET', `${path(directory.href)}/accounts?username=zoe`)).body.items
    expect(synced).toHaveLength(1)
    expect(synced[0]).toMatchObject({ email: 'zoe@tenant-a.example' })

    const login = (username: string, password: string) =>
      rp.api('POST', `${path(registered.application.href)}/loginAttempts`, {
        type: 'basic',
        value: btoa(`${username}:${password}`),
      })
    expect((await login('yan', PASSWORD)).status).toBe(200)
    expect((await login('yan', 'wrong')).status).toBe(400)
    // Tenant A asks zoe for her second factor: without the code her password is not enough.
    expect((await login('zoe', PASSWORD)).status).toBe(400)
    const ok = await login('zoe', `${PASSWORD}+totpToken=${totpCode(factor.secret, new Date())}`)
    expect(ok.status).toBe(200)
    expect(yan.href).not.toBe(ok.body.account.href) // B's own account, not A's
  })
})
