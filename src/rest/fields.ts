import * as v from 'valibot'
import { EdgepassError, type ErrorCode } from '../errors'
import type { JsonObject } from './body'

/**
 * Field rules for writable resource properties. Stormpath's SDKs post whole resources on save
 * (href, timestamps, links, expanded objects), so unknown and read-only properties are ignored
 * and only the known writable ones are validated (stormpath-api reference §9).
 */
export type FieldRules = Record<string, v.GenericSchema>

export const STATUS = ['ENABLED', 'DISABLED'] as const

/** A text field of `min`–`max` characters. */
export function text(min: number, max: number) {
  return v.pipe(v.string(), v.minLength(min), v.maxLength(max))
}

export function picklist<const T extends readonly string[]>(options: T) {
  return v.picklist(options)
}

/**
 * Picks the known fields from `body` and validates them; `required` fields must be present
 * (on create). Throws the Stormpath code for the first problem, naming the field.
 */
export function readFields<T extends FieldRules>(
  body: JsonObject,
  rules: T,
  required: readonly (keyof T & string)[] = [],
): Partial<{ [K in keyof T]: v.InferOutput<T[K]> }> {
  const picked: Record<string, unknown> = {}
  for (const field of required) {
    if (body[field] === undefined || body[field] === null || body[field] === '') {
      throw new EdgepassError('required', `${field} is required.`, { field })
    }
  }
  for (const [field, schema] of Object.entries(rules)) {
    if (!(field in body) || body[field] === undefined) continue
    const result = v.safeParse(schema, body[field])
    if (!result.success) throw fieldError(field, result.issues[0], body[field])
    picked[field] = result.output
  }
  return picked as Partial<{ [K in keyof T]: v.InferOutput<T[K]> }>
}

const ISSUE_CODES: Record<string, ErrorCode> = {
  min_length: 'too_short',
  max_length: 'too_long',
  min_value: 'below_minimum',
  max_value: 'above_maximum',
  picklist: 'invalid_value',
  regex: 'invalid_value',
  email: 'invalid_value',
  url: 'invalid_value',
  check: 'invalid_value',
}

function fieldError(field: string, issue: v.BaseIssue<unknown>, value: unknown): EdgepassError {
  const code =
    issue.kind === 'schema' && issue.type !== 'picklist'
      ? 'wrong_type'
      : (ISSUE_CODES[issue.type] ?? 'invalid_value')
  const messages: Partial<Record<ErrorCode, string>> = {
    wrong_type: `${field} has the wrong type: expected ${issue.expected}.`,
    too_short: `${field} is too short: at least ${issue.requirement} characters.`,
    too_long: `${field} is too long: at most ${issue.requirement} characters.`,
    below_minimum: `${field} must be at least ${issue.requirement}.`,
    above_maximum: `${field} must be at most ${issue.requirement}.`,
  }
  return new EdgepassError(code, messages[code] ?? `${field} has an invalid value.`, {
    field,
    developerMessage: `${field}: ${issue.message} (got ${preview(value)}).`,
  })
}

function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 60 ? `${json.slice(0, 60)}…` : json
}
