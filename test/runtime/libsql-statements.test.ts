import { describe, expect, test } from 'bun:test'
import Database from 'libsql'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../src/config'
import {
  cachedStatementCount,
  installStatementCache,
  MAX_CACHED_STATEMENTS,
} from '../../src/runtime/libsql-statements'
import { openDatabase } from '../../src/runtime/bun'
import { testEnv } from '../harness/targets'

installStatementCache()

async function withConnection(run: (connection: Database.Database) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'edgepass-statements-'))
  const connection = new Database(join(dir, 'cache.db'))
  try {
    connection.exec('create table t (id integer primary key, a text)')
    run(connection)
  } finally {
    connection.close()
    await rm(dir, { recursive: true, force: true })
  }
}

describe('libSQL statement cache', () => {
  test('the same SQL is prepared once and answers each execution with its own values', () =>
    withConnection((connection) => {
      const insert = connection.prepare('insert into t (id, a) values (?, ?)')
      insert.run([1, 'one'])
      expect(connection.prepare('insert into t (id, a) values (?, ?)')).toBe(insert)
      connection.prepare('insert into t (id, a) values (?, ?)').run([2, 'two'])
      const select = 'select a from t where id = ?'
      expect(connection.prepare(select).raw(true).all([1])).toEqual([['one']])
      expect(connection.prepare(select).raw(true).all([2])).toEqual([['two']])
      expect(connection.prepare(select).raw(true).all([3])).toEqual([])
    }))

  test('a schema change empties the cache, so columns are read anew', () =>
    withConnection((connection) => {
      const wide = 'select * from t'
      expect(
        connection
          .prepare(wide)
          .columns()
          .map((column) => column.name),
      ).toEqual(['id', 'a'])
      connection.prepare('alter table t add column b text').run()
      expect(cachedStatementCount(connection)).toBe(0)
      expect(
        connection
          .prepare(wide)
          .columns()
          .map((column) => column.name),
      ).toEqual(['id', 'a', 'b'])
    }))

  test('PRAGMAs are never cached: libsql changes the mode of its pragma statements', () =>
    withConnection((connection) => {
      const first = connection.prepare('PRAGMA journal_mode')
      expect(connection.prepare('PRAGMA journal_mode')).not.toBe(first)
      expect(cachedStatementCount(connection)).toBe(0)
    }))

  test('is bounded: the least recently used statement is dropped first', () =>
    withConnection((connection) => {
      const hot = connection.prepare('select 0 from t')
      for (let i = 1; i < MAX_CACHED_STATEMENTS + 50; i++) {
        connection.prepare(`select ${i} from t`)
        connection.prepare('select 0 from t')
      }
      expect(cachedStatementCount(connection)).toBe(MAX_CACHED_STATEMENTS)
      expect(connection.prepare('select 0 from t')).toBe(hot)
    }))

  test('npm start opens the embedded file in WAL mode with synchronous=NORMAL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgepass-wal-'))
    const { client } = await openDatabase(
      parseConfig(testEnv({ DATABASE_URL: `file:${join(dir, 'edgepass.db')}` })),
    )
    try {
      expect((await client.execute('PRAGMA journal_mode')).rows[0]?.[0]).toBe('wal')
      expect(Number((await client.execute('PRAGMA synchronous')).rows[0]?.[0])).toBe(1)
      expect(Number((await client.execute('PRAGMA busy_timeout')).rows[0]?.[0])).toBe(5000)
    } finally {
      client.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
