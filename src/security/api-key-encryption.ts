/**
 * The Stormpath Node SDK's `encryptSecret=true` protocol (reference §10 item 7): when it asks
 * for API keys it never wants their secrets in clear, so the server encrypts each `secret` with
 * a key derived from the secret of the API key that made the request, and the SDK decrypts it
 * locally (`lib/resource/ApiKey.js` `_getDecryptedSecret`). Returning a plain secret makes
 * `account.createApiKey()` fail with `wrong final block length`.
 */
import { EdgepassError } from '../errors'
import { base64Decode, base64Encode, utf8 } from './encoding'

/** What the query asked for; the SDK sends a 16-byte salt, 256 bits and 1024 iterations. */
export interface SecretEncryptionParams {
  salt: Uint8Array<ArrayBuffer>
  keySize: 128 | 256
  iterations: number
}

/** The SDK's defaults (`lib/authc/ApiKeyEncryptedOptions.js`) when a parameter is absent. */
const DEFAULT_KEY_SIZE = 256 as const
const DEFAULT_ITERATIONS = 1024
/** [EP] Workers' PBKDF2 refuses more; beyond it a caller could also buy CPU time cheaply. */
const MAX_ITERATIONS = 100_000
/** Generous next to the SDK's 22 characters; bounds work on hostile input. */
const MAX_SALT_LENGTH = 256

function invalidParameter(field: string, developerMessage: string): EdgepassError {
  return new EdgepassError('query_invalid_value', `The ${field} query parameter is invalid.`, {
    developerMessage,
    field,
  })
}

/**
 * Reads `encryptSecret`, `encryptionKeySize`, `encryptionKeyIterations` and `encryptionKeySalt`.
 * Size and iterations default as in the SDK; the salt is required.
 *
 * @returns `undefined` when `encryptSecret` is not `'true'`: the secret goes out in clear.
 * @throws EdgepassError `query_invalid_value` (Stormpath 2103) for a missing or non-base64 salt,
 *   a key size other than 128/256, or iterations outside 1…100000.
 * @example
 * const encryption = parseSecretEncryption(new URL(c.req.url).searchParams)
 */
export function parseSecretEncryption(query: URLSearchParams): SecretEncryptionParams | undefined {
  if (query.get('encryptSecret') !== 'true') return undefined

  const saltText = query.get('encryptionKeySalt') ?? ''
  let salt: Uint8Array<ArrayBuffer> | undefined
  try {
    if (saltText.length <= MAX_SALT_LENGTH) salt = base64Decode(saltText)
  } catch {
    salt = undefined
  }
  if (salt === undefined || salt.length === 0) {
    throw invalidParameter(
      'encryptionKeySalt',
      `encryptionKeySalt must be base64 (standard or url-safe) of 1 to ${MAX_SALT_LENGTH} characters.`,
    )
  }

  const sizeText = query.get('encryptionKeySize')
  if (!(sizeText === null || sizeText === '128' || sizeText === '256')) {
    throw invalidParameter('encryptionKeySize', 'encryptionKeySize must be 128 or 256.')
  }
  const keySize = sizeText === '128' ? 128 : DEFAULT_KEY_SIZE

  const iterationsText = query.get('encryptionKeyIterations')
  const iterations = iterationsText === null ? DEFAULT_ITERATIONS : Number(iterationsText)
  if (
    (iterationsText !== null && !/^\d+$/.test(iterationsText)) ||
    iterations < 1 ||
    iterations > MAX_ITERATIONS
  ) {
    throw invalidParameter(
      'encryptionKeyIterations',
      `encryptionKeyIterations must be an integer from 1 to ${MAX_ITERATIONS}.`,
    )
  }
  return { salt, keySize, iterations }
}

/**
 * `base64(iv || AES-CBC-PKCS7(PBKDF2-HMAC-SHA1(UTF8(callerSecret), salt, iterations,
 * keySize/8), UTF8(secret)))` with a random 16-byte IV — exactly what the SDK's
 * `_getDecryptedSecret` undoes.
 *
 * @param secret the API key secret being returned.
 * @param callerSecret the secret of the API key that authenticated this request.
 * @example
 * body.secret = await encryptApiKeySecret(apiKey.secret, caller.secret, encryption)
 */
export async function encryptApiKeySecret(
  secret: string,
  callerSecret: string,
  params: SecretEncryptionParams,
): Promise<string> {
  const password = await crypto.subtle.importKey('raw', utf8(callerSecret), 'PBKDF2', false, [
    'deriveKey',
  ])
  // SHA-1 and CBC are the SDK's choice, not ours; PBKDF2-SHA1 remains sound as a KDF.
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-1', salt: params.salt, iterations: params.iterations },
    password,
    { name: 'AES-CBC', length: params.keySize },
    false,
    ['encrypt'],
  )
  const iv = crypto.getRandomValues(new Uint8Array(16))
  // WebCrypto's AES-CBC always applies PKCS#7 padding, as Node's createDecipheriv expects.
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, key, utf8(secret)),
  )
  const out = new Uint8Array(iv.length + ciphertext.length)
  out.set(iv)
  out.set(ciphertext, iv.length)
  return base64Encode(out)
}
