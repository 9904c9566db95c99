import { describe, expect, test } from 'bun:test'
import { createRequire } from 'node:module'
import { EdgepassError } from '../../src/errors'
import {
  encryptApiKeySecret,
  parseSecretEncryption,
  type SecretEncryptionParams,
} from '../../src/security/api-key-encryption'

/*
 * The oracle is the Stormpath Node SDK 0.20.1 itself (node_modules/stormpath), loaded from Bun:
 * `ApiKeyEncryptedOptions` builds the query exactly as `account.createApiKey()` does, and a real
 * `ApiKey` resource decrypts through `_setApiKeyMetaData` + `_decrypt` (→ `_getDecryptedSecret`),
 * the calls `DataStore.createResource` makes on a 201 body.
 */
const require = createRequire(import.meta.url)
type Callback<T> = (error: Error | null, value?: T) => void
interface SdkApiKey {
  secret: string
  _setApiKeyMetaData(query: object): void
  _decrypt(callback: Callback<SdkApiKey>): void
}
const ApiKey = require('stormpath/lib/resource/ApiKey') as new (
  data: object,
  dataStore: object,
) => SdkApiKey
const ApiKeyEncryptedOptions = require('stormpath/lib/authc/ApiKeyEncryptedOptions') as new (
  options?: object,
) => Record<string, string | number | boolean>

const CALLER_SECRET = 'Y9vQx2+callerSecret/ÄÖÜ-with-unicode'
const NEW_SECRET = 'ZkB3q8P0s/T+6mWv1n4r7u0xA2c5e8h1k4n7q0t3w6z'

/** What the SDK's `request` library puts on the wire for its options object. */
function toQuery(options: Record<string, string | number | boolean>): URLSearchParams {
  return new URLSearchParams(Object.entries(options).map(([name, value]) => [name, String(value)]))
}

/** Runs the SDK's own decryption of a `secret` field with the caller's key secret. */
function sdkDecrypt(
  secret: string,
  callerSecret: string,
  query: Record<string, string | number | boolean>,
): Promise<string> {
  const dataStore = {
    requestExecutor: { options: { client: { apiKey: { secret: callerSecret } } } },
  }
  const apiKey = new ApiKey({ href: 'https://edgepass.example/v1/apiKeys/k1', secret }, dataStore)
  apiKey._setApiKeyMetaData(query)
  return new Promise((resolve, reject) =>
    apiKey._decrypt((error, decrypted) => (error ? reject(error) : resolve(decrypted!.secret))),
  )
}

function expectQueryInvalid(query: Record<string, string>, field: string): void {
  let thrown: unknown
  try {
    parseSecretEncryption(new URLSearchParams(query))
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(EdgepassError)
  expect(thrown).toMatchObject({ code: 'query_invalid_value', field })
}

describe('encryptApiKeySecret', () => {
  test('the real SDK decrypts what we encrypt with its default params (22-char url-safe salt, 1024 iterations, 256 bits)', async () => {
    const options = new ApiKeyEncryptedOptions()
    expect(options).toMatchObject({
      encryptSecret: true,
      encryptionKeySize: 256,
      encryptionKeyIterations: 1024,
    })
    expect(options.encryptionKeySalt).toMatch(/^[A-Za-z0-9_-]{22}$/)

    const params = parseSecretEncryption(toQuery(options))
    expect(params).toMatchObject({ keySize: 256, iterations: 1024 })
    expect(params?.salt).toHaveLength(16)
    const encrypted = await encryptApiKeySecret(NEW_SECRET, CALLER_SECRET, params!)
    expect(await sdkDecrypt(encrypted, CALLER_SECRET, options)).toBe(NEW_SECRET)
  })

  for (const keySize of [128, 256] as const) {
    test(`the real SDK decrypts a ${keySize}-bit encryption`, async () => {
      const options = new ApiKeyEncryptedOptions({
        encryptionKeySize: keySize,
        encryptionKeyIterations: 10,
      })
      const params = parseSecretEncryption(toQuery(options))!
      expect(params.keySize).toBe(keySize)
      const encrypted = await encryptApiKeySecret(NEW_SECRET, CALLER_SECRET, params)
      expect(await sdkDecrypt(encrypted, CALLER_SECRET, options)).toBe(NEW_SECRET)
    })
  }

  test('the output is standard base64 of a 16-byte IV and whole AES blocks, fresh each time', async () => {
    const params: SecretEncryptionParams = {
      salt: new Uint8Array(16),
      keySize: 256,
      iterations: 1,
    }
    const first = await encryptApiKeySecret(NEW_SECRET, CALLER_SECRET, params)
    const second = await encryptApiKeySecret(NEW_SECRET, CALLER_SECRET, params)
    expect(first).toMatch(/^[A-Za-z0-9+/]+={0,2}$/)
    expect(first).not.toBe(second)
    const bytes = atob(first).length
    expect(bytes % 16).toBe(0)
    expect(bytes).toBe(16 + Math.ceil((new TextEncoder().encode(NEW_SECRET).length + 1) / 16) * 16)
  })

  test('a caller holding another secret does not recover the plaintext', async () => {
    const options = new ApiKeyEncryptedOptions({ encryptionKeyIterations: 10 })
    const encrypted = await encryptApiKeySecret(
      NEW_SECRET,
      CALLER_SECRET,
      parseSecretEncryption(toQuery(options))!,
    )
    const outcome = await sdkDecrypt(encrypted, 'another-caller-secret', options).then(
      (secret) => secret,
      (error: unknown) => error,
    )
    expect(outcome).not.toBe(NEW_SECRET)
  })
})

describe('parseSecretEncryption', () => {
  const salt = 'NjExNzU1Y2UrN2UyNys0OQ'

  test('is undefined unless encryptSecret is "true": the secret is sent in clear', () => {
    expect(parseSecretEncryption(new URLSearchParams())).toBeUndefined()
    expect(parseSecretEncryption(new URLSearchParams({ encryptSecret: 'false' }))).toBeUndefined()
    expect(parseSecretEncryption(new URLSearchParams({ encryptSecret: 'TRUE' }))).toBeUndefined()
  })

  test('defaults key size to 256 and iterations to 1024, as the SDK does', () => {
    const params = parseSecretEncryption(
      new URLSearchParams({ encryptSecret: 'true', encryptionKeySalt: salt }),
    )
    expect(params).toMatchObject({ keySize: 256, iterations: 1024 })
  })

  test('accepts the salt in either base64 alphabet, padded or not', () => {
    const decode = (text: string) =>
      parseSecretEncryption(new URLSearchParams({ encryptSecret: 'true', encryptionKeySalt: text }))
        ?.salt
    expect(decode('-_8')).toEqual(new Uint8Array([251, 255]))
    expect(decode('+/8=')).toEqual(new Uint8Array([251, 255]))
  })

  test('rejects iterations 100001 (over the Workers PBKDF2 cap), 0, negative or non-integer', () => {
    for (const iterations of ['100001', '0', '-5', '1.5', '1e3', '', 'abc']) {
      expectQueryInvalid(
        { encryptSecret: 'true', encryptionKeySalt: salt, encryptionKeyIterations: iterations },
        'encryptionKeyIterations',
      )
    }
  })

  test('accepts iterations 1 and 100000 (the bounds)', () => {
    for (const iterations of ['1', '100000']) {
      const query = {
        encryptSecret: 'true',
        encryptionKeySalt: salt,
        encryptionKeyIterations: iterations,
      }
      expect(parseSecretEncryption(new URLSearchParams(query))?.iterations).toBe(Number(iterations))
    }
  })

  test('rejects key size 192 and anything but 128 or 256', () => {
    for (const size of ['192', '512', '0', '256.0', 'big']) {
      expectQueryInvalid(
        { encryptSecret: 'true', encryptionKeySalt: salt, encryptionKeySize: size },
        'encryptionKeySize',
      )
    }
  })

  test("rejects a missing, empty or non-base64 salt ('!!!')", () => {
    expectQueryInvalid({ encryptSecret: 'true' }, 'encryptionKeySalt')
    for (const bad of ['', '!!!', 'a', 'ab cd', 'A'.repeat(1000)]) {
      expectQueryInvalid({ encryptSecret: 'true', encryptionKeySalt: bad }, 'encryptionKeySalt')
    }
  })
})
