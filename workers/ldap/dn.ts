/**
 * Distinguished names as the server compares them: parsed with `@ldapjs/dn` (RFC 4514), then
 * written back in one canonical form (lower-case types and values, no spaces, escapes as
 * {@link escapeDnValue} writes them) so that `CN=Alice, OU=Users,DC=Cloudron` and
 * `cn=alice,ou=users,dc=cloudron` are the same key.
 */
import { DN } from '@ldapjs/dn'
import { escapeDnValue } from './entries'

/** One RDN component: its attribute type (lower case) and its value as written. */
export interface RdnPart {
  type: string
  value: string
}

/** The RDNs of `text`, leaf first; undefined when it is not a DN. The empty DN has none. */
export function parseDn(text: string): RdnPart[][] | undefined {
  if (text.trim() === '') return []
  if (text.length > 4096) return undefined
  try {
    const dn = DN.fromString(text)
    const rdns: RdnPart[][] = []
    for (let i = 0; i < dn.length; i++) {
      const rdn = dn.rdnAt(i)
      rdns.push(
        [...rdn.keys()].map((key) => ({
          type: key.toLowerCase(),
          value: String(rdn.getValue(key)),
        })),
      )
    }
    return rdns
  } catch {
    return undefined
  }
}

/** The canonical form of a parsed DN. */
export function formatNormalized(rdns: readonly RdnPart[][]): string {
  return rdns
    .map((rdn) =>
      rdn
        .map((part) => `${part.type}=${escapeDnValue(part.value.toLowerCase())}`)
        .sort()
        .join('+'),
    )
    .join(',')
}

/**
 * The canonical form of `text`, or undefined when it is not a DN.
 *
 * @example
 * normalizeDn('CN=Alice, OU=Users,DC=Cloudron') // 'cn=alice,ou=users,dc=cloudron'
 */
export function normalizeDn(text: string): string | undefined {
  const cached = normalized.get(text)
  if (cached !== undefined || normalized.has(text)) return cached
  const rdns = parseDn(text)
  const result = rdns && formatNormalized(rdns)
  // Clients send the same few bases and bind DNs over and over; parsing is the costly part of a
  // small search. The cache is emptied when full rather than kept as an LRU: simpler, and a
  // client cycling through random DNs only makes it start over.
  if (normalized.size >= NORMALIZED_CACHE_SIZE) normalized.clear()
  normalized.set(text, result)
  return result
}

const NORMALIZED_CACHE_SIZE = 4096
const normalized = new Map<string, string | undefined>()

/** The normalised parent of a normalised DN ('' for a one-RDN DN). */
export function parentOf(normalized: string): string {
  // Escaped commas are written `\,` by escapeDnValue; skip them when looking for the separator.
  for (let i = 0; i < normalized.length; i++) {
    if (normalized[i] === '\\') i++
    else if (normalized[i] === ',') return normalized.slice(i + 1)
  }
  return ''
}

/** Whether normalised `dn` is `base` or below it. */
export function isWithin(dn: string, base: string): boolean {
  if (base === '') return true
  return (
    dn === base ||
    (dn.endsWith(base) &&
      dn[dn.length - base.length - 1] === ',' &&
      !escaped(dn, dn.length - base.length - 1))
  )
}

function escaped(text: string, index: number): boolean {
  let backslashes = 0
  for (let i = index - 1; i >= 0 && text[i] === '\\'; i--) backslashes++
  return backslashes % 2 === 1
}
