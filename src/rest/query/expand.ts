import { queryError, quote } from './errors'
import { clampLimit, clampOffset, readWholeNumber } from './paging'
import type { ExpandRequest, ResourceQuerySpec } from './types'

/**
 * Parses `expand=directory,tenant,groups(offset:0,limit:10)` (stormpath-api reference §8):
 * comma-separated link names, one level only; collections may take `offset` and `limit`, in
 * either order, each optional, clamped like the collection's own paging. Bad syntax → 2100; a
 * name that is not expandable here, or a nested one (`directory.tenant`) → 2107. Absent or
 * empty → nothing to expand.
 *
 * @example
 * parseExpand('directory,groups(limit:10)', { directory: 'link', groups: 'collection' })
 * // [{ name: 'directory' }, { name: 'groups', limit: 10 }]
 */
export function parseExpand(
  value: string | null,
  expandable: ResourceQuerySpec['expandable'],
): ExpandRequest[] {
  if (value === null || value.trim() === '') return []
  const seen = new Set<string>()
  return splitItems(value).map((item) => {
    const open = item.indexOf('(')
    const name = (open === -1 ? item : item.slice(0, open)).trim()
    if (name === '') throw malformed(value, 'a link name is missing')
    if (name.includes('.')) {
      throw notExpandable(name, `${quote(name)} is nested; only one level can be expanded`)
    }
    // hasOwn: `constructor` or `__proto__` must not resolve to Object.prototype members.
    if (!Object.hasOwn(expandable, name)) {
      throw notExpandable(name, `${quote(name)} is not an expandable link of this resource`)
    }
    if (seen.has(name)) throw malformed(value, `${quote(name)} is given twice`)
    seen.add(name)
    if (open === -1) return { name }
    if (expandable[name] !== 'collection') {
      throw malformed(value, `${quote(name)} is a single link and takes no paging options`)
    }
    const options = item.trimEnd()
    if (!options.endsWith(')') || options.indexOf(')') !== options.length - 1) {
      throw malformed(value, `text follows ${quote(name)}(…)`)
    }
    return { name, ...parsePagingOptions(options.slice(open + 1, -1), value) }
  })
}

/** Splits on the commas outside parentheses; parentheses must pair up, one level deep. */
function splitItems(value: string): string[] {
  const items: string[] = []
  let depth = 0
  let start = 0
  for (let index = 0; index < value.length; index++) {
    const char = value[index]
    if (char === '(') {
      if (depth === 1) throw malformed(value, 'parentheses cannot be nested')
      depth = 1
    } else if (char === ')') {
      if (depth === 0) throw malformed(value, 'a ")" has no matching "("')
      depth = 0
    } else if (char === ',' && depth === 0) {
      items.push(value.slice(start, index))
      start = index + 1
    }
  }
  if (depth !== 0) throw malformed(value, 'a "(" is not closed')
  items.push(value.slice(start))
  return items
}

function parsePagingOptions(options: string, value: string): Omit<ExpandRequest, 'name'> {
  const paging: { offset?: number; limit?: number } = {}
  if (options.trim() === '') throw malformed(value, 'empty parentheses')
  for (const option of options.split(',')) {
    const [key = '', number = '', ...rest] = option.split(':').map((part) => part.trim())
    if ((key !== 'offset' && key !== 'limit') || rest.length > 0) {
      throw malformed(value, `${quote(option.trim())} is not offset:N or limit:N`)
    }
    if (paging[key] !== undefined) throw malformed(value, `${key} is given twice`)
    const parsed = readWholeNumber(number)
    if (parsed === undefined) {
      throw queryError(
        'query_invalid_value',
        'expand',
        `The expand parameter's ${key} must be a whole number.`,
        `expand=${quote(value)}: ${key}:${quote(number)} is not a whole number.`,
      )
    }
    paging[key] = key === 'offset' ? clampOffset(parsed) : clampLimit(parsed)
  }
  return paging
}

function malformed(value: string, reason: string) {
  return queryError(
    'query_malformed',
    'expand',
    `The expand parameter is malformed: ${reason}.`,
    `expand=${quote(value)}: ${reason}; expected e.g. "directory,groups(offset:0,limit:10)".`,
  )
}

function notExpandable(name: string, reason: string) {
  return queryError(
    'query_not_expandable',
    'expand',
    `The expand parameter names ${quote(name)}, which cannot be expanded.`,
    `expand: ${reason}.`,
  )
}
