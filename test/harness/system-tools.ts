/**
 * The system tools the suites drive as real peers (DESIGN.md principle 9), checked by `npm test`
 * before `bun test` so that a missing one fails loudly instead of skipping a suite. As root on
 * Debian (CI, containers) the missing packages are installed; elsewhere the exact command to
 * run is printed and the run stops.
 *
 * Run it alone with `bun test/harness/system-tools.ts`.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export interface SystemTool {
  name: string
  /** Where the suites expect the executable. */
  path: string
  /** The Debian package that installs it there. */
  debianPackage: string
  /** The suites that need it, for the message. */
  usedBy: string
}

/** One row per tool. */
export const SYSTEM_TOOLS: readonly SystemTool[] = [
  {
    name: 'chromium',
    path: '/usr/bin/chromium',
    debianPackage: 'chromium',
    usedBy: 'test/ui (the hosted pages in headless Chromium)',
  },
  {
    name: 'ldapsearch',
    path: '/usr/bin/ldapsearch',
    debianPackage: 'ldap-utils',
    usedBy: 'test/workers (the LDAP server against the OpenLDAP client tools)',
  },
  {
    name: 'slapd',
    path: '/usr/sbin/slapd',
    debianPackage: 'slapd',
    usedBy: 'bench/ldap.sh and the external directory suites (OpenLDAP as the peer)',
  },
]

/**
 * Debconf answers given before installing: Debian's slapd package otherwise creates and starts
 * its own directory; the suites start private instances of their own.
 */
export const DEBCONF_PRESEED = 'slapd slapd/no_configuration boolean true'

/** The tools of `tools` whose executable is not where the suites expect it. */
export function missingTools(
  tools: readonly SystemTool[] = SYSTEM_TOOLS,
  exists: (path: string) => boolean = existsSync,
): SystemTool[] {
  return tools.filter((tool) => !exists(tool.path))
}

/** The apt-get command that installs `tools`, as a user would type it. */
export function installCommand(tools: readonly SystemTool[], sudo: boolean): string {
  const packages = [...new Set(tools.map((tool) => tool.debianPackage))].join(' ')
  return `${sudo ? 'sudo ' : ''}apt-get install -y --no-install-recommends ${packages}`
}

function main(): number {
  const missing = missingTools()
  if (missing.length === 0) {
    console.log(`system tools: ${SYSTEM_TOOLS.map((tool) => tool.name).join(', ')} present`)
    return 0
  }
  for (const tool of missing) {
    console.error(`system tools: ${tool.name} is missing (${tool.path}), needed by ${tool.usedBy}`)
  }
  const isRoot = process.getuid?.() === 0
  const hasAptGet = existsSync('/usr/bin/apt-get')
  if (!isRoot || !hasAptGet) {
    const where = hasAptGet ? '' : ' (on Debian or Ubuntu; elsewhere install the same tools)'
    console.error(
      `Install them, then run npm test again${where}:\n  ${installCommand(missing, true)}`,
    )
    return 1
  }
  const command = `echo '${DEBCONF_PRESEED}' | debconf-set-selections && apt-get update -qq && ${installCommand(missing, false).replace('-y', '-y -qq')}`
  console.log(`system tools: installing as root: ${command}`)
  const run = spawnSync('sh', ['-c', command], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  const still = missingTools()
  if (run.status !== 0 || still.length > 0) {
    console.error(
      `system tools: installation failed; still missing: ${still.map((t) => t.name).join(', ') || 'none'}`,
    )
    return 1
  }
  console.log(`system tools: installed ${missing.map((tool) => tool.name).join(', ')}`)
  return 0
}

if (import.meta.main) process.exit(main())
