import { describe, expect, test } from 'bun:test'
import { DEFAULT_PASSWORD_STRENGTH } from '../../src/directory/password-policy'
import { checkPasswordPair } from '../../src/ui/reset'
import { describePasswordRules } from '../../src/ui/rules'

describe('password rules in plain words', () => {
  test("Stormpath's default policy", () => {
    expect(describePasswordRules(DEFAULT_PASSWORD_STRENGTH)).toEqual([
      'At least 8 characters',
      'At most 100 characters',
      'At least 1 lowercase letter',
      'At least 1 uppercase letter',
      'At least 1 number',
    ])
  })

  test('every rule, with plurals, and the reuse rule as a user reads it', () => {
    expect(
      describePasswordRules({
        minLength: 12,
        maxLength: 64,
        minLowerCase: 2,
        minUpperCase: 0,
        minNumeric: 3,
        minSymbol: 2,
        minDiacritic: 1,
        preventReuse: 5,
      }),
    ).toEqual([
      'At least 12 characters',
      'At most 64 characters',
      'At least 2 lowercase letters',
      'At least 3 numbers',
      'At least 2 symbols, such as ! or #',
      'At least 1 accented letter, such as é or ü',
      'Not one of your last 5 passwords',
    ])
  })

  test('preventReuse 1 forbids only the current password', () => {
    const rules = describePasswordRules({ ...DEFAULT_PASSWORD_STRENGTH, preventReuse: 1 })
    expect(rules.at(-1)).toBe('Not the same as your current password')
  })
})

describe('the two password fields', () => {
  test('a matching pair passes to the policy', () => {
    expect(checkPasswordPair('Secret-123', 'Secret-123')).toBeUndefined()
  })

  test('a confirmation that differs is an error on the confirmation', () => {
    expect(checkPasswordPair('Secret-123', 'Secret-124')).toEqual({
      field: 'confirmation',
      message: 'The two passwords do not match.',
    })
  })

  test('a password over 1024 characters (counted as a user would) is refused first', () => {
    expect(checkPasswordPair('😀'.repeat(1024), '😀'.repeat(1024))).toBeUndefined()
    expect(checkPasswordPair('x'.repeat(1025), 'y')).toEqual({
      field: 'password',
      message: 'Password may be at most 1024 characters.',
    })
  })
})
