/**
 * One client connection: frames the byte stream into LDAPMessages, answers them in order, and
 * protects the process from the client. A message larger than `maxMessageBytes`, BER that can
 * never parse, or more unanswered input than the limit closes the connection after a Notice of
 * Disconnection; a client that stops reading makes the session stop reading too (the transport
 * reports backpressure), so its answers never pile up in memory.
 */
import { VERSION } from '../../src/http/platform'
import { describeError } from '../../src/log'
import { isAllowed } from '../../src/security/cidr'
import { BerError, concat, TAG, tlvLength } from './ber'
import { ANONYMOUS, simpleBind, viewOf, type BindContext, type Identity } from './bind'
import { makeEntry, type Entry } from './directory'
import { normalizeDn } from './dn'
import { attributeName, matchValue } from './filter'
import {
  decodePagedResults,
  decodeRequest,
  encodeSearchAnswer,
  encodeExtendedResult,
  encodeNoticeOfDisconnection,
  encodePagedResultsControl,
  encodeResult,
  OID,
  OP,
  RequestError,
  RESULT,
  type Request,
} from './messages'
import { entryBody, searchView, selectAttributes, type AttributeSelection } from './search'

/** Requests a connection may have waiting (pipelined, or held back while its client is not reading). */
const MAX_QUEUED_REQUESTS = 1024
const MAX_QUEUED_BYTES = 1024 * 1024

export interface SessionLimits {
  /** Largest LDAPMessage accepted (a bind or search is a few hundred bytes). */
  maxMessageBytes: number
  /** Most entries an unpaged search returns before sizeLimitExceeded. */
  sizeLimit: number
  /** Longest a search runs, in seconds, whatever the client asks. */
  timeLimitSeconds: number
  /** Largest page a paged search returns, whatever the client asks. */
  maxPageSize: number
  /** Paged searches a connection may keep open at once (the oldest is dropped). */
  maxCursors: number
}

export const DEFAULT_LIMITS: SessionLimits = {
  maxMessageBytes: 256 * 1024,
  sizeLimit: 10_000,
  timeLimitSeconds: 10,
  maxPageSize: 1000,
  maxCursors: 8,
}

/** What the session needs of its socket. */
export interface Transport {
  /** Queues bytes; false when the socket's buffer is over its high-water mark. */
  write(bytes: Uint8Array): boolean
  close(): void
  /** Switches the socket to TLS after the StartTLS response; absent when TLS is not configured. */
  startTls?: () => void
  readonly secure: boolean
}

export interface SessionContext extends BindContext {
  limits: SessionLimits
}

interface Cursor {
  entries: Entry[]
  offset: number
  selection: AttributeSelection
  /** Entries the client's size limit still allows (Infinity without one). */
  remaining: number
}

export class LdapSession {
  identity: Identity = ANONYMOUS
  private input: Uint8Array = new Uint8Array(0)
  private queue: Uint8Array[] = []
  private busy = false
  private paused = false
  private closed = false
  private cursors = new Map<string, Cursor>()

  constructor(
    private readonly context: SessionContext,
    private readonly transport: Transport,
  ) {}

  /** Bytes from the client. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return
    this.input = this.input.length === 0 ? new Uint8Array(chunk) : concat([this.input, chunk])
    try {
      for (;;) {
        // Every LDAPMessage is a SEQUENCE: anything else (an HTTP request, a TLS hello on the
        // plain port) is refused at its first byte rather than waited on.
        if (this.input.length > 0 && this.input[0] !== TAG.sequence) {
          throw new BerError('not an LDAP message')
        }
        const length = tlvLength(this.input)
        if (length !== undefined && length > this.context.limits.maxMessageBytes) {
          throw new BerError(`message larger than ${this.context.limits.maxMessageBytes} bytes`)
        }
        if (length === undefined || this.input.length < length) break
        this.queue.push(this.input.subarray(0, length))
        this.input = this.input.subarray(length)
      }
      if (this.input.length > this.context.limits.maxMessageBytes)
        throw new BerError('message too large')
    } catch (error) {
      this.disconnect(RESULT.protocolError, (error as Error).message)
      return
    }
    // A client that sends without reading its answers: the session stops answering (paused),
    // so requests pile up here; past a bound the connection is dropped rather than the memory.
    const queuedBytes = this.queue.reduce((total, pdu) => total + pdu.length, 0)
    if (this.queue.length > MAX_QUEUED_REQUESTS || queuedBytes > MAX_QUEUED_BYTES) {
      this.disconnect(RESULT.busy, 'Too many requests waiting for an answer.')
      return
    }
    void this.pump()
  }

  /** The socket took what was buffered: answering may go on. */
  drained(): void {
    this.paused = false
    void this.pump()
  }

  /** The socket closed: forget everything. */
  end(): void {
    this.closed = true
    this.queue = []
    this.cursors.clear()
  }

  private async pump(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      while (!this.closed && !this.paused && this.queue.length > 0) {
        const pdu = this.queue.shift()!
        await this.handle(pdu)
      }
    } finally {
      this.busy = false
    }
  }

  private send(bytes: Uint8Array): void {
    if (this.closed) return
    if (!this.transport.write(bytes)) this.paused = true
  }

  private disconnect(code: number, message: string): void {
    if (this.closed) return
    this.send(encodeNoticeOfDisconnection(code, message))
    this.closed = true
    this.transport.close()
  }

  private async handle(pdu: Uint8Array): Promise<void> {
    let request: Request
    try {
      request = decodeRequest(pdu)
    } catch (error) {
      if (error instanceof RequestError && error.responseTag !== undefined) {
        this.send(encodeResult(error.id, error.responseTag, error.code, error.message))
      } else this.disconnect(RESULT.protocolError, (error as Error).message)
      return
    }
    try {
      await this.answer(request)
    } catch (error) {
      this.context.deps.log.error('ldap request failed', {
        op: request.op,
        ...describeError(error),
      })
      const tag = RESPONSE_TAG[request.op]
      if (tag !== undefined)
        this.send(encodeResult(request.id, tag, RESULT.other, 'Internal error.'))
    }
  }

  private async answer(request: Request): Promise<void> {
    const critical = request.controls.find(
      (control) =>
        control.critical && !(request.op === 'search' && control.type === OID.pagedResults),
    )
    if (critical && RESPONSE_TAG[request.op] !== undefined) {
      this.send(
        encodeResult(
          request.id,
          RESPONSE_TAG[request.op]!,
          RESULT.unavailableCriticalExtension,
          `Control ${critical.type} is not supported.`,
        ),
      )
      return
    }
    switch (request.op) {
      case 'bind':
        return this.bind(request)
      case 'unbind':
        this.closed = true
        this.transport.close()
        return
      case 'search':
        return this.search(request)
      case 'compare':
        return this.compare(request)
      case 'extended':
        return this.extended(request)
      case 'abandon':
        return // answered in order, so the abandoned operation is already done (RFC 4511 §4.11)
      case 'write':
        this.send(
          encodeResult(
            request.id,
            request.responseTag,
            RESULT.unwillingToPerform,
            'This directory is read-only.',
          ),
        )
    }
  }

  private async bind(request: Extract<Request, { op: 'bind' }>): Promise<void> {
    // RFC 4513 §4: a bind, even a failed one, leaves the connection anonymous.
    const previous = this.identity
    this.identity = ANONYMOUS
    this.cursors.clear()
    const respond = (code: number, message = '') =>
      this.send(encodeResult(request.id, OP.bindResponse, code, message))
    if (request.version !== 3) return respond(RESULT.protocolError, 'Only LDAPv3 is supported.')
    if (request.saslMechanism !== undefined) {
      return respond(RESULT.authMethodNotSupported, 'Only simple binds are supported.')
    }
    const outcome = await simpleBind(this.context, request.name, request.password ?? '', previous)
    if (outcome.kind === 'refused') return respond(outcome.code, outcome.message)
    this.identity = outcome.identity
    respond(RESULT.success)
  }

  private search(request: Extract<Request, { op: 'search' }>): void {
    const { limits } = this.context
    const done = (
      code: number,
      message = '',
      options: { matchedDn?: string; controls?: Uint8Array } = {},
    ) => encodeResult(request.id, OP.searchResultDone, code, message, options)
    const paged = request.controls.find((control) => control.type === OID.pagedResults)
    let page: { size: number; cookie: Uint8Array } | undefined
    if (paged) {
      try {
        page = decodePagedResults(paged.value)
      } catch (error) {
        return this.send(done(RESULT.protocolError, (error as Error).message))
      }
    }
    const selection = selectAttributes(request.attributes, request.typesOnly)
    let cursor: Cursor | undefined
    if (page && page.cookie.length > 0) {
      const key = hex(page.cookie)
      cursor = this.cursors.get(key)
      this.cursors.delete(key)
      if (!cursor)
        return this.send(done(RESULT.unwillingToPerform, 'The paged results cookie is not valid.'))
      if (page.size === 0)
        return this.send(
          done(RESULT.success, '', { controls: encodePagedResultsControl(new Uint8Array(0)) }),
        )
    } else {
      const seconds = Math.min(request.timeLimit || Infinity, limits.timeLimitSeconds)
      const outcome = searchView(
        viewOf(this.context.index, this.identity),
        request,
        () => this.rootDse(),
        Date.now() + seconds * 1000,
      )
      if (outcome.kind === 'error') {
        return this.send(done(outcome.code, outcome.message, { matchedDn: outcome.matchedDn }))
      }
      if (outcome.timedOut)
        return this.writeEntries(
          request.id,
          outcome.entries,
          selection,
          done(RESULT.timeLimitExceeded),
        )
      const clientLimit = request.sizeLimit || Infinity
      if (!page) {
        const limit = Math.min(clientLimit, limits.sizeLimit)
        if (outcome.entries.length > limit) {
          return this.writeEntries(
            request.id,
            outcome.entries.slice(0, limit),
            selection,
            done(RESULT.sizeLimitExceeded),
          )
        }
        return this.writeEntries(request.id, outcome.entries, selection, done(RESULT.success))
      }
      if (page.size === 0)
        return this.send(
          done(RESULT.success, '', { controls: encodePagedResultsControl(new Uint8Array(0)) }),
        )
      cursor = { entries: outcome.entries, offset: 0, selection, remaining: clientLimit }
    }
    // RFC 2696 §3: the page size is the client's, within the server's own limit.
    const size = Math.min(page!.size || limits.maxPageSize, limits.maxPageSize, cursor.remaining)
    const entries = cursor.entries.slice(cursor.offset, cursor.offset + size)
    cursor.offset += entries.length
    cursor.remaining -= entries.length
    const more = cursor.offset < cursor.entries.length
    if (more && cursor.remaining <= 0) {
      return this.writeEntries(
        request.id,
        entries,
        cursor.selection,
        done(RESULT.sizeLimitExceeded, '', {
          controls: encodePagedResultsControl(new Uint8Array(0)),
        }),
      )
    }
    let cookie = new Uint8Array(0)
    if (more) {
      cookie = crypto.getRandomValues(new Uint8Array(12))
      this.cursors.set(hex(cookie), cursor)
      if (this.cursors.size > limits.maxCursors)
        this.cursors.delete(this.cursors.keys().next().value!)
    }
    this.writeEntries(
      request.id,
      entries,
      cursor.selection,
      done(RESULT.success, '', { controls: encodePagedResultsControl(cookie) }),
    )
  }

  /** The entries and the SearchResultDone in one write. */
  private writeEntries(
    id: number,
    entries: readonly Entry[],
    selection: AttributeSelection,
    done: Uint8Array,
  ): void {
    this.send(
      encodeSearchAnswer(
        id,
        entries.map((entry) => entryBody(entry, selection)),
        done,
      ),
    )
  }

  private compare(request: Extract<Request, { op: 'compare' }>): void {
    const respond = (code: number, message = '') =>
      this.send(encodeResult(request.id, OP.compareResponse, code, message))
    const view = viewOf(this.context.index, this.identity)
    if (!view) return respond(RESULT.insufficientAccessRights, 'Bind first to compare.')
    const key = normalizeDn(request.entry)
    if (key === undefined) return respond(RESULT.invalidDNSyntax, 'The entry is not a valid DN.')
    const entry = view.byKey.get(key)
    if (!entry) return respond(RESULT.noSuchObject, 'No such entry.')
    const attribute = attributeName(request.attribute)
    const values = entry.match[attribute]
    if (!values) return respond(RESULT.noSuchAttribute, 'The entry has no such attribute.')
    respond(
      values.includes(matchValue(attribute, request.value))
        ? RESULT.compareTrue
        : RESULT.compareFalse,
    )
  }

  private extended(request: Extract<Request, { op: 'extended' }>): void {
    const respond = (code: number, message: string, response?: { name?: string; value?: string }) =>
      this.send(encodeExtendedResult(request.id, code, message, response))
    if (request.name === OID.whoAmI) {
      // RFC 4532: "dn:<DN>" for a bound connection, empty for anonymous.
      const value = this.identity.kind === 'anonymous' ? '' : `dn:${this.identity.dn}`
      return respond(RESULT.success, '', { value })
    }
    if (request.name === OID.startTls && this.transport.startTls) {
      if (this.transport.secure)
        return respond(RESULT.operationsError, 'TLS is already in use.', { name: OID.startTls })
      respond(RESULT.success, '', { name: OID.startTls })
      this.transport.startTls()
      return
    }
    respond(RESULT.protocolError, `Extended operation ${request.name} is not supported.`)
  }

  /** The rootDSE: what this server supports, and the naming contexts this client may use. */
  private rootDse(): Entry {
    const { identity, context } = this
    const contexts =
      identity.kind === 'anonymous'
        ? context.index.trees
            .filter((tree) => isAllowed(context.address, tree.allowlist))
            .map((tree) => tree.suffix)
        : [context.index.treeOfTenant(identity.tenantId)?.suffix ?? ''].filter(Boolean)
    const extensions = [OID.whoAmI, ...(this.transport.startTls ? [OID.startTls] : [])]
    return makeEntry('container', '', {
      dn: '',
      attributes: {
        objectclass: ['top'],
        ...(contexts.length > 0 ? { namingcontexts: contexts } : {}),
        supportedldapversion: ['3'],
        supportedcontrol: [OID.pagedResults],
        supportedextension: extensions,
        // RFC 3673: `+` returns every operational attribute.
        supportedfeatures: ['1.3.6.1.4.1.4203.1.5.1'],
        vendorname: ['Edgepass'],
        vendorversion: [VERSION],
      },
    })
  }
}

const RESPONSE_TAG: Partial<Record<Request['op'], number>> = {
  bind: OP.bindResponse,
  search: OP.searchResultDone,
  compare: OP.compareResponse,
  extended: OP.extendedResponse,
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
