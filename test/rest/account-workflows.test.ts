/**
 * Account workflows end to end through `/v1` on both targets (issue "Account workflows"):
 * verification, resend, welcome, password reset, password change, account locked mail,
 * templates, and the attacks on them (token reuse, expiry, enumeration, cross-tenant use).
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { and, asc, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { createSealer } from '../../src/security/seal'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL, TEST_SECRET_KEY } from '../harness/targets'
import { idOf, restClient, type Json, type Reply } from './rest-client'

const PASSWORD = 'Secret-pass-123'
const NEW_PASSWORD = 'Brand-new-pass-456'
const sealer = createSealer(TEST_SECRET_KEY)
const basicValue = (login: string, password: string) => btoa(`${login}:${password}`)

interface Mail {
  workflow: string
  to: string
  from: string
  subject: string
  text?: string
  html?: string
}

describeTargets('account workflows', (target) => {
  let admin: Admin
  let other: Admin
  const api = restClient(target, () => admin)
  const asOther = restClient(target, () => other)
  let serial = 0

  const create = async (path: string, body: Json, client = api) => {
    const reply = await client('POST', path, body)
    if (reply.status !== 201)
      throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`)
    return reply.body
  }
  /** An application with a fresh directory as its default store, with policy changes applied. */
  const setUp = async (
    policies: { creation?: Json; password?: Json; locking?: Json } = {},
    client = api,
  ) => {
    const n = ++serial
    const app = await create('/v1/applications', { name: `Workflow app ${n}` }, client)
    const directory = await create('/v1/directories', { name: `Workflow directory ${n}` }, client)
    await create(
      '/v1/accountStoreMappings',
      {
        application: { href: app.href },
        accountStore: { href: directory.href },
        isDefaultAccountStore: true,
      },
      client,
    )
    const id = idOf(directory.href)
    for (const [type, body] of [
      ['accountCreationPolicies', policies.creation],
      ['passwordPolicies', policies.password],
      ['accountLockingPolicies', policies.locking],
    ] as const) {
      if (!body) continue
      const reply = await client('POST', `/v1/${type}/${id}`, body)
      expect(reply.status).toBe(200)
    }
    return { app, directory, n }
  }
  const newAccount = (app: Json, email: string, extra: Json = {}, query = '') =>
    create(`${app.href}/accounts${query}`, {
      email,
      password: PASSWORD,
      givenName: 'Grace',
      surname: 'Hopper',
      ...extra,
    })
  const login = (app: Json, email: string, password: string) =>
    api('POST', `${app.href}/loginAttempts`, { type: 'basic', value: basicValue(email, password) })

  /** The mails queued for `to`, oldest first, bodies opened. */
  const mailsTo = async (to: string, workflow?: string): Promise<Mail[]> => {
    const { outbox } = schema
    const rows = await target.db
      .select()
      .from(outbox)
      .where(
        workflow
          ? and(eq(outbox.toAddress, to), eq(outbox.workflow, workflow))
          : eq(outbox.toAddress, to),
      )
      .orderBy(asc(outbox.createdAt))
      .all()
    return Promise.all(
      rows.map(async (row) => ({
        workflow: row.workflow,
        to: row.toAddress,
        from: row.fromAddress,
        subject: row.subject,
        ...(JSON.parse(await sealer.open(row.bodySealed, `outbox:${row.id}`)) as {
          text?: string
          html?: string
        }),
      })),
    )
  }
  const tokenIn = (mail: Mail) => /sptoken=([A-Za-z0-9_-]+)/.exec(mail.text ?? mail.html ?? '')![1]!
  const stored = async (href: string) =>
    (await target.db
      .select()
      .from(schema.accounts)
      .where(eq(schema.accounts.id, idOf(href)))
      .get())!

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, `workflows-${target.name}`)
    other = await bootstrapAdmin(target.request, `workflows-other-${target.name}`)
  })

  describe('email verification', () => {
    test('create → mail in outbox → follow link → account ENABLED → success and welcome mails', async () => {
      const { app } = await setUp({
        creation: {
          verificationEmailStatus: 'ENABLED',
          verificationSuccessEmailStatus: 'ENABLED',
          welcomeEmailStatus: 'ENABLED',
        },
      })
      const account = await newAccount(app, 'verify-me@example.com')
      expect([account.status, account.emailVerificationStatus]).toEqual([
        'UNVERIFIED',
        'UNVERIFIED',
      ])
      expect((await login(app, 'verify-me@example.com', PASSWORD)).body.code).toBe(7102)

      const [mail] = await mailsTo('verify-me@example.com')
      expect(mail!.workflow).toBe('verification')
      expect(mail!.subject).toBe('Verify your email address')
      expect(mail!.text).toContain(`${TEST_BASE_URL}/ui/verify?sptoken=`)
      expect(mail!.html).toContain('Hi Grace,')
      const token = tokenIn(mail!)
      expect(token.length).toBeGreaterThanOrEqual(43) // 256 bits, base64url

      const verified = await api('POST', `/v1/accounts/emailVerificationTokens/${token}`)
      expect(verified.status).toBe(200)
      expect(verified.body).toEqual({ href: account.href })
      expect(verified.headers.get('location')).toBe(account.href)
      const row = await stored(account.href)
      expect([row.status, row.emailVerificationStatus]).toEqual(['ENABLED', 'VERIFIED'])
      expect((await mailsTo('verify-me@example.com')).map((m) => m.workflow)).toEqual([
        'verification',
        'verificationSuccess',
        'welcome',
      ])
      expect((await login(app, 'verify-me@example.com', PASSWORD)).status).toBe(200)
    })

    test('token replay: a used verification token is refused with 404', async () => {
      const { app } = await setUp({ creation: { verificationEmailStatus: 'ENABLED' } })
      await newAccount(app, 'replay@example.com')
      const token = tokenIn((await mailsTo('replay@example.com', 'verification'))[0]!)
      expect((await api('POST', `/v1/accounts/emailVerificationTokens/${token}`)).status).toBe(200)
      const again = await api('POST', `/v1/accounts/emailVerificationTokens/${token}`)
      expect([again.status, again.body.code]).toEqual([404, 404])
    })

    test('tokens are stored hashed: the mailed token is not in the database', async () => {
      const { app } = await setUp({ creation: { verificationEmailStatus: 'ENABLED' } })
      const account = await newAccount(app, 'hashed@example.com')
      const token = tokenIn((await mailsTo('hashed@example.com'))[0]!)
      const rows = await target.db
        .select()
        .from(schema.accountTokens)
        .where(eq(schema.accountTokens.accountId, idOf(account.href)))
        .all()
      expect(rows).toHaveLength(1)
      expect(rows[0]!.tokenHash).not.toContain(token)
      expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/)
    })

    test('an expired verification token is refused', async () => {
      const { app } = await setUp({ creation: { verificationEmailStatus: 'ENABLED' } })
      const account = await newAccount(app, 'expired-verify@example.com')
      const token = tokenIn((await mailsTo('expired-verify@example.com'))[0]!)
      await target.db
        .update(schema.accountTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(schema.accountTokens.accountId, idOf(account.href)))
      expect((await api('POST', `/v1/accounts/emailVerificationTokens/${token}`)).status).toBe(404)
      expect((await stored(account.href)).status).toBe('UNVERIFIED')
    })

    test('tenant isolation: another tenant cannot consume a verification token', async () => {
      const { app } = await setUp({ creation: { verificationEmailStatus: 'ENABLED' } })
      const account = await newAccount(app, 'isolated@example.com')
      const token = tokenIn((await mailsTo('isolated@example.com'))[0]!)
      expect((await asOther('POST', `/v1/accounts/emailVerificationTokens/${token}`)).status).toBe(
        404,
      )
      expect((await stored(account.href)).status).toBe('UNVERIFIED')
      expect((await api('POST', `/v1/accounts/emailVerificationTokens/${token}`)).status).toBe(200)
    })

    test('?registrationWorkflowEnabled=false skips verification and mail', async () => {
      const { app } = await setUp({
        creation: { verificationEmailStatus: 'ENABLED', welcomeEmailStatus: 'ENABLED' },
      })
      const account = await newAccount(
        app,
        'no-workflow@example.com',
        {},
        '?registrationWorkflowEnabled=false',
      )
      expect(account.status).toBe('ENABLED')
      expect(await mailsTo('no-workflow@example.com')).toEqual([])
    })

    test('welcome mail on creation when verification is off', async () => {
      const { app } = await setUp({ creation: { welcomeEmailStatus: 'ENABLED' } })
      const account = await newAccount(app, 'welcome@example.com')
      expect(account.status).toBe('ENABLED')
      const mails = await mailsTo('welcome@example.com')
      expect(mails.map((m) => [m.workflow, m.subject])).toEqual([['welcome', 'Welcome!']])
      expect(mails[0]!.text).not.toContain('sptoken')
    })

    test('no mail at all when every workflow is off (the default)', async () => {
      const { app } = await setUp()
      await newAccount(app, 'quiet@example.com')
      expect(await mailsTo('quiet@example.com')).toEqual([])
    })

    test('resend answers 202 with an empty body and only the newest link works', async () => {
      const { app } = await setUp({ creation: { verificationEmailStatus: 'ENABLED' } })
      await newAccount(app, 'resend@example.com')
      const first = tokenIn((await mailsTo('resend@example.com'))[0]!)
      const resent = await api('POST', `${app.href}/verificationEmails`, {
        login: 'resend@example.com',
      })
      expect(resent.status).toBe(202)
      expect(resent.body).toEqual({})
      const mails = await mailsTo('resend@example.com', 'verification')
      expect(mails).toHaveLength(2)
      const second = tokenIn(mails[1]!)
      expect(second).not.toBe(first)
      expect((await api('POST', `/v1/accounts/emailVerificationTokens/${first}`)).status).toBe(404)
      expect((await api('POST', `/v1/accounts/emailVerificationTokens/${second}`)).status).toBe(200)
    })

    test('resend: an unknown login looks accepted; a directory without the workflow is 6101', async () => {
      const { app } = await setUp({ creation: { verificationEmailStatus: 'ENABLED' } })
      const unknown = await api('POST', `${app.href}/verificationEmails`, {
        login: 'nobody@example.com',
      })
      expect([unknown.status, unknown.body]).toEqual([202, {}])
      const plain = await setUp()
      await newAccount(plain.app, 'plain@example.com')
      const refused = await api('POST', `${plain.app.href}/verificationEmails`, {
        login: 'plain@example.com',
      })
      expect([refused.status, refused.body.code]).toEqual([400, 6101])
      const missing = await api('POST', `${app.href}/verificationEmails`, {})
      expect([missing.status, missing.body.code]).toEqual([400, 2000])
    })
  })

  describe('password reset', () => {
    const resetSetUp = async () => {
      const setup = await setUp({ password: { resetSuccessEmailStatus: 'ENABLED' } })
      const email = `reset-${setup.n}@example.com`
      const account = await newAccount(setup.app, email)
      return { ...setup, email, account }
    }
    const requestReset = (app: Json, email: string) =>
      api('POST', `${app.href}/passwordResetTokens`, { email })

    test('request → mail → validate → reset → old password fails, new works, sessions revoked', async () => {
      const { app, email, account } = await resetSetUp()
      const accountId = idOf(account.href)
      await target.db.insert(schema.apiSessions).values({
        tokenHash: `session-of-${accountId}`,
        tenantId: (await stored(account.href)).tenantId,
        accountId,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
      })

      const requested = await requestReset(app, email)
      expect(requested.status).toBe(200)
      expect(Object.keys(requested.body).sort()).toEqual(['email', 'href'])
      const [mail] = await mailsTo(email, 'reset')
      const token = tokenIn(mail!)
      expect(mail!.text).toContain(`${TEST_BASE_URL}/ui/reset?sptoken=${token}`)
      expect(mail!.text).toContain('valid for 24 hours')
      expect(requested.body.href).toBe(`${app.href}/passwordResetTokens/${token}`)

      const validated = await api('GET', `${app.href}/passwordResetTokens/${token}`)
      expect(validated.status).toBe(200)
      expect(validated.body).toEqual({
        href: `${app.href}/passwordResetTokens/${token}`,
        email,
        account: { href: account.href },
      })

      const weak = await api('POST', `${app.href}/passwordResetTokens/${token}`, {
        password: 'short',
      })
      expect([weak.status, weak.body.code]).toEqual([400, 2007])
      expect((await api('GET', `${app.href}/passwordResetTokens/${token}`)).status).toBe(200)

      const reset = await api('POST', `${app.href}/passwordResetTokens/${token}`, {
        password: NEW_PASSWORD,
      })
      expect(reset.status).toBe(200)
      expect(reset.body).toEqual({ account: { href: account.href } })
      expect((await login(app, email, PASSWORD)).body.code).toBe(7100)
      expect((await login(app, email, NEW_PASSWORD)).status).toBe(200)
      const sessions = await target.db
        .select()
        .from(schema.apiSessions)
        .where(eq(schema.apiSessions.accountId, accountId))
        .all()
      expect(sessions).toEqual([])
      expect((await mailsTo(email)).map((m) => m.workflow)).toEqual(['reset', 'resetSuccess'])
    })

    test('token replay: a used reset token is refused, and the password stays', async () => {
      const { app, email } = await resetSetUp()
      await requestReset(app, email)
      const token = tokenIn((await mailsTo(email, 'reset'))[0]!)
      expect(
        (await api('POST', `${app.href}/passwordResetTokens/${token}`, { password: NEW_PASSWORD }))
          .status,
      ).toBe(200)
      const again = await api('POST', `${app.href}/passwordResetTokens/${token}`, {
        password: 'Another-pass-789',
      })
      expect([again.status, again.body.code]).toEqual([404, 404])
      expect((await api('GET', `${app.href}/passwordResetTokens/${token}`)).status).toBe(404)
      expect((await login(app, email, NEW_PASSWORD)).status).toBe(200)
    })

    test('an expired reset token is refused', async () => {
      const { app, email, account } = await resetSetUp()
      await requestReset(app, email)
      const token = tokenIn((await mailsTo(email, 'reset'))[0]!)
      await target.db
        .update(schema.accountTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(schema.accountTokens.accountId, idOf(account.href)))
      expect((await api('GET', `${app.href}/passwordResetTokens/${token}`)).status).toBe(404)
      const reset = await api('POST', `${app.href}/passwordResetTokens/${token}`, {
        password: NEW_PASSWORD,
      })
      expect(reset.status).toBe(404)
      expect((await login(app, email, PASSWORD)).status).toBe(200)
    })

    test('account enumeration: an unknown email is answered exactly like a known one', async () => {
      const { app, email } = await resetSetUp()
      const known = await requestReset(app, email)
      const unknown = await requestReset(app, 'no-such-user@example.com')
      expect(unknown.status).toBe(known.status)
      expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(known.body).sort())
      const shape = (reply: Reply) => reply.body.href.replace(/[A-Za-z0-9_-]{43}$/, '<token>')
      expect(shape(unknown)).toBe(shape(known))
      expect(
        [...unknown.headers.keys()]
          .filter((h) => h !== 'stormpath-request-id' && h !== 'date')
          .sort(),
      ).toEqual(
        [...known.headers.keys()]
          .filter((h) => h !== 'stormpath-request-id' && h !== 'date')
          .sort(),
      )
      expect(await mailsTo('no-such-user@example.com')).toEqual([])
      // The decoy token validates nowhere.
      const decoy = idOf(unknown.body.href)
      expect((await api('GET', `${app.href}/passwordResetTokens/${decoy}`)).status).toBe(404)
    })

    test('a disabled account gets no reset mail, and the answer does not say so', async () => {
      const { app, email } = await resetSetUp()
      const account = (await api('GET', `${app.href}/accounts?email=${email}`)).body.items[0]
      await api('POST', account.href, { status: 'DISABLED' })
      const reply = await requestReset(app, email)
      expect(reply.status).toBe(200)
      expect(await mailsTo(email, 'reset')).toEqual([])
    })

    test('a reset token works only through the application it was issued for', async () => {
      const { app, email } = await resetSetUp()
      await requestReset(app, email)
      const token = tokenIn((await mailsTo(email, 'reset'))[0]!)
      const elsewhere = await setUp()
      expect((await api('GET', `${elsewhere.app.href}/passwordResetTokens/${token}`)).status).toBe(
        404,
      )
      expect(
        (
          await api('POST', `${elsewhere.app.href}/passwordResetTokens/${token}`, {
            password: NEW_PASSWORD,
          })
        ).status,
      ).toBe(404)
    })

    test('tenant isolation: another tenant cannot use the reset endpoints of this application', async () => {
      const { app, email } = await resetSetUp()
      await requestReset(app, email)
      const token = tokenIn((await mailsTo(email, 'reset'))[0]!)
      expect((await asOther('GET', `${app.href}/passwordResetTokens/${token}`)).status).toBe(404)
      expect((await asOther('POST', `${app.href}/passwordResetTokens`, { email })).status).toBe(404)
    })

    test('mail bombing: reset requests per address are rate limited, known or not', async () => {
      const { app } = await setUp()
      const statuses: number[] = []
      for (let i = 0; i < 6; i++)
        statuses.push((await requestReset(app, 'flood@example.com')).status)
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
    })

    test('hostile input: malformed bodies and tokens get a 4xx and write nothing', async () => {
      const { app } = await setUp()
      const before = await target.db.select().from(schema.accountTokens).all()
      const bad = [
        await api('POST', `${app.href}/passwordResetTokens`, '{not json'),
        await api('POST', `${app.href}/passwordResetTokens`, { email: 42 }),
        await api('POST', `${app.href}/passwordResetTokens`, {}),
        await api('GET', `${app.href}/passwordResetTokens/${'x'.repeat(5000)}`),
        await api('GET', `${app.href}/passwordResetTokens/%00%27%22`),
        await api('POST', `${app.href}/passwordResetTokens/abc`, { password: 'x'.repeat(2000) }),
        await api('POST', `/v1/accounts/emailVerificationTokens/${'y'.repeat(3000)}`),
      ]
      expect(bad.map((reply) => reply.status)).toEqual([400, 400, 400, 404, 404, 400, 404])
      expect(await target.db.select().from(schema.accountTokens).all()).toEqual(before)
    })
  })

  describe('password changes (Cloudpass)', () => {
    test('wrong current password → 7100; weak new password → 400; good → 204 and the mail', async () => {
      const { app, n } = await setUp({ password: { resetSuccessEmailStatus: 'ENABLED' } })
      const email = `change-${n}@example.com`
      const account = await newAccount(app, email)
      const change = (body: Json) => api('POST', `${account.href}/passwordChanges`, body)
      const wrong = await change({ currentPassword: 'Nope-nope-123', newPassword: NEW_PASSWORD })
      expect([wrong.status, wrong.body.code]).toEqual([400, 7100])
      const weak = await change({ currentPassword: PASSWORD, newPassword: 'alllowercase1' })
      expect([weak.status, weak.body.code]).toEqual([400, 400])
      const missing = await change({ currentPassword: PASSWORD })
      expect([missing.status, missing.body.code]).toEqual([400, 2000])
      const done = await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
      expect(done.status).toBe(204)
      expect((await login(app, email, NEW_PASSWORD)).status).toBe(200)
      expect((await mailsTo(email)).map((m) => m.workflow)).toEqual(['resetSuccess'])
    })
  })

  describe('account locked mail', () => {
    test('the failure that locks the account queues one mail', async () => {
      const { app, n } = await setUp({
        locking: { maxFailedLoginAttempts: 3, accountLockedEmailStatus: 'ENABLED' },
      })
      const email = `locked-${n}@example.com`
      await newAccount(app, email)
      for (let i = 0; i < 2; i++) await login(app, email, 'Wrong-pass-000')
      expect(await mailsTo(email)).toEqual([])
      expect((await login(app, email, 'Wrong-pass-000')).body.code).toBe(7100)
      await login(app, email, 'Wrong-pass-000')
      const mails = await mailsTo(email)
      expect(mails.map((m) => m.workflow)).toEqual(['accountLocked'])
      expect(mails[0]!.text).toContain('locked for 15 minutes')
    })
  })

  describe('email domain lists', () => {
    test('a blacklisted domain is refused with 7205, a domain off the whitelist with 7206', async () => {
      const { app } = await setUp({
        creation: {
          emailDomainBlacklist: ['*spam.test'],
          emailDomainWhitelist: ['example.com', '*.corp.test'],
        },
      })
      const black = await api('POST', `${app.href}/accounts`, {
        email: 'a@mail.spam.test',
        password: PASSWORD,
      })
      expect([black.status, black.body.code]).toEqual([400, 7205])
      const off = await api('POST', `${app.href}/accounts`, {
        email: 'a@gmail.test',
        password: PASSWORD,
      })
      expect([off.status, off.body.code]).toEqual([400, 7206])
      expect(
        (await api('POST', `${app.href}/accounts`, { email: 'a@eu.corp.test', password: PASSWORD }))
          .status,
      ).toBe(201)
      const exact = await api('POST', `${app.href}/accounts`, {
        email: 'b@example.com',
        password: PASSWORD,
      })
      expect(exact.status).toBe(201)
      const moved = await api('POST', exact.body.href, { email: 'b@spam.test' })
      expect([moved.status, moved.body.code]).toEqual([400, 7205])
    })
  })

  describe('templates', () => {
    const templateOf = async (directory: Json, policy: string, collection: string) => {
      const reply = await api('GET', `/v1/${policy}/${idOf(directory.href)}/${collection}`)
      expect(reply.status).toBe(200)
      expect(reply.body.size).toBe(1)
      return reply.body.items[0]
    }

    test('policies link their template collections; each holds the default template', async () => {
      const { directory } = await setUp()
      const policy = (await api('GET', `/v1/passwordPolicies/${idOf(directory.href)}`)).body
      expect(policy.resetEmailTemplates.href).toBe(`${policy.href}/resetEmailTemplates`)
      expect(policy.resetSuccessEmailTemplates.href).toBe(
        `${policy.href}/resetSuccessEmailTemplates`,
      )
      const creation = (await api('GET', `/v1/accountCreationPolicies/${idOf(directory.href)}`))
        .body
      for (const name of [
        'verificationEmailTemplates',
        'verificationSuccessEmailTemplates',
        'welcomeEmailTemplates',
      ])
        expect(creation[name].href).toBe(`${creation.href}/${name}`)
      const locking = (await api('GET', `/v1/accountLockingPolicies/${idOf(directory.href)}`)).body
      expect(locking.accountLockedEmailTemplates.href).toBe(
        `${locking.href}/accountLockedEmailTemplates`,
      )
      const template = await templateOf(directory, 'passwordPolicies', 'resetEmailTemplates')
      expect(template).toMatchObject({
        name: 'Default Password Reset Email Template',
        mimeType: 'multipart/alternative',
        fromEmailAddress: 'noreply@edgepass.test',
        fromName: 'Edgepass',
        defaultModel: { linkBaseUrl: `${TEST_BASE_URL}/ui/reset` },
      })
      expect(template.textBody).toContain('$!{url}')
      expect((await api('GET', template.href)).body).toEqual(template)
    })

    test('edited templates render both macro syntaxes, custom data, escaping and the link base', async () => {
      const { app, directory, n } = await setUp({ password: { resetEmailStatus: 'ENABLED' } })
      const template = await templateOf(directory, 'passwordPolicies', 'resetEmailTemplates')
      const saved = await api('POST', template.href, {
        subject: 'Reset for {{account.givenName}} at $!{application.name}',
        fromName: 'Acme Accounts',
        fromEmailAddress: 'accounts@acme.test',
        textBody:
          'Hi {{ account.givenName }} ($!{account.customData.team}): $!{url} / ${sptokenNameValuePair} / $!{cpToken}',
        htmlBody: '<p>Hi $!{account.givenName}</p><a href="$!{url}">reset</a>',
        defaultModel: { linkBaseUrl: 'https://app.acme.test/#/reset' },
      })
      expect(saved.status).toBe(200)
      expect(saved.body.defaultModel).toEqual({ linkBaseUrl: 'https://app.acme.test/#/reset' })
      const email = `macros-${n}@example.com`
      await newAccount(app, email, { givenName: '<b>Eve</b>', customData: { team: 'Blue & Red' } })
      await api('POST', `${app.href}/passwordResetTokens`, { email })
      const [mail] = await mailsTo(email, 'reset')
      const token = tokenIn(mail!)
      expect(mail!.subject).toBe(`Reset for <b>Eve</b> at Workflow app ${n}`)
      expect(mail!.from).toBe('Acme Accounts <accounts@acme.test>')
      expect(mail!.text).toBe(
        `Hi <b>Eve</b> (Blue & Red): https://app.acme.test/#/reset?sptoken=${token} / sptoken=${token} / ${token}`,
      )
      expect(mail!.html).toBe(
        `<p>Hi &lt;b&gt;Eve&lt;/b&gt;</p><a href="https://app.acme.test/#/reset?sptoken=${token}">reset</a>`,
      )
    })

    test('7301: a reset or verification template without the link is refused and unchanged', async () => {
      const { directory } = await setUp()
      const template = await templateOf(
        directory,
        'accountCreationPolicies',
        'verificationEmailTemplates',
      )
      const refused = await api('POST', template.href, { textBody: 'Welcome, no link here.' })
      expect([refused.status, refused.body.code]).toEqual([400, 7301])
      const htmlOnly = await api('POST', template.href, {
        mimeType: 'text/html',
        htmlBody: '<p>nothing</p>',
      })
      expect([htmlOnly.status, htmlOnly.body.code]).toEqual([400, 7301])
      expect((await api('GET', template.href)).body).toEqual(template)
      // Welcome mails need no link.
      const welcome = await templateOf(
        directory,
        'accountCreationPolicies',
        'welcomeEmailTemplates',
      )
      expect((await api('POST', welcome.href, { textBody: 'Welcome!' })).status).toBe(200)
    })

    test('header injection: a subject or sender name with a line break is refused', async () => {
      const { directory } = await setUp()
      const template = await templateOf(
        directory,
        'accountCreationPolicies',
        'welcomeEmailTemplates',
      )
      const subject = await api('POST', template.href, { subject: 'Hi\r\nBcc: victim@example.com' })
      expect([subject.status, subject.body.code]).toEqual([400, 2002])
      const from = await api('POST', template.href, { fromName: 'Eve\nBcc: x@y.z' })
      expect(from.status).toBe(400)
      const link = await api('POST', template.href, {
        defaultModel: { linkBaseUrl: 'javascript:alert(1)' },
      })
      expect(link.status).toBe(400)
      expect((await api('GET', template.href)).body).toEqual(template)
    })

    test('tenant isolation: another tenant cannot read or edit templates', async () => {
      const { directory } = await setUp()
      const template = await templateOf(directory, 'passwordPolicies', 'resetEmailTemplates')
      expect((await asOther('GET', template.href)).status).toBe(404)
      expect((await asOther('POST', template.href, { subject: 'pwned' })).status).toBe(404)
      expect(
        (await asOther('GET', `/v1/passwordPolicies/${idOf(directory.href)}/resetEmailTemplates`))
          .status,
      ).toBe(404)
    })
  })
})
