import { describe, expect, test } from 'bun:test'
import { passwordPrimitives } from '../../src/runtime/passwords-bun'
import { timingSafeEqual } from '../../src/security/constant-time'
import { acceptImportedHash, createPasswordHasher } from '../../src/security/passwords'

const passwords = createPasswordHasher(passwordPrimitives)
const PASSWORD = 'pässwörd-ñ-🔑'

/** Stormpath reference §11.2: known answers from the Python, PHP and Ruby SDK tests. */
const STORMPATH2_KNOWN_ANSWERS: [string, string][] = [
  [
    '123456',
    '$stormpath2$MD5$1$OWI3OTQwYjEwODEwOTdkNTcwZDY5NjQ2ZDNlNmZjNzM=$ULWTW74NXPyLYj3VfYHWrg==',
  ],
  [
    'password',
    '$stormpath2$MD5$1$NzEyN2ZhYzdkZTAyMjJlMGQyMWYxMWRmZmY2YjA1MWI=$K18Ak0YikAFrqgglhIaY5g==',
  ],
  [
    'qwerty',
    '$stormpath2$MD5$1$OGYyMmM5YzVlMDEwODEwZTg3MzM4ZTA2YjljZjMxYmE=$EuFAr2NTM83PrizVAYuOvw==',
  ],
  ['monkey', '$stormpath2$MD5$1$$0HY+2qnZvSqVFigOkETYhQ=='],
  [
    'testing12',
    '$stormpath2$SHA-512$1$ZFhBRmpFSnEwVEx2ekhKS0JTMDJBNTNmcg==$Q+sGFg9e+pe9QsUdfnbJUMDtrQNf27ezTnnGllBVkQpMRc9bqH6WkyE3y0svD/7cBk8uJW9Wb3dolWwDtDLFjg==',
  ],
]

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '')

async function pbkdf2Sha256(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(password),
    'PBKDF2',
    false,
    ['deriveBits'],
  )
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    256,
  )
  return `$pbkdf2-sha256$i=${iterations}$${base64(salt)}$${base64(new Uint8Array(bits))}`
}

/** Shiro's SimpleHash with WebCrypto, independent of the implementation under test. */
async function stormpath2(
  password: string,
  algorithm: string,
  iterations: number,
): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  let h = new Uint8Array(
    await crypto.subtle.digest(
      algorithm,
      new Uint8Array([...salt, ...new TextEncoder().encode(password)]),
    ),
  )
  for (let i = 1; i < iterations; i++) h = new Uint8Array(await crypto.subtle.digest(algorithm, h))
  return `$stormpath2$${algorithm}$${iterations}$${btoa(String.fromCharCode(...salt))}$${btoa(String.fromCharCode(...h))}`
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await run()
  return performance.now() - start
}

describe('argon2id', () => {
  test('a new hash is argon2id with the current parameters and verifies', async () => {
    const stored = await passwords.hash(PASSWORD)
    expect(stored).toStartWith('$argon2id$v=19$m=19456,t=2,p=1$')
    expect(await passwords.verify(PASSWORD, stored)).toBe(true)
    expect(passwords.needsRehash(stored)).toBe(false)
  })

  test('a wrong password does not verify', async () => {
    const stored = await passwords.hash(PASSWORD)
    expect(await passwords.verify('pässwörd-ñ-🔒', stored)).toBe(false)
    expect(await passwords.verify('', stored)).toBe(false)
  })

  test('argon2id with weaker parameters verifies but needs a rehash', async () => {
    const weak = await Bun.password.hash(PASSWORD, {
      algorithm: 'argon2id',
      memoryCost: 4096,
      timeCost: 1,
    })
    expect(await passwords.verify(PASSWORD, weak)).toBe(true)
    expect(passwords.needsRehash(weak)).toBe(true)
  })
})

describe('bcrypt (imported)', () => {
  test('verifies $2b$ hashes and each revision alias of them', async () => {
    const stored = await Bun.password.hash(PASSWORD, { algorithm: 'bcrypt', cost: 4 })
    expect(stored).toStartWith('$2b$04$')
    for (const revision of ['$2a$', '$2b$', '$2y$', '$2x$']) {
      const variant = revision + stored.slice(4)
      expect(await passwords.verify(PASSWORD, variant)).toBe(true)
      expect(await passwords.verify('wrong', variant)).toBe(false)
      expect(passwords.needsRehash(variant)).toBe(true)
    }
  })

  test('a $2y$ hash from PHP verifies', async () => {
    // password_hash('rasmuslerdorf', PASSWORD_BCRYPT, ['cost' => 10]) from the PHP manual.
    const php = '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a'
    expect(await passwords.verify('rasmuslerdorf', php)).toBe(true)
    expect(await passwords.verify('rasmuslerdorF', php)).toBe(false)
  })

  test('passwords over 72 bytes verify as standard bcrypt truncates them, despite Bun pre-hashing', async () => {
    const { hashSync } = await import('bcryptjs')
    const long = `${'ä'.repeat(40)}tail` // 84 bytes; byte 72 falls mid-string
    const stored = hashSync(long, 4)
    expect(await passwords.verify(long, stored)).toBe(true)
    expect(await passwords.verify(`${'ä'.repeat(36)}different tail`, stored)).toBe(true)
    expect(await passwords.verify('ä'.repeat(35), stored)).toBe(false)
  })
})

describe('pbkdf2-sha256', () => {
  test('verifies a hash computed with WebCrypto and needs a rehash', async () => {
    const stored = await pbkdf2Sha256(PASSWORD, 1000)
    expect(await passwords.verify(PASSWORD, stored)).toBe(true)
    expect(await passwords.verify('wrong', stored)).toBe(false)
    expect(passwords.needsRehash(stored)).toBe(true)
  })

  test('accepts the Workers maximum of 100,000 iterations', async () => {
    expect(await passwords.verify(PASSWORD, await pbkdf2Sha256(PASSWORD, 100_000))).toBe(true)
  })

  test('refuses i=100001, which production Workers reject though local workerd does not', async () => {
    expect(await passwords.verify(PASSWORD, await pbkdf2Sha256(PASSWORD, 100_001))).toBe(false)
  })
})

describe('$stormpath2$ (Stormpath export)', () => {
  test.each(STORMPATH2_KNOWN_ANSWERS)(
    'the known answer for %p verifies',
    async (password, stored) => {
      expect(await passwords.verify(password, stored)).toBe(true)
      expect(await passwords.verify(`${password}x`, stored)).toBe(false)
      expect(passwords.needsRehash(stored)).toBe(true)
    },
  )

  test.each(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'])(
    '%s with several iterations matches Shiro',
    async (algorithm) => {
      const stored = await stormpath2(PASSWORD, algorithm, 3)
      expect(await passwords.verify(PASSWORD, stored)).toBe(true)
      expect(await passwords.verify('wrong', stored)).toBe(false)
    },
  )
})

describe('malformed stored hashes', () => {
  const junk = Array.from({ length: 10_240 }, (_, i) => '$a9+/='[i % 6]).join('')
  test.each([
    ['empty', ''],
    ['argon2id garbage', '$argon2id$garbage'],
    ['argon2id, truncated', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA'],
    ['stormpath2 with 0 iterations', '$stormpath2$MD5$0$$x'],
    ['stormpath2 with an unknown digest', '$stormpath2$CRC32$1$$x'],
    ['stormpath2 with a hash of the wrong length', '$stormpath2$MD5$1$$AAAA'],
    ['bcrypt with a one-digit cost', '$2a$4$short'],
    ['pbkdf2 without a hash', '$pbkdf2-sha256$i=1000$c2FsdA$'],
    ['plain text', 'hunter2'],
    ['10 KB of junk', junk],
    ['10 KB of junk behind a known prefix', `$stormpath2$MD5$1$${junk}`],
  ])('%s: verify is false and does not throw', async (_, stored) => {
    expect(await passwords.verify('hunter2', stored)).toBe(false)
    expect(passwords.needsRehash(stored)).toBe(true)
  })
})

describe('acceptImportedHash (?passwordFormat=mcf)', () => {
  test('accepts bcrypt MCF of every revision', () => {
    const hash = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'
    for (const revision of ['$2a$', '$2b$', '$2x$', '$2y$']) {
      expect(acceptImportedHash(revision + hash.slice(4))).toBe(revision + hash.slice(4))
    }
  })

  test('accepts every $stormpath2$ known answer', () => {
    for (const [, stored] of STORMPATH2_KNOWN_ANSWERS)
      expect(acceptImportedHash(stored)).toBe(stored)
  })

  test.each([
    ['a plain password', 'Password123!'],
    ['bcrypt with a one-digit cost', '$2a$4$short'],
    ['bcrypt with a short hash', '$2a$10$N9qo8uLOickgx2ZMRZoMye'],
    [
      'bcrypt without a revision letter',
      '$2$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
    ],
    ['an unknown stormpath2 digest', '$stormpath2$CRC32$1$$0HY+2qnZvSqVFigOkETYhQ=='],
    ['stormpath2 with 0 iterations', '$stormpath2$MD5$0$$0HY+2qnZvSqVFigOkETYhQ=='],
    ['an unknown algorithm', '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA'],
    [
      'argon2id, whose cost the importer would choose',
      '$argon2id$v=19$m=4194304,t=100,p=1$c2FsdA$aGFzaA',
    ],
    ['pbkdf2-sha256', '$pbkdf2-sha256$i=1000$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA'],
  ])('refuses %s', (_, mcf) => {
    expect(acceptImportedHash(mcf)).toBeUndefined()
  })
})

describe('timingSafeEqual', () => {
  test('compares bytes and strings by content and length', () => {
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true)
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false)
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false)
    expect(timingSafeEqual('pässwörd', 'pässwörd')).toBe(true)
    expect(timingSafeEqual('pässwörd', 'passwörd')).toBe(false)
    expect(timingSafeEqual('', new Uint8Array())).toBe(true)
  })
})

describe('user enumeration by timing', () => {
  test('verifyDummy takes as long as a real verify', async () => {
    const stored = await passwords.hash(PASSWORD)
    await passwords.verifyDummy(PASSWORD) // makes the dummy hash once
    const real: number[] = []
    const dummy: number[] = []
    for (let i = 0; i < 5; i++) {
      real.push(await elapsed(() => passwords.verify('guess', stored)))
      dummy.push(await elapsed(() => passwords.verifyDummy('guess')))
    }
    const ratio = median(dummy) / median(real)
    expect(ratio).toBeGreaterThan(0.5)
    expect(ratio).toBeLessThan(2)
  })

  test('verifyDummy always answers false', async () => {
    expect(await passwords.verifyDummy(PASSWORD)).toBe(false)
    expect(await passwords.verifyDummy('')).toBe(false)
  })
})
