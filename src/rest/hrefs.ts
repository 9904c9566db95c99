import { EdgepassError } from '../errors'

/** The resource types with their own `/v1/{type}/{id}` address. */
export const RESOURCE_TYPES = [
  'tenants',
  'directories',
  'accounts',
  'groups',
  'groupMemberships',
  'applications',
  'accountStoreMappings',
  'organizations',
  'organizationAccountStoreMappings',
  'apiKeys',
  'passwordPolicies',
  'accountCreationPolicies',
  'accountLockingPolicies',
  'emailTemplates',
  'outbox',
  'oidcClients',
  'factors',
  'challenges',
  'passkeys',
  'directorySyncRuns',
] as const
export type ResourceType = (typeof RESOURCE_TYPES)[number]

export interface ResourceRef {
  type: ResourceType
  id: string
}

/**
 * Builds hrefs: always absolute, canonical, without query parameters — the Node SDK caches by
 * href and builds ID-site URLs from its host (stormpath-api reference §2).
 *
 * @example
 * const hrefs = createHrefs('https://id.example.com')
 * hrefs.of('accounts', 'abc') // 'https://id.example.com/v1/accounts/abc'
 */
export function createHrefs(baseUrl: string) {
  const root = `${baseUrl}/v1`
  return {
    root,
    of: (type: ResourceType, id: string, ...rest: string[]) =>
      [`${root}/${type}/${encodeURIComponent(id)}`, ...rest].join('/'),
    /** Resolves an input href: ours absolute, or relative with or without `/v1`. */
    parse: (value: string) => parseHref(value, root),
  }
}
export type Hrefs = ReturnType<typeof createHrefs>

const ID = /^[A-Za-z0-9_-]{1,64}$/

function parseHref(value: string, root: string): ResourceRef | undefined {
  let path: string
  if (value.startsWith(`${root}/`)) path = value.slice(root.length)
  else if (value.startsWith('/v1/')) path = value.slice(3)
  else if (value.startsWith('/')) path = value
  else return undefined
  const [, type, id, ...rest] = path.split('/')
  if (rest.length > 0 || !type || !id || !ID.test(id)) return undefined
  return (RESOURCE_TYPES as readonly string[]).includes(type)
    ? { type: type as ResourceType, id }
    : undefined
}

/**
 * Reads a `{href}` link from a request body and checks its type: 400/2016 when it is not a
 * well-formed href of an allowed type (stormpath-api reference §2, rule 6).
 */
export function readLink(
  hrefs: Hrefs,
  value: unknown,
  field: string,
  allowed: readonly ResourceType[],
): ResourceRef {
  const href =
    typeof value === 'object' && value !== null ? (value as { href?: unknown }).href : undefined
  if (typeof href !== 'string') {
    throw new EdgepassError('invalid_href', `${field} must be a link: {"href": "…"}.`, { field })
  }
  const ref = hrefs.parse(href)
  if (!ref || !allowed.includes(ref.type)) {
    throw new EdgepassError('invalid_href', `${field} must link to a ${allowed.join(' or ')}.`, {
      field,
      developerMessage: `${JSON.stringify(href.slice(0, 200))} is not an href of ${allowed.join(', ')}.`,
    })
  }
  return ref
}
