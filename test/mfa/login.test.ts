/**
 * Sign-in with a second factor through the hosted login's JSON interaction API, on both targets
 * (issue "2FA", acceptance 1): the password alone no longer signs in, a TOTP code does, once; a
 * recovery code works once; the ID token's `amr` says what was used; guessing codes is rate
 * limited; under mandatory 2FA an account without a factor enrols before it gets a session.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import type { Deps } from '../../src/deps'
import { checkTotpFactor, enrolTotp, renewRecoveryCodes } from '../../src/mfa/factors'
import { totpCode } from '../../src/mfa/totp'
import { newId } from '../../src/security/ids'
import { createSealer } from '../../src/security/seal'
import { describeTargets, TEST_SECRET_KEY } from '../harness/targets'
import { browser, json, type Browser } from '../oidc/browser'
import { FORM_TYPE, readPage } from '../ui/page-client'
import { oidcFixture, PASSWORD, type RegisteredClient } from '../oidc/provider-fixture'

describeTargets('sign-in with a second factor', (target) => {
  const rp = oidcFixture(target, 'mfa-login')
  let registered: RegisteredClient
  let config: client.Configuration
  /** The app's own deps against the target's database: same master key, so seeds open. */
  const domain = (): Deps =>
    ({
      db: target.db,
      now: () => new Date(),
      newId,
      sealer: createSealer(TEST_SECRET_KEY),
    }) as Partial<Deps> as Deps

  beforeAll(async () => {
    registered = await rp.newClient({ trusted: true })
    config = await rp.configure(registered)
  })

  /** A new account of the directory, with its id and tenant. */
  const newAccount = async () => {
    const user = await rp.newUser()
    const row = await target.db
      .select({ tenantId: schema.accounts.tenantId })
      .from(schema.accounts)
      .where(eq(schema.accounts.id, user.id))
      .get()
    return { ...user, tenantId: row!.tenantId }
  }

  /** Runs `body` with the tenant's mandatory 2FA on, and switches it off again. */
  const underMandatoryMfa = async (tenantId: string, body: () => Promise<void>) => {
    const set = (mandatoryMfa: boolean) =>
      target.db.update(schema.tenants).set({ mandatoryMfa }).where(eq(schema.tenants.id, tenantId))
    await set(true)
    try {
      await body()
    } finally {
      await set(false)
    }
  }

  /** An account with a confirmed TOTP factor (its first code spent an earlier step). */
  const accountWithTotp = async () => {
    const account = await newAccount()
    const { factor, secret } = await enrolTotp(domain(), {
      tenantId: account.tenantId,
      accountId: account.id,
      accountName: account.username,
      issuer: 'Tests',
    })
    const past = new Date(Date.now() - 60_000)
    const confirmed = await checkTotpFactor(
      { ...domain(), now: () => past },
      factor,
      totpCode(secret, past),
    )
    expect(confirmed.kind).toBe('accepted')
    return { ...account, secret }
  }

  /** The password step: the interaction's URL and its JSON answer (`body`). */
  const passwordStep = async (b: Browser, username: string, verifier: string) => {
    const { interaction, answer } = await rp.passwordStep(b, config, username, verifier)
    return { interaction, body: answer }
  }
  const finish = (b: Browser, redirectTo: string, verifier: string) =>
    rp.claimsAfter(b, config, redirectTo, verifier)

  test('the password alone asks for a code, and starts no session', async () => {
    const { username } = await accountWithTotp()
    const b = browser(target)
    const { interaction, body } = await passwordStep(b, username, client.randomPKCECodeVerifier())
    expect(body).toEqual({ prompt: 'mfa' })
    expect(b.cookies.has('edgepass_session')).toBe(false)
    expect((await (await b.request(`${interaction}/details`)).json()).prompt).toBe('mfa')
    // Resuming before the code goes back to the interaction: no code is issued.
    const resumed = await b.request(interaction.replace('/interaction/', '/auth/'))
    expect(resumed.headers.get('location')).toBe(interaction)
  })

  test('a TOTP code completes the sign-in; amr says pwd, otp, mfa', async () => {
    const { username, secret } = await accountWithTotp()
    const b = browser(target)
    const verifier = client.randomPKCECodeVerifier()
    const { interaction } = await passwordStep(b, username, verifier)
    const reply = await b.request(
      `${interaction}/mfa`,
      json({ code: totpCode(secret, new Date()) }),
    )
    expect(reply.status).toBe(200)
    const { redirectTo } = (await reply.json()) as { redirectTo: string }
    expect(b.cookies.has('edgepass_session')).toBe(true)
    const claims = await finish(b, redirectTo, verifier)
    expect(claims.sub).toBe(username)
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(claims.acr).toBe('2')
  })

  test('replay: a code that signed in once is refused the second time', async () => {
    const { username, secret } = await accountWithTotp()
    const code = totpCode(secret, new Date())
    const first = browser(target)
    const one = await passwordStep(first, username, client.randomPKCECodeVerifier())
    expect((await first.request(`${one.interaction}/mfa`, json({ code }))).status).toBe(200)
    const second = browser(target)
    const two = await passwordStep(second, username, client.randomPKCECodeVerifier())
    const replayed = await second.request(`${two.interaction}/mfa`, json({ code }))
    expect(replayed.status).toBe(400)
    expect(await replayed.json()).toMatchObject({ error: 'invalid_code' })
    expect(second.cookies.has('edgepass_session')).toBe(false)
  })

  test('a recovery code signs in once', async () => {
    const account = await accountWithTotp()
    const [code] = await renewRecoveryCodes(domain(), account.tenantId, account.id)
    const b = browser(target)
    const verifier = client.randomPKCECodeVerifier()
    const { interaction } = await passwordStep(b, account.username, verifier)
    const reply = await b.request(`${interaction}/mfa`, json({ code }))
    expect(reply.status).toBe(200)
    const claims = await finish(b, ((await reply.json()) as any).redirectTo, verifier)
    expect(claims.amr).toContain('mfa')
    const again = browser(target)
    const next = await passwordStep(again, account.username, client.randomPKCECodeVerifier())
    expect((await again.request(`${next.interaction}/mfa`, json({ code }))).status).toBe(400)
  })

  test('TOTP brute force: past five codes in five minutes the step answers 429', async () => {
    const { username } = await accountWithTotp()
    const b = browser(target)
    const { interaction } = await passwordStep(b, username, client.randomPKCECodeVerifier())
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      const guess = String(100000 + i * 7919)
      statuses.push((await b.request(`${interaction}/mfa`, json({ code: guess }))).status)
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400])
    expect(statuses.slice(5)).toEqual([429, 429])
  })

  test('hostile input: missing, oversized and non-string codes are 400 and spend nothing', async () => {
    const { username, secret } = await accountWithTotp()
    const b = browser(target)
    const { interaction } = await passwordStep(b, username, client.randomPKCECodeVerifier())
    for (const body of [{}, { code: '' }, { code: 123456 }, { code: 'x'.repeat(10_000) }]) {
      const reply = await b.request(`${interaction}/mfa`, json(body))
      expect(reply.status).toBe(400)
    }
    const good = await b.request(`${interaction}/mfa`, json({ code: totpCode(secret, new Date()) }))
    expect(good.status).toBe(200)
  })

  test('the code step cannot be skipped or taken out of order', async () => {
    const account = await newAccount()
    const b = browser(target)
    const { interaction, body } = await passwordStep(
      b,
      account.username,
      client.randomPKCECodeVerifier(),
    )
    expect(body.redirectTo).toBeString()
    // No second factor owed: the step refuses, whatever the code.
    const reply = await b.request(`${interaction}/mfa`, json({ code: '123456' }))
    expect(reply.status).toBe(400)
  })

  test('an account without 2FA signs in with its password alone (amr pwd)', async () => {
    const account = await newAccount()
    const b = browser(target)
    const verifier = client.randomPKCECodeVerifier()
    const { body } = await passwordStep(b, account.username, verifier)
    const claims = await finish(b, body.redirectTo, verifier)
    expect(claims.amr).toEqual(['pwd'])
    expect(claims.acr).toBe('1')
  })

  describe('hosted pages', () => {
    const BROWSER_POST = { origin: 'null', 'sec-fetch-site': 'same-origin' }
    const postForm = (b: Browser, url: string, fields: Record<string, string>) =>
      b.request(url, {
        method: 'POST',
        headers: { 'content-type': FORM_TYPE, ...BROWSER_POST },
        body: new URLSearchParams(fields).toString(),
      })
    /** The interaction page after the login form: 303 back to it, which now asks for a code. */
    const formLogin = async (b: Browser, username: string) => {
      const interaction = await rp.startSignIn(b, config)
      const login = await readPage(await b.request(interaction))
      const posted = await postForm(b, `${interaction}/login`, {
        csrf: login.hidden.csrf!,
        username,
        password: PASSWORD,
      })
      expect([posted.status, posted.headers.get('location')]).toEqual([303, interaction])
      return { interaction, page: await readPage(await b.request(interaction)) }
    }

    test('the code page: a wrong code shows it again (400), a right one goes on', async () => {
      const { username, secret } = await accountWithTotp()
      const b = browser(target)
      const { interaction, page } = await formLogin(b, username)
      expect(page.status).toBe(200)
      expect(page.html).toContain('<title>Enter your verification code</title>')
      expect(page.html).toContain(`action="${interaction}/mfa"`)
      expect(page.html).toContain('autocomplete="one-time-code"')
      const wrong = await readPage(
        await postForm(b, `${interaction}/mfa`, { csrf: page.hidden.csrf!, code: '000000' }),
      )
      expect(wrong.status).toBe(400)
      expect(wrong.html).toContain('role="alert"')
      const right = await postForm(b, `${interaction}/mfa`, {
        csrf: wrong.hidden.csrf!,
        code: totpCode(secret, new Date()),
      })
      expect(right.status).toBe(303)
      expect(right.headers.get('location')).toContain('/openid/auth/')
      expect(b.cookies.has('edgepass_session')).toBe(true)
    })

    test('cross-site request forgery: the code form without its CSRF token is refused', async () => {
      const { username, secret } = await accountWithTotp()
      const b = browser(target)
      const { interaction } = await formLogin(b, username)
      const forged = await postForm(b, `${interaction}/mfa`, { code: totpCode(secret, new Date()) })
      expect(forged.status).toBe(403)
      expect(b.cookies.has('edgepass_session')).toBe(false)
    })

    test('mandatory 2FA: the setup page shows a QR code and the key, then the recovery codes once', async () => {
      const account = await newAccount()
      await underMandatoryMfa(account.tenantId, async () => {
        const b = browser(target)
        const { interaction, page } = await formLogin(b, account.username)
        expect(page.html).toContain('<title>Set up two-factor authentication</title>')
        expect(page.html).toContain('<svg xmlns="http://www.w3.org/2000/svg"')
        const secret = (await (await b.request(`${interaction}/details`)).json()).mfaSetup.secret
        expect(page.html).toContain(secret.match(/.{1,4}/g).join(' '))
        const done = await readPage(
          await postForm(b, `${interaction}/mfa/setup`, {
            csrf: page.hidden.csrf!,
            code: totpCode(secret, new Date()),
          }),
        )
        expect(done.status).toBe(200)
        expect(done.html).toContain('<title>Save your recovery codes</title>')
        expect(done.html.match(/<li>[0-9A-Z]{4}(-[0-9A-Z]{4}){3}<\/li>/g)).toHaveLength(10)
        expect(done.html).toContain('/openid/auth/')
        expect(b.cookies.has('edgepass_session')).toBe(true)
      })
    })
  })

  describe('mandatory 2FA', () => {
    test('an account without a factor enrols before it gets a session, then gets recovery codes', async () => {
      const account = await newAccount()
      await underMandatoryMfa(account.tenantId, async () => {
        const b = browser(target)
        const verifier = client.randomPKCECodeVerifier()
        const { interaction, body } = await passwordStep(b, account.username, verifier)
        expect(body).toEqual({ prompt: 'mfa_setup' })
        expect(b.cookies.has('edgepass_session')).toBe(false)
        const details = await (await b.request(`${interaction}/details`)).json()
        expect(details.prompt).toBe('mfa_setup')
        const { secret, keyUri } = details.mfaSetup
        expect(secret).toMatch(/^[A-Z2-7]{32}$/)
        expect(keyUri).toStartWith('otpauth://totp/')
        const wrong = await b.request(`${interaction}/mfa/setup`, json({ code: '000000' }))
        expect(wrong.status).toBe(400)
        const reply = await b.request(
          `${interaction}/mfa/setup`,
          json({ code: totpCode(secret, new Date()) }),
        )
        expect(reply.status).toBe(200)
        const answer = (await reply.json()) as { redirectTo: string; recoveryCodes: string[] }
        expect(answer.recoveryCodes).toHaveLength(10)
        const claims = await finish(b, answer.redirectTo, verifier)
        expect(claims.amr).toEqual(['pwd', 'otp', 'mfa'])
        // From now on the account owes a code at every sign-in.
        const later = browser(target)
        const next = await passwordStep(later, account.username, client.randomPKCECodeVerifier())
        expect(next.body).toEqual({ prompt: 'mfa' })
      })
    })
  })
})
