/**
 * Reads an `application/x-www-form-urlencoded` body the way the OAuth-style endpoints need it
 * (RFC 6749 §3.2): that media type only, bounded size, and no parameter twice — a repeated one
 * is ambiguous (which value did a proxy, or the client library, look at?). Each face maps a
 * refusal to its own error form.
 */

/** The largest form any of these endpoints accepts. */
export const MAX_FORM_BYTES = 16_384

export type FormReading =
  | { kind: 'ok'; params: URLSearchParams }
  | { kind: 'refused'; problem: 'wrong_type' | 'too_large' }
  | { kind: 'refused'; problem: 'repeated'; name: string }

/** Whether a `Content-Type` header names a URL-encoded form (parameters such as charset allowed). */
export function isUrlEncodedForm(contentType: string | undefined): boolean {
  return /^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? '')
}

/**
 * @example
 * readUrlEncodedForm('application/x-www-form-urlencoded', 'a=1&a=2')
 * // { kind: 'refused', problem: 'repeated', name: 'a' }
 */
export function readUrlEncodedForm(
  contentType: string | undefined,
  body: string,
  maxBytes = MAX_FORM_BYTES,
): FormReading {
  if (!isUrlEncodedForm(contentType)) return { kind: 'refused', problem: 'wrong_type' }
  if (body.length > maxBytes) return { kind: 'refused', problem: 'too_large' }
  const params = new URLSearchParams(body)
  const seen = new Set<string>()
  for (const name of params.keys()) {
    if (seen.has(name)) return { kind: 'refused', problem: 'repeated', name }
    seen.add(name)
  }
  return { kind: 'ok', params }
}

/** The English reason for a refusal, for error descriptions. */
export function formRefusalText(reading: Exclude<FormReading, { kind: 'ok' }>): string {
  if (reading.problem === 'repeated') return `The ${reading.name} parameter is repeated.`
  if (reading.problem === 'wrong_type') return 'The body must be application/x-www-form-urlencoded.'
  return 'The request body is too large.'
}
