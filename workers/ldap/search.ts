/**
 * Search (RFC 4511 §4.5) over one view of the tree: base and scope, the filter (through an
 * equality index when the filter allows), the requested attributes (`*`, `+`, `1.1`, names in
 * any case) and the time limit. Pure: the session applies size limits and paging to the result.
 */
import { isWithin, normalizeDn, parentOf } from './dn'
import { INDEXED, type Entry, type View } from './directory'
import { attributeName, filterMatches, indexableTerms, type Filter } from './filter'
import { encodeEntryBody, RESULT, type SearchScope } from './messages'

export interface SearchInput {
  base: string
  scope: SearchScope
  filter: Filter
}

export type SearchOutcome =
  | { kind: 'entries'; entries: Entry[]; timedOut: boolean }
  | { kind: 'error'; code: number; message: string; matchedDn?: string }

/** How often (in evaluated entries) the clock is read against the time limit. */
const CLOCK_EVERY = 1024

/**
 * The entries of `view` that `input` selects, in tree order, stopping early when `deadline`
 * (ms since epoch) passes. `root` is what a base search of the empty DN answers (the rootDSE);
 * sub and one-level searches of the empty DN cover the view's whole tree.
 */
export function searchView(
  view: View | undefined,
  input: SearchInput,
  root: () => Entry,
  deadline: number,
  now: () => number = Date.now,
): SearchOutcome {
  const baseKey = normalizeDn(input.base)
  if (baseKey === undefined) {
    return { kind: 'error', code: RESULT.invalidDNSyntax, message: 'The base is not a valid DN.' }
  }
  if (baseKey === '' && input.scope === 'base') {
    const rootDse = root()
    return {
      kind: 'entries',
      entries: filterMatches(input.filter, rootDse.match) ? [rootDse] : [],
      timedOut: false,
    }
  }
  if (!view) {
    return {
      kind: 'error',
      code: RESULT.insufficientAccessRights,
      message: 'Bind first to search the directory.',
    }
  }
  if (baseKey !== '' && !view.byKey.has(baseKey)) {
    return {
      kind: 'error',
      code: RESULT.noSuchObject,
      message: 'No such entry.',
      matchedDn: matchedDnOf(view, baseKey),
    }
  }
  const inScope = scopeTest(input.scope, baseKey)
  const terms = indexableTerms(input.filter, INDEXED)
  const candidates =
    input.scope === 'base' ? [view.byKey.get(baseKey)!] : terms ? lookup(view, terms) : view.entries
  const entries: Entry[] = []
  let evaluated = 0
  for (const entry of candidates) {
    if (++evaluated % CLOCK_EVERY === 0 && now() > deadline)
      return { kind: 'entries', entries, timedOut: true }
    if (inScope(entry) && filterMatches(input.filter, entry.match)) entries.push(entry)
  }
  return { kind: 'entries', entries, timedOut: false }
}

function scopeTest(scope: SearchScope, baseKey: string): (entry: Entry) => boolean {
  if (scope === 'base') return (entry) => entry.key === baseKey
  if (scope === 'one') return (entry) => entry.parent === baseKey
  return (entry) => isWithin(entry.key, baseKey)
}

/** The entries an index lookup of every term gives, each once, in tree order of first term. */
function lookup(view: View, terms: readonly { attribute: string; value: string }[]): Entry[] {
  if (terms.length === 1) return view.index.get(terms[0]!.attribute)?.get(terms[0]!.value) ?? []
  const found = new Set<Entry>()
  for (const term of terms) {
    for (const entry of view.index.get(term.attribute)?.get(term.value) ?? []) found.add(entry)
  }
  return [...found]
}

/** The closest existing ancestor of a missing base (RFC 4511 §4.1.9 matchedDN). */
function matchedDnOf(view: View, key: string): string {
  for (let candidate = parentOf(key); candidate !== ''; candidate = parentOf(candidate)) {
    const entry = view.byKey.get(candidate)
    if (entry) return entry.dn
  }
  return ''
}

/** Which attributes a search returns (RFC 4511 §4.5.1.8). */
export interface AttributeSelection {
  allUser: boolean
  allOperational: boolean
  names: Set<string>
  typesOnly: boolean
}

export function selectAttributes(
  requested: readonly string[],
  typesOnly: boolean,
): AttributeSelection {
  const names = new Set(requested.map(attributeName))
  // An empty list means every user attribute; `1.1` alone means none (RFC 4511 §4.5.1.8).
  const allUser = names.has('*') || names.size === 0
  return { allUser, allOperational: names.has('+'), names, typesOnly }
}

/** Operational attributes computed per entry: asked for by name or with `+`. */
function operationalAttributes(entry: Entry): [string, string[]][] {
  return [
    // The rootDSE's DN is empty, and an attribute value may not be: it has no entryDN.
    ...(entry.dn === '' ? [] : [['entrydn', [entry.dn]] as [string, string[]]]),
    ['hassubordinates', [entry.hasChildren ? 'TRUE' : 'FALSE']],
    ['subschemasubentry', ['cn=Subschema']],
  ]
}

/**
 * The SearchResultEntry body of `entry` under `selection`. The common case (every user
 * attribute, values included) is encoded once per entry and reused by every search.
 */
export function entryBody(entry: Entry, selection: AttributeSelection): Uint8Array {
  const plain = selection.allUser && !selection.typesOnly && !selection.allOperational
  if (plain && !hasOperational(selection.names)) {
    entry.body ??= encodeEntryBody(entry.dn, entry.attributes)
    return entry.body
  }
  const chosen: (readonly [string, readonly string[]])[] = entry.attributes.filter(
    ([name]) => selection.allUser || selection.names.has(name),
  )
  for (const attribute of operationalAttributes(entry)) {
    if (selection.allOperational || selection.names.has(attribute[0])) chosen.push(attribute)
  }
  return encodeEntryBody(
    entry.dn,
    selection.typesOnly ? chosen.map(([name]) => [name, []] as const) : chosen,
  )
}

const OPERATIONAL = new Set(['entrydn', 'hassubordinates', 'subschemasubentry'])

function hasOperational(names: ReadonlySet<string>): boolean {
  for (const name of names) if (OPERATIONAL.has(name)) return true
  return false
}
