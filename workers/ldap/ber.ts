/**
 * The BER subset LDAP uses (RFC 4511 §5.1: definite lengths only, tags below 31), read strictly
 * and written in one allocation. Hand-written rather than `@ldapjs/asn1`'s reader, which answers
 * `null` for truncated input and lets the caller carry on: here every read is bounds-checked and
 * malformed input throws a {@link BerError}, which the session turns into a protocolError.
 */

/** Malformed or truncated BER in a client's message. */
export class BerError extends Error {
  override readonly name = 'BerError'
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  enumerated: 0x0a,
  sequence: 0x30,
  set: 0x31,
} as const

/** One tag-length-value: the tag, and where its value starts and ends in the buffer. */
export interface Tlv {
  tag: number
  start: number
  end: number
}

/**
 * The whole length of the TLV starting at `offset`, or undefined when the buffer does not hold
 * all of its header yet. Throws for what can never become valid (indefinite or 5+ byte lengths).
 */
export function tlvLength(buffer: Uint8Array, offset = 0, end = buffer.length): number | undefined {
  if (end - offset < 2) return undefined
  const first = buffer[offset + 1]!
  if (first < 0x80) return 2 + first
  const count = first & 0x7f
  if (count === 0) throw new BerError('indefinite lengths are not allowed in LDAP')
  if (count > 4) throw new BerError('length too long')
  if (end - offset < 2 + count) return undefined
  let length = 0
  for (let i = 0; i < count; i++) length = length * 256 + buffer[offset + 2 + i]!
  return 2 + count + length
}

const utf8 = new TextDecoder()

/** A cursor over a byte range; every read checks the range. */
export class BerReader {
  constructor(
    readonly buffer: Uint8Array,
    public offset = 0,
    readonly end = buffer.length,
  ) {}

  get atEnd(): boolean {
    return this.offset >= this.end
  }

  peekTag(): number {
    if (this.offset >= this.end) throw new BerError('unexpected end of message')
    return this.buffer[this.offset]!
  }

  /** Reads a TLV header (checking the tag when given) and skips its value. */
  read(expected?: number): Tlv {
    const tag = this.peekTag()
    if (expected !== undefined && tag !== expected) {
      throw new BerError(`expected tag 0x${hex(expected)}, found 0x${hex(tag)}`)
    }
    if ((tag & 0x1f) === 0x1f) throw new BerError('multi-byte tags are not used by LDAP')
    const length = tlvLength(this.buffer, this.offset, this.end)
    if (length === undefined || this.offset + length > this.end) {
      throw new BerError('truncated element')
    }
    const headerLength = length - this.valueLength(length)
    const tlv = { tag, start: this.offset + headerLength, end: this.offset + length }
    this.offset = tlv.end
    return tlv
  }

  /** A reader over the value of a constructed element (SEQUENCE, SET, application tags). */
  enter(expected?: number): BerReader {
    const tlv = this.read(expected)
    return new BerReader(this.buffer, tlv.start, tlv.end)
  }

  readInteger(tag: number = TAG.integer): number {
    const { start, end } = this.read(tag)
    if (end === start || end - start > 4) throw new BerError('integer of unsupported size')
    // Two's complement: a negative number starts from -1 (all bits set).
    let value = this.buffer[start]! & 0x80 ? -1 : 0
    for (let i = start; i < end; i++) value = value * 256 + this.buffer[i]!
    return value
  }

  readEnumerated(): number {
    return this.readInteger(TAG.enumerated)
  }

  readBoolean(tag: number = TAG.boolean): boolean {
    const { start, end } = this.read(tag)
    if (end - start !== 1) throw new BerError('boolean of wrong size')
    return this.buffer[start] !== 0
  }

  readBytes(tag: number = TAG.octetString): Uint8Array {
    const { start, end } = this.read(tag)
    return this.buffer.subarray(start, end)
  }

  readString(tag: number = TAG.octetString): string {
    return utf8.decode(this.readBytes(tag))
  }

  private valueLength(total: number): number {
    const first = this.buffer[this.offset + 1]!
    return first < 0x80 ? total - 2 : total - 2 - (first & 0x7f)
  }
}

function hex(tag: number): string {
  return tag.toString(16).padStart(2, '0')
}

const utf8Encoder = new TextEncoder()

/** Bytes or a string (UTF-8) as the contents of an element. */
export type Contents = Uint8Array | string

function bytesOf(contents: Contents): Uint8Array {
  return typeof contents === 'string' ? utf8Encoder.encode(contents) : contents
}

/** A tag and a length, as they start an element. */
export function lengthHeader(tag: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(tag, length)
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff)
  return Uint8Array.of(tag, 0x80 | bytes.length, ...bytes)
}

/** Concatenates byte arrays in one allocation. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** An element whose value is the concatenation of `children` (already encoded). */
export function constructed(tag: number, children: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const child of children) length += child.length
  return concat([lengthHeader(tag, length), ...children])
}

/** A primitive element: OCTET STRING by default. */
export function primitive(tag: number, contents: Contents): Uint8Array {
  const bytes = bytesOf(contents)
  return concat([lengthHeader(tag, bytes.length), bytes])
}

export const octetString = (contents: Contents) => primitive(TAG.octetString, contents)

/** INTEGER or ENUMERATED in the fewest two's-complement bytes. */
export function integer(value: number, tag: number = TAG.integer): Uint8Array {
  const bytes: number[] = []
  let rest = value
  do {
    bytes.unshift(rest & 0xff)
    rest = Math.floor(rest / 256)
  } while (rest !== 0 && rest !== -1)
  if (value >= 0 && bytes[0]! & 0x80) bytes.unshift(0)
  if (value < 0 && !(bytes[0]! & 0x80)) bytes.unshift(0xff)
  return Uint8Array.of(tag, bytes.length, ...bytes)
}

export const enumerated = (value: number) => integer(value, TAG.enumerated)

export const boolean = (value: boolean) => Uint8Array.of(TAG.boolean, 1, value ? 0xff : 0)
