import { createClient } from '@libsql/client'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runServerExpectingExit, startServer } from '../harness/process'

describe('Bun entry (npm start)', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgepass-start-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  test('first start: ready within 10 s on ./data/edgepass.db with a generated 0600 secret', async () => {
    const server = await startServer(dir)
    expect(server.readyAfterMs).toBeLessThan(10_000)
    const { exitCode, stdout, stderr } = await server.stop('SIGTERM')

    expect(exitCode).toBe(0)
    expect((await stat(join(dir, 'data/edgepass.db'))).isFile()).toBe(true)
    const keyFile = await stat(join(dir, 'data/secret.key'))
    expect(keyFile.mode & 0o777).toBe(0o600)
    expect((await readFile(join(dir, 'data/secret.key'), 'utf8')).trim()).toMatch(/^[\w-]{43}$/)

    expect(stderr).toContain(`listening on http://localhost:${server.port}`)
    expect(stderr).toContain('/registration')
    const messages = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).msg)
    expect(messages).toEqual(['started', 'request', 'stopping', 'stopped'])
  })

  test('second start reuses the database and the secret', async () => {
    const keyBefore = await readFile(join(dir, 'data/secret.key'), 'utf8')
    const client = createClient({ url: `file:${join(dir, 'data/edgepass.db')}` })
    await client.execute(
      "insert into tenants (id, name_key, name, created_at, modified_at) values ('t1', 'kept', 'Kept', 0, 0)",
    )
    client.close()

    const { exitCode } = await (await startServer(dir)).stop('SIGINT')

    expect(exitCode).toBe(0)
    expect(await readFile(join(dir, 'data/secret.key'), 'utf8')).toBe(keyBefore)
    const reopened = createClient({ url: `file:${join(dir, 'data/edgepass.db')}` })
    const { rows } = await reopened.execute('select name_key from tenants')
    reopened.close()
    expect(rows.map((row) => row.name_key)).toEqual(['kept'])
  })

  test('SECRET_KEY from the environment is used instead of generating a file', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'edgepass-start-'))
    const server = await startServer(fresh, { SECRET_KEY: 'k'.repeat(40) })
    await server.stop()
    await expect(stat(join(fresh, 'data/secret.key'))).rejects.toThrow()
    await rm(fresh, { recursive: true, force: true })
  })

  test.each([
    ['PORT', 'abc', 'edgepass: invalid configuration: PORT must be a whole number'],
    ['DATABASE_URL', 'ftp://x', 'edgepass: invalid configuration: DATABASE_URL must be'],
    ['LOG_LEVEL', 'chatty', 'edgepass: invalid configuration: LOG_LEVEL must be one of'],
    ['SECRET_KEY', 'too-short', 'edgepass: invalid configuration: SECRET_KEY must be at least'],
  ])(
    '%s=%p stops start-up with one line, no stack trace, exit code 1',
    async (name, value, expected) => {
      const { exitCode, stdout, stderr } = await runServerExpectingExit(dir, { [name]: value })
      expect(exitCode).toBe(1)
      expect(stdout).toBe('')
      expect(stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(expected)])
      expect(stderr).not.toContain('    at ')
    },
  )

  test('a port already in use stops start-up with one line', async () => {
    const port = freePort()
    const blocker = Bun.serve({ port, fetch: () => new Response() })
    const { exitCode, stderr } = await runServerExpectingExit(dir, { PORT: String(port) })
    blocker.stop(true)
    expect(exitCode).toBe(1)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(stderr).toStartWith('edgepass: cannot start: ')
  })

  test('an unreadable database stops start-up with one line', async () => {
    const { exitCode, stderr } = await runServerExpectingExit(dir, {
      PORT: String(freePort()),
      DATABASE_URL: 'file:/proc/edgepass/cannot/exist.db',
    })
    expect(exitCode).toBe(1)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(stderr).toStartWith('edgepass: cannot start: ')
  })
})
