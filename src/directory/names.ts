import { EdgepassError } from '../errors'

const NAME_KEY = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * Validates a tenant key or organization `nameKey`: 1–63 characters of `[a-z0-9-]`, not starting
 * or ending with `-` (stormpath-api reference §7), so it is safe in URLs and LDAP DNs. Upper
 * case is folded, as the key is unique case-insensitively.
 */
export function normaliseNameKey(value: string, field: string): string {
  const key = value.trim().toLowerCase()
  if (!NAME_KEY.test(key)) {
    throw new EdgepassError(
      'invalid_value',
      `${field} must be 1–63 lower-case letters, digits or -, not starting or ending with -.`,
      { field },
    )
  }
  return key
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/

/** A plausible email address (the real check is the verification mail), stored lower-case. */
export function normaliseEmail(value: string, field = 'email'): string {
  const email = value.trim().toLowerCase()
  if (email.length > 254 || !EMAIL.test(email) || !email.split('@')[1]!.includes('.')) {
    throw new EdgepassError('invalid_value', `${field} must be a valid email address.`, { field })
  }
  return email
}

/** `fullName` = the non-empty parts of given, middle and surname joined by one space. */
export function fullNameOf(parts: {
  givenName: string
  middleName: string
  surname: string
}): string {
  return [parts.givenName, parts.middleName, parts.surname]
    .filter((part) => part.trim() !== '')
    .join(' ')
}
