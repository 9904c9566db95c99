/**
 * IP allowlists (the LDAP server's, per tenant): CIDR blocks of IPv4 (`10.0.0.0/8`) and IPv6
 * (`fd00::/8`) addresses; a bare address is a block of one. IPv4-mapped IPv6 addresses
 * (`::ffff:10.1.2.3`, as dual-stack sockets report IPv4 clients) match IPv4 blocks.
 */

/** A parsed block: the address as a big integer, its family and prefix length. */
export interface Cidr {
  family: 4 | 6
  bits: bigint
  prefix: number
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0n
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255 || (part.length > 1 && part[0] === '0')) {
      return undefined
    }
    value = (value << 8n) | BigInt(part)
  }
  return value
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groupsOf = (half: string): string[] => (half === '' ? [] : half.split(':'))
  const head = groupsOf(halves[0]!)
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : []
  // An embedded IPv4 address takes the last two groups, so it can only end the address.
  const last = halves.length === 2 ? tail.at(-1) : head.at(-1)
  const words: number[] = []
  const expand = (groups: string[]) => {
    for (const group of groups) {
      if (group.includes('.')) {
        const v4 = parseIpv4(group)
        if (v4 === undefined || group !== last) return false
        words.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
      } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) words.push(parseInt(group, 16))
      else return false
    }
    return true
  }
  const headWords: number[] = []
  if (!expand(head)) return undefined
  headWords.push(...words.splice(0))
  if (!expand(tail)) return undefined
  const tailWords = words.splice(0)
  const missing = 8 - headWords.length - tailWords.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const all = [...headWords, ...Array<number>(missing).fill(0), ...tailWords]
  return all.reduce((value, word) => (value << 16n) | BigInt(word), 0n)
}

/**
 * A CIDR block, or undefined when `text` is not one.
 *
 * @example
 * parseCidr('192.168.0.0/16') // { family: 4, bits: 3232235520n, prefix: 16 }
 * parseCidr('::1') // { family: 6, bits: 1n, prefix: 128 }
 */
export function parseCidr(text: string): Cidr | undefined {
  if (text.length > 64) return undefined
  const [address, prefixText, extra] = text.trim().split('/')
  if (address === undefined || extra !== undefined) return undefined
  const family = address.includes(':') ? 6 : 4
  const bits = family === 4 ? parseIpv4(address) : parseIpv6(address)
  if (bits === undefined) return undefined
  const width = family === 4 ? 32 : 128
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = prefixText === undefined ? width : Number(prefixText)
  if (prefix > width) return undefined
  return { family, bits, prefix }
}

/**
 * Whether `address` (as a socket reports it) lies in one of `cidrs` (already parsed).
 *
 * @example
 * isAllowed('::ffff:10.1.2.3', [parseCidr('10.0.0.0/8')!]) // true
 */
export function isAllowed(address: string, cidrs: readonly Cidr[]): boolean {
  let client = parseCidr(address)
  if (!client) return false
  const mapped = client.family === 6 && client.bits >> 32n === 0xffffn
  if (mapped) client = { family: 4, bits: client.bits & 0xffffffffn, prefix: 32 }
  return cidrs.some((cidr) => {
    if (cidr.family !== client!.family) return false
    const width = BigInt(cidr.family === 4 ? 32 : 128)
    const shift = width - BigInt(cidr.prefix)
    return client!.bits >> shift === cidr.bits >> shift
  })
}
