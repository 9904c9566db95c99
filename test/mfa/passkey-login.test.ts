/**
 * Passkeys through the HTTP faces on both targets, with a software authenticator doing real
 * ES256: registered on the account page (CSRF-checked JSON calls), then used passwordless and
 * as the second factor of a password sign-in; the attacks named after what they try.
 */
import { beforeAll, expect, test } from 'bun:test'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import { parseConfig } from '../../src/config'
import type { Deps } from '../../src/deps'
import { finishPasskeyRegistration, startPasskeyRegistration } from '../../src/mfa/passkeys'
import { newId } from '../../src/security/ids'
import { describeTargets, TEST_BASE_URL, testEnv } from '../harness/targets'
import { browser, json, type Browser } from '../oidc/browser'
import { oidcFixture, type RegisteredClient } from '../oidc/provider-fixture'
import { readPage } from '../ui/page-client'
import { softAuthenticator, type SoftCredential } from './soft-authenticator'

const ORIGIN = TEST_BASE_URL

describeTargets('passkeys at sign-in', (target) => {
  const rp = oidcFixture(target, 'passkey-login')
  const authenticator = softAuthenticator()
  let registered: RegisteredClient
  let config: client.Configuration
  let serial = 0

  beforeAll(async () => {
    registered = await rp.newClient({ trusted: true })
    config = await rp.configure(registered)
  })

  const newAccount = (directoryHref?: string) => rp.newUser('pk', directoryHref)
  const start = (b: Browser, verifier?: string) => rp.startSignIn(b, config, verifier)
  const passwordLogin = (b: Browser, username: string) => rp.passwordStep(b, config, username)
  /** Registers a passkey through the account page of a signed-in browser. */
  const registerOnAccountPage = async (b: Browser, name = 'Laptop') => {
    const page = await readPage(await b.request('/openid/account'))
    const csrf = page.hidden.csrf!
    const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf }
    const started = await b.request('/openid/account/passkeys/options', {
      method: 'POST',
      headers,
      body: '{}',
    })
    expect(started.status).toBe(200)
    const { challengeId, options } = (await started.json()) as any
    const { credential, response } = await authenticator.register(options, ORIGIN)
    const done = await b.request('/openid/account/passkeys', {
      method: 'POST',
      headers,
      body: JSON.stringify({ challengeId, response, name }),
    })
    expect(done.status).toBe(201)
    return credential
  }
  /** An account signed in once by password, with a passkey registered on its account page. */
  const accountWithPasskey = async () => {
    const account = await newAccount()
    const b = browser(target)
    const { answer } = await passwordLogin(b, account.username)
    expect(answer.redirectTo).toBeString()
    const credential = await registerOnAccountPage(b)
    return { ...account, credential }
  }
  const passkeyStep = async (b: Browser, interaction: string, credential: SoftCredential) => {
    const options = (await (
      await b.request(`${interaction}/passkey/options`, json({}))
    ).json()) as any
    const response = await authenticator.assert(credential, options.options, ORIGIN)
    const body = { challengeId: options.challengeId, response }
    const reply = await b.request(`${interaction}/passkey`, json(body))
    return { reply, body, options: options.options }
  }
  const claimsAfter = (b: Browser, redirectTo: string, verifier: string) =>
    rp.claimsAfter(b, config, redirectTo, verifier)

  test('the account page registers a passkey and lists it by name', async () => {
    const account = await newAccount()
    const b = browser(target)
    await passwordLogin(b, account.username)
    await registerOnAccountPage(b, 'Work <laptop>')
    const page = await readPage(await b.request('/openid/account'))
    expect(page.html).toContain('<strong>Work &lt;laptop&gt;</strong>')
    expect(page.html).toContain('data-passkey="create"')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'nonce-")
  })

  test('passwordless: a passkey alone signs in (amr hwk, user, mfa)', async () => {
    const { username, credential } = await accountWithPasskey()
    const b = browser(target)
    const verifier = client.randomPKCECodeVerifier()
    const interaction = await start(b, verifier)
    const { reply, options } = await passkeyStep(b, interaction, credential)
    expect(options.allowCredentials).toEqual([])
    expect(reply.status).toBe(200)
    const claims = await claimsAfter(b, ((await reply.json()) as any).redirectTo, verifier)
    expect(claims.sub).toBe(username)
    expect(claims.amr).toEqual(['hwk', 'user', 'mfa'])
  })

  test('second factor: after the password, the passkey completes the sign-in', async () => {
    const { username, credential } = await accountWithPasskey()
    const b = browser(target)
    const { interaction, answer } = await passwordLogin(b, username)
    expect(answer).toEqual({ prompt: 'mfa' })
    const page = await readPage(await b.request(interaction))
    expect(page.html).toContain('Use a passkey instead')
    const { reply, options } = await passkeyStep(b, interaction, credential)
    expect(options.allowCredentials.map((c: any) => c.id)).toEqual([credential.id])
    expect(reply.status).toBe(200)
    expect(b.cookies.has('edgepass_session')).toBe(true)
  })

  test("account substitution: account A's passkey cannot be account B's second factor", async () => {
    const a = await accountWithPasskey()
    const b = await accountWithPasskey()
    const victim = browser(target)
    const { interaction } = await passwordLogin(victim, b.username)
    const { reply } = await passkeyStep(victim, interaction, a.credential)
    expect(reply.status).toBe(400)
    expect(await reply.json()).toMatchObject({ error: 'invalid_passkey' })
    expect(victim.cookies.has('edgepass_session')).toBe(false)
  })

  test('replay: the same assertion does not sign in twice', async () => {
    const { credential } = await accountWithPasskey()
    const first = browser(target)
    const interaction = await start(first)
    const { reply, body } = await passkeyStep(first, interaction, credential)
    expect(reply.status).toBe(200)
    const second = browser(target)
    const other = await start(second)
    const replayed = await second.request(`${other}/passkey`, json(body))
    expect(replayed.status).toBe(400)
    expect(second.cookies.has('edgepass_session')).toBe(false)
  })

  test("phishing: another origin's assertion is refused", async () => {
    const { credential } = await accountWithPasskey()
    const b = browser(target)
    const interaction = await start(b)
    const options = (await (
      await b.request(`${interaction}/passkey/options`, json({}))
    ).json()) as any
    const response = await authenticator.assert(
      credential,
      options.options,
      'https://edgepass.test.evil.example',
    )
    const reply = await b.request(
      `${interaction}/passkey`,
      json({ challengeId: options.challengeId, response }),
    )
    expect(reply.status).toBe(400)
  })

  test('an account the application does not reach cannot sign in to it with its passkey', async () => {
    const elsewhere = (await rp.api('POST', '/v1/directories', { name: `Unmapped ${serial}` })).body
    const outsider = await newAccount(elsewhere.href)
    const accountId = new URL(outsider.href).pathname.split('/').pop()!
    const tenant = await target.db.select().from(schema.accounts).all()
    const tenantId = tenant.find((row) => row.id === accountId)!.tenantId
    const deps = {
      db: target.db,
      now: () => new Date(),
      newId,
      config: parseConfig(testEnv()),
    } as Partial<Deps> as Deps
    const account = {
      tenantId,
      id: accountId,
      username: outsider.username,
      email: `${outsider.username}@example.com`,
    }
    const ceremony = await startPasskeyRegistration(deps, account, 'Tests')
    const { credential, response } = await authenticator.register(ceremony.options, ORIGIN)
    const stored = await finishPasskeyRegistration(deps, account, {
      challengeId: ceremony.challengeId,
      response,
      name: 'x',
    })
    expect(stored.kind).toBe('ok')
    const b = browser(target)
    const { reply } = await passkeyStep(b, await start(b), credential)
    expect(reply.status).toBe(400)
    expect(b.cookies.has('edgepass_session')).toBe(false)
  })

  test('cross-site request forgery: the account page calls need the CSRF token', async () => {
    const account = await newAccount()
    const b = browser(target)
    await passwordLogin(b, account.username)
    await b.request('/openid/account')
    const forged = await b.request('/openid/account/passkeys/options', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(forged.status).toBe(403)
  })

  test("administrators list an account's passkeys and delete a lost one; it then signs in no more", async () => {
    const { href, credential } = await accountWithPasskey()
    const listed = await rp.api('GET', `${new URL(href).pathname}/passkeys`)
    expect(listed.status).toBe(200)
    expect(listed.body.size).toBe(1)
    const [passkey] = listed.body.items
    expect(passkey).toMatchObject({
      name: 'Laptop',
      credentialId: credential.id,
      account: { href },
    })
    expect(JSON.stringify(passkey)).not.toContain('publicKey')
    const path = new URL(passkey.href).pathname
    expect((await rp.api('DELETE', path)).status).toBe(204)
    expect((await rp.api('GET', path)).status).toBe(404)
    const b = browser(target)
    const { reply } = await passkeyStep(b, await start(b), credential)
    expect(reply.status).toBe(400)
  })

  test('cross-site request forgery: a passkey removal without the CSRF token is refused', async () => {
    const { href } = await accountWithPasskey()
    const listed = await rp.api('GET', `${new URL(href).pathname}/passkeys`)
    const id = new URL(listed.body.items[0].href).pathname.split('/').pop()
    const stranger = browser(target)
    const forged = await stranger.request(`/openid/account/passkeys/${id}/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(forged.status).toBe(403)
    expect((await rp.api('GET', `${new URL(href).pathname}/passkeys`)).body.size).toBe(1)
  })

  test('a passkey answer posted as a form (text/plain, urlencoded) is not read', async () => {
    const b = browser(target)
    const interaction = await start(b)
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const reply = await b.request(`${interaction}/passkey`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify({ challengeId: 'x', response: {} }),
      })
      expect(reply.status).toBe(400)
    }
  })

  test('hostile input: odd passkey ids through /v1 are 404, and nothing is deleted', async () => {
    const { href } = await accountWithPasskey()
    for (const id of ['nope', 'z'.repeat(500), '%00', '..%2F..']) {
      expect((await rp.api('GET', `/v1/passkeys/${id}`)).status).toBe(404)
      expect((await rp.api('DELETE', `/v1/passkeys/${id}`)).status).toBe(404)
    }
    expect((await rp.api('GET', '/v1/accounts/nobody/passkeys')).status).toBe(404)
    expect((await rp.api('GET', `${new URL(href).pathname}/passkeys`)).body.size).toBe(1)
  })

  test('hostile input: malformed passkey bodies are 400, never 5xx', async () => {
    const b = browser(target)
    const interaction = await start(b)
    for (const body of [
      '{',
      '[]',
      '{"challengeId": 1}',
      JSON.stringify({ challengeId: 'x', response: 'y' }),
      `{"challengeId":"${'x'.repeat(70_000)}"}`,
    ]) {
      const reply = await b.request(`${interaction}/passkey`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(reply.status).toBe(400)
    }
  })
})
