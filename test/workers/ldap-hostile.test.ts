/**
 * Hostile clients against the worker process: garbage, truncated and oversized BER, a message
 * id too large, filters nested or widened past the limits, 10,000 idle connections, and a client
 * that sends searches but never reads. After each, the worker is up, answers another client, and
 * has freed what the hostile one held (its file descriptors, its memory).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { connect as connectNet, type Socket as NetSocket } from 'node:net'
import {
  boolean,
  concat,
  constructed,
  enumerated,
  integer,
  octetString,
  primitive,
} from '../../workers/ldap/ber'
import { freePort } from '../harness/process'
import { ldapTool, startLdapFixture, startLdapWorker, type LdapFixture } from './ldap-fixture'

const SUFFIX = 'dc=hostile'
const IDLE_TIMEOUT_SECONDS = 3

let f: LdapFixture
let worker: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
let port: number

const fdCount = () => readdirSync(`/proc/${worker.pid}/fd`).length
const rssBytes = () =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))![1]) * 1024

const bindRequest = (id: number, dn: string, password: string) =>
  constructed(0x30, [
    integer(id),
    constructed(0x60, [integer(3), octetString(dn), primitive(0x80, password)]),
  ])

const searchRequest = (id: number, base: string, filter: Uint8Array) =>
  constructed(0x30, [
    integer(id),
    constructed(0x63, [
      octetString(base),
      enumerated(2),
      enumerated(0),
      integer(0),
      integer(0),
      boolean(false),
      filter,
      constructed(0x30, []),
    ]),
  ])

const whoAmIRequest = (id: number) =>
  constructed(0x30, [integer(id), constructed(0x77, [primitive(0x80, '1.3.6.1.4.1.4203.1.11.3')])])

const present = (attribute: string) => primitive(0x87, attribute)

/** A raw connection: what it received, and whether the server closed it. */
async function rawClient(to = port) {
  let received: Uint8Array = new Uint8Array(0)
  let closed = false
  const socket = await Bun.connect({
    hostname: '127.0.0.1',
    port: to,
    socket: {
      data(_socket, chunk) {
        received = concat([received, chunk])
      },
      close() {
        closed = true
      },
      error() {
        closed = true
      },
    },
  })
  return {
    send: (bytes: Uint8Array) => socket.write(bytes),
    get received() {
      return received
    },
    get closed() {
      return closed
    },
    end: () => socket.end(),
    /** Waits until `predicate` holds (or 5 s pass). */
    async until(predicate: () => boolean) {
      for (const deadline = Date.now() + 5000; Date.now() < deadline && !predicate();)
        await Bun.sleep(20)
      return predicate()
    },
  }
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')

/** Another client still gets answers: an admin search through ldapsearch. */
async function othersAreAnswered() {
  const run = await ldapTool(
    'ldapsearch',
    `ldap://127.0.0.1:${port}`,
    [f.adminDn, f.adminSecret],
    ['-LLL', '-b', SUFFIX, '-s', 'base', 'dn'],
  )
  expect(run.stderr).toBe('')
  expect(run.stdout).toContain(`dn: ${SUFFIX}`)
}

beforeAll(async () => {
  f = await startLdapFixture({ tenantKey: 'hostile', suffix: SUFFIX })
  for (let i = 0; i < 20; i++)
    await f.newAccount({
      username: `user${i}`,
      email: `user${i}@example.com`,
      givenName: 'Padding'.repeat(20),
    })
  port = freePort()
  ;({ child: worker } = await startLdapWorker({
    DATABASE_URL: f.dbUrl,
    LDAP_PORT: String(port),
    LDAP_HOST: '127.0.0.1',
  }))
})

afterAll(async () => {
  worker?.kill('SIGTERM')
  await worker?.exited
  await f?.stop()
})

describe('malformed input', () => {
  test('garbage (an HTTP request) gets a Notice of Disconnection and the connection is closed', async () => {
    const client = await rawClient()
    client.send(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
    expect(await client.until(() => client.closed)).toBe(true)
    expect(text(client.received)).toContain('1.3.6.1.4.1.1466.20036')
    await othersAreAnswered()
  })

  test('an oversized message (a 256 MiB length) is refused at its header, without waiting for the body', async () => {
    const client = await rawClient()
    client.send(Uint8Array.of(0x30, 0x84, 0x10, 0x00, 0x00, 0x00, 0x02, 0x01, 0x01))
    expect(await client.until(() => client.closed)).toBe(true)
    expect(text(client.received)).toContain('larger than')
    await othersAreAnswered()
  })

  test('an indefinite length, a 5-byte length and a 5-byte message id are protocol errors', async () => {
    for (const bytes of [
      Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00),
      Uint8Array.of(0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x05),
      Uint8Array.of(0x30, 0x09, 0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x42, 0x00),
    ]) {
      const client = await rawClient()
      client.send(bytes)
      expect(await client.until(() => client.closed)).toBe(true)
      expect(text(client.received)).toContain('1.3.6.1.4.1.1466.20036')
    }
    await othersAreAnswered()
  })

  test('a truncated message waits for the rest; the connection is freed when the client goes', async () => {
    const before = fdCount()
    const client = await rawClient()
    const bind = bindRequest(1, f.adminDn, f.adminSecret)
    client.send(bind.subarray(0, bind.length - 5))
    await Bun.sleep(200)
    expect(client.closed).toBe(false)
    expect(client.received.length).toBe(0)
    await othersAreAnswered()
    client.send(bind.subarray(bind.length - 5))
    expect(await client.until(() => client.received.length > 0)).toBe(true)
    expect(client.received[0]).toBe(0x30) // a BindResponse
    client.end()
    expect(await client.until(() => fdCount() <= before)).toBe(true)
  })

  test('a half-sent message from a client that then goes quiet is closed at the idle timeout', async () => {
    const shortPort = freePort()
    const short = await startLdapWorker({
      DATABASE_URL: f.dbUrl,
      LDAP_PORT: String(shortPort),
      LDAP_HOST: '127.0.0.1',
      LDAP_IDLE_TIMEOUT: String(IDLE_TIMEOUT_SECONDS),
    })
    try {
      const client = await rawClient(shortPort)
      client.send(bindRequest(1, f.adminDn, f.adminSecret).subarray(0, 10))
      await Bun.sleep(1000)
      expect(client.closed).toBe(false)
      await Bun.sleep((IDLE_TIMEOUT_SECONDS + 1) * 1000)
      expect(client.closed).toBe(true)
    } finally {
      short.child.kill('SIGTERM')
      await short.child.exited
    }
  }, 20_000)

  test('a filter nested 10,000 deep, or with 5,000 items, is refused on its message id; the connection goes on', async () => {
    let deep = present('objectclass')
    for (let i = 0; i < 10_000; i++) deep = constructed(0xa2, [deep])
    const wide = constructed(
      0xa1,
      Array.from({ length: 5000 }, (_, i) => present(`a${i}`)),
    )
    const client = await rawClient()
    client.send(bindRequest(1, f.adminDn, f.adminSecret))
    client.send(searchRequest(2, SUFFIX, deep))
    client.send(searchRequest(3, SUFFIX, wide))
    client.send(whoAmIRequest(4))
    expect(await client.until(() => text(client.received).includes(`dn:${f.adminDn}`))).toBe(true)
    const answers = text(client.received)
    expect(answers).toContain('filter nested deeper than 32')
    expect(answers).toContain('filter has more than 512 items')
    // SearchResultDone (0x65) with protocolError (0x0a 0x01 0x02) for ids 2 and 3.
    expect(answers).toContain('\x02\x01\x02\x65')
    expect(answers).toContain('\x02\x01\x03\x65')
    expect(client.closed).toBe(false)
    client.end()
  })
})

describe('resource exhaustion', () => {
  test('10,000 concurrent idle connections: the worker stays up, answers others, and frees them', async () => {
    const before = fdCount()
    const sockets: Awaited<ReturnType<typeof Bun.connect>>[] = []
    for (let batch = 0; batch < 20; batch++) {
      sockets.push(
        ...(await Promise.all(
          Array.from({ length: 500 }, () =>
            Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }),
          ),
        )),
      )
    }
    expect(sockets).toHaveLength(10_000)
    expect(await waitFor(() => fdCount() >= before + 10_000)).toBe(true)
    await othersAreAnswered()
    for (const socket of sockets) socket.end()
    expect(await waitFor(() => fdCount() <= before + 5)).toBe(true)
    await othersAreAnswered()
  }, 60_000)

  test('a client that sends searches but never reads is held back, then dropped; memory stays bounded', async () => {
    const rssBefore = rssBytes()
    const fdsBefore = await settledFdCount()
    const socket: NetSocket = connectNet({ host: '127.0.0.1', port })
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.pause() // never read
    const searches = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) =>
        searchRequest(from + i, SUFFIX, present('objectclass')),
      )
    // ~10 KB of answers per search: 800 of them would be ~8 MB buffered for one client.
    socket.write(concat([bindRequest(1, f.adminDn, f.adminSecret), ...searches(2, 800)]))
    await Bun.sleep(1000)
    await othersAreAnswered()
    // Held back, not dropped: it may start reading again.
    expect(await waitFor(() => fdCount() === fdsBefore + 1, 3000)).toBe(true)
    expect(rssBytes() - rssBefore).toBeLessThan(24 * 1024 * 1024)
    // Past the bound on requests waiting for an answer, the server drops the connection itself.
    socket.write(concat(searches(1000, 2000)))
    expect(await waitFor(() => fdCount() <= fdsBefore)).toBe(true)
    await othersAreAnswered()
    socket.destroy()
  }, 30_000)
})

/** The worker's descriptor count once it has not moved for 300 ms (earlier clients' sockets close late). */
async function settledFdCount(): Promise<number> {
  let last = fdCount()
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    await Bun.sleep(300)
    const now = fdCount()
    if (now === last) return now
    last = now
  }
  return last
}

async function waitFor(predicate: () => boolean, ms = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline && !predicate();) await Bun.sleep(50)
  return predicate()
}
