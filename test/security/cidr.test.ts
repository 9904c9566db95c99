/** IP allowlists for the LDAP server: CIDR parsing and matching, IPv4 and IPv6. */
import { describe, expect, test } from 'bun:test'
import { isAllowed, parseCidr } from '../../src/security/cidr'

const blocks = (...texts: string[]) => texts.map((text) => parseCidr(text)!)

describe('parseCidr', () => {
  test('reads IPv4 and IPv6 blocks and bare addresses', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ family: 4, bits: 0x0a000000n, prefix: 8 })
    expect(parseCidr('192.168.1.7')).toMatchObject({ family: 4, prefix: 32 })
    expect(parseCidr('::1')).toEqual({ family: 6, bits: 1n, prefix: 128 })
    expect(parseCidr('fd00::/8')).toMatchObject({ family: 6, prefix: 8 })
    expect(parseCidr('2001:db8::1:0:0:1')).toMatchObject({ family: 6, prefix: 128 })
    expect(parseCidr('1:2:3:4:5:6:7:8')).toMatchObject({ family: 6 })
    expect(parseCidr('::ffff:10.1.2.3')).toEqual({ family: 6, bits: 0xffff0a010203n, prefix: 128 })
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ prefix: 0 })
  })

  test('refuses what is not a block, rather than guessing', () => {
    for (const text of [
      '',
      'abc',
      '10.0.0/8',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.4/33',
      '1.2.3.4/',
      '1.2.3.4/8/9',
      '::1/129',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8:9',
      '::ffff:1.2.3.4.5',
      '1.2.3.4::',
      'x'.repeat(100),
    ]) {
      expect(parseCidr(text)).toBeUndefined()
    }
  })
})

describe('isAllowed', () => {
  test('matches addresses inside a block and nothing outside', () => {
    const list = blocks('10.0.0.0/8', 'fd00::/8')
    expect(isAllowed('10.255.0.1', list)).toBe(true)
    expect(isAllowed('11.0.0.1', list)).toBe(false)
    expect(isAllowed('fd12::1', list)).toBe(true)
    expect(isAllowed('fe80::1', list)).toBe(false)
  })

  test('an IPv4 client seen through a dual-stack socket matches IPv4 blocks', () => {
    expect(isAllowed('::ffff:10.1.2.3', blocks('10.0.0.0/8'))).toBe(true)
    expect(isAllowed('::ffff:127.0.0.1', blocks('127.0.0.0/8'))).toBe(true)
  })

  test('an empty list allows nobody; /0 allows everybody of its family', () => {
    expect(isAllowed('127.0.0.1', [])).toBe(false)
    expect(isAllowed('8.8.8.8', blocks('0.0.0.0/0'))).toBe(true)
    expect(isAllowed('::1', blocks('0.0.0.0/0'))).toBe(false)
  })

  test('an unparsable client address is refused', () => {
    expect(isAllowed('localhost', blocks('0.0.0.0/0', '::/0'))).toBe(false)
  })
})
