/**
 * Secrets at rest, sealed with the deployment's master key (`SECRET_KEY`). API-key secrets must
 * stay retrievable — they key SAuthc1 and HS256 — so they are encrypted, not hashed
 * (reference §10 item 7, [EP]).
 *
 * Sealed format: `v1.<base64url(iv)>.<base64url(ciphertext || tag)>`. The version prefix lets a
 * later key or algorithm coexist with values sealed under this one.
 */
import { MIN_SECRET_KEY_LENGTH } from '../config'
import { base64Decode, base64UrlEncode, utf8 } from './encoding'

/** Encrypts short secrets bound to where they are stored. */
export interface Sealer {
  /**
   * AES-256-GCM with a random 96-bit IV. `context` (e.g. `'api-key:<id>'`) is authenticated as
   * additional data, so a sealed value copied into another row does not open there.
   */
  seal(plaintext: string, context: string): Promise<string>
  /**
   * @throws SealError when the value is malformed, tampered with, or sealed under another key
   *   or context.
   */
  open(sealed: string, context: string): Promise<string>
}

/** Why a sealed value did not open. For logs only: never echo it to clients. */
export type SealFailure = 'malformed' | 'unsupported_version' | 'rejected'

/** A sealed value could not be opened. */
export class SealError extends Error {
  override readonly name = 'SealError'
  constructor(
    readonly reason: SealFailure,
    message: string,
  ) {
    super(message)
  }
}

const VERSION = 'v1'
const IV_BYTES = 12 // NIST SP 800-38D §8.2: 96-bit IVs, random per message
const TAG_BYTES = 16
const HKDF_SALT = utf8('edgepass')
const BASE64URL = /^[A-Za-z0-9_-]+$/

function assertMasterKey(secretKey: string): void {
  if (secretKey.length < MIN_SECRET_KEY_LENGTH) {
    throw new TypeError(`SECRET_KEY must be at least ${MIN_SECRET_KEY_LENGTH} characters`)
  }
}

/** RFC 5869 parameters; left to inference because DOM and workerd name the type differently. */
function hkdfParams(purpose: string) {
  return { name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: utf8(purpose) }
}

async function importMasterKey(secretKey: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', utf8(secretKey), 'HKDF', false, ['deriveBits', 'deriveKey'])
}

/**
 * 32 bytes derived from the master key for one purpose (HKDF-SHA256, RFC 5869; salt
 * `'edgepass'`, info = `purpose`). Distinct purposes give independent keys, so the cookie HMAC
 * key reveals nothing about the sealing key.
 *
 * @example
 * const cookieKey = await deriveKey(config.secretKey, 'session-cookie/v1')
 */
export async function deriveKey(
  secretKey: string,
  purpose: string,
): Promise<Uint8Array<ArrayBuffer>> {
  assertMasterKey(secretKey)
  const master = await importMasterKey(secretKey)
  return new Uint8Array(await crypto.subtle.deriveBits(hkdfParams(purpose), master, 256))
}

/**
 * A {@link Sealer} keyed by HKDF(`secretKey`, info `'seal/v1'`). The AES key is derived once, on
 * first use, and is not extractable.
 *
 * @example
 * const sealer = createSealer(config.secretKey)
 * const stored = await sealer.seal(secret, `api-key:${id}`)
 * const secret = await sealer.open(stored, `api-key:${id}`)
 */
export function createSealer(secretKey: string): Sealer {
  assertMasterKey(secretKey)
  let aesKey: Promise<CryptoKey> | undefined
  const key = (): Promise<CryptoKey> =>
    (aesKey ??= importMasterKey(secretKey).then((master) =>
      crypto.subtle.deriveKey(
        hkdfParams('seal/v1'),
        master,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      ),
    ))

  return {
    async seal(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
      const ciphertext = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: utf8(context) },
        await key(),
        utf8(plaintext),
      )
      return `${VERSION}.${base64UrlEncode(iv)}.${base64UrlEncode(new Uint8Array(ciphertext))}`
    },

    async open(sealed, context) {
      const parts = sealed.split('.')
      if (parts.length !== 3) throw new SealError('malformed', 'Sealed value is malformed')
      const [version, ivText = '', ciphertextText = ''] = parts
      if (version !== VERSION) {
        throw new SealError('unsupported_version', 'Sealed value has an unknown version')
      }
      if (!BASE64URL.test(ivText) || !BASE64URL.test(ciphertextText)) {
        throw new SealError('malformed', 'Sealed value is malformed')
      }
      let iv: Uint8Array<ArrayBuffer>
      let ciphertext: Uint8Array<ArrayBuffer>
      try {
        iv = base64Decode(ivText)
        ciphertext = base64Decode(ciphertextText)
      } catch {
        throw new SealError('malformed', 'Sealed value is malformed')
      }
      if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
        throw new SealError('malformed', 'Sealed value is malformed')
      }
      let plaintext: ArrayBuffer
      try {
        plaintext = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv, additionalData: utf8(context) },
          await key(),
          ciphertext,
        )
      } catch {
        // GCM's tag check fails alike for tampering, another key and another context.
        throw new SealError('rejected', 'Sealed value did not open')
      }
      try {
        // ignoreBOM keeps a leading U+FEFF: what was sealed comes back byte for byte.
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(plaintext)
      } catch {
        throw new SealError('malformed', 'Sealed value is not text')
      }
    },
  }
}
