/**
 * A custom adapter and provider in one file, as the framework's README describes: API keys in an
 * `X-Api-Key` header, checked against a fixed table. An adapter is `{ type, identify }`; a
 * provider is `{ type, verify, mapProfile }` (plus `begin`/`complete` for redirect flows).
 */
import type { Adapter, Provider } from '../../src/auth'

export function apiKeyAdapter(): Adapter {
  return {
    type: 'api-key',
    async identify(c) {
      const key = c.req.header('x-api-key')
      if (key === undefined) return { kind: 'none' }
      return /^[A-Za-z0-9_-]{16,128}$/.test(key)
        ? { kind: 'token', token: key }
        : { kind: 'invalid', reason: 'malformed API key' }
    },
  }
}

export function staticKeysProvider(
  keys: Record<string, { owner: string; groups: string[] }>,
): Provider {
  return {
    type: 'static-keys',
    async verify(token) {
      const entry = Object.hasOwn(keys, token) ? keys[token] : undefined
      return entry ? { sub: entry.owner, groups: entry.groups } : null
    },
    mapProfile: (profile) => ({
      externalId: String(profile.sub),
      groups: profile.groups as string[],
    }),
  }
}
