/**
 * Password hashes as PHC / MCF strings, the algorithm named by the prefix (edge-runtime
 * reference §4, Stormpath reference §11.2). New hashes are argon2id; bcrypt, PBKDF2-SHA256 and
 * Stormpath's `$stormpath2$` are verified so imported accounts can log in, then rehashed.
 *
 * Argon2id and bcrypt come from the runtime (`src/runtime/passwords-*.ts`): Bun has them
 * built in, Workers need WASM and pure JS. Everything else here uses Web APIs only.
 */
import { md5, sha1 } from '@noble/hashes/legacy.js'
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { timingSafeEqual } from './constant-time'
import { base64Decode } from './encoding'

/** What a runtime supplies: argon2id (Bun.password on Bun, argon2-wasm-edge on Workers) and bcrypt verification. */
export interface PasswordPrimitives {
  /** Returns a PHC `$argon2id$v=19$m=19456,t=2,p=1$…` string with a fresh random salt. */
  argon2idHash(password: string): Promise<string>
  argon2idVerify(password: string, phc: string): Promise<boolean>
  /** Verifies a `$2a$` or `$2b$` hash (the hasher rewrites `$2x$`/`$2y$` before calling). */
  bcryptVerify(password: string, hash: string): Promise<boolean>
}

export interface PasswordHasher {
  /** Hashes a new password with argon2id at the current parameters. */
  hash(password: string): Promise<string>
  /** Checks a password against any supported stored hash; `false` for unknown or malformed ones, never a throw. */
  verify(password: string, stored: string): Promise<boolean>
  /** True for anything that is not argon2id with the current parameters: rehash after a successful login. */
  needsRehash(stored: string): boolean
  /** Spends the same time as a real verify, for unknown accounts (prevents user enumeration by timing). */
  verifyDummy(password: string): Promise<false>
}

/**
 * argon2id at the OWASP minimum (m = 19 MiB, t = 2, p = 1): 30–60 ms on Bun, 50–75 ms on workerd,
 * which fits the Workers Paid CPU limit (edge-runtime reference §4.1–4.2).
 */
export const ARGON2ID_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1, hashLength: 32 }

const B64 = '[A-Za-z0-9+/]'
const CURRENT_ARGON2ID = new RegExp(
  `^\\$argon2id\\$v=19\\$m=${ARGON2ID_PARAMS.memoryCost},t=${ARGON2ID_PARAMS.timeCost},` +
    `p=${ARGON2ID_PARAMS.parallelism}\\$${B64}+\\$${B64}+$`,
)
/** Cost 04–31 is all bcrypt defines; 22 salt + 31 hash characters of bcrypt's own base64. */
const BCRYPT = /^\$2([abxy])\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/
const PBKDF2_SHA256 = new RegExp(`^\\$pbkdf2-sha256\\$i=([1-9]\\d{0,8})\\$(${B64}+)\\$(${B64}+)$`)
const STORMPATH2 = new RegExp(
  `^\\$stormpath2\\$([A-Z0-9-]+)\\$([1-9]\\d{0,8})\\$(${B64}*={0,2})\\$(${B64}+={0,2})$`,
)

/** Cloudflare's production limit (workerd `DEFAULT_MAX_PBKDF2_ITERATIONS`); local workerd does not enforce it. */
const MAX_PBKDF2_ITERATIONS = 100_000
/**
 * Above Apache Shiro's 500,000 default (`$stormpath2$` is Shiro's `$shiro1$`), low enough that
 * a crafted stored hash cannot hold the CPU for more than 1–2 s (noble SHA-512 on Bun: 2 s).
 */
const MAX_STORMPATH2_ITERATIONS = 1_000_000

/**
 * The `$stormpath2$` digests. @noble/hashes rather than WebCrypto: Bun's WebCrypto has no MD5,
 * and a synchronous digest avoids one promise per iteration.
 */
const STORMPATH2_DIGESTS: Record<string, { (data: Uint8Array): Uint8Array; outputLen: number }> = {
  MD5: md5,
  'SHA-1': sha1,
  'SHA-256': sha256,
  'SHA-384': sha384,
  'SHA-512': sha512,
}

const encoder = new TextEncoder()

/**
 * Builds the hasher the rest of Edgepass uses, over the runtime's argon2id and bcrypt.
 *
 * @example
 * const passwords = createPasswordHasher(passwordPrimitives)
 * const stored = await passwords.hash('correct horse')
 * if (await passwords.verify(input, stored) && passwords.needsRehash(stored)) { … }
 */
export function createPasswordHasher(primitives: PasswordPrimitives): PasswordHasher {
  let dummyHash: Promise<string> | undefined

  async function verifyKnownFormat(password: string, stored: string): Promise<boolean> {
    if (stored.startsWith('$argon2id$')) return primitives.argon2idVerify(password, stored)
    const bcrypt = BCRYPT.exec(stored)
    if (bcrypt) {
      // $2y$ (PHP) is $2b$ under another name. $2x$ marks hashes made by crypt_blowfish's
      // sign-extension bug; for ASCII passwords it equals $2a$, the only case we can honour.
      const revision = bcrypt[1] === 'y' ? 'b' : bcrypt[1] === 'x' ? 'a' : bcrypt[1]
      return primitives.bcryptVerify(password, `$2${revision}${stored.slice(3)}`)
    }
    if (stored.startsWith('$pbkdf2-sha256$')) return verifyPbkdf2Sha256(password, stored)
    if (stored.startsWith('$stormpath2$')) return verifyStormpath2(password, stored)
    return false
  }

  return {
    async hash(password) {
      const phc = await primitives.argon2idHash(password)
      // A runtime that silently used other parameters would make every login rehash.
      if (!CURRENT_ARGON2ID.test(phc))
        throw new Error('argon2id primitive used unexpected parameters')
      return phc
    },

    async verify(password, stored) {
      try {
        return await verifyKnownFormat(password, stored)
      } catch {
        // Libraries throw on malformed encodings; a corrupt stored hash is a failed login, not a 500.
        return false
      }
    },

    needsRehash(stored) {
      return !CURRENT_ARGON2ID.test(stored)
    },

    async verifyDummy(password) {
      // A real argon2id verify against a hash nobody knows the password of. Made once, lazily:
      // Workers allow no async work at module scope.
      dummyHash ??= primitives.argon2idHash(randomPassword()).catch((error: unknown) => {
        dummyHash = undefined
        throw error
      })
      try {
        await primitives.argon2idVerify(password, await dummyHash)
      } catch {
        // The caller answers "wrong password" whatever happens here.
      }
      return false
    },
  }
}

/**
 * Validates a hash imported with `?passwordFormat=mcf` (Stormpath reference §11.2): bcrypt MCF
 * (`$2a$`/`$2b$`/`$2x$`/`$2y$`, two-digit cost, 53 characters of `./A-Za-z0-9`) or
 * `$stormpath2$ALG$ITER$SALT$HASH`. Returns the string to store, or `undefined` if it is not an
 * accepted format. Argon2 and PBKDF2 strings are refused: their parameters would be the
 * importer's choice, and a huge memory or iteration count is a denial of service at login.
 *
 * @example
 * acceptImportedHash('$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy') // the same string
 * acceptImportedHash('hunter2') // undefined
 */
export function acceptImportedHash(mcf: string): string | undefined {
  if (BCRYPT.test(mcf) || parseStormpath2(mcf) !== undefined) return mcf
  return undefined
}

/** `$pbkdf2-sha256$i=<n>$<salt>$<hash>`, unpadded standard base64 (edge-runtime reference §4). */
async function verifyPbkdf2Sha256(password: string, stored: string): Promise<boolean> {
  const match = PBKDF2_SHA256.exec(stored)
  if (!match) return false
  const iterations = Number(match[1])
  const salt = decodeBase64(match[2] as string)
  const expected = decodeBase64(match[3] as string)
  // Refused rather than attempted: Workers would throw in production but not locally.
  if (iterations > MAX_PBKDF2_ITERATIONS || !salt || !expected) return false
  if (expected.length < 16 || expected.length > 64) return false
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, [
    'deriveBits',
  ])
  const derived = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    expected.length * 8,
  )
  return timingSafeEqual(new Uint8Array(derived), expected)
}

interface Stormpath2Hash {
  digest: (data: Uint8Array) => Uint8Array
  iterations: number
  salt: Uint8Array
  expected: Uint8Array
}

function parseStormpath2(stored: string): Stormpath2Hash | undefined {
  const match = STORMPATH2.exec(stored)
  if (!match) return undefined
  const digest = STORMPATH2_DIGESTS[match[1] as string]
  const iterations = Number(match[2])
  const salt = decodeBase64(match[3] as string)
  const expected = decodeBase64(match[4] as string)
  if (!digest || iterations > MAX_STORMPATH2_ITERATIONS || !salt || !expected) return undefined
  if (expected.length !== digest.outputLen) return undefined
  return { digest, iterations, salt, expected }
}

/**
 * Apache Shiro's `SimpleHash`: h = ALG(salt ‖ UTF-8(password)), then ITER − 1 times h = ALG(h);
 * the salt field is base64 of the salt bytes (Stormpath reference §11.2).
 */
async function verifyStormpath2(password: string, stored: string): Promise<boolean> {
  const parsed = parseStormpath2(stored)
  if (!parsed) return false
  const secret = encoder.encode(password)
  const input = new Uint8Array(parsed.salt.length + secret.length)
  input.set(parsed.salt)
  input.set(secret, parsed.salt.length)
  let h = parsed.digest(input)
  for (let i = 1; i < parsed.iterations; i++) h = parsed.digest(h)
  return timingSafeEqual(h, parsed.expected)
}

/** The formats' regular expressions admit only standard base64; this catches what they cannot (length). */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return base64Decode(text)
  } catch {
    return undefined
  }
}

function randomPassword(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
}
