/**
 * Second factors and the tenant's 2FA settings through `/v1`, on both targets: Stormpath's
 * factors and challenges (the seed and QR image shown only until the factor is verified; a
 * challenge answered once), Cloudron's mandatory 2FA and lock profile settings, and switching
 * mandatory 2FA on signing out, at once, every account without a second factor.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import jsQR from 'jsqr'
import * as client from 'openid-client'
import { PNG } from 'pngjs'
import { totpCode } from '../../src/mfa/totp'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { browser, json } from '../oidc/browser'
import { oidcFixture, PASSWORD, type RegisteredClient } from '../oidc/provider-fixture'
import { restClient } from '../rest/rest-client'

describeTargets('2FA through /v1', (target) => {
  const rp = oidcFixture(target, 'mfa-rest')
  let other: Admin
  const asOther = restClient(target, () => other)
  let registered: RegisteredClient
  let config: client.Configuration

  beforeAll(async () => {
    other = await bootstrapAdmin(target.request, `mfa-rest-other-${target.name}`)
    registered = await rp.newClient({ trusted: true })
    config = await rp.configure(registered)
  })

  const newAccount = () => rp.newUser('rest')
  const path = (href: string) => new URL(href).pathname
  /** An account with a factor confirmed through a challenge; answers the seed too. */
  const withFactor = async () => {
    const account = await newAccount()
    const factor = (
      await rp.api('POST', `${path(account.href)}/factors`, { type: 'google-authenticator' })
    ).body
    const past = new Date(Date.now() - 30_000)
    const challenge = await rp.api('POST', `${path(factor.href)}/challenges`, {
      code: totpCode(factor.secret, past),
    })
    expect(challenge.body.status).toBe('SUCCESS')
    return { ...account, factor, secret: factor.secret as string }
  }

  describe('factors and challenges', () => {
    test('POST …/factors creates an UNVERIFIED google-authenticator factor with its seed, key URI and QR image', async () => {
      const account = await newAccount()
      const reply = await rp.api('POST', `${path(account.href)}/factors`, {
        type: 'google-authenticator',
        accountName: 'ada@example.com',
        issuer: 'Acme',
      })
      expect(reply.status).toBe(201)
      const factor = reply.body
      expect(reply.headers.get('location')).toBe(factor.href)
      expect(factor).toMatchObject({
        type: 'google-authenticator',
        status: 'ENABLED',
        verificationStatus: 'UNVERIFIED',
        accountName: 'ada@example.com',
        issuer: 'Acme',
        account: { href: account.href },
      })
      expect(factor.secret).toMatch(/^[A-Z2-7]{32}$/)
      expect(factor.keyUri).toStartWith('otpauth://totp/Acme:ada%40example.com?')
      const image = PNG.sync.read(Buffer.from(factor.base64QRImage, 'base64'))
      expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(
        factor.keyUri,
      )
      const listed = await rp.api('GET', `${path(account.href)}/factors`)
      expect(listed.body.items.map((item: any) => item.href)).toEqual([factor.href])
    })

    test('a challenge with the right code succeeds once and verifies the factor; the seed is then never shown', async () => {
      const account = await newAccount()
      const factor = (
        await rp.api('POST', `${path(account.href)}/factors`, { type: 'google-authenticator' })
      ).body
      const wrong = await rp.api('POST', `${path(factor.href)}/challenges`, { code: '000000' })
      expect(wrong.status).toBe(201)
      expect(wrong.body.status).toBe(
        totpCode(factor.secret, new Date()) === '000000' ? 'SUCCESS' : 'FAILED',
      )
      const created = await rp.api('POST', `${path(factor.href)}/challenges`, {})
      expect(created.body.status).toBe('CREATED')
      const answered = await rp.api('POST', path(created.body.href), {
        code: totpCode(factor.secret, new Date()),
      })
      expect(answered.status).toBe(200)
      expect(answered.body.status).toBe('SUCCESS')
      const again = await rp.api('POST', path(created.body.href), {
        code: totpCode(factor.secret, new Date()),
      })
      expect(again.status).toBe(400)
      const read = (await rp.api('GET', path(factor.href))).body
      expect(read.verificationStatus).toBe('VERIFIED')
      expect([read.secret, read.keyUri, read.base64QRImage]).toEqual([null, null, null])
    })

    test('the verified factor then guards sign-in; disabling it lifts that, deleting removes it', async () => {
      const { username, factor } = await withFactor()
      const signIn = async () => (await rp.passwordStep(browser(target), config, username)).answer
      expect(await signIn()).toEqual({ prompt: 'mfa' })
      const disabled = await rp.api('POST', path(factor.href), { status: 'DISABLED' })
      expect(disabled.body.status).toBe('DISABLED')
      expect((await signIn()).redirectTo).toBeString()
      await rp.api('POST', path(factor.href), { status: 'ENABLED' })
      expect(await signIn()).toEqual({ prompt: 'mfa' })
      expect((await rp.api('DELETE', path(factor.href))).status).toBe(204)
      expect((await rp.api('GET', path(factor.href))).status).toBe(404)
      expect((await signIn()).redirectTo).toBeString()
    })

    test('hostile input: unknown types, bad statuses, odd codes and ids are 4xx and write nothing', async () => {
      const account = await newAccount()
      const factors = `${path(account.href)}/factors`
      for (const body of [
        {},
        { type: 'sms' },
        { type: 'google-authenticator', status: 'ON' },
        { type: 'google-authenticator', issuer: 'x'.repeat(300) },
      ]) {
        const reply = await rp.api('POST', factors, body)
        expect(reply.status).toBe(400)
      }
      expect((await rp.api('GET', factors)).body.size).toBe(0)
      const factor = (await rp.api('POST', factors, { type: 'google-authenticator' })).body
      for (const body of [{ code: 123456 }, { code: 'x'.repeat(100) }]) {
        expect((await rp.api('POST', `${path(factor.href)}/challenges`, body)).status).toBe(400)
      }
      expect((await rp.api('GET', `/v1/factors/${'z'.repeat(500)}`)).status).toBe(404)
      expect((await rp.api('GET', '/v1/challenges/nope')).status).toBe(404)
    })

    test("tenant isolation: another tenant's administrator sees, answers and deletes nothing", async () => {
      const { factor, secret } = await withFactor()
      expect((await asOther('GET', path(factor.href))).status).toBe(404)
      expect((await asOther('DELETE', path(factor.href))).status).toBe(404)
      const challenge = await asOther('POST', `${path(factor.href)}/challenges`, {
        code: totpCode(secret, new Date()),
      })
      expect(challenge.status).toBe(404)
      expect((await rp.api('GET', path(factor.href))).status).toBe(200)
    })
  })

  describe('tenant settings', () => {
    const tenantHref = async () => {
      const current = await rp.api('GET', '/v1/tenants/current')
      return new URL(current.headers.get('location')!).pathname
    }

    test('mandatoryMfa and lockProfile are off by default, settable, and refused when not booleans', async () => {
      const href = await tenantHref()
      const read = (await rp.api('GET', href)).body
      expect(read).toMatchObject({ mandatoryMfa: false, lockProfile: false })
      const locked = await rp.api('POST', href, { lockProfile: true })
      expect(locked.body.lockProfile).toBe(true)
      await rp.api('POST', href, { lockProfile: false })
      for (const body of [{ mandatoryMfa: 'yes' }, { lockProfile: 1 }]) {
        const reply = await rp.api('POST', href, body)
        expect(reply.status).toBe(400)
      }
      expect((await rp.api('GET', href)).body).toMatchObject({
        mandatoryMfa: false,
        lockProfile: false,
      })
    })

    test('mandatory 2FA on: sessions and refresh tokens of accounts without 2FA end at once; those with it stay', async () => {
      const href = await tenantHref()
      const plain = await newAccount()
      const guarded = await withFactor()
      const signIn = async (username: string, secret?: string) => {
        const b = browser(target)
        const verifier = client.randomPKCECodeVerifier()
        const interaction = await rp.startSignIn(b, config, verifier, {
          scope: 'openid offline_access',
          prompt: 'consent',
        })
        let answer = await (
          await b.request(`${interaction}/login`, json({ username, password: PASSWORD }))
        ).json()
        if (answer.prompt === 'mfa') {
          answer = await (
            await b.request(`${interaction}/mfa`, json({ code: totpCode(secret!, new Date()) }))
          ).json()
        }
        const back = await b.follow(answer.redirectTo)
        const tokens = await client.authorizationCodeGrant(
          config,
          new URL(back.headers.get('location')!),
          {
            pkceCodeVerifier: verifier,
          },
        )
        return { b, tokens }
      }
      const plainSession = await signIn(plain.username)
      const guardedSession = await signIn(guarded.username, guarded.secret)
      try {
        const on = await rp.api('POST', href, { mandatoryMfa: true })
        expect(on.status).toBe(200)
        expect(on.body.mandatoryMfa).toBe(true)
        expect(await rp.userinfoStatus(plainSession.tokens.access_token)).toBe(401)
        const refreshed = await rp.postForm(
          '/openid/token',
          { grant_type: 'refresh_token', refresh_token: plainSession.tokens.refresh_token! },
          { authorization: rp.basic(registered) },
        )
        expect(refreshed.status).toBe(400)
        expect(await rp.userinfoStatus(guardedSession.tokens.access_token)).toBe(200)
        // The next sign-in of the account without 2FA goes through enrolment.
        const next = await rp.passwordStep(browser(target), config, plain.username)
        expect(next.answer).toEqual({ prompt: 'mfa_setup' })
      } finally {
        await rp.api('POST', href, { mandatoryMfa: false })
      }
    })
  })
})
