/**
 * A tenant's LDAP server settings (issue "LDAP directory server", item 6): enabled or not, the
 * suffix of its tree (default `dc={tenantNameKey}`; `dc=cloudron` makes Edgepass a drop-in for
 * apps configured as in Cloudron's docs), the addresses allowed to connect (default loopback
 * only: a directory is not offered to the network until someone says so), the admin bind's
 * secret and the applications' bind secrets. Secrets are 256 random bits, shown once, kept as
 * SHA-256.
 */
import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { parseCidr } from '../security/cidr'
import { timingSafeEqual } from '../security/constant-time'
import { hashSecretToken, MAX_TOKEN_LENGTH, newSecretToken } from '../security/tokens'
import { isConstraintError } from '../store/errors'
import type { LdapSettingsRow } from '../store/rows'

export const DEFAULT_ALLOWLIST = ['127.0.0.0/8', '::1/128']
const MAX_ALLOWLIST = 100
/** `dc=`, `o=` or `ou=` components of plain characters (no escapes: nothing needs them). */
const SUFFIX = /^(dc|o|ou)=[A-Za-z0-9][A-Za-z0-9 ._-]*(,(dc|o|ou)=[A-Za-z0-9][A-Za-z0-9 ._-]*)*$/i

export interface LdapSettingsInput {
  enabled?: boolean
  suffix?: string
  allowlist?: string[]
}

/** The tenant's settings as stored, or the defaults (not stored until changed). */
export async function ldapSettingsOf(
  deps: Pick<Deps, 'db' | 'now'>,
  tenant: { id: string; nameKey: string },
): Promise<LdapSettingsRow> {
  const { ldapSettings: l } = schema
  const row = await deps.db.select().from(l).where(eq(l.tenantId, tenant.id)).get()
  if (row) return row
  const now = deps.now()
  return {
    tenantId: tenant.id,
    enabled: false,
    suffix: `dc=${tenant.nameKey}`,
    allowlist: JSON.stringify(DEFAULT_ALLOWLIST),
    adminSecretHash: null,
    createdAt: now,
    modifiedAt: now,
  }
}

/**
 * Applies a partial update after checking it: a suffix of `dc=`/`o=`/`ou=` components not used
 * by another tenant (409), at most 100 CIDR blocks, each valid. Nothing is written when any
 * check fails.
 */
export async function updateLdapSettings(
  deps: Pick<Deps, 'db' | 'now'>,
  tenant: { id: string; nameKey: string },
  input: LdapSettingsInput,
): Promise<LdapSettingsRow> {
  const current = await ldapSettingsOf(deps, tenant)
  const next: LdapSettingsRow = { ...current, modifiedAt: deps.now() }
  if (input.enabled !== undefined) next.enabled = input.enabled
  if (input.suffix !== undefined) next.suffix = checkedSuffix(input.suffix)
  if (input.allowlist !== undefined)
    next.allowlist = JSON.stringify(checkedAllowlist(input.allowlist))
  return save(deps, next)
}

/** A new admin bind secret (the previous one stops working at once); answers it, once. */
export async function rotateLdapAdminSecret(
  deps: Pick<Deps, 'db' | 'now'>,
  tenant: { id: string; nameKey: string },
): Promise<string> {
  const secret = newSecretToken()
  const current = await ldapSettingsOf(deps, tenant)
  await save(deps, {
    ...current,
    adminSecretHash: await hashSecretToken(secret),
    modifiedAt: deps.now(),
  })
  return secret
}

/** A new bind secret for an application (replacing its previous one); answers it, once. */
export async function rotateLdapAppSecret(
  deps: Pick<Deps, 'db' | 'now'>,
  application: { id: string; tenantId: string },
): Promise<string> {
  const secret = newSecretToken()
  const row = {
    applicationId: application.id,
    tenantId: application.tenantId,
    secretHash: await hashSecretToken(secret),
    createdAt: deps.now(),
  }
  const { ldapAppSecrets: a } = schema
  await deps.db
    .insert(a)
    .values(row)
    .onConflictDoUpdate({
      target: a.applicationId,
      set: { secretHash: row.secretHash, createdAt: row.createdAt },
    })
  return secret
}

/** Removes an application's bind secret: its LDAP binds stop. */
export async function deleteLdapAppSecret(
  deps: Pick<Deps, 'db'>,
  application: { id: string; tenantId: string },
): Promise<boolean> {
  const { ldapAppSecrets: a } = schema
  const deleted = await deps.db
    .delete(a)
    .where(and(eq(a.applicationId, application.id), eq(a.tenantId, application.tenantId)))
    .returning({ id: a.applicationId })
  return deleted.length === 1
}

/**
 * Whether `presented` is the secret whose hash is `stored` (the LDAP server's bind check):
 * hashed first, compared in constant time, oversized input refused before hashing.
 */
export async function secretMatches(stored: string | null, presented: string): Promise<boolean> {
  if (stored === null || presented.length === 0 || presented.length > MAX_TOKEN_LENGTH) return false
  return timingSafeEqual(await hashSecretToken(presented), stored)
}

function checkedSuffix(value: string): string {
  const suffix = value.trim()
  if (suffix.length > 255 || !SUFFIX.test(suffix)) {
    throw new EdgepassError(
      'invalid_value',
      'suffix must be dc=, o= or ou= components, such as dc=example,dc=com.',
      {
        field: 'suffix',
      },
    )
  }
  return suffix.replace(/\s*,\s*/g, ',')
}

function checkedAllowlist(values: string[]): string[] {
  if (values.length > MAX_ALLOWLIST) {
    throw new EdgepassError('invalid_value', `allowlist holds at most ${MAX_ALLOWLIST} blocks.`, {
      field: 'allowlist',
    })
  }
  return values.map((value) => {
    if (!parseCidr(value)) {
      throw new EdgepassError(
        'invalid_value',
        `allowlist: ${JSON.stringify(value.slice(0, 64))} is not an IP address or CIDR block.`,
        {
          field: 'allowlist',
        },
      )
    }
    return value.trim()
  })
}

async function save(deps: Pick<Deps, 'db'>, row: LdapSettingsRow): Promise<LdapSettingsRow> {
  const { ldapSettings: l } = schema
  try {
    const [saved] = await deps.db
      .insert(l)
      .values(row)
      .onConflictDoUpdate({
        target: l.tenantId,
        set: {
          enabled: row.enabled,
          suffix: row.suffix,
          allowlist: row.allowlist,
          adminSecretHash: row.adminSecretHash,
          modifiedAt: row.modifiedAt,
        },
      })
      .returning()
    return saved!
  } catch (error) {
    if (isConstraintError(error, 'UNIQUE')) {
      throw new EdgepassError('duplicate', 'Another tenant already uses this suffix.', {
        field: 'suffix',
      })
    }
    throw error
  }
}
