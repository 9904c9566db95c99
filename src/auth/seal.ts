/**
 * Sealed cookies for the framework's short-lived state (OAuth `state`, PKCE verifier, nonce,
 * return path) and sessions: JWE (`dir`, A256GCM) with a key derived from the configured secret
 * per purpose (HKDF-SHA256), so a session cookie can never be replayed as a state cookie.
 */
import { EncryptJWT, jwtDecrypt } from 'jose'
import { deriveKey } from '../security/seal'

/** One AES key per (secret, purpose), derived once: HKDF-SHA256 as for the app's other keys. */
const keys = new Map<string, Promise<Uint8Array>>()

function keyFor(secret: string, purpose: string): Promise<Uint8Array> {
  const id = `${purpose}\u0000${secret}`
  let key = keys.get(id)
  if (!key) {
    key = deriveKey(secret, `auth/${purpose}`)
    keys.set(id, key)
  }
  return key
}

/** Seals `claims` for `purpose`, valid `ttlSeconds`. */
export async function sealClaims(
  secret: string,
  purpose: string,
  claims: Record<string, unknown>,
  ttlSeconds: number,
): Promise<string> {
  return new EncryptJWT(claims)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .encrypt(await keyFor(secret, purpose))
}

/** The claims of a sealed value, or undefined when it is tampered with, expired or another purpose's. */
export async function openClaims(
  secret: string,
  purpose: string,
  sealed: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    const { payload } = await jwtDecrypt(sealed, await keyFor(secret, purpose))
    return payload as Record<string, unknown>
  } catch {
    return undefined
  }
}
