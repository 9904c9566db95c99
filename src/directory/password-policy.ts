/**
 * A directory's password strength rules (Stormpath reference §7 "Password strength", §11.2
 * "Policy check"), applied on account creation, password update and reset. `preventReuse` needs
 * the account's password history and is checked where that history is stored.
 */
import { EdgepassError } from '../errors'

export interface PasswordStrength {
  minLength: number
  maxLength: number
  minLowerCase: number
  minUpperCase: number
  minNumeric: number
  minSymbol: number
  minDiacritic: number
  /** How many previous passwords a new one may not repeat (0–25). */
  preventReuse: number
}

/** Stormpath's defaults for a new directory. */
export const DEFAULT_PASSWORD_STRENGTH: PasswordStrength = Object.freeze({
  minLength: 8,
  maxLength: 100,
  minLowerCase: 1,
  minUpperCase: 1,
  minNumeric: 1,
  minSymbol: 0,
  minDiacritic: 0,
  preventReuse: 0,
})

type CharacterClass = 'minLowerCase' | 'minUpperCase' | 'minNumeric' | 'minSymbol' | 'minDiacritic'

/**
 * Checked in this order; the first unmet minimum is reported. Every code point is a letter, a
 * decimal digit or a symbol (whitespace and combining marks count as symbols).
 */
const CHARACTER_CLASSES: { rule: CharacterClass; name: string; pattern: RegExp }[] = [
  { rule: 'minLowerCase', name: 'lowercase', pattern: /^\p{Ll}$/u },
  { rule: 'minUpperCase', name: 'uppercase', pattern: /^\p{Lu}$/u },
  { rule: 'minNumeric', name: 'numeric', pattern: /^\p{Nd}$/u },
  { rule: 'minSymbol', name: 'symbol', pattern: /^[^\p{L}\p{Nd}]$/u },
  // Cloudpass's definition (Latin-1 Supplement and Latin Extended-A letters, plus × and ÷).
  { rule: 'minDiacritic', name: 'diacritic', pattern: /^[\u00C0-\u017E]$/u },
]

/**
 * Throws on the first rule the password breaks: `too_short` (2007) or `too_long` (2008), then
 * `password_too_weak` naming the missing character class. Lengths and counts are in code
 * points, so an emoji is one character, as a user would count it.
 *
 * @example
 * checkPasswordStrength('Secret123', DEFAULT_PASSWORD_STRENGTH) // passes
 * checkPasswordStrength('secret123', DEFAULT_PASSWORD_STRENGTH)
 * // throws EdgepassError('password_too_weak', 'Password requires at least 1 uppercase character.')
 */
export function checkPasswordStrength(password: string, strength: PasswordStrength): void {
  const characters = Array.from(password)
  if (characters.length < strength.minLength) {
    throw new EdgepassError(
      'too_short',
      `Password requires at least ${plural(strength.minLength, 'character')}.`,
      {
        field: 'password',
        developerMessage: `password: minimum length is ${strength.minLength}, got ${characters.length}.`,
      },
    )
  }
  if (characters.length > strength.maxLength) {
    throw new EdgepassError(
      'too_long',
      `Password may be at most ${plural(strength.maxLength, 'character')}.`,
      {
        field: 'password',
        developerMessage: `password: maximum length is ${strength.maxLength}, got ${characters.length}.`,
      },
    )
  }
  for (const { rule, name, pattern } of CHARACTER_CLASSES) {
    const required = strength[rule]
    if (required <= 0) continue
    const found = characters.filter((character) => pattern.test(character)).length
    if (found < required) {
      throw new EdgepassError(
        'password_too_weak',
        `Password requires at least ${plural(required, `${name} character`)}.`,
        {
          field: 'password',
          developerMessage: `password: ${rule} is ${required}, the password has ${found}.`,
        },
      )
    }
  }
}

/** Stormpath's bounds for each field of a strength resource. */
const BOUNDS: Record<keyof PasswordStrength, { min: number; max: number }> = {
  minLength: { min: 1, max: 1024 },
  maxLength: { min: 1, max: 1024 },
  minLowerCase: { min: 0, max: Number.MAX_SAFE_INTEGER },
  minUpperCase: { min: 0, max: Number.MAX_SAFE_INTEGER },
  minNumeric: { min: 0, max: Number.MAX_SAFE_INTEGER },
  minSymbol: { min: 0, max: Number.MAX_SAFE_INTEGER },
  minDiacritic: { min: 0, max: Number.MAX_SAFE_INTEGER },
  preventReuse: { min: 0, max: 25 },
}

/**
 * Validates an update of a strength resource: whole numbers, lengths 1–1024 with
 * `minLength ≤ maxLength`, counts ≥ 0, `preventReuse` 0–25. Throws `invalid_value` naming the
 * field.
 *
 * @example
 * validateStrength({ ...DEFAULT_PASSWORD_STRENGTH, preventReuse: 26 })
 * // throws EdgepassError('invalid_value', …, { field: 'preventReuse' })
 */
export function validateStrength(strength: PasswordStrength): void {
  for (const [field, { min, max }] of Object.entries(BOUNDS) as [
    keyof PasswordStrength,
    { min: number; max: number },
  ][]) {
    const value = strength[field]
    if (!Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`
      throw new EdgepassError('invalid_value', `${field} must be a whole number ${range}.`, {
        field,
        developerMessage: `${field}: ${String(value)} is not a whole number ${range}.`,
      })
    }
  }
  if (strength.minLength > strength.maxLength) {
    throw new EdgepassError('invalid_value', 'minLength must not exceed maxLength.', {
      field: 'minLength',
      developerMessage: `minLength ${strength.minLength} is greater than maxLength ${strength.maxLength}.`,
    })
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
