import { expect, test } from 'bun:test'
import { tenants } from '../../db/schema'
import { isConstraintError, violatedColumns } from '../../src/store/errors'
import {
  countTenants,
  findTenantByNameKey,
  insertTenants,
  type NewTenantRow,
} from '../../src/store/tenants'
import { describeTargets } from '../harness/targets'

let serial = 0
function tenant(nameKey = `tenant-${++serial}`): NewTenantRow {
  const at = new Date('2026-01-02T03:04:05.678Z')
  return { id: `id-${nameKey}`, nameKey, name: nameKey, createdAt: at, modifiedAt: at }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the statement to fail')
}

// The store's rules (DESIGN.md "Portable SQL") checked on both drivers: libSQL and D1.
describeTargets('portable SQL', (target) => {
  test('a row round-trips with its millisecond timestamps', async () => {
    await insertTenants(target.db, [tenant('round-trip')])
    const row = await findTenantByNameKey(target.db, 'round-trip')
    expect(row).toMatchObject({ nameKey: 'round-trip', version: 1 })
    expect(row?.createdAt.toISOString()).toBe('2026-01-02T03:04:05.678Z')
  })

  test('a UNIQUE violation is recognised through .cause and names its column', async () => {
    await insertTenants(target.db, [tenant('taken')])
    const error = await failure(insertTenants(target.db, [{ ...tenant('taken'), id: 'other-id' }]))
    expect(isConstraintError(error, 'UNIQUE')).toBe(true)
    expect(isConstraintError(error, 'FOREIGN KEY')).toBe(false)
    expect(violatedColumns(error)).toEqual(['tenants.name_key'])
  })

  test('other failures are not mistaken for constraint violations', async () => {
    expect(isConstraintError(new Error('no such table: x'), 'UNIQUE')).toBe(false)
    expect(isConstraintError('UNIQUE constraint failed: x', 'UNIQUE')).toBe(false)
    expect(violatedColumns(undefined)).toEqual([])
  })

  test('a batch is atomic: a failing later statement leaves nothing of the earlier ones', async () => {
    await insertTenants(target.db, [tenant('existing')])
    const before = await countTenants(target.db)
    const rows = [...Array.from({ length: 20 }, () => tenant()), { ...tenant('existing'), id: 'x' }]
    expect(isConstraintError(await failure(insertTenants(target.db, rows)), 'UNIQUE')).toBe(true)
    expect(await countTenants(target.db)).toBe(before)
  })

  test('inserting 150 rows stays within D1’s 100-parameter limit by chunking', async () => {
    const before = await countTenants(target.db)
    await insertTenants(
      target.db,
      Array.from({ length: 150 }, () => tenant()),
    )
    expect(await countTenants(target.db)).toBe(before + 150)
  })

  if (target.name === 'workerd') {
    test('the limit is real on D1: one unchunked 17-row insert (102 parameters) fails', async () => {
      const rows = Array.from({ length: 17 }, () => tenant())
      const error = await failure(target.db.insert(tenants).values(rows).run())
      expect(String((error as Error).cause ?? error)).toContain('too many SQL variables')
    })
  }
})
