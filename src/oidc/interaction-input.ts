/**
 * What the interaction's JSON and form posts carry, read and bounded before any lookup: the
 * credentials of the login step, a second-factor code, a passkey answer.
 */
import type { Context } from 'hono'
import type { OidcEnv } from './context'
import { OAuthError } from './errors'
import type { LoginFormError } from './pages/login'

type Ctx = Context<OidcEnv>

/** The longest username or password read; longer ones never reach a hash function. */
export const MAX_FIELD = 1024
/** A recovery code with separators fits with room; a TOTP code is six digits. */
export const MAX_CODE = 64

/** What is wrong with posted credentials, found before any lookup. */
export interface CredentialsProblem {
  field: 'username' | 'password'
  reason: 'missing' | 'too_long'
}

/** A WebAuthn answer is a few kilobytes; anything much larger is not one. */
const MAX_PASSKEY_BODY = 64 * 1024

/** `{challengeId, response}` from a JSON body; 400 when unreadable or not of that shape. */
export async function readJsonPasskey(c: Ctx): Promise<{ challengeId: string; response: unknown }> {
  // JSON only, like the rest of the JSON interface: a form another site posts is not one.
  if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
    throw new OAuthError('invalid_request', 'The body must be application/json.')
  }
  const text = await c.req.text()
  if (text.length > MAX_PASSKEY_BODY)
    throw new OAuthError('invalid_request', 'The body is too large.')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new OAuthError('invalid_request', 'The body must be JSON.')
  }
  const { challengeId, response } = (body ?? {}) as Record<string, unknown>
  if (typeof challengeId !== 'string' || typeof response !== 'object' || response === null) {
    throw new OAuthError('invalid_request', 'challengeId and response are required.')
  }
  return { challengeId, response }
}

/** `{code}` from a JSON body; 400 when unreadable, missing or oversized. */
export async function readJsonCode(c: Ctx): Promise<string> {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw new OAuthError('invalid_request', 'The body must be JSON or a form.')
  }
  const { code } = (body ?? {}) as Record<string, unknown>
  if (typeof code !== 'string' || code === '')
    throw new OAuthError('invalid_request', 'code is required.')
  if (code.length > MAX_CODE) throw new OAuthError('invalid_request', 'code is too long.')
  return code
}

/** `{username, password}` from a JSON body; 400 when unreadable, missing or oversized. */
export async function readJsonCredentials(c: Ctx): Promise<{ username: string; password: string }> {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw new OAuthError('invalid_request', 'The body must be JSON or a form.')
  }
  const { username, password } = (body ?? {}) as Record<string, unknown>
  const problem = credentialsProblem(username, password)
  if (problem?.reason === 'missing') {
    throw new OAuthError('invalid_request', 'username and password are required.')
  }
  if (problem) throw new OAuthError('invalid_request', 'username or password is too long.')
  return { username: username as string, password: password as string }
}

/**
 * Missing (absent, not a string, empty) or oversized credentials: refused before any lookup,
 * so an oversized password never reaches a hash function, whose cost grows with its length.
 */
export function credentialsProblem(
  username: unknown,
  password: unknown,
): CredentialsProblem | undefined {
  for (const [field, value] of [
    ['username', username],
    ['password', password],
  ] as const) {
    if (typeof value !== 'string' || value === '') return { field, reason: 'missing' }
  }
  for (const [field, value] of [
    ['username', username as string],
    ['password', password as string],
  ] as const) {
    if (value.length > MAX_FIELD) return { field, reason: 'too_long' }
  }
  return undefined
}

export function fieldError(problem: CredentialsProblem): LoginFormError {
  const name = problem.field === 'username' ? 'username or email' : 'password'
  const message =
    problem.reason === 'missing'
      ? `Enter your ${name}.`
      : `Your ${name} may be at most ${MAX_FIELD} characters long.`
  return { field: problem.field, message }
}
