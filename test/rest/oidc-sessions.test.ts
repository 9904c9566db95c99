/**
 * An account's OpenID Connect sessions through `/v1` on both targets (reference §1.6 item 2):
 * listed with the applications used in each, ended one by one or all at once, the tokens issued
 * in them revoked; another tenant's administrator sees and ends nothing; a password reset ends
 * them all.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import { hashSecretToken } from '../../src/security/tokens'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { browser, withUserAgent, type Browser } from '../oidc/browser'
import { oidcFixture, REDIRECT, type RegisteredClient } from '../oidc/provider-fixture'
import { idOf, restClient, V1 } from './rest-client'

describeTargets('OpenID Connect sessions', (target) => {
  const rp = oidcFixture(target, 'oidc-sessions')
  let other: Admin
  const asOther = restClient(target, () => other)
  let wiki: RegisteredClient
  let chat: RegisteredClient
  let wikiConfig: client.Configuration
  let chatConfig: client.Configuration

  beforeAll(async () => {
    other = await bootstrapAdmin(target.request, `oidc-sessions-other-${target.name}`)
    wiki = await rp.newClient()
    chat = await rp.newClient()
    await rp.api('POST', wiki.application.href, { name: 'Wiki' })
    await rp.api('POST', chat.application.href, { name: 'Chat' })
    wikiConfig = await rp.configure(wiki)
    chatConfig = await rp.configure(chat)
  })

  const sessionsPath = () => `${new URL(rp.account().href).pathname}/oidcSessions`
  const listSessions = async () => {
    const reply = await rp.api('GET', sessionsPath())
    expect(reply.status).toBe(200)
    return reply.body
  }
  /** A browser signed in to both applications, and the tokens each holds. */
  const signInToBoth = async (userAgent: string) => {
    const b = withUserAgent(browser(target), userAgent)
    const atWiki = await rp.codeFlow(wikiConfig, { b })
    const atChat = await rp.codeFlow(chatConfig, { b })
    return {
      b,
      sid: atWiki.tokens.claims()!.sid as string,
      wiki: atWiki.tokens,
      chat: atChat.tokens,
    }
  }
  const signedIn = async (b: Browser) => {
    const url = client.buildAuthorizationUrl(wikiConfig, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      prompt: 'none',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    })
    return new URL((await b.request(url.href)).headers.get('location')!).searchParams.has('code')
  }
  const refreshFails = (config: client.Configuration, token: string) =>
    expect(client.refreshTokenGrant(config, token)).rejects.toMatchObject({
      error: 'invalid_grant',
    })

  test('GET lists each live session with its times, amr, user agent and applications', async () => {
    await rp.api('DELETE', sessionsPath())
    const laptop = await signInToBoth('Laptop browser')
    const phone = withUserAgent(browser(target), 'Phone browser')
    const atWiki = await rp.codeFlow(wikiConfig, { b: phone })
    const list = await listSessions()
    expect(list.href).toBe(`${rp.account().href}/oidcSessions`)
    expect(list.size).toBe(2)
    const [first, second] = list.items
    expect(first).toEqual({
      href: `${V1}/oidcSessions/${laptop.sid}`,
      id: laptop.sid,
      createdAt: expect.any(String),
      authTime: expect.any(String),
      expiresAt: expect.any(String),
      userAgent: 'Laptop browser',
      amr: ['pwd'],
      account: { href: rp.account().href },
      clients: [
        { clientId: chat.clientId, applicationName: 'Chat', application: chat.application },
        { clientId: wiki.clientId, applicationName: 'Wiki', application: wiki.application },
      ],
    })
    expect(Date.parse(first.expiresAt)).toBeGreaterThan(Date.now() + 13 * 24 * 3600 * 1000)
    expect(second).toMatchObject({
      id: atWiki.tokens.claims()!.sid,
      userAgent: 'Phone browser',
      clients: [{ clientId: wiki.clientId, applicationName: 'Wiki' }],
    })
    expect(JSON.stringify(list)).not.toContain('tokenHash')
    const one = await rp.api('GET', first.href)
    expect([one.status, one.body]).toEqual([200, first])
  })

  test('DELETE one session signs that browser out and revokes its tokens; the others stay', async () => {
    const doomed = await signInToBoth('Doomed browser')
    const kept = await signInToBoth('Kept browser')
    const reply = await rp.api('DELETE', `/v1/oidcSessions/${doomed.sid}`)
    expect(reply.status).toBe(204)

    expect(await signedIn(doomed.b)).toBe(false)
    await refreshFails(wikiConfig, doomed.wiki.refresh_token!)
    await refreshFails(chatConfig, doomed.chat.refresh_token!)
    expect(await rp.userinfoStatus(doomed.chat.access_token)).toBe(401)

    expect(await signedIn(kept.b)).toBe(true)
    expect(await rp.userinfoStatus(kept.wiki.access_token)).toBe(200)
    await client.refreshTokenGrant(chatConfig, kept.chat.refresh_token!)
    const ids = (await listSessions()).items.map((item: { id: string }) => item.id)
    expect(ids).toContain(kept.sid)
    expect(ids).not.toContain(doomed.sid)
    expect((await rp.api('GET', `/v1/oidcSessions/${doomed.sid}`)).status).toBe(404)
    expect((await rp.api('DELETE', `/v1/oidcSessions/${doomed.sid}`)).status).toBe(404)
  })

  test('DELETE the collection ends every session of the account', async () => {
    const one = await signInToBoth('One')
    const two = await signInToBoth('Two')
    expect((await rp.api('DELETE', sessionsPath())).status).toBe(204)
    expect((await listSessions()).items).toEqual([])
    for (const s of [one, two]) {
      expect(await signedIn(s.b)).toBe(false)
      await refreshFails(wikiConfig, s.wiki.refresh_token!)
    }
    // Ending nothing is fine too.
    expect((await rp.api('DELETE', sessionsPath())).status).toBe(204)
  })

  test('password reset ends OIDC sessions and refresh tokens', async () => {
    const before = await signInToBoth('Before the reset')
    const token = 'reset-token-for-oidc-sessions-test-0123456789'
    const account = rp.account()
    const stored = (await target.db
      .select()
      .from(schema.accounts)
      .where(eq(schema.accounts.id, idOf(account.href)))
      .get())!
    await target.db.insert(schema.accountTokens).values({
      tokenHash: await hashSecretToken(token),
      tenantId: stored.tenantId,
      accountId: stored.id,
      purpose: 'password_reset',
      applicationId: idOf(wiki.application.href),
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    })
    const reset = await rp.api('POST', `${wiki.application.href}/passwordResetTokens/${token}`, {
      password: 'Secret-pass-123',
    })
    expect(reset.status).toBe(200)
    expect(await signedIn(before.b)).toBe(false)
    await refreshFails(wikiConfig, before.wiki.refresh_token!)
    await refreshFails(chatConfig, before.chat.refresh_token!)
    expect(await rp.userinfoStatus(before.wiki.access_token)).toBe(401)
    expect((await listSessions()).items).toEqual([])
  })

  test('RP-initiated logout removes the session from the list', async () => {
    const s = await signInToBoth('Logging out')
    await s.b.request(
      client.buildEndSessionUrl(wikiConfig, { id_token_hint: s.wiki.id_token! }).href,
    )
    const ids = (await listSessions()).items.map((item: { id: string }) => item.id)
    expect(ids).not.toContain(s.sid)
  })

  describe('tenant isolation', () => {
    test("another tenant's administrator can neither list nor end this tenant's sessions", async () => {
      const s = await signInToBoth('Isolated')
      expect((await asOther('GET', sessionsPath())).status).toBe(404)
      expect((await asOther('DELETE', sessionsPath())).status).toBe(404)
      expect((await asOther('GET', `/v1/oidcSessions/${s.sid}`)).status).toBe(404)
      expect((await asOther('DELETE', `/v1/oidcSessions/${s.sid}`)).status).toBe(404)
      expect(await signedIn(s.b)).toBe(true)
      expect(await rp.userinfoStatus(s.wiki.access_token)).toBe(200)
    })

    test('unauthenticated callers get 401', async () => {
      const reply = await target.request(sessionsPath())
      expect(reply.status).toBe(401)
    })
  })

  describe('hostile input', () => {
    test('unknown, oversized and odd session ids are 404; other methods 405; never 5xx', async () => {
      for (const id of ['nope', 'x'.repeat(500), '%00', "'%20OR%201=1"]) {
        expect((await rp.api('GET', `/v1/oidcSessions/${id}`)).status).toBe(404)
        expect((await rp.api('DELETE', `/v1/oidcSessions/${id}`)).status).toBe(404)
      }
      expect((await rp.api('GET', '/v1/accounts/nope/oidcSessions')).status).toBe(404)
      const put = await rp.api('PUT', sessionsPath(), {})
      expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, HEAD, DELETE, POST'])
      const post = await rp.api('POST', '/v1/oidcSessions/nope', {})
      expect(post.status).toBe(405)
    })
  })
})
