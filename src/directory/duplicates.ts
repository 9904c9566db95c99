import { EdgepassError } from '../errors'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Deps } from '../deps'
import { isConstraintError, violatedColumns } from '../store/errors'
import { inTenant } from '../store/scoped'

/** Each unique constraint of the schema, as the field and message a client should see (409/2001). */
const UNIQUE_CONSTRAINTS: Record<string, { field: string; message: string }> = {
  'tenants.name_key': { field: 'tenantNameKey', message: 'A tenant with this key already exists.' },
  'index:directories_tenant_name': {
    field: 'name',
    message: 'A directory with this name already exists.',
  },
  'index:applications_tenant_name': {
    field: 'name',
    message: 'An application with this name already exists.',
  },
  'index:organizations_tenant_name': {
    field: 'name',
    message: 'An organization with this name already exists.',
  },
  'organizations.tenant_id,organizations.name_key': {
    field: 'nameKey',
    message: 'An organization with this nameKey already exists.',
  },
  'index:groups_directory_name': {
    field: 'name',
    message: 'A group with this name already exists in the directory.',
  },
  'accounts.directory_id,accounts.email': {
    field: 'email',
    message: 'An account with this email already exists in the directory.',
  },
  'index:accounts_directory_username': {
    field: 'username',
    message: 'An account with this username already exists in the directory.',
  },
  'group_memberships.account_id,group_memberships.group_id': {
    field: 'group',
    message: 'The account is already a member of the group.',
  },
}

/**
 * Runs a write and turns a UNIQUE violation into 409/2001 naming the field; the database, not a
 * prior read, decides (a read-then-write check would race between instances).
 */
export async function refusingDuplicates<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (!isConstraintError(error, 'UNIQUE')) throw error
    const known = UNIQUE_CONSTRAINTS[violatedColumns(error).join(',')]
    throw new EdgepassError('duplicate', known?.message ?? 'The resource already exists.', {
      field: known?.field,
      cause: error,
    })
  }
}

/** A tenant table whose rows have a name (directories, groups, applications, organizations). */
type NamedTable = Parameters<typeof inTenant>[0]

/**
 * The partial update every named resource shares: its `name` trimmed, `modifiedAt` stamped,
 * a unique violation answered as 409/2001, and 404 if the row vanished meanwhile.
 */
export async function updateNamedRow<T extends NamedTable>(
  deps: Pick<Deps, 'db' | 'now'>,
  table: T,
  row: { id: string; tenantId: string },
  changes: Record<string, unknown> & { name?: string },
  what: string,
): Promise<T['$inferSelect']> {
  const set = {
    ...changes,
    ...(changes.name ? { name: changes.name.trim() } : {}),
    modifiedAt: deps.now(),
  }
  const [updated] = (await refusingDuplicates(() =>
    deps.db
      .update(table as SQLiteTable)
      .set(set as never)
      .where(inTenant(table, row.tenantId, row.id))
      .returning(),
  )) as T['$inferSelect'][]
  if (!updated) throw new EdgepassError('not_found', `The ${what} no longer exists.`)
  return updated
}
