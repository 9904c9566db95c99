const encoder = new TextEncoder()

/**
 * Compares two byte strings (or UTF-8 strings) in time that depends only on their length, so
 * an attacker timing the comparison of a secret (a derived password hash, a token, a MAC) learns
 * nothing about how many leading bytes they guessed right.
 *
 * Lengths are compared first and are not hidden: use it where the length is public (digests of
 * a fixed size, tokens of a fixed format).
 *
 * @example
 * timingSafeEqual(derivedBytes, storedBytes) // true | false
 * timingSafeEqual(presentedToken, expectedToken)
 */
export function timingSafeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const left = typeof a === 'string' ? encoder.encode(a) : a
  const right = typeof b === 'string' ? encoder.encode(b) : b
  if (left.length !== right.length) return false
  // Accumulate every difference instead of returning at the first one.
  let difference = 0
  for (let i = 0; i < left.length; i++) difference |= (left[i] as number) ^ (right[i] as number)
  return difference === 0
}
