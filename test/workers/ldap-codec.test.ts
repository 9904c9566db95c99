/**
 * The LDAP worker's pure parts: the strict BER reader and writer, request decoding, filters and
 * DNs. The suites with real clients (ldap-server, ldap-hostile) cover them end to end; these pin
 * the edge cases down one by one.
 */
import { describe, expect, test } from 'bun:test'
import {
  BerError,
  BerReader,
  boolean,
  constructed,
  enumerated,
  integer,
  octetString,
  primitive,
  tlvLength,
} from '../../workers/ldap/ber'
import { buildTree } from '../../workers/ldap/directory'
import { isWithin, normalizeDn, parentOf } from '../../workers/ldap/dn'
import { filterMatches, indexableTerms, readFilter, type Filter } from '../../workers/ldap/filter'
import { decodeRequest, encodeResult, OP, RequestError } from '../../workers/ldap/messages'
import { searchView } from '../../workers/ldap/search'

const message = (id: number, operation: Uint8Array, controls?: Uint8Array) =>
  constructed(0x30, controls ? [integer(id), operation, controls] : [integer(id), operation])

const search = (filter: Uint8Array, attributes: string[] = []) =>
  constructed(0x63, [
    octetString('dc=x'),
    enumerated(2),
    enumerated(0),
    integer(5),
    integer(0),
    boolean(false),
    filter,
    constructed(0x30, attributes.map(octetString)),
  ])

const equality = (attribute: string, value: string) =>
  constructed(0xa3, [octetString(attribute), octetString(value)])

const parse = (bytes: Uint8Array): Filter => readFilter(new BerReader(bytes))

describe('BER', () => {
  test('integers round-trip in the fewest bytes, negative ones in two’s complement', () => {
    for (const value of [0, 1, 127, 128, 255, 256, 65_535, 2 ** 31 - 1, -1, -128, -129]) {
      const bytes = integer(value)
      expect(new BerReader(bytes).readInteger()).toBe(value)
    }
    expect([...integer(128)]).toEqual([0x02, 0x02, 0x00, 0x80])
    expect([...integer(-1)]).toEqual([0x02, 0x01, 0xff])
  })

  test('long lengths: short form below 128, long form above, read back exactly', () => {
    const long = octetString('x'.repeat(300))
    expect([...long.subarray(0, 4)]).toEqual([0x04, 0x82, 0x01, 0x2c])
    expect(tlvLength(long)).toBe(304)
    expect(new BerReader(long).readString()).toBe('x'.repeat(300))
  })

  test('tlvLength: undefined while the header is incomplete, an error for what can never be valid', () => {
    expect(tlvLength(Uint8Array.of(0x30))).toBeUndefined()
    expect(tlvLength(Uint8Array.of(0x30, 0x82, 0x01))).toBeUndefined()
    expect(() => tlvLength(Uint8Array.of(0x30, 0x80))).toThrow(BerError)
    expect(() => tlvLength(Uint8Array.of(0x30, 0x85, 0, 0, 0, 0, 1))).toThrow(BerError)
  })

  test('reads never run past the element: truncated values and wrong tags throw BerError', () => {
    expect(() => new BerReader(Uint8Array.of(0x04, 0x05, 0x61)).readString()).toThrow('truncated')
    expect(() => new BerReader(octetString('a')).readInteger()).toThrow('expected tag 0x02')
    expect(() => new BerReader(Uint8Array.of(0x02, 0x00)).readInteger()).toThrow('integer')
    expect(() => new BerReader(Uint8Array.of(0x01, 0x02, 0, 0)).readBoolean()).toThrow('boolean')
    const inner = new BerReader(constructed(0x30, [octetString('a')])).enter(0x30)
    inner.readString()
    expect(() => inner.readString()).toThrow('unexpected end')
  })
})

describe('requests', () => {
  test('a simple bind and a SASL bind', () => {
    const simple = decodeRequest(
      message(7, constructed(0x60, [integer(3), octetString('cn=a'), primitive(0x80, 'pw')])),
    )
    expect(simple).toMatchObject({ id: 7, op: 'bind', version: 3, name: 'cn=a', password: 'pw' })
    const sasl = decodeRequest(
      message(
        8,
        constructed(0x60, [integer(3), octetString(''), constructed(0xa3, [octetString('PLAIN')])]),
      ),
    )
    expect(sasl).toMatchObject({ op: 'bind', saslMechanism: 'PLAIN' })
  })

  test('a search with its limits, attributes and a paged-results control', () => {
    const control = constructed(0xa0, [
      constructed(0x30, [
        octetString('1.2.840.113556.1.4.319'),
        boolean(true),
        octetString(constructed(0x30, [integer(10), octetString('')])),
      ]),
    ])
    const request = decodeRequest(
      message(3, search(equality('UID', 'Bob'), ['memberOf', '+']), control),
    )
    expect(request).toMatchObject({
      id: 3,
      op: 'search',
      base: 'dc=x',
      scope: 'sub',
      sizeLimit: 5,
      attributes: ['memberOf', '+'],
      filter: { type: 'equality', attribute: 'uid', value: 'bob' },
      controls: [{ type: '1.2.840.113556.1.4.319', critical: true }],
    })
  })

  test('a malformed operation in a readable envelope is answered on its id; a broken envelope is not', () => {
    const broken = message(9, constructed(0x63, [octetString('dc=x'), enumerated(7)]))
    try {
      decodeRequest(broken)
      throw new Error('should not parse')
    } catch (error) {
      expect(error).toBeInstanceOf(RequestError)
      expect(error).toMatchObject({ id: 9, responseTag: OP.searchResultDone, code: 2 })
    }
    expect(() => decodeRequest(Uint8Array.of(0x30, 0x03, 0x04, 0x01, 0x61))).toThrow(BerError)
    expect(() => decodeRequest(message(1, constructed(0x7f, [])))).toThrow()
  })

  test('writes are recognised as writes, whatever their content', () => {
    expect(decodeRequest(message(2, primitive(0x4a, 'cn=x,dc=x')))).toMatchObject({
      op: 'write',
      responseTag: OP.delResponse,
    })
  })

  test('an LDAPResult carries the id, code, matchedDN and message', () => {
    const bytes = encodeResult(42, OP.bindResponse, 49, 'Invalid credentials.', {
      matchedDn: 'dc=x',
    })
    const reader = new BerReader(bytes).enter(0x30)
    expect(reader.readInteger()).toBe(42)
    const result = reader.enter(OP.bindResponse)
    expect(result.readEnumerated()).toBe(49)
    expect(result.readString()).toBe('dc=x')
    expect(result.readString()).toBe('Invalid credentials.')
  })
})

describe('filters', () => {
  const entry = {
    objectclass: ['user', 'person'],
    username: ['alice'],
    mail: ['alice@example.com'],
    memberof: ['cn=admins,ou=groups,dc=x'],
  }

  test('substrings match in order, anchored at the ends', () => {
    const substrings = (initial: string | undefined, any: string[], final: string | undefined) =>
      filterMatches({ type: 'substrings', attribute: 'username', initial, any, final }, entry)
    expect(substrings('a', [], undefined)).toBe(true)
    expect(substrings(undefined, ['li', 'c'], 'e')).toBe(true)
    expect(substrings(undefined, ['c', 'li'], undefined)).toBe(false)
    expect(substrings('ali', [], 'ice')).toBe(false) // the two may not overlap
    expect(substrings('al', [], 'ice')).toBe(true)
  })

  test('DN-valued attributes compare normalised DNs; other values case-insensitively', () => {
    const filter = parse(equality('memberOf', 'CN=Admins, OU=Groups, DC=X'))
    expect(filterMatches(filter, entry)).toBe(true)
    expect(filterMatches(parse(equality('MAIL', 'ALICE@example.COM')), entry)).toBe(true)
  })

  test('an absent attribute is false, its negation true; extensible matches match nothing', () => {
    expect(filterMatches(parse(equality('title', 'x')), entry)).toBe(false)
    expect(filterMatches(parse(constructed(0xa2, [equality('title', 'x')])), entry)).toBe(true)
    const extensible = constructed(0xa9, [
      primitive(0x81, '1.2.840.113556.1.4.803'),
      primitive(0x82, 'userAccountControl'),
      primitive(0x83, '2'),
    ])
    expect(filterMatches(parse(extensible), entry)).toBe(false)
  })

  test('index terms: an equality, every branch of an or, the narrowest branch of an and', () => {
    const indexed = new Set(['uid', 'mail', 'username'])
    const or = parse(constructed(0xa1, [equality('username', 'a'), equality('mail', 'a')]))
    expect(indexableTerms(or, indexed)).toHaveLength(2)
    const and = parse(
      constructed(0xa0, [
        equality('objectclass', 'user'),
        constructed(0xa1, [equality('username', 'a'), equality('mail', 'a')]),
      ]),
    )
    expect(indexableTerms(and, indexed)).toHaveLength(2)
    const scan = parse(constructed(0xa1, [equality('username', 'a'), primitive(0x87, 'mail')]))
    expect(indexableTerms(scan, indexed)).toBeUndefined()
  })

  test('nesting past 32 levels and more than 512 items are refused', () => {
    let deep = primitive(0x87, 'cn')
    for (let i = 0; i < 40; i++) deep = constructed(0xa2, [deep])
    expect(() => parse(deep)).toThrow('nested deeper than 32')
    const wide = constructed(
      0xa0,
      Array.from({ length: 600 }, () => primitive(0x87, 'cn')),
    )
    expect(() => parse(wide)).toThrow('more than 512 items')
    expect(() => parse(constructed(0xa2, [primitive(0x87, 'a'), primitive(0x87, 'b')]))).toThrow(
      'more than one filter',
    )
  })
})

describe('DNs', () => {
  test('normalised: lower case, no spaces, escapes kept, multi-valued RDNs sorted', () => {
    expect(normalizeDn('CN=Alice, OU=Users,DC=Cloudron')).toBe('cn=alice,ou=users,dc=cloudron')
    expect(normalizeDn('cn=Smith\\, John,dc=x')).toBe('cn=smith\\, john,dc=x')
    expect(normalizeDn('uid=b+cn=a,dc=x')).toBe('cn=a+uid=b,dc=x')
    expect(normalizeDn('')).toBe('')
    expect(normalizeDn('not a dn')).toBeUndefined()
    expect(normalizeDn(`cn=${'x'.repeat(5000)}`)).toBeUndefined()
  })

  test('parents and ancestry skip escaped commas', () => {
    expect(parentOf('cn=smith\\, john,ou=users,dc=x')).toBe('ou=users,dc=x')
    expect(isWithin('cn=a,ou=users,dc=x', 'ou=users,dc=x')).toBe(true)
    expect(isWithin('cn=a,ou=users,dc=x', 'users,dc=x')).toBe(false)
    expect(isWithin('cn=a\\,ou=users,dc=x', 'ou=users,dc=x')).toBe(false)
    expect(isWithin('dc=x', '')).toBe(true)
  })
})

describe('search limits', () => {
  const accounts = Array.from({ length: 3000 }, (_, i) => ({
    id: `id${i}`,
    username: `user${i}`,
    email: `user${i}@example.com`,
    givenName: 'G',
    surname: 'S',
    fullName: 'G S',
    groupIds: [],
  }))
  const tree = buildTree({
    tenantId: 't',
    suffix: 'dc=t',
    allowlist: [],
    adminSecretHash: null,
    revision: 1,
    accounts,
    groups: [],
    apps: [],
  })
  const everything = {
    base: 'dc=t',
    scope: 'sub' as const,
    filter: parse(primitive(0x87, 'objectclass')),
  }
  const root = () => tree.admin.entries[0]!

  test('a search past its deadline stops early and says so (timeLimitExceeded)', () => {
    let clock = 0
    const outcome = searchView(tree.admin, everything, root, 10, () => (clock += 8))
    expect(outcome.kind === 'entries' && outcome.timedOut).toBe(true)
    if (outcome.kind === 'entries') expect(outcome.entries.length).toBeLessThanOrEqual(2048)
  })

  test('within its deadline it returns the whole subtree in tree order', () => {
    const outcome = searchView(tree.admin, everything, root, Infinity)
    expect(outcome.kind === 'entries' && !outcome.timedOut).toBe(true)
    if (outcome.kind === 'entries') {
      expect(outcome.entries).toHaveLength(3003) // the suffix, two units, 3,000 users
      expect(outcome.entries.slice(0, 3).map((entry) => entry.dn)).toEqual([
        'dc=t',
        'ou=users,dc=t',
        'cn=id0,ou=users,dc=t',
      ])
    }
  })
})
