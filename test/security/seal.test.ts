import { describe, expect, test } from 'bun:test'
import { base64UrlEncode, base64Decode } from '../../src/security/encoding'
import { createSealer, deriveKey, SealError } from '../../src/security/seal'

const MASTER_KEY = 'k'.repeat(16) + 'master-key-material-32+'
const OTHER_MASTER_KEY = 'o'.repeat(16) + 'master-key-material-32+'
const SECRET = 'Yk3/9+Qz~api-key-secret-ünïcode-🔑'
const CONTEXT = 'api-key:3Kq9ZbN0xYtQpR7sLmW2aB'

/** Asserts that opening fails with a SealError and never yields a value. */
async function expectSealError(promise: Promise<string>): Promise<SealError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
  expect(outcome).not.toHaveProperty('value')
  expect((outcome as { error: unknown }).error).toBeInstanceOf(SealError)
  return (outcome as { error: SealError }).error
}

function flipByte(text: string, index: number): string {
  const bytes = base64Decode(text)
  bytes[index] = (bytes[index] as number) ^ 0x01
  return base64UrlEncode(bytes)
}

describe('createSealer', () => {
  test('opens what it sealed, in the v1.<iv>.<ciphertext> format', async () => {
    const sealer = createSealer(MASTER_KEY)
    const sealed = await sealer.seal(SECRET, CONTEXT)
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    expect(sealed).not.toContain('api-key-secret')
    expect(await sealer.open(sealed, CONTEXT)).toBe(SECRET)
  })

  test('another sealer with the same master key opens it (the key is derived, not random)', async () => {
    const sealed = await createSealer(MASTER_KEY).seal(SECRET, CONTEXT)
    expect(await createSealer(MASTER_KEY).open(sealed, CONTEXT)).toBe(SECRET)
  })

  test('returns edge-case plaintexts unchanged: empty, a leading byte-order mark, long text', async () => {
    const sealer = createSealer(MASTER_KEY)
    for (const plaintext of ['', '\uFEFFsecret', 'x'.repeat(100_000)]) {
      expect(await sealer.open(await sealer.seal(plaintext, CONTEXT), CONTEXT)).toBe(plaintext)
    }
  })

  test('two seals of one plaintext differ (random IV)', async () => {
    const sealer = createSealer(MASTER_KEY)
    const first = await sealer.seal(SECRET, CONTEXT)
    const second = await sealer.seal(SECRET, CONTEXT)
    expect(first).not.toBe(second)
    expect(first.split('.')[1]).not.toBe(second.split('.')[1])
  })

  test('ciphertext moved to another row: opening with another context fails', async () => {
    const sealer = createSealer(MASTER_KEY)
    const sealed = await sealer.seal(SECRET, CONTEXT)
    const error = await expectSealError(sealer.open(sealed, 'api-key:someone-else'))
    expect(error.reason).toBe('rejected')
  })

  test('tampered ciphertext fails: a flipped bit in the ciphertext, tag or IV', async () => {
    const sealer = createSealer(MASTER_KEY)
    const [version, iv = '', ciphertext = ''] = (await sealer.seal(SECRET, CONTEXT)).split('.')
    const tagStart = base64Decode(ciphertext).length - 16
    const tampered = [
      `${version}.${iv}.${flipByte(ciphertext, 0)}`,
      `${version}.${iv}.${flipByte(ciphertext, tagStart)}`,
      `${version}.${flipByte(iv, 0)}.${ciphertext}`,
    ]
    for (const sealed of tampered) {
      expect((await expectSealError(sealer.open(sealed, CONTEXT))).reason).toBe('rejected')
    }
  })

  test('wrong master key fails', async () => {
    const sealed = await createSealer(MASTER_KEY).seal(SECRET, CONTEXT)
    await expectSealError(createSealer(OTHER_MASTER_KEY).open(sealed, CONTEXT))
  })

  test('malformed sealed strings fail with SealError and never return garbage', async () => {
    const sealer = createSealer(MASTER_KEY)
    const [, iv = '', ciphertext = ''] = (await sealer.seal(SECRET, CONTEXT)).split('.')
    const malformed = [
      '',
      'v1',
      'v1..',
      `v1.${iv}`,
      `v1.${iv}.${ciphertext}.extra`,
      `v2.${iv}.${ciphertext}`,
      `V1.${iv}.${ciphertext}`,
      `v1.${iv}.${ciphertext}=`,
      `v1.${iv}.${ciphertext.slice(0, 10)}`, // shorter than a tag
      `v1.${iv}AA.${ciphertext}`, // IV of the wrong size
      `v1.${iv}.${ciphertext} `,
      `v1.${iv}.!!!!`,
      `v1.${iv}.A`,
      SECRET,
    ]
    for (const sealed of malformed) await expectSealError(sealer.open(sealed, CONTEXT))
  })

  test('refuses a master key shorter than 32 characters', () => {
    expect(() => createSealer('short')).toThrow(TypeError)
  })
})

describe('deriveKey', () => {
  test('derives 32 stable bytes per purpose, independent across purposes and master keys', async () => {
    const cookie = await deriveKey(MASTER_KEY, 'session-cookie/v1')
    expect(cookie).toHaveLength(32)
    expect(await deriveKey(MASTER_KEY, 'session-cookie/v1')).toEqual(cookie)
    expect(await deriveKey(MASTER_KEY, 'seal/v1')).not.toEqual(cookie)
    expect(await deriveKey(OTHER_MASTER_KEY, 'session-cookie/v1')).not.toEqual(cookie)
  })

  test('is HKDF-SHA256 with salt "edgepass" (RFC 5869), matching an independent implementation', async () => {
    const { hkdfSync } = await import('node:crypto')
    const expected = new Uint8Array(hkdfSync('sha256', MASTER_KEY, 'edgepass', 'seal/v1', 32))
    expect(await deriveKey(MASTER_KEY, 'seal/v1')).toEqual(expected)
  })

  test('the sealing key is HKDF(seal/v1): a value sealed by hand with it opens', async () => {
    const { createCipheriv, randomBytes } = await import('node:crypto')
    const key = await deriveKey(MASTER_KEY, 'seal/v1')
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(new TextEncoder().encode(CONTEXT))
    const body = Buffer.concat([cipher.update(SECRET, 'utf8'), cipher.final(), cipher.getAuthTag()])
    const sealed = `v1.${base64UrlEncode(iv)}.${base64UrlEncode(body)}`
    expect(await createSealer(MASTER_KEY).open(sealed, CONTEXT)).toBe(SECRET)
  })
})
