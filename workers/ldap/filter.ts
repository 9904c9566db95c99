/**
 * Search filters (RFC 4511 §4.5.1.7): decoded from BER into a plain tree, then evaluated against
 * an entry's lower-cased values. Every attribute the directory serves is compared
 * case-insensitively (their schemas' matching rules are caseIgnore*), so names and values are
 * lower-cased once, at decoding and when the index is built, never per comparison.
 */
import { BerError, BerReader, TAG } from './ber'
import { normalizeDn } from './dn'

export type Filter =
  | { type: 'and' | 'or'; filters: Filter[] }
  | { type: 'not'; filter: Filter }
  | { type: 'equality' | 'ge' | 'le' | 'approx'; attribute: string; value: string }
  | { type: 'present'; attribute: string }
  | { type: 'substrings'; attribute: string; initial?: string; any: string[]; final?: string }
  | { type: 'extensible'; attribute?: string; rule?: string; value: string }

/** Nesting deeper than this is refused: no client needs it, and evaluation is recursive. */
export const MAX_FILTER_DEPTH = 32
/** More items than this is refused: each one is evaluated against every candidate entry. */
export const MAX_FILTER_ITEMS = 512

const FILTER_TAG = {
  and: 0xa0,
  or: 0xa1,
  not: 0xa2,
  equality: 0xa3,
  substrings: 0xa4,
  ge: 0xa5,
  le: 0xa6,
  present: 0x87,
  approx: 0xa8,
  extensible: 0xa9,
} as const

/** Attributes whose values are DNs: assertion values are compared in normalised DN form. */
export const DN_ATTRIBUTES = new Set(['member', 'memberof', 'entrydn', 'namingcontexts'])

/** Lower-cases an attribute description and drops its options (`cn;lang-en` → `cn`). */
export function attributeName(description: string): string {
  const semicolon = description.indexOf(';')
  return (semicolon < 0 ? description : description.slice(0, semicolon)).toLowerCase()
}

/** A value as the index and the filters compare it. */
export function matchValue(attribute: string, value: string): string {
  return DN_ATTRIBUTES.has(attribute)
    ? (normalizeDn(value) ?? value.toLowerCase())
    : value.toLowerCase()
}

/** Decodes the filter element at the reader's position; throws {@link BerError} when malformed. */
export function readFilter(reader: BerReader): Filter {
  const budget = { items: 0 }
  return read(reader, 0, budget)
}

function read(reader: BerReader, depth: number, budget: { items: number }): Filter {
  if (depth > MAX_FILTER_DEPTH) throw new BerError(`filter nested deeper than ${MAX_FILTER_DEPTH}`)
  if (++budget.items > MAX_FILTER_ITEMS) {
    throw new BerError(`filter has more than ${MAX_FILTER_ITEMS} items`)
  }
  const tag = reader.peekTag()
  switch (tag) {
    case FILTER_TAG.and:
    case FILTER_TAG.or: {
      const set = reader.enter()
      const filters: Filter[] = []
      while (!set.atEnd) filters.push(read(set, depth + 1, budget))
      return { type: tag === FILTER_TAG.and ? 'and' : 'or', filters }
    }
    case FILTER_TAG.not: {
      const inner = reader.enter()
      const filter = read(inner, depth + 1, budget)
      if (!inner.atEnd) throw new BerError('not filter with more than one filter')
      return { type: 'not', filter }
    }
    case FILTER_TAG.present:
      return { type: 'present', attribute: attributeName(reader.readString(tag)) }
    case FILTER_TAG.equality:
    case FILTER_TAG.ge:
    case FILTER_TAG.le:
    case FILTER_TAG.approx: {
      const ava = reader.enter()
      const attribute = attributeName(ava.readString())
      const value = matchValue(attribute, ava.readString())
      const type = (
        { [FILTER_TAG.equality]: 'equality', [FILTER_TAG.ge]: 'ge', [FILTER_TAG.le]: 'le' } as const
      )[tag as 0xa3 | 0xa5 | 0xa6]
      return { type: type ?? 'approx', attribute, value }
    }
    case FILTER_TAG.substrings: {
      const substrings = reader.enter()
      const attribute = attributeName(substrings.readString())
      const parts = substrings.enter(TAG.sequence)
      const filter: Filter = { type: 'substrings', attribute, any: [] }
      while (!parts.atEnd) {
        const partTag = parts.peekTag()
        const value = parts.readString(partTag).toLowerCase()
        if (partTag === 0x80 && filter.initial === undefined && filter.any.length === 0) {
          filter.initial = value
        } else if (partTag === 0x81 && filter.final === undefined) filter.any.push(value)
        else if (partTag === 0x82 && filter.final === undefined) filter.final = value
        else throw new BerError('substring filter parts out of order')
      }
      return filter
    }
    case FILTER_TAG.extensible: {
      const rule = reader.enter()
      const filter: Filter = { type: 'extensible', value: '' }
      while (!rule.atEnd) {
        const partTag = rule.peekTag()
        if (partTag === 0x84) rule.readBoolean(partTag)
        else {
          const value = rule.readString(partTag)
          if (partTag === 0x81) filter.rule = value
          else if (partTag === 0x82) filter.attribute = attributeName(value)
          else if (partTag === 0x83) filter.value = value.toLowerCase()
          else throw new BerError('unknown part in an extensible filter')
        }
      }
      return filter
    }
    default:
      throw new BerError(`unknown filter type 0x${tag.toString(16)}`)
  }
}

/** Lower-cased values by lower-case attribute name, as the index keeps them for matching. */
export type MatchAttributes = Readonly<Record<string, readonly string[] | undefined>>

/**
 * Whether `filter` holds for an entry. An absent attribute makes an item false (not
 * Undefined): `(!(title=x))` then matches entries without a title, as most directories answer.
 * Extensible matches (AD's bit-wise rules) match nothing: no served attribute has those rules.
 */
export function filterMatches(filter: Filter, attributes: MatchAttributes): boolean {
  switch (filter.type) {
    case 'and':
      return filter.filters.every((inner) => filterMatches(inner, attributes))
    case 'or':
      return filter.filters.some((inner) => filterMatches(inner, attributes))
    case 'not':
      return !filterMatches(filter.filter, attributes)
    case 'present':
      return filter.attribute === 'objectclass' || attributes[filter.attribute] !== undefined
    case 'equality':
    case 'approx':
      return attributes[filter.attribute]?.includes(filter.value) ?? false
    case 'ge':
      return attributes[filter.attribute]?.some((value) => value >= filter.value) ?? false
    case 'le':
      return attributes[filter.attribute]?.some((value) => value <= filter.value) ?? false
    case 'substrings':
      return attributes[filter.attribute]?.some((value) => substringsMatch(filter, value)) ?? false
    case 'extensible':
      return false
  }
}

function substringsMatch(
  filter: { initial?: string; any: string[]; final?: string },
  value: string,
): boolean {
  let position = 0
  if (filter.initial !== undefined) {
    if (!value.startsWith(filter.initial)) return false
    position = filter.initial.length
  }
  for (const part of filter.any) {
    const found = value.indexOf(part, position)
    if (found < 0) return false
    position = found + part.length
  }
  if (filter.final !== undefined) {
    return value.length - filter.final.length >= position && value.endsWith(filter.final)
  }
  return true
}

/**
 * The equality items that decide a filter by themselves, for an index lookup: `(uid=x)`, every
 * branch of an or, or the most selective branch of an and. Undefined when the filter needs a
 * scan (a presence, a substring, a negation…).
 */
export function indexableTerms(
  filter: Filter,
  indexed: ReadonlySet<string>,
): { attribute: string; value: string }[] | undefined {
  switch (filter.type) {
    case 'equality':
      return indexed.has(filter.attribute) ? [filter] : undefined
    case 'or': {
      const terms: { attribute: string; value: string }[] = []
      for (const inner of filter.filters) {
        const innerTerms = indexableTerms(inner, indexed)
        if (!innerTerms) return undefined
        terms.push(...innerTerms)
      }
      return terms
    }
    case 'and': {
      let best: { attribute: string; value: string }[] | undefined
      for (const inner of filter.filters) {
        const innerTerms = indexableTerms(inner, indexed)
        if (innerTerms && (!best || innerTerms.length < best.length)) best = innerTerms
      }
      return best
    }
    default:
      return undefined
  }
}
