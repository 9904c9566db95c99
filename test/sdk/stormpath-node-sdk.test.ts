import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../../src/runtime/cli/wrangler'
import { startServer, type ServerProcess } from '../harness/process'
import { bootstrapAdmin } from '../harness/admin'

type Step = Record<string, unknown> & { step: string }

// The official SDK, under Node as its users run it, against `npm start`'s server.
describe('Stormpath Node SDK 0.20.1 scenario', () => {
  let dir: string
  let server: ServerProcess
  let steps: Map<string, Step>
  let exitCode: number

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgepass-sdk-'))
    server = await startServer(dir, { LOG_LEVEL: 'warn' })
    const baseUrl = `http://localhost:${server.port}`
    const admin = await bootstrapAdmin((path, init) => fetch(`${baseUrl}${path}`, init))
    const child = Bun.spawn(['node', join(REPO_ROOT, 'test/sdk/stormpath-scenario.cjs')], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        EDGEPASS_BASE_URL: baseUrl,
        EDGEPASS_KEY_ID: admin.keyId,
        EDGEPASS_KEY_SECRET: admin.keySecret,
      },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [stdout, stderr] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ])
    exitCode = await child.exited
    steps = new Map(
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Step)
        .map((s) => [s.step, s]),
    )
    if (exitCode !== 0) console.error(stdout, stderr)
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  test('runs to the end without an error', () => {
    expect(steps.get('error')).toBeUndefined()
    expect(exitCode).toBe(0)
  })

  test('gets the current tenant through the 302', () => {
    expect(steps.get('tenant')).toMatchObject({ key: 'sdk-tenant' })
  })

  test('creates and maps a directory and an application', () => {
    expect(String(steps.get('created')?.directory)).toContain('/v1/directories/')
    expect(steps.get('mapped')).toMatchObject({ listIndex: 0 })
  })

  test('creates a group and an account without the registration workflow', () => {
    expect(steps.get('group')).toMatchObject({ name: 'Readers' })
    expect(steps.get('account')).toMatchObject({ status: 'ENABLED', fullName: 'Jane Doe' })
  })

  test('authenticates the account and reads it from the result', () => {
    expect(steps.get('authenticated')?.href).toBe(steps.get('account')?.href)
  })

  test('lists the account’s groups and adds it to one', () => {
    expect(steps.get('groups')).toMatchObject({ before: 0, after: ['Readers'] })
  })

  test('saves and removes custom data', () => {
    expect(steps.get('customData.saved')).toMatchObject({ favoriteColor: 'teal', level: 7 })
    expect(steps.get('customData.removed')).toMatchObject({ favoriteColor: null, level: 7 })
  })

  test('creates an API key whose secret the SDK decrypts', () => {
    expect(steps.get('apiKey')).toMatchObject({ secretLength: 43, status: 'ENABLED' })
    expect(steps.get('apiKey.read')).toMatchObject({
      secretMatches: true,
      listed: [steps.get('apiKey')?.id],
    })
  })

  test('email verification: createAccount → resendVerificationEmail → verifyAccountEmail', () => {
    expect(steps.get('verification.created')).toMatchObject({ status: 'UNVERIFIED' })
    expect(steps.get('verification.resent')).toMatchObject({ accepted: true })
    expect(steps.get('verification.verified')).toMatchObject({ status: 'ENABLED' })
    expect(steps.get('verification.verified')?.href).toBe(steps.get('reset.oldPassword')?.href)
  })

  test('password reset: sendPasswordResetEmail → verifyPasswordResetToken → resetPassword', () => {
    const href = steps.get('reset.oldPassword')?.href
    expect(steps.get('reset.requested')?.email).toMatch(/^june\./)
    expect(steps.get('reset.verified')).toMatchObject({ account: href })
    expect(steps.get('reset.done')).toMatchObject({ account: href })
    expect(steps.get('reset.login')).toMatchObject({ href })
    expect(steps.get('reset.oldPassword')).toMatchObject({ result: '7100' })
  })

  test('finds the account by email, then deletes it', () => {
    expect(steps.get('search')).toMatchObject({ size: 1, href: steps.get('account')?.href })
    expect(steps.get('deleted')).toMatchObject({ size: 0 })
  })
  test('OAuthPasswordGrantRequestAuthenticator gets HS256 tokens the SDK verifies with its key', () => {
    const account = steps.get('oauth.password')?.account
    expect(account).toBeString()
    expect(steps.get('oauth.policy')).toMatchObject({
      accessTokenTtl: 'PT1H',
      refreshTokenTtl: 'P60D',
    })
    expect(steps.get('oauth.password')).toMatchObject({
      owner: account,
      sub: account,
      refreshSub: account,
      alg: 'HS256',
      tokenType: 'Bearer',
      expiresIn: 3600,
    })
    expect(steps.get('oauth.password')?.kid).toBeString()
    expect(steps.get('oauth.wrongPassword')).toMatchObject({
      status: 400,
      code: 7100,
      error: 'invalid_grant',
    })
  })

  test('JwtAuthenticator verifies the access token locally and through authTokens', () => {
    const account = steps.get('oauth.password')?.account
    expect(steps.get('oauth.local')).toMatchObject({ account })
    expect(steps.get('oauth.remote')).toMatchObject({ account, sameJwt: true })
    expect(steps.get('oauth.stormpathAccessToken')).toMatchObject({ account, sub: account })
  })

  test('refresh and client credentials grants; a deleted access token no longer validates', () => {
    const account = steps.get('oauth.password')?.account
    expect(steps.get('oauth.refresh')).toMatchObject({
      sub: account,
      newAccessToken: true,
      sameRefreshToken: true,
    })
    expect(steps.get('oauth.clientCredentials')).toMatchObject({
      sub: account,
      refreshToken: null,
      resourceJwtMatches: true,
    })
    expect(steps.get('oauth.revoked')).toMatchObject({ status: 400 })
  })

  test('google-authenticator factors: created with seed and QR, challenged, verified', () => {
    expect(steps.get('factor.created')).toMatchObject({
      type: 'google-authenticator',
      verificationStatus: 'UNVERIFIED',
      hasSecret: true,
      hasQrImage: true,
    })
    expect(String(steps.get('factor.created')!.keyUri)).toStartWith('otpauth://totp/SDK:mia?')
    expect(steps.get('factor.challenge')).toMatchObject({ status: 'CREATED' })
    expect(steps.get('factor.verified')).toMatchObject({ status: 'SUCCESS' })
    const read = steps.get('factor.read')!
    expect(read).toMatchObject({ verificationStatus: 'VERIFIED', secret: null })
    expect(read.listed).toHaveLength(1)
  })
})
