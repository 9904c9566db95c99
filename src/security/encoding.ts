/**
 * Byte/text encodings shared by the security modules, over Web APIs only (`btoa`/`atob`,
 * `TextEncoder`) so the same code runs on Bun and Workers. Results are typed
 * `Uint8Array<ArrayBuffer>` because WebCrypto's `BufferSource` rejects views over a
 * `SharedArrayBuffer` (TypeScript ≥ 5.7).
 */

const encoder = new TextEncoder()

/** `btoa`/`atob` speak "binary strings"; chunking keeps `String.fromCharCode` under arg limits. */
function toBinaryString(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return binary
}

/**
 * Standard base64 (RFC 4648 §4) with `=` padding.
 *
 * @example
 * base64Encode(utf8('hi')) // 'aGk='
 */
export function base64Encode(bytes: Uint8Array): string {
  return btoa(toBinaryString(bytes))
}

/**
 * Base64url (RFC 4648 §5) without padding, for tokens and sealed values.
 *
 * @example
 * base64UrlEncode(new Uint8Array([251, 255])) // '-_8'
 */
export function base64UrlEncode(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Decodes base64 in either alphabet (RFC 4648 §4 or §5), padded or not — clients such as the
 * Stormpath Node SDK send url-safe values without padding (reference §10 item 7).
 *
 * @throws TypeError when the text is not base64 (stray characters, whitespace, a length no
 *   encoder produces, misplaced padding).
 * @example
 * base64Decode('-_8') // Uint8Array [251, 255]
 */
export function base64Decode(text: string): Uint8Array<ArrayBuffer> {
  const standard = text.replace(/-/g, '+').replace(/_/g, '/')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard)) throw new TypeError('Invalid base64 characters')
  const unpadded = standard.replace(/=+$/, '')
  const padded = standard.length !== unpadded.length
  // One leftover character carries only 6 bits: no encoder emits it.
  if (unpadded.length % 4 === 1 || (padded && standard.length % 4 !== 0)) {
    throw new TypeError('Invalid base64 length')
  }
  const binary = atob(unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/**
 * Lower-case hexadecimal, as SAuthc1 signatures and SHA-256 digests are written.
 *
 * @example
 * hexEncode(new Uint8Array([0, 171])) // '00ab'
 */
export function hexEncode(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/**
 * UTF-8 bytes of a string, ready to hand to `crypto.subtle`.
 *
 * @example
 * await crypto.subtle.digest('SHA-256', utf8('abc'))
 */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>
}
