/**
 * LDAPv3 messages (RFC 4511 §4): the requests a client sends, decoded into plain objects, and
 * the responses the server writes. Responses are encoded here, byte for byte, so a search's
 * entries and its SearchResultDone can be written in one socket write, and an entry's attributes
 * can be encoded once and reused (see `encodeEntryBody`).
 */
import {
  BerError,
  BerReader,
  constructed,
  enumerated,
  integer,
  lengthHeader,
  octetString,
  primitive,
  TAG,
} from './ber'
import { readFilter, type Filter } from './filter'

/** Protocol operation tags (RFC 4511 §4.2–4.14, APPLICATION class). */
export const OP = {
  bindRequest: 0x60,
  bindResponse: 0x61,
  unbindRequest: 0x42,
  searchRequest: 0x63,
  searchResultEntry: 0x64,
  searchResultDone: 0x65,
  modifyRequest: 0x66,
  modifyResponse: 0x67,
  addRequest: 0x68,
  addResponse: 0x69,
  delRequest: 0x4a,
  delResponse: 0x6b,
  modDnRequest: 0x6c,
  modDnResponse: 0x6d,
  compareRequest: 0x6e,
  compareResponse: 0x6f,
  abandonRequest: 0x50,
  extendedRequest: 0x77,
  extendedResponse: 0x78,
} as const

/** Result codes used here (RFC 4511 Appendix A). */
export const RESULT = {
  success: 0,
  operationsError: 1,
  protocolError: 2,
  timeLimitExceeded: 3,
  sizeLimitExceeded: 4,
  compareFalse: 5,
  compareTrue: 6,
  authMethodNotSupported: 7,
  unavailableCriticalExtension: 12,
  noSuchAttribute: 16,
  noSuchObject: 32,
  invalidDNSyntax: 34,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
  other: 80,
} as const

export const OID = {
  pagedResults: '1.2.840.113556.1.4.319',
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
  startTls: '1.3.6.1.4.1.1466.20037',
  noticeOfDisconnection: '1.3.6.1.4.1.1466.20036',
} as const

export interface Control {
  type: string
  critical: boolean
  value?: Uint8Array
}

interface Envelope {
  id: number
  controls: Control[]
}

export type SearchScope = 'base' | 'one' | 'sub'

/** A request's operation, without its envelope. */
export type Operation =
  | { op: 'bind'; version: number; name: string; password?: string; saslMechanism?: string }
  | { op: 'unbind' }
  | {
      op: 'search'
      base: string
      scope: SearchScope
      sizeLimit: number
      timeLimit: number
      typesOnly: boolean
      filter: Filter
      attributes: string[]
    }
  | { op: 'compare'; entry: string; attribute: string; value: string }
  | { op: 'extended'; name: string; value?: Uint8Array }
  | { op: 'abandon'; target: number }
  /** Add, modify, delete, modify DN: answered with `responseTag`. */
  | { op: 'write'; responseTag: number }

export type Request = Envelope & Operation

const WRITE_RESPONSES: Record<number, number> = {
  [OP.addRequest]: OP.addResponse,
  [OP.modifyRequest]: OP.modifyResponse,
  [OP.delRequest]: OP.delResponse,
  [OP.modDnRequest]: OP.modDnResponse,
}

/** What a client sent that can be answered with an error on its message id. */
export class RequestError extends Error {
  constructor(
    readonly id: number,
    readonly responseTag: number | undefined,
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

const SCOPES: Record<number, SearchScope> = { 0: 'base', 1: 'one', 2: 'sub' }

/**
 * Decodes one whole LDAPMessage. A message whose envelope is unreadable throws
 * {@link BerError} (the connection cannot go on); a readable envelope around a malformed
 * operation throws {@link RequestError}, answered on its id.
 */
export function decodeRequest(pdu: Uint8Array): Request {
  const message = new BerReader(pdu).enter(TAG.sequence)
  const id = message.readInteger()
  if (id < 0) throw new BerError('negative message id')
  const tag = message.peekTag()
  const responseTag = responseTagOf(tag)
  try {
    const request = decodeOperation(message, tag)
    const controls = message.atEnd ? [] : readControls(message.enter(0xa0))
    return { id, controls, ...request } as Request
  } catch (error) {
    if (!(error instanceof BerError)) throw error
    throw new RequestError(id, responseTag, RESULT.protocolError, error.message)
  }
}

function responseTagOf(tag: number): number | undefined {
  if (tag === OP.bindRequest) return OP.bindResponse
  if (tag === OP.searchRequest) return OP.searchResultDone
  if (tag === OP.compareRequest) return OP.compareResponse
  if (tag === OP.extendedRequest) return OP.extendedResponse
  return WRITE_RESPONSES[tag]
}

function decodeOperation(message: BerReader, tag: number): Operation {
  switch (tag) {
    case OP.bindRequest: {
      const bind = message.enter(tag)
      const version = bind.readInteger()
      const name = bind.readString()
      const auth = bind.peekTag()
      if (auth === 0x80) return { op: 'bind', version, name, password: bind.readString(auth) }
      if (auth === 0xa3) {
        return { op: 'bind', version, name, saslMechanism: bind.enter(auth).readString() }
      }
      throw new BerError('unknown authentication choice')
    }
    case OP.unbindRequest:
      message.read(tag)
      return { op: 'unbind' }
    case OP.searchRequest: {
      const search = message.enter(tag)
      const base = search.readString()
      const scope = SCOPES[search.readEnumerated()]
      if (!scope) throw new BerError('unknown search scope')
      search.readEnumerated() // derefAliases: there are no aliases here
      const sizeLimit = search.readInteger()
      const timeLimit = search.readInteger()
      const typesOnly = search.readBoolean()
      const filter = readFilter(search)
      const list = search.enter(TAG.sequence)
      const attributes: string[] = []
      while (!list.atEnd) attributes.push(list.readString())
      if (sizeLimit < 0 || timeLimit < 0) throw new BerError('negative limit')
      return { op: 'search', base, scope, sizeLimit, timeLimit, typesOnly, filter, attributes }
    }
    case OP.compareRequest: {
      const compare = message.enter(tag)
      const entry = compare.readString()
      const ava = compare.enter(TAG.sequence)
      return { op: 'compare', entry, attribute: ava.readString(), value: ava.readString() }
    }
    case OP.extendedRequest: {
      const extended = message.enter(tag)
      const name = extended.readString(0x80)
      const value = extended.atEnd ? undefined : extended.readBytes(0x81)
      return { op: 'extended', name, value }
    }
    case OP.abandonRequest:
      return { op: 'abandon', target: message.readInteger(tag) }
    default: {
      const responseTag = WRITE_RESPONSES[tag]
      if (responseTag === undefined) throw new BerError(`unknown operation 0x${tag.toString(16)}`)
      message.read(tag)
      return { op: 'write', responseTag }
    }
  }
}

function readControls(list: BerReader): Control[] {
  const controls: Control[] = []
  while (!list.atEnd) {
    const control = list.enter(TAG.sequence)
    const type = control.readString()
    let critical = false
    if (!control.atEnd && control.peekTag() === TAG.boolean) critical = control.readBoolean()
    const value = control.atEnd ? undefined : control.readBytes()
    controls.push({ type, critical, value })
  }
  return controls
}

/** The paged-results control's value (RFC 2696 §2): page size and cookie. */
export function decodePagedResults(value: Uint8Array | undefined): {
  size: number
  cookie: Uint8Array
} {
  if (!value) throw new BerError('paged results control without a value')
  const sequence = new BerReader(value).enter(TAG.sequence)
  const size = sequence.readInteger()
  if (size < 0) throw new BerError('negative page size')
  return { size, cookie: sequence.readBytes() }
}

// ---------------------------------------------------------------------------------------------
// Responses

function envelope(id: number, operation: Uint8Array, controls?: Uint8Array): Uint8Array {
  return constructed(
    TAG.sequence,
    controls ? [integer(id), operation, controls] : [integer(id), operation],
  )
}

/**
 * The messages of one search answer, written straight into one buffer: each entry's envelope
 * around its cached body, then the SearchResultDone. Saves a copy per entry over building each
 * message apart and concatenating (this is the hot path of every search).
 */
export function encodeSearchAnswer(
  id: number,
  bodies: readonly Uint8Array[],
  done: Uint8Array,
): Uint8Array {
  const idBytes = integer(id)
  let length = done.length
  const headers: Uint8Array[] = []
  for (const body of bodies) {
    const header = lengthHeader(TAG.sequence, idBytes.length + body.length)
    headers.push(header)
    length += header.length + idBytes.length + body.length
  }
  const out = new Uint8Array(length)
  let offset = 0
  for (let i = 0; i < bodies.length; i++) {
    out.set(headers[i]!, offset)
    offset += headers[i]!.length
    out.set(idBytes, offset)
    offset += idBytes.length
    out.set(bodies[i]!, offset)
    offset += bodies[i]!.length
  }
  out.set(done, offset)
  return out
}

function resultParts(code: number, message = '', matchedDn = ''): Uint8Array[] {
  return [enumerated(code), octetString(matchedDn), octetString(message)]
}

/** An LDAPResult-shaped response (BindResponse, SearchResultDone, CompareResponse, …). */
export function encodeResult(
  id: number,
  tag: number,
  code: number,
  message = '',
  options: { matchedDn?: string; controls?: Uint8Array } = {},
): Uint8Array {
  const plain = message === '' && !options.matchedDn
  let operation = plain ? plainResults.get(tag * 256 + code) : undefined
  if (!operation) {
    operation = constructed(tag, resultParts(code, message, options.matchedDn))
    // The answers without text (success, mostly) are the same bytes every time.
    if (plain) plainResults.set(tag * 256 + code, operation)
  }
  return envelope(id, operation, options.controls)
}

const plainResults = new Map<number, Uint8Array>()

/** An ExtendedResponse, with its name and value when given. */
export function encodeExtendedResult(
  id: number,
  code: number,
  message: string,
  response: { name?: string; value?: string } = {},
): Uint8Array {
  const parts = resultParts(code, message)
  if (response.name !== undefined) parts.push(primitive(0x8a, response.name))
  if (response.value !== undefined) parts.push(primitive(0x8b, response.value))
  return envelope(id, constructed(OP.extendedResponse, parts))
}

/** The unsolicited Notice of Disconnection (RFC 4511 §4.4.1), sent before closing on bad input. */
export function encodeNoticeOfDisconnection(code: number, message: string): Uint8Array {
  return encodeExtendedResult(0, code, message, { name: OID.noticeOfDisconnection })
}

/**
 * The body of a SearchResultEntry (its APPLICATION 4 element): the DN and the attributes.
 * Kept apart from the envelope so the index can cache it and {@link encodeSearchAnswer} only adds the
 * message id.
 */
export function encodeEntryBody(
  dn: string,
  attributes: readonly (readonly [name: string, values: readonly string[]])[],
): Uint8Array {
  const list = attributes.map(([name, values]) =>
    constructed(TAG.sequence, [octetString(name), constructed(TAG.set, values.map(octetString))]),
  )
  return constructed(OP.searchResultEntry, [octetString(dn), constructed(TAG.sequence, list)])
}

/** The response controls element with a paged-results control (RFC 2696 §2). */
export function encodePagedResultsControl(cookie: Uint8Array): Uint8Array {
  const value = constructed(TAG.sequence, [integer(0), octetString(cookie)])
  return constructed(0xa0, [
    constructed(TAG.sequence, [octetString(OID.pagedResults), octetString(value)]),
  ])
}
