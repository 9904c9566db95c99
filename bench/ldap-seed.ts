/**
 * Seeds an Edgepass database for the LDAP benchmark (`bench/ldap.sh`): a tenant `bench`, one
 * directory of `users` accounts `user0000…` (ENABLED, email verified) sharing one argon2id hash,
 * `groups` groups with every account in one of them, and LDAP enabled on suffix `dc=bench` with
 * a fresh admin secret. Prints one JSON line for the shell script, including the PHC string so
 * slapd can be given the very same hash (`{ARGON2}` + PHC, LDAP reference §6.3).
 *
 *   DATABASE_URL=file:<db> SECRET_KEY=<32+ chars> bun bench/ldap-seed.ts [users=10000] [groups=50]
 *
 * Accounts are inserted straight into the tables: hashing 10,000 passwords one by one would take
 * minutes (~50 ms each) and measure nothing the benchmark is about.
 */
import * as schema from '../db/schema'
import { createDirectory } from '../src/directory/directories'
import { rotateLdapAdminSecret, updateLdapSettings } from '../src/directory/ldap-settings'
import { registerTenant } from '../src/directory/tenants'
import { createLogger } from '../src/log'
import { createBunDeps, loadConfig, migrateDatabase, openDatabase } from '../src/runtime/bun'
import { chunkForParameters } from '../src/store/chunks'
import { runBatch, type BatchStatement } from '../src/store/db'

const USERS = Number(process.argv[2] ?? 10_000)
const GROUPS = Number(process.argv[3] ?? 50)
const SUFFIX = 'dc=bench'
/** Meets the default password policy, though nothing here checks it. */
const PASSWORD = 'Bench-password-1'
/** Statements per `db.batch`: 100 statements of 5–16 rows, a moderate transaction. */
const STATEMENTS_PER_BATCH = 100

if (!process.env.SECRET_KEY || !process.env.DATABASE_URL?.startsWith('file:')) {
  console.error('usage: DATABASE_URL=file:<db> SECRET_KEY=<32+ chars> bun bench/ldap-seed.ts')
  process.exit(2)
}
if (USERS > 10_000) {
  // ldclt's XXXX templating pads to the number of X's; the scripts use four.
  console.error('at most 10000 users (usernames are user0000…user9999)')
  process.exit(2)
}

const config = await loadConfig(process.env)
const { db, client } = await openDatabase(config)
await migrateDatabase(db)
const deps = createBunDeps(
  config,
  db,
  createLogger('warn', (line) => console.error(line)),
)
const started = performance.now()

const { tenant } = await registerTenant(deps, {
  tenantNameKey: 'bench',
  email: 'admin@bench.example.org',
  givenName: 'Bench',
  surname: 'Admin',
  password: 'Bench-admin-1234',
})
const directory = await createDirectory(deps, tenant.id, { name: 'Bench users' })
// One hash, at the parameters Edgepass uses for every new password (ARGON2ID_PARAMS).
const passwordHash = await deps.passwords.hash(PASSWORD)

const now = deps.now()
const times = { createdAt: now, modifiedAt: now }
const name = (i: number) => String(i).padStart(4, '0')
const accounts = Array.from({ length: USERS }, (_, i) => ({
  id: deps.newId(),
  tenantId: tenant.id,
  directoryId: directory.id,
  email: `user${name(i)}@example.org`,
  username: `user${name(i)}`,
  givenName: 'User',
  surname: name(i),
  status: 'ENABLED',
  emailVerificationStatus: 'VERIFIED',
  passwordHash,
  passwordModifiedAt: now,
  ...times,
}))
const groups = Array.from({ length: GROUPS }, (_, g) => ({
  id: deps.newId(),
  tenantId: tenant.id,
  directoryId: directory.id,
  name: `group${String(g).padStart(2, '0')}`,
  ...times,
}))
const memberships = (GROUPS > 0 ? accounts : []).map((account, i) => ({
  id: deps.newId(),
  tenantId: tenant.id,
  accountId: account.id,
  groupId: groups[i % GROUPS]!.id,
  ...times,
}))

/** Multi-row inserts within D1's parameter limit (a row binds at most one per column). */
const rowsPerStatement = <Row>(rows: Row[], table: object) =>
  chunkForParameters(rows, Object.keys(table).length)
const statements: BatchStatement[] = [
  ...rowsPerStatement(accounts, schema.accounts).map((chunk) =>
    db.insert(schema.accounts).values(chunk),
  ),
  ...rowsPerStatement(groups, schema.groups).map((chunk) => db.insert(schema.groups).values(chunk)),
  ...rowsPerStatement(memberships, schema.groupMemberships).map((chunk) =>
    db.insert(schema.groupMemberships).values(chunk),
  ),
]
for (let start = 0; start < statements.length; start += STATEMENTS_PER_BATCH) {
  await runBatch(db, statements.slice(start, start + STATEMENTS_PER_BATCH))
}

await updateLdapSettings(deps, tenant, { enabled: true, suffix: SUFFIX })
const adminSecret = await rotateLdapAdminSecret(deps, tenant)
client.close()

console.log(
  JSON.stringify({
    suffix: SUFFIX,
    adminDn: `cn=admin,ou=system,${SUFFIX}`,
    adminSecret,
    /** By username (LDAP reference §2: a value not starting with `uid-` names a username). */
    userDnTemplate: `uid=userXXXX,ou=users,${SUFFIX}`,
    /** `uid` is the account id on Edgepass (Cloudron's layout); `username` is the equality to match. */
    searchFilterTemplate: 'username=userXXXX',
    password: PASSWORD,
    passwordHash,
    users: USERS,
    groups: GROUPS,
    seedSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  }),
)
