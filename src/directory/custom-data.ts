import { EdgepassError } from '../errors'

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
    data[name] = value
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
    throw new EdgepassError('custom_data_empty_name', 'Custom data field names must not be empty.')
  }
  if (name.length > 255) {
    throw new EdgepassError(
      'custom_data_name_too_long',
      'Custom data field names are limited to 255 characters.',
      { field: name.slice(0, 40) },
    )
  }
  if (RESERVED.has(name)) {
    throw new EdgepassError(
      'custom_data_reserved_name',
      `${name} is a reserved custom data field name.`,
      { field: name },
    )
  }
  if (!NAME.test(name)) {
    throw new EdgepassError(
      'custom_data_bad_name',
      'Custom data field names may contain only letters, digits, _ and -, and must not start with -.',
      { field: name.slice(0, 40) },
    )
  }
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
