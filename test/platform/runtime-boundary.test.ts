import { describe, expect, test } from 'bun:test'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { REPO_ROOT } from '../../src/runtime/cli/wrangler'

/**
 * DESIGN.md principle 1: `src/` uses Web APIs only; Bun and Workers specifics live in
 * `src/runtime/` and arrive through `deps`. This scan keeps it so.
 */
const NODE_BUILTINS = new Set([
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
])
const RUNTIME_GLOBALS: [RegExp, string][] = [
  [/\bprocess\s*\./, 'process'],
  [/\bBun\s*\./, 'Bun'],
  [/\bDeno\s*\./, 'Deno'],
  [/\bBuffer\b/, 'Buffer'],
  [/\b__dirname\b|\b__filename\b/, '__dirname/__filename'],
  [/\brequire\s*\(/, 'require()'],
  [/\bimport\.meta\.(dir|main|path|file|env)\b/, 'import.meta (Bun)'],
  [/\bsetImmediate\s*\(/, 'setImmediate'],
]

const transpiler = new Bun.Transpiler({ loader: 'tsx' })

/** What in one source file ties it to a runtime: imports of runtime modules, runtime globals. */
export function runtimeTies(source: string): string[] {
  const ties: string[] = []
  for (const { path } of transpiler.scanImports(source)) {
    if (
      path.startsWith('node:') ||
      path === 'bun' ||
      path.startsWith('bun:') ||
      NODE_BUILTINS.has(path)
    ) {
      ties.push(`import '${path}'`)
    }
    if (path.startsWith('cloudflare:')) ties.push(`import '${path}'`)
  }
  // Transpiled output has no comments or types, so documentation examples do not count.
  const code = transpiler.transformSync(source)
  for (const [pattern, name] of RUNTIME_GLOBALS) if (pattern.test(code)) ties.push(name)
  return ties
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter(
      (entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('runtime boundary', () => {
  test('the scanner recognises runtime imports and globals', () => {
    const sample = `
      import { readFile } from 'node:fs/promises'
      import path from 'path'
      import { serve } from 'bun'
      import { env } from 'cloudflare:workers'
      // process.env in a comment does not count
      export const a = process.env.X ?? Bun.version ?? Buffer.from('x') ?? require('y')
      export const b = import.meta.dir`
    expect(runtimeTies(sample)).toEqual([
      "import 'node:fs/promises'",
      "import 'path'",
      "import 'bun'",
      "import 'cloudflare:workers'",
      'process',
      'Bun',
      'Buffer',
      'require()',
      'import.meta (Bun)',
    ])
    expect(runtimeTies(`/** Bun.serve({ fetch: app.fetch }) */ export const ok = fetch`)).toEqual(
      [],
    )
  })

  test('nothing in src/ outside src/runtime/ touches a runtime', async () => {
    const offenders: string[] = []
    const files = (await sourceFiles(join(REPO_ROOT, 'src'))).filter(
      (file) => !relative(REPO_ROOT, file).startsWith('src/runtime/'),
    )
    expect(files.length).toBeGreaterThan(5)
    for (const file of files) {
      const ties = runtimeTies(await readFile(file, 'utf8'))
      if (ties.length > 0) offenders.push(`${relative(REPO_ROOT, file)}: ${ties.join(', ')}`)
    }
    expect(offenders).toEqual([])
  })
})
