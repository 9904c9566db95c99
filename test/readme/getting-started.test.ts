import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../../src/runtime/cli/wrangler'
import { startServer, type ServerProcess } from '../harness/process'

/** The commands of the README's "Getting started" block, joined across `\` continuations. */
async function gettingStartedCommands(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8')
  const section = readme.split('## Getting started')[1]!
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('curl '))
}

// Runs the README's curl sequence with real curl, substituting only the values it says to note.
describe('README getting-started sequence against npm start', () => {
  let dir: string
  let server: ServerProcess
  const outputs: { command: string; exitCode: number; stdout: string }[] = []

  beforeAll(async () => {
    if (!Bun.which('curl')) throw new Error('curl is missing: apt-get install -y curl')
    dir = await mkdtemp(join(tmpdir(), 'edgepass-readme-'))
    server = await startServer(dir, { LOG_LEVEL: 'warn' })
    const values: Record<string, string> = {}
    for (const template of await gettingStartedCommands()) {
      let command = template.replaceAll('http://localhost:10010', `http://localhost:${server.port}`)
      for (const [name, value] of Object.entries(values)) command = command.replaceAll(name, value)
      const child = Bun.spawn(['bash', '-c', `${command} --silent --show-error`], {
        cwd: dir,
        stdout: 'pipe',
        stderr: 'pipe',
      })
      const stdout = await new Response(child.stdout).text()
      outputs.push({ command: template, exitCode: await child.exited, stdout })
      // The README tells the reader to note these: the account's href, then the key's id and secret.
      if (template.includes('/v1/accounts/current'))
        values.ACCOUNT_ID = JSON.parse(stdout).href.split('/').pop()
      if (template.includes('/apiKeys')) {
        const key = JSON.parse(stdout)
        values.API_KEY_ID = key.id
        values.API_KEY_SECRET = key.secret
      }
    }
  })
  afterAll(async () => {
    await server?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  test('the README has the five commands of Cloudpass’s getting-started', () => {
    expect(
      outputs.map((o) =>
        o.command
          .split(' ')
          .find((word) => word.includes('http'))
          ?.replace(/^.*10010/, ''),
      ),
    ).toEqual([
      '/registration',
      '/login',
      '/v1/accounts/current',
      '/v1/accounts/ACCOUNT_ID/apiKeys',
      '/v1/tenants/current',
    ])
  })

  test('every command succeeds and the last one shows the tenant through the API key', () => {
    for (const output of outputs) expect(output.exitCode).toBe(0)
    const tenant = JSON.parse(outputs.at(-1)!.stdout)
    expect(tenant).toMatchObject({ key: 'my-tenant', name: 'my-tenant' })
    expect(JSON.parse(outputs[2]!.stdout)).toMatchObject({
      email: 'admin@example.com',
      fullName: 'Ada Admin',
    })
  })
})
