import { describe, expect, test } from 'bun:test'
import {
  checkPasswordStrength,
  DEFAULT_PASSWORD_STRENGTH,
  validateStrength,
  type PasswordStrength,
} from '../../src/directory/password-policy'
import { EdgepassError } from '../../src/errors'

/** No class minimums, lengths 1..100: each test switches on the rule it is about. */
const LENIENT: PasswordStrength = {
  ...DEFAULT_PASSWORD_STRENGTH,
  minLength: 1,
  minLowerCase: 0,
  minUpperCase: 0,
  minNumeric: 0,
}

function violation(run: () => void): EdgepassError {
  try {
    run()
  } catch (error) {
    if (error instanceof EdgepassError) return error
    throw error
  }
  throw new Error('expected an EdgepassError, nothing was thrown')
}

describe('Stormpath defaults', () => {
  test('are 8–100 characters with one lower, one upper and one digit', () => {
    expect(DEFAULT_PASSWORD_STRENGTH).toEqual({
      minLength: 8,
      maxLength: 100,
      minLowerCase: 1,
      minUpperCase: 1,
      minNumeric: 1,
      minSymbol: 0,
      minDiacritic: 0,
      preventReuse: 0,
    })
    expect(() => checkPasswordStrength('Secret123', DEFAULT_PASSWORD_STRENGTH)).not.toThrow()
  })

  test.each([
    ['secret123', 'Password requires at least 1 uppercase character.'],
    ['SECRET123', 'Password requires at least 1 lowercase character.'],
    ['SecretPassword', 'Password requires at least 1 numeric character.'],
  ])('%p is refused: %s', (password, message) => {
    const error = violation(() => checkPasswordStrength(password, DEFAULT_PASSWORD_STRENGTH))
    expect(error.code).toBe('password_too_weak')
    expect(error.field).toBe('password')
    expect(error.message).toBe(message)
  })
})

describe('length', () => {
  const eightToTen = { ...LENIENT, minLength: 8, maxLength: 10 }

  test('exactly minLength and exactly maxLength pass', () => {
    expect(() => checkPasswordStrength('a'.repeat(8), eightToTen)).not.toThrow()
    expect(() => checkPasswordStrength('a'.repeat(10), eightToTen)).not.toThrow()
  })

  test('one below minLength is too_short (2007) on the password field', () => {
    const error = violation(() => checkPasswordStrength('a'.repeat(7), eightToTen))
    expect(error.code).toBe('too_short')
    expect(error.field).toBe('password')
    expect(error.message).toBe('Password requires at least 8 characters.')
  })

  test('one above maxLength is too_long (2008) on the password field', () => {
    const error = violation(() => checkPasswordStrength('a'.repeat(11), eightToTen))
    expect(error.code).toBe('too_long')
    expect(error.field).toBe('password')
  })

  test('length is checked before character classes', () => {
    expect(violation(() => checkPasswordStrength('ab', DEFAULT_PASSWORD_STRENGTH)).code).toBe(
      'too_short',
    )
  })

  test('counts code points: an emoji is one character, not two UTF-16 units', () => {
    const three = { ...LENIENT, minLength: 3, maxLength: 3 }
    expect(() => checkPasswordStrength('🔑🔑🔑', three)).not.toThrow()
    expect(violation(() => checkPasswordStrength('🔑🔑', three)).code).toBe('too_short')
    expect(violation(() => checkPasswordStrength('🔑🔑🔑🔑', three)).code).toBe('too_long')
  })
})

describe('character classes', () => {
  test.each([
    ['minLowerCase', 'lowercase', 'ÄB1!', 'äb1!'],
    ['minUpperCase', 'uppercase', 'äb1!', 'Äb1!'],
    ['minNumeric', 'numeric', 'ab!', 'ab٣!'],
    ['minSymbol', 'symbol', 'Ab1é', 'Ab1 '],
    ['minDiacritic', 'diacritic', 'Ab1!', 'Ab1ž'],
  ] as const)(
    '%s: refuses a password with no %s character, accepts one with it',
    (rule, name, without, withIt) => {
      const strength = { ...LENIENT, [rule]: 1 }
      const error = violation(() => checkPasswordStrength(without, strength))
      expect(error.code).toBe('password_too_weak')
      expect(error.field).toBe('password')
      expect(error.message).toBe(`Password requires at least 1 ${name} character.`)
      expect(() => checkPasswordStrength(withIt, strength)).not.toThrow()
    },
  )

  test('counts each class, and says how many are needed', () => {
    const twoDigits = { ...LENIENT, minNumeric: 2 }
    expect(violation(() => checkPasswordStrength('abc1', twoDigits)).message).toBe(
      'Password requires at least 2 numeric characters.',
    )
    expect(() => checkPasswordStrength('a1b2', twoDigits)).not.toThrow()
  })

  test('letters outside Latin count as lower or upper case (Greek, Cyrillic)', () => {
    const both = { ...LENIENT, minLowerCase: 1, minUpperCase: 1 }
    expect(() => checkPasswordStrength('Ωω', both)).not.toThrow()
    expect(() => checkPasswordStrength('Жж', both)).not.toThrow()
    expect(violation(() => checkPasswordStrength('漢字', both)).code).toBe('password_too_weak')
  })

  test('an emoji counts once as a symbol, not as two surrogates', () => {
    const twoSymbols = { ...LENIENT, minSymbol: 2 }
    expect(violation(() => checkPasswordStrength('ab🔑', twoSymbols)).message).toBe(
      'Password requires at least 2 symbol characters.',
    )
    expect(() => checkPasswordStrength('ab🔑!', twoSymbols)).not.toThrow()
  })

  test('diacritics are U+00C0–U+017E: À and ž count, ¿ (U+00BF) and ſ (U+017F) do not', () => {
    const oneDiacritic = { ...LENIENT, minDiacritic: 1 }
    expect(() => checkPasswordStrength('\u00C0', oneDiacritic)).not.toThrow()
    expect(() => checkPasswordStrength('\u017E', oneDiacritic)).not.toThrow()
    expect(violation(() => checkPasswordStrength('\u00BF\u017F', oneDiacritic)).code).toBe(
      'password_too_weak',
    )
  })

  test('reports the first unmet rule in order lower, upper, numeric, symbol, diacritic', () => {
    const all = {
      ...LENIENT,
      minLowerCase: 1,
      minUpperCase: 1,
      minNumeric: 1,
      minSymbol: 1,
      minDiacritic: 1,
    }
    const messages = [' ', 'a', 'aA', 'aA1', 'aA1!'].map(
      (password) => violation(() => checkPasswordStrength(password, all)).message,
    )
    expect(messages).toEqual([
      'Password requires at least 1 lowercase character.',
      'Password requires at least 1 uppercase character.',
      'Password requires at least 1 numeric character.',
      'Password requires at least 1 symbol character.',
      'Password requires at least 1 diacritic character.',
    ])
    expect(() => checkPasswordStrength('aA1!é', all)).not.toThrow()
  })
})

describe('validateStrength', () => {
  test('accepts the defaults and the extremes of every bound', () => {
    expect(() => validateStrength(DEFAULT_PASSWORD_STRENGTH)).not.toThrow()
    expect(() =>
      validateStrength({ ...LENIENT, minLength: 1, maxLength: 1, preventReuse: 0 }),
    ).not.toThrow()
    expect(() =>
      validateStrength({ ...LENIENT, minLength: 1024, maxLength: 1024, preventReuse: 25 }),
    ).not.toThrow()
  })

  test.each([
    ['minLength', 'of 0', { minLength: 0 }],
    ['minLength', 'of 1025', { minLength: 1025, maxLength: 1024 }],
    ['maxLength', 'of 0', { maxLength: 0 }],
    ['maxLength', 'of 1025', { maxLength: 1025 }],
    ['minLength', 'above maxLength', { minLength: 20, maxLength: 10 }],
    ['minLowerCase', 'of -1', { minLowerCase: -1 }],
    ['minUpperCase', 'of 1.5', { minUpperCase: 1.5 }],
    ['minNumeric', 'of NaN', { minNumeric: Number.NaN }],
    ['minSymbol', 'of -1', { minSymbol: -1 }],
    ['minDiacritic', 'of Infinity', { minDiacritic: Number.POSITIVE_INFINITY }],
    ['preventReuse', 'of 26', { preventReuse: 26 }],
    ['preventReuse', 'of -1', { preventReuse: -1 }],
  ] as const)('refuses %s %s, naming the field', (field, _, change) => {
    const error = violation(() => validateStrength({ ...DEFAULT_PASSWORD_STRENGTH, ...change }))
    expect(error.code).toBe('invalid_value')
    expect(error.field).toBe(field)
    expect(error.message).toContain(field)
  })
})
