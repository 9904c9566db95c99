/**
 * Where a client may be redirected to and called from: the rules for redirect URIs and CORS
 * origins (RFC 6749 §3.1.2, RFC 8252 §7, reference §1.4 and §6.6).
 */
import { invalidSetting as invalid } from './clients-settings'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])
/** Printable ASCII only: no whitespace the URL parser would silently strip, no look-alikes. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/
/** RFC 8252 §7.1: a private-use scheme is a reverse domain name (`com.example.app`). */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/

/**
 * A redirect URI the authorization server may send codes to: absolute, no fragment (RFC 6749
 * §3.1.2), https — or http on a loopback host for native apps (RFC 8252 §7.3) — or a
 * private-use scheme (RFC 8252 §7.1). `javascript:`, `data:`, `file:` and other schemes a
 * browser would run or read locally have no dot and so never pass.
 */
export function checkRedirectUri(uri: string, field: string): void {
  const url = parseAbsolute(uri, field)
  if (uri.includes('#')) throw invalid(field, `${field} must not contain a fragment (#).`, uri)
  if (url.protocol === 'https:' || url.protocol === 'http:') {
    checkWebUrl(url, field, uri)
    return
  }
  if (!PRIVATE_USE_SCHEME.test(url.protocol)) {
    throw invalid(
      field,
      `${field} must use https, http on localhost, or a reverse-domain scheme (com.example.app:/callback).`,
      uri,
    )
  }
}

/**
 * A CORS origin exactly as browsers send it in `Origin` (scheme://host[:port], lower-case, no
 * default port, no path), so that comparing strings is enough. `null` and `*` are refused:
 * sandboxed documents and `file:` pages send `Origin: null`, and a wildcard trusts everyone.
 */
export function checkOrigin(origin: string, field: string): void {
  const url = parseAbsolute(origin, field)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(field, `${field} must be http(s) origins.`, origin)
  }
  if (url.origin !== origin) {
    throw invalid(
      field,
      `${field} must be origins such as https://app.example.com, without path or trailing slash.`,
      origin,
    )
  }
  checkWebUrl(url, field, origin)
}

function parseAbsolute(value: string, field: string): URL {
  if (!PRINTABLE_ASCII.test(value)) {
    throw invalid(field, `${field} must be printable ASCII without spaces.`, value)
  }
  // No base: a relative reference fails to parse.
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (!url) throw invalid(field, `${field} must be absolute URIs.`, value)
  return url
}

function checkWebUrl(url: URL, field: string, value: string): void {
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw invalid(field, `${field} must use https (http only for localhost).`, value)
  }
  // Credentials in a URI are a phishing device (`https://bank.example@evil.example/`).
  if (url.username || url.password) {
    throw invalid(field, `${field} must not contain user information.`, value)
  }
}
