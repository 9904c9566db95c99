/**
 * Passkeys in the domain, against a software authenticator doing real ES256: registration and
 * assertion, and the attacks the issue names — a replayed challenge, another origin's
 * assertion, a passkey of account A used for account B — plus a cloned authenticator's counter.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Deps } from '../../src/deps'
import {
  deletePasskey,
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  listPasskeys,
  startPasskeyAuthentication,
  startPasskeyRegistration,
} from '../../src/mfa/passkeys'
import { parseConfig } from '../../src/config'
import { testEnv } from '../harness/targets'
import { openTestDatabase, type TestDatabase } from '../oidc/test-database'
import { softAuthenticator, type SoftCredential } from './soft-authenticator'

const TENANT = 'tenant-passkeys'
const ORIGIN = 'https://id.example.com'
let target: TestDatabase
let deps: Deps
let serial = 0
const authenticator = softAuthenticator()

beforeAll(async () => {
  target = await openTestDatabase()
  deps = {
    ...target.deps,
    config: parseConfig(testEnv({ BASE_URL: ORIGIN, DATABASE_URL: ':memory:' })),
  }
})
afterAll(() => target.close())

const newAccount = () => {
  const n = ++serial
  return {
    tenantId: TENANT,
    id: `account-${n}`,
    username: `user${n}`,
    email: `user${n}@example.com`,
  }
}

/** An account with one registered passkey, and the authenticator's credential for it. */
async function registered(name = 'Laptop') {
  const account = newAccount()
  const { challengeId, options } = await startPasskeyRegistration(deps, account, 'Acme')
  const { credential, response } = await authenticator.register(options, ORIGIN)
  const outcome = await finishPasskeyRegistration(deps, account, { challengeId, response, name })
  expect(outcome.kind).toBe('ok')
  return { account, credential }
}

async function signIn(credential: SoftCredential, accountId: string | null, origin = ORIGIN) {
  const { challengeId, options } = await startPasskeyAuthentication(deps, TENANT, accountId)
  const response = await authenticator.assert(credential, options, origin)
  return {
    challengeId,
    response,
    outcome: await finishPasskeyAuthentication(deps, TENANT, { challengeId, response }),
  }
}

describe('passkeys', () => {
  test('registration stores the passkey with its name, counter, device type and backup flag', async () => {
    const { account, credential } = await registered('  Work laptop  ')
    const [passkey] = await listPasskeys(deps, TENANT, account.id)
    expect(passkey).toMatchObject({
      credentialId: credential.id,
      name: 'Work laptop',
      counter: 0,
      deviceType: 'singleDevice',
      backedUp: false,
    })
    expect(JSON.parse(passkey!.transports)).toEqual(['internal'])
  })

  test('the options name BASE_URL as the relying party and exclude passkeys already registered', async () => {
    const { account, credential } = await registered()
    const { options } = await startPasskeyRegistration(deps, account, 'Acme')
    expect(options.rp).toEqual({ name: 'Acme', id: 'id.example.com' })
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([credential.id])
    expect(options.authenticatorSelection?.residentKey).toBe('required')
  })

  test('a passkey signs in passwordless (any account) and as the second factor of its own account', async () => {
    const { account, credential } = await registered()
    const passwordless = await signIn(credential, null)
    expect(passwordless.outcome).toMatchObject({
      kind: 'ok',
      value: { passkey: { accountId: account.id } },
    })
    const second = await signIn(credential, account.id)
    expect(second.outcome.kind).toBe('ok')
    const [passkey] = await listPasskeys(deps, TENANT, account.id)
    expect(passkey!.counter).toBe(2)
    expect(passkey!.lastUsedAt).not.toBeNull()
  })

  test('replay: a WebAuthn challenge and its assertion are accepted once', async () => {
    const { credential } = await registered()
    const { challengeId, response, outcome } = await signIn(credential, null)
    expect(outcome.kind).toBe('ok')
    const replayed = await finishPasskeyAuthentication(deps, TENANT, { challengeId, response })
    expect(replayed.kind).toBe('refused')
  })

  test('phishing: an assertion made for another origin is refused', async () => {
    const { credential } = await registered()
    const { outcome } = await signIn(credential, null, 'https://id.example.com.evil.test')
    expect(outcome.kind).toBe('refused')
  })

  test("account substitution: account A's passkey cannot be B's second factor", async () => {
    const a = await registered()
    const b = await registered()
    const { outcome } = await signIn(a.credential, b.account.id)
    expect(outcome).toEqual({ kind: 'refused', reason: 'Unknown passkey.' })
  })

  test('a cloned authenticator (its counter going backwards) is refused', async () => {
    const { credential } = await registered()
    expect((await signIn(credential, null)).outcome.kind).toBe('ok')
    expect((await signIn(credential, null)).outcome.kind).toBe('ok')
    credential.counter = 0 // the clone's copy of the counter is behind: it will sign 1
    expect((await signIn(credential, null)).outcome.kind).toBe('refused')
  })

  test('registration answers are checked too: another origin, and a replayed registration', async () => {
    const account = newAccount()
    const first = await startPasskeyRegistration(deps, account, 'Acme')
    const foreign = await authenticator.register(first.options, 'https://evil.test')
    expect(
      (
        await finishPasskeyRegistration(deps, account, {
          challengeId: first.challengeId,
          response: foreign.response,
          name: 'x',
        })
      ).kind,
    ).toBe('refused')
    const second = await startPasskeyRegistration(deps, account, 'Acme')
    const good = await authenticator.register(second.options, ORIGIN)
    const input = { challengeId: second.challengeId, response: good.response, name: 'Phone' }
    expect((await finishPasskeyRegistration(deps, account, input)).kind).toBe('ok')
    expect((await finishPasskeyRegistration(deps, account, input)).kind).toBe('refused')
    expect(await listPasskeys(deps, TENANT, account.id)).toHaveLength(1)
  })

  test("another account cannot finish someone else's registration", async () => {
    const owner = newAccount()
    const intruder = newAccount()
    const { challengeId, options } = await startPasskeyRegistration(deps, owner, 'Acme')
    const { response } = await authenticator.register(options, ORIGIN)
    expect(
      (await finishPasskeyRegistration(deps, intruder, { challengeId, response, name: 'x' })).kind,
    ).toBe('refused')
  })

  test('hostile input: garbage responses and challenge ids are refused, never thrown', async () => {
    const { credential } = await registered()
    const garbage = [
      null,
      'x',
      { id: 'y'.repeat(5000) },
      { id: credential.id, response: {} },
      {
        id: credential.id,
        response: { clientDataJSON: '!!', authenticatorData: 5, signature: null },
      },
    ]
    for (const response of garbage) {
      const { challengeId } = await startPasskeyAuthentication(deps, TENANT, null)
      const outcome = await finishPasskeyAuthentication(deps, TENANT, { challengeId, response })
      expect(outcome.kind).toBe('refused')
    }
    for (const id of ['', 'x'.repeat(500), 42 as unknown as string]) {
      expect(
        (await finishPasskeyAuthentication(deps, TENANT, { challengeId: id, response: {} })).kind,
      ).toBe('refused')
    }
  })

  test('a passkey is deleted by its account only', async () => {
    const { account } = await registered()
    const [passkey] = await listPasskeys(deps, TENANT, account.id)
    expect(await deletePasskey(deps, TENANT, 'someone-else', passkey!.id)).toBe(false)
    expect(await deletePasskey(deps, TENANT, account.id, passkey!.id)).toBe(true)
    expect(await listPasskeys(deps, TENANT, account.id)).toEqual([])
  })
})
