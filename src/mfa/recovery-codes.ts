/**
 * Recovery codes: ten single-use codes shown once, when a second factor is enrolled or the codes
 * are renewed. Each is 80 random bits written as 16 base32 characters in groups of four
 * (`ABCD-EFGH-JKMN-PQRS`), so only its SHA-256 needs keeping: 80 bits cannot be searched
 * offline the way a short code could.
 */
import { hashSecretToken } from '../security/tokens'

export const RECOVERY_CODE_COUNT = 10
/** Crockford's base32 alphabet: no I, L, O or U, so a code read aloud is not misread. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const LENGTH = 16

/**
 * Ten new codes, formatted for display.
 *
 * @example
 * newRecoveryCodes() // ['7K2M-Q9XD-…', …]
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = crypto.getRandomValues(new Uint8Array(LENGTH))
    const chars = [...bytes].map((byte) => ALPHABET[byte & 31]).join('')
    return chars.match(/.{4}/g)!.join('-')
  })
}

/**
 * A code as typed, in its canonical form: upper case, without separators or spaces, with the
 * letters people confuse read as Crockford reads them (O→0, I and L→1). Undefined when it
 * cannot be a code.
 *
 * @example
 * normaliseRecoveryCode('7k2m q9xd-…') // '7K2MQ9XD…'
 */
export function normaliseRecoveryCode(input: string): string | undefined {
  if (input.length > 64) return undefined
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : undefined
}

/** The stored form of a code (its canonical form's SHA-256, hex). */
export function hashRecoveryCode(canonical: string): Promise<string> {
  return hashSecretToken(`recovery:${canonical}`)
}
