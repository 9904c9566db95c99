import type { PasswordStrength } from '../directory/password-policy'

/**
 * A directory's password rules in plain words, for the reset form: what the user has to do,
 * before they get it wrong. Rules that ask for nothing (a minimum of 0) are left out.
 *
 * @example
 * describePasswordRules(DEFAULT_PASSWORD_STRENGTH)
 * // ['At least 8 characters', 'At most 100 characters', 'At least 1 lowercase letter',
 * //  'At least 1 uppercase letter', 'At least 1 number']
 */
export function describePasswordRules(strength: PasswordStrength): string[] {
  const rules = [
    `At least ${count(strength.minLength, 'character')}`,
    `At most ${count(strength.maxLength, 'character')}`,
  ]
  const minimums: [number, string][] = [
    [strength.minLowerCase, 'lowercase letter'],
    [strength.minUpperCase, 'uppercase letter'],
    [strength.minNumeric, 'number'],
    [strength.minSymbol, 'symbol, such as ! or #'],
    [strength.minDiacritic, 'accented letter, such as é or ü'],
  ]
  for (const [minimum, noun] of minimums) {
    if (minimum > 0) rules.push(`At least ${count(minimum, noun)}`)
  }
  // passwordChange compares with the current password and the history: 1 means "not the same".
  if (strength.preventReuse === 1) rules.push('Not the same as your current password')
  if (strength.preventReuse > 1)
    rules.push(`Not one of your last ${strength.preventReuse} passwords`)
  return rules
}

/** "1 number", "2 numbers"; "1 symbol, such as ! or #", "2 symbols, such as ! or #". */
function count(n: number, noun: string): string {
  if (n === 1) return `1 ${noun}`
  const [head, ...rest] = noun.split(',')
  return [`${n} ${head}s`, ...rest].join(',')
}
