/**
 * The rows an external source creates: accounts whose password is elsewhere (an LDAP server, an
 * upstream OpenID Connect provider), keyed by that source's stable id, and the read-only groups
 * it mirrors. One definition for the LDAP sync, LDAP auto-creation and upstream sign-ins.
 */
import type { AccountRow, DirectoryRow, GroupRow } from '../../store/rows'

export interface ExternalAccountFields {
  externalId: string
  username: string
  email: string
  givenName: string
  surname: string
  emailVerified?: boolean
}

/** A new account of `directory` from an external source (no password hash: it is not ours). */
export function externalAccountRow(
  id: string,
  directory: Pick<DirectoryRow, 'id' | 'tenantId'>,
  fields: ExternalAccountFields,
  now: Date,
): AccountRow {
  return {
    id,
    tenantId: directory.tenantId,
    directoryId: directory.id,
    email: fields.email,
    username: fields.username,
    givenName: fields.givenName,
    middleName: '',
    surname: fields.surname,
    status: 'ENABLED',
    emailVerificationStatus: fields.emailVerified ? 'VERIFIED' : 'UNKNOWN',
    passwordHash: null,
    passwordModifiedAt: null,
    passwordHistory: '[]',
    failedLoginAttempts: 0,
    lastLoginAttemptAt: null,
    version: 1,
    createdAt: now,
    modifiedAt: now,
    customData: '{}',
    customDataModifiedAt: null,
    externalId: fields.externalId,
    missingAt: null,
  }
}

/** A new read-only group of `directory`, mirrored from an external source. */
export function externalGroupRow(
  id: string,
  directory: Pick<DirectoryRow, 'id' | 'tenantId'>,
  name: string,
  externalId: string,
  now: Date,
): GroupRow {
  return {
    id,
    tenantId: directory.tenantId,
    directoryId: directory.id,
    name,
    description: '',
    status: 'ENABLED',
    version: 1,
    createdAt: now,
    modifiedAt: now,
    customData: '{}',
    customDataModifiedAt: null,
    externalId,
  }
}
