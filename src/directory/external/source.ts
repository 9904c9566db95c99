/**
 * What the sync and the login of external accounts need of an LDAP server, as a small
 * interface: the runtime provides it (`workers/sync/ldap-client.ts` with ldapts on Bun; on
 * Workers, which cannot open LDAP sockets, a client of the sync worker's internal endpoint).
 * Entries arrive normalised: one string per attribute, names as configured.
 */
import type { ExternalSettings } from './settings'

/** A user entry as the sync and login read it. */
export interface ExternalUser {
  dn: string
  /** The stable id (`uuidField`), as text (AD's binary `objectGUID` as a UUID). */
  id: string
  username: string
  email: string
  givenName: string
  surname: string
  displayName: string
}

export interface ExternalGroup {
  dn: string
  id: string
  name: string
  /** Member DNs (`groupMemberField`). */
  memberDns: string[]
}

/** The connection settings and the service bind password in clear. */
export interface ExternalConnection {
  settings: ExternalSettings
  bindPassword: string
}

export type ExternalAuthOutcome =
  | { kind: 'accepted'; user: ExternalUser }
  /** The entry exists and the server refused the password (LDAP 49). */
  | { kind: 'refused' }
  /** No entry (or more than one) matches the login. */
  | { kind: 'no_entry' }
  /** The server could not be reached or answered something else: nothing is known. */
  | { kind: 'unavailable'; message: string }

/** Thrown by a source when the server cannot be searched (the sync stops, changing nothing). */
export class ExternalDirectoryError extends Error {
  override readonly name = 'ExternalDirectoryError'
}

export interface ExternalDirectoryClient {
  /** Every user entry under `baseDn` matching `filter` (paged). Throws ExternalDirectoryError. */
  users(connection: ExternalConnection): Promise<ExternalUser[]>
  /** Every group entry under `groupBaseDn` matching `groupFilter`. Throws ExternalDirectoryError. */
  groups(connection: ExternalConnection): Promise<ExternalGroup[]>
  /**
   * Checks `password` by binding as the entry that `login` (username, or email when it has an
   * `@`) names, found with the service bind. The password is never stored.
   */
  authenticate(
    connection: ExternalConnection,
    login: string,
    password: string,
  ): Promise<ExternalAuthOutcome>
}
