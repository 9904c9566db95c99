const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/**
 * A new resource id: 22 base62 characters (~131 random bits), URL-safe and opaque, as
 * Stormpath's were. Rejection sampling keeps every character uniformly distributed.
 *
 * @example
 * newId() // '3Kq9ZbN0xYtQpR7sLmW2aB'
 */
export function newId(length = 22): string {
  let id = ''
  while (id.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      // 248 = 4 × 62: bytes at or above it would favour the first characters.
      if (byte < 248 && id.length < length) id += ALPHABET[byte % 62]
    }
  }
  return id
}
