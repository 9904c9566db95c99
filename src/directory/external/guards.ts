/**
 * What `/v1` and the hosted pages may not change on an external directory's accounts and groups
 * (seed 001: "External groups are read-only"; the profile comes from the server). Local-only
 * fields stay editable: an account's status, custom data and second factors; a group's custom
 * data. The Stormpath SDKs post whole resources on save, so an unchanged value is not a change.
 */
import { EdgepassError } from '../../errors'
import type { AccountRow, DirectoryRow, GroupRow } from '../../store/rows'

function readOnly(message: string, field?: string): EdgepassError {
  return new EdgepassError('external_read_only', message, { field })
}

/**
 * Accounts of an external directory come only from its server. (Groups may be created in it:
 * local groups, which can hold its accounts.)
 */
export function refuseCreationIn(
  directory: Pick<DirectoryRow, 'providerId'>,
  what: 'account',
): void {
  // An upstream (`oidc`) directory may hold accounts created here: they are joined to their
  // upstream identity at its first sign-in when both sides verified the email.
  if (directory.providerId === 'ldap') {
    throw readOnly(
      `An external directory's ${what}s come from its server: create the ${what} there.`,
    )
  }
}

const SERVER_FIELDS = ['email', 'username', 'givenName', 'middleName', 'surname'] as const

/** Refuses a change to a field the server owns (or a password, which stays on the server). */
export function refuseExternalAccountChange(
  account: AccountRow,
  input: Partial<Record<(typeof SERVER_FIELDS)[number] | 'password', string | undefined>>,
): void {
  if (!account.externalId) return
  if (input.password !== undefined) {
    throw readOnly("The account's password is checked by its external directory.", 'password')
  }
  for (const field of SERVER_FIELDS) {
    const value = input[field]
    if (value === undefined) continue
    // Emails are stored lower-case; everything else must be exactly what the server gave.
    const same =
      field === 'email'
        ? value.trim().toLowerCase() === account.email
        : value.trim() === account[field]
    if (!same) throw readOnly(`${field} comes from the account's external directory.`, field)
  }
}

/** Refuses a name, description or status change on an external group. */
export function refuseExternalGroupChange(
  group: GroupRow,
  input: { name?: string; description?: string; status?: string },
): void {
  if (!group.externalId) return
  for (const field of ['name', 'description', 'status'] as const) {
    const value = input[field]
    if (value !== undefined && value.trim() !== group[field]) {
      throw readOnly(`An external group's ${field} comes from its server.`, field)
    }
  }
}

/** External groups' members come from the server; local groups may hold external accounts. */
export function refuseExternalMembership(group: GroupRow): void {
  if (group.externalId) throw readOnly("An external group's members come from its server.", 'group')
}

/**
 * An external account or group cannot be deleted while its entry exists (the next sync would
 * bring it back); a missing account can.
 */
export function refuseExternalDeletion(row: AccountRow | GroupRow): void {
  if (!row.externalId) return
  if ('missingAt' in row && row.missingAt) return
  throw readOnly('It comes from an external directory: remove it there, or disable the connector.')
}
