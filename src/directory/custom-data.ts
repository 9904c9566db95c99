import { EdgepassError, type ErrorCode } from '../errors'

/** Stormpath's limit on one resource's custom data (error 3004). */
export const MAX_CUSTOM_DATA_BYTES = 10 * 1024 * 1024
const NAME = /^[0-9A-Za-z_][0-9A-Za-z_-]*$/
/** Names the representation itself uses (error 3003). */
const RESERVED = new Set([
  'href',
  'createdAt',
  'modifiedAt',
  'meta',
  'spMeta',
  'spmeta',
  'ionmeta',
  'ionMeta',
])

export type CustomData = Record<string, unknown>

/**
 * Merges `changes` into `current` (`POST …/customData` merges keys, stormpath-api reference §7).
 * Reserved names in the input are ignored — the SDK's `customData.save()` posts `href` and the
 * timestamps back — but every other name must follow Stormpath's rules (3000–3002), and the
 * result must fit in 10 MB (3004).
 *
 * @returns the merged object and its JSON text, ready to store.
 */
export function mergeCustomData(
  current: CustomData,
  changes: CustomData,
): { data: CustomData; json: string } {
  const data: CustomData = { ...current }
  for (const [name, value] of Object.entries(changes)) {
    if (RESERVED.has(name)) continue
    checkCustomDataName(name)
    // Not `data[name] = value`: for the valid name `__proto__` that would replace the object's
    // prototype and silently drop the field.
    Object.defineProperty(data, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  const json = JSON.stringify(data)
  if (new TextEncoder().encode(json).length > MAX_CUSTOM_DATA_BYTES) {
    throw new EdgepassError('custom_data_too_large', 'Custom data must not exceed 10 MB.')
  }
  return { data, json }
}

/** Validates one custom data field name (Stormpath errors 3000–3003). */
export function checkCustomDataName(name: string): void {
  if (name.length === 0) {
    throw nameError('custom_data_empty_name', 'Custom data field names must not be empty.', name)
  }
  if (name.length > 255) {
    throw nameError(
      'custom_data_name_too_long',
      'Custom data field names are limited to 255 characters.',
      name,
    )
  }
  if (RESERVED.has(name)) {
    throw nameError(
      'custom_data_reserved_name',
      `${name} is a reserved custom data field name.`,
      name,
    )
  }
  if (!NAME.test(name)) {
    throw nameError(
      'custom_data_bad_name',
      'Custom data field names may contain only letters, digits, _ and -, and must not start with -.',
      name,
    )
  }
}

/** The developer message quotes the name (shortened), so a client sees which key is at fault. */
function nameError(code: ErrorCode, message: string, name: string): EdgepassError {
  const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name
  return new EdgepassError(code, message, {
    field: name.slice(0, 40),
    developerMessage: `${message} Got ${JSON.stringify(shown)}.`,
  })
}

/** Parses stored custom data; a corrupt value reads as empty rather than failing the request. */
export function parseCustomData(json: string): CustomData {
  try {
    const value = JSON.parse(json)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}
  } catch {
    return {}
  }
}

/**
 * Runs a write of custom data and reports a value the database refuses as too big as 3004, not
 * a 500: D1 stores at most about 2 MB per value (`SQLITE_TOOBIG`), well under Stormpath's 10 MB,
 * so on Workers that is the effective limit. Both drivers carry SQLite's text along `.cause`.
 */
export async function refusingOversizedCustomData<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (!isTooBig(error)) throw error
    throw new EdgepassError('custom_data_too_large', 'Custom data is too large to store.', {
      developerMessage: 'The database refused the custom data as too big (SQLITE_TOOBIG).',
      cause: error,
    })
  }
}

function isTooBig(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    if (/SQLITE_TOOBIG|string or blob too big/.test(current.message)) return true
    current = current.cause
  }
  return false
}
