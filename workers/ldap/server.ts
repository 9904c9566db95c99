/**
 * The LDAP listeners on `Bun.listen`: plain LDAP (with StartTLS when a certificate is
 * configured) and LDAPS. Connections from addresses no enabled tenant allows are closed at once;
 * idle ones are closed after `idleTimeoutSeconds`; past `maxConnections` new ones are refused.
 * Output a client does not take is kept per connection and the session pauses until it drains.
 */
import type { Socket, SocketHandler, TCPSocketListener, TLSOptions } from 'bun'
import type { Deps } from '../../src/deps'
import { isAllowed } from '../../src/security/cidr'
import type { DirectoryIndex } from './directory'
import { DEFAULT_LIMITS, LdapSession, type SessionLimits } from './session'

export interface LdapServerOptions {
  deps: Deps
  index: DirectoryIndex
  hostname: string
  port: number
  /** LDAPS on `port`, and StartTLS on the plain port, with this certificate and key (PEM). */
  tls?: { cert: string; key: string; port: number }
  limits?: Partial<SessionLimits>
  idleTimeoutSeconds?: number
  maxConnections?: number
}

export interface LdapServer {
  port: number
  ldapsPort: number | undefined
  /** Open connections right now. */
  connections(): number
  stop(): void
}

/** Bytes waiting for a slow client before its session stops answering. */
const HIGH_WATER_BYTES = 256 * 1024

interface Connection {
  session: LdapSession
  socket: Socket<SocketData>
  pending: Uint8Array[]
  pendingBytes: number
  secure: boolean
}

interface SocketData {
  connection?: Connection
  /** The plain socket under a StartTLS connection: its bytes are ciphertext, handled by TLS. */
  replaced?: boolean
}

export function startLdapServer(options: LdapServerOptions): LdapServer {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const maxConnections = options.maxConnections ?? 20_000
  const idleTimeout = options.idleTimeoutSeconds ?? 900
  const tlsOptions: TLSOptions | undefined = options.tls && {
    cert: options.tls.cert,
    key: options.tls.key,
  }
  let open = 0

  const flush = (connection: Connection) => {
    while (connection.pending.length > 0) {
      const next = connection.pending[0]!
      const written = connection.socket.write(next)
      connection.pendingBytes -= written
      if (written < next.length) {
        connection.pending[0] = next.subarray(written)
        return
      }
      connection.pending.shift()
    }
  }

  const handlersFor = (listenerIsTls: boolean): SocketHandler<SocketData> => ({
    open(socket) {
      // A StartTLS upgrade opens its TLS socket with the connection already attached.
      if (socket.data?.connection) return
      const address = socket.remoteAddress
      const allowed = options.index.trees.some((tree) => isAllowed(address, tree.allowlist))
      if (!allowed || open >= maxConnections) {
        socket.data = { replaced: true }
        socket.terminate()
        return
      }
      open++
      socket.timeout(idleTimeout)
      const connection: Connection = {
        socket,
        pending: [],
        pendingBytes: 0,
        secure: listenerIsTls,
        session: undefined as unknown as LdapSession,
      }
      connection.session = new LdapSession(
        { deps: options.deps, index: options.index, address, limits },
        {
          write(bytes) {
            if (connection.pending.length === 0) {
              const written = connection.socket.write(bytes)
              if (written < bytes.length) {
                connection.pending.push(bytes.subarray(written))
                connection.pendingBytes += bytes.length - written
              }
            } else {
              connection.pending.push(bytes)
              connection.pendingBytes += bytes.length
            }
            return connection.pendingBytes < HIGH_WATER_BYTES
          },
          close() {
            // Let queued answers (a Notice of Disconnection) go before the socket closes; a
            // client that is not reading gets a second, then the socket is dropped.
            if (connection.pending.length === 0) connection.socket.end()
            else setTimeout(() => connection.socket.terminate(), 1000)
          },
          get secure() {
            return connection.secure
          },
          startTls: tlsOptions && (() => upgrade(connection)),
        },
      )
      socket.data = { connection }
    },
    data(socket, chunk) {
      if (socket.data?.replaced) return
      socket.data?.connection?.session.receive(chunk)
    },
    drain(socket) {
      const connection = socket.data?.connection
      if (!connection || socket.data.replaced) return
      flush(connection)
      if (connection.pending.length === 0) connection.session.drained()
    },
    timeout(socket) {
      socket.end()
    },
    close(socket) {
      const connection = socket.data?.connection
      if (!connection || socket.data.replaced) return
      open--
      connection.session.end()
      connection.pending = []
    },
    error(socket) {
      socket.data?.connection?.session.end()
    },
  })

  /** StartTLS (RFC 4511 §4.14): the same session continues over TLS on the same socket. */
  const upgrade = (connection: Connection) => {
    const plain = connection.socket
    plain.data = { connection, replaced: true }
    const [, secure] = (plain as unknown as UpgradableSocket).upgradeTLS({
      tls: tlsOptions!,
      socket: handlersFor(true),
      data: { connection },
    })
    secure.data = { connection }
    secure.timeout(idleTimeout)
    connection.socket = secure
    connection.secure = true
  }

  const plainListener = Bun.listen<SocketData>({
    hostname: options.hostname,
    port: options.port,
    socket: handlersFor(false),
  })
  let tlsListener: TCPSocketListener<SocketData> | undefined
  if (options.tls) {
    tlsListener = Bun.listen<SocketData>({
      hostname: options.hostname,
      port: options.tls.port,
      tls: tlsOptions,
      socket: handlersFor(true),
    })
  }
  return {
    port: plainListener.port,
    ldapsPort: tlsListener?.port,
    connections: () => open,
    stop() {
      plainListener.stop(true)
      tlsListener?.stop(true)
    },
  }
}

/** Bun's server-side StartTLS (present at run time; the typings only declare it for clients). */
interface UpgradableSocket {
  upgradeTLS(options: {
    tls: TLSOptions
    socket: SocketHandler<SocketData>
    data: SocketData
  }): [Socket<SocketData>, Socket<SocketData>]
}
