/**
 * Stormpath's SAuthc1 request digest (reference §5.3): the canonical request, the HMAC key chain
 * and the server-side checks. The Java SDK's `SAuthc1RequestAuthenticator`, `QueryString` and
 * `RequestUtils.encodeUrl` are authoritative where the written spec is vague.
 *
 * Key lookup and nonce replay need the database and live with the caller.
 */
import { timingSafeEqual } from './constant-time'
import { hexEncode, utf8 } from './encoding'

/** The three parts of `Authorization: SAuthc1 …`, with the scope split out. */
export interface SAuthc1Header {
  apiKeyId: string
  /** Scope date, `yyyyMMdd`. */
  date: string
  nonce: string
  /** Signed header names, in the order the client listed them. */
  signedHeaders: string[]
  /** 64 lower-case hex characters. */
  signature: string
}

/** A request as the client signed it. */
export interface SignedRequest {
  method: string
  /** The PUBLIC url as the client saw it (mount prefix and proxy rewrites undone, §5.3 step 4). */
  url: string
  /** Read for the signed headers' values; `Host` must be the one the client sent. */
  headers: Headers
  /** The raw body bytes, whatever the content type (empty for none). */
  body: Uint8Array
}

/** Outcome of {@link verifySAuthc1}; `reason` is for logs, never for the client. */
export type SAuthc1Check = { kind: 'ok' } | { kind: 'invalid'; reason: string }

const SCHEME = 'SAuthc1'
const ID_TERMINATOR = 'sauthc1_request'
const ALGORITHM = 'HMAC-SHA-256'
/** A real header is ~250 characters; a cap keeps hostile input from costing parse time. */
const MAX_HEADER_LENGTH = 2048
/** [EP] §5.3 step 3: a timestamp further than this from our clock is refused. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000
const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/
/** RFC 9110 §5.6.2 `token`: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const SIGNATURE = /^[0-9a-fA-F]{64}$/

/**
 * Parses an `Authorization` value of the form
 * `SAuthc1 sauthc1Id=<id>/<yyyyMMdd>/<nonce>/sauthc1_request, sauthc1SignedHeaders=a;b,
 * sauthc1Signature=<hex>` (§5.3 step 1). Never throws.
 *
 * @returns the parts, or `undefined` when the value is not exactly that shape.
 * @example
 * parseSAuthc1Header(c.req.header('authorization') ?? '')?.apiKeyId
 */
export function parseSAuthc1Header(value: string): SAuthc1Header | undefined {
  if (value.length > MAX_HEADER_LENGTH) return undefined
  const space = value.indexOf(' ')
  // RFC 9110 §11.1: the auth scheme is case-insensitive.
  if (space < 0 || value.slice(0, space).toLowerCase() !== SCHEME.toLowerCase()) return undefined
  const pairs = value.slice(space + 1).split(', ')
  if (pairs.length !== 3) return undefined

  const fields = new Map<string, string>()
  for (const pair of pairs) {
    const equals = pair.indexOf('=')
    if (equals <= 0) return undefined
    const name = pair.slice(0, equals)
    if (fields.has(name)) return undefined
    fields.set(name, pair.slice(equals + 1))
  }
  const id = fields.get('sauthc1Id')
  const signedList = fields.get('sauthc1SignedHeaders')
  const signature = fields.get('sauthc1Signature')
  if (id === undefined || signedList === undefined || signature === undefined) return undefined

  const scope = id.split('/')
  if (scope.length !== 4 || scope[3] !== ID_TERMINATOR) return undefined
  const [apiKeyId = '', date = '', nonce = ''] = scope
  if (apiKeyId === '' || nonce === '' || !/^\d{8}$/.test(date)) return undefined

  const signedHeaders = signedList.split(';')
  if (!signedHeaders.every((name) => HEADER_NAME.test(name))) return undefined
  if (!SIGNATURE.test(signature)) return undefined
  return { apiKeyId, date, nonce, signedHeaders, signature: signature.toLowerCase() }
}

/**
 * Java `URLEncoder` (UTF-8) followed by SAuthc1's fix-ups `+`→`%20`, `*`→`%2A`, `%7E`→`~`
 * (`RequestUtils.encodeUrl`): every byte but `A-Za-z0-9-._~` is percent-encoded, upper-case hex.
 * `encodeURIComponent` already spares exactly that set plus `!'()*`.
 */
function encodeCanonical(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/** Java hashes `URI.getPath()`, the DECODED path, re-encoded with `/` kept literal. */
function canonicalPath(url: URL): string {
  const path = decodeURIComponent(url.pathname)
  return path === '' ? '/' : encodeCanonical(path).replace(/%2F/g, '/')
}

/**
 * Parameters decoded (`+` is a space: `orderBy=name+asc` → `name asc`), sorted by name then
 * value in UTF-16 order (Java's `TreeMap<String,…>`), then re-encoded; `/` stays `%2F`. The raw
 * query is never hashed: clients differ in how they escape it.
 */
function canonicalQuery(url: URL): string {
  const params = [...url.searchParams]
  params.sort(([nameA, valueA], [nameB, valueB]) =>
    nameA !== nameB ? (nameA < nameB ? -1 : 1) : valueA < valueB ? -1 : valueA > valueB ? 1 : 0,
  )
  return params
    .map(([name, value]) => `${encodeCanonical(name)}=${encodeCanonical(value)}`)
    .join('&')
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  // WebCrypto wants an ArrayBuffer-backed view; copy only when the caller's is not.
  const bytes =
    data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : data.slice()
  return hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))
}

async function hmacSha256(
  key: Uint8Array<ArrayBuffer>,
  data: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const hmacKey = await crypto.subtle.importKey(
    'raw',
    key,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, utf8(data)))
}

/**
 * The hex signature a client holding `apiKeySecret` computes for `request` (§5.3 pseudo-code).
 * `timestamp` is the `X-Stormpath-Date` value, `yyyyMMdd'T'HHmmss'Z'`.
 *
 * Header values come from `request.headers`; `Headers` joins repeated values with `", "` where
 * Java joins them with `","`, which only matters for headers no SDK sends twice.
 *
 * @throws URIError when the url's path holds percent-escapes that are not UTF-8.
 * @example
 * await computeSAuthc1Signature(request, header, '20130701T000000Z', 'Shush!')
 */
export async function computeSAuthc1Signature(
  request: SignedRequest,
  header: Pick<SAuthc1Header, 'apiKeyId' | 'date' | 'nonce' | 'signedHeaders'>,
  timestamp: string,
  apiKeySecret: string,
): Promise<string> {
  const url = new URL(request.url)
  const headerLines = header.signedHeaders
    .map((name) => `${name.toLowerCase()}:${request.headers.get(name) ?? ''}\n`)
    .join('')
  // headerLines ends in "\n", so an empty line precedes the signed list (as in the Java SDK).
  const canonicalRequest = [
    request.method,
    canonicalPath(url),
    canonicalQuery(url),
    headerLines,
    header.signedHeaders.join(';'),
    await sha256Hex(request.body),
  ].join('\n')

  const scope = `${header.apiKeyId}/${header.date}/${header.nonce}/${ID_TERMINATOR}`
  const toSign = [ALGORITHM, timestamp, scope, await sha256Hex(utf8(canonicalRequest))].join('\n')

  // Derived-key chain: each step narrows the key to one day, one nonce, one purpose.
  const kDate = await hmacSha256(utf8(SCHEME + apiKeySecret), header.date)
  const kNonce = await hmacSha256(kDate, header.nonce)
  const kSigning = await hmacSha256(kNonce, ID_TERMINATOR)
  return hexEncode(await hmacSha256(kSigning, toSign))
}

/** Epoch milliseconds of a strict `yyyyMMdd'T'HHmmss'Z'`, or `undefined` (also for 20130231). */
function parseTimestamp(timestamp: string): number | undefined {
  const match = TIMESTAMP.exec(timestamp)
  if (!match) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const time = Date.UTC(year, month - 1, day, hour, minute, second)
  return formatTimestamp(new Date(time)) === timestamp ? time : undefined
}

function formatTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

const invalid = (reason: string): SAuthc1Check => ({ kind: 'invalid', reason })

/**
 * Everything except key lookup and nonce replay (which need the database): header well-formed,
 * `host` and `x-stormpath-date` signed, scope date = timestamp date, timestamp within ±15 min of
 * `now`, signature equal in constant time (§5.3 steps 3–5).
 *
 * @example
 * const check = await verifySAuthc1(signedRequest, header, storedSecret, deps.now())
 * if (check.kind === 'invalid') log.info('sauthc1 refused', { reason: check.reason })
 */
export async function verifySAuthc1(
  request: SignedRequest,
  header: SAuthc1Header,
  apiKeySecret: string,
  now: Date,
): Promise<SAuthc1Check> {
  if (!SIGNATURE.test(header.signature) || !/^\d{8}$/.test(header.date)) {
    return invalid('malformed header')
  }
  // Unsigned, they could be swapped: Host binds the request to this service, the date to a window.
  const signed = new Set(header.signedHeaders.map((name) => name.toLowerCase()))
  if (!signed.has('host')) return invalid('host header not signed')
  if (!signed.has('x-stormpath-date')) return invalid('x-stormpath-date header not signed')

  const timestamp = request.headers.get('x-stormpath-date') ?? ''
  const time = parseTimestamp(timestamp)
  if (time === undefined) return invalid('malformed x-stormpath-date')
  if (header.date !== timestamp.slice(0, 8)) return invalid('scope date differs from timestamp')
  // Bounds how long a captured request can be replayed; the nonce check covers the window.
  if (Math.abs(now.getTime() - time) > MAX_CLOCK_SKEW_MS) {
    return invalid('timestamp outside the allowed window')
  }

  let expected: string
  try {
    expected = await computeSAuthc1Signature(request, header, timestamp, apiKeySecret)
  } catch {
    return invalid('request cannot be canonicalised')
  }
  return timingSafeEqual(utf8(expected), utf8(header.signature.toLowerCase()))
    ? { kind: 'ok' }
    : invalid('signature mismatch')
}

/**
 * Signs a request as an SDK would: sets `Host` (from the url) and `X-Stormpath-Date`, signs every
 * header present, and adds `Authorization`. Returns the full header set to send.
 *
 * @example
 * const headers = await signSAuthc1(
 *   { method: 'GET', url: 'https://api.stormpath.com/v1/', body: new Uint8Array() },
 *   'MyId', 'Shush!', new Date(), crypto.randomUUID(),
 * )
 */
export async function signSAuthc1(
  request: Omit<SignedRequest, 'headers'> & { headers?: Headers },
  apiKeyId: string,
  apiKeySecret: string,
  now: Date,
  nonce: string,
): Promise<Headers> {
  const headers = new Headers(request.headers)
  headers.delete('authorization')
  // URL.host omits a default port, as Java's RequestUtils.isDefaultPort does.
  headers.set('host', new URL(request.url).host)
  const timestamp = formatTimestamp(now)
  headers.set('x-stormpath-date', timestamp)

  // Headers iterate lower-cased and sorted: the Java SDK's order.
  const signedHeaders = [...new Set([...headers.keys()])]
  const scope = { apiKeyId, date: timestamp.slice(0, 8), nonce, signedHeaders }
  const signature = await computeSAuthc1Signature(
    { ...request, headers },
    scope,
    timestamp,
    apiKeySecret,
  )
  headers.set(
    'authorization',
    `${SCHEME} sauthc1Id=${apiKeyId}/${scope.date}/${nonce}/${ID_TERMINATOR}, ` +
      `sauthc1SignedHeaders=${signedHeaders.join(';')}, sauthc1Signature=${signature}`,
  )
  return headers
}
