import { createClient, type Client } from '@libsql/client'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, asc, eq, sql } from 'drizzle-orm'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EdgepassError, type ErrorCode } from '../../src/errors'
import {
  DEFAULT_LIMIT,
  MAX_FILTER_BINDINGS,
  MAX_LIMIT,
  parseCollectionQuery,
  parseExpand,
  type ResourceQuerySpec,
} from '../../src/rest/query'

// A throwaway table shaped like accounts: the compiled SQL is executed, not string-compared.
const people = sqliteTable('people', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  givenName: text('given_name'),
  surname: text('surname'),
  email: text('email').notNull(),
  status: text('status').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  customData: text('custom_data'),
})

const spec: ResourceQuerySpec = {
  searchable: {
    id: { column: people.id, kind: 'id' },
    givenName: { column: people.givenName, kind: 'text' },
    surname: { column: people.surname, kind: 'text' },
    email: { column: people.email, kind: 'text' },
    status: { column: people.status, kind: 'status' },
    createdAt: { column: people.createdAt, kind: 'date' },
  },
  sortable: { givenName: people.givenName, surname: people.surname, createdAt: people.createdAt },
  expandable: { directory: 'link', tenant: 'link', customData: 'link', groups: 'collection' },
  customData: people.customData,
  defaultOrder: [asc(people.createdAt), asc(people.id)],
}
const { customData: _, ...withoutCustomData } = spec

// [id, givenName, surname, email, status, createdAt, customData], in createdAt order.
const ROWS: [string, string, string, string, string, string, object | null][] = [
  [
    'p01',
    'Charles',
    'Babbage',
    'charles@example.com',
    'ENABLED',
    '2014-12-31T23:59:59.999Z',
    { address: { city: 'LONDON' } },
  ],
  [
    'p02',
    'Ada',
    'Lovelace',
    'ada@example.com',
    'ENABLED',
    '2015-01-01T00:00:00.000Z',
    { score: 10, startDate: '2015-03-01', vip: true, address: { city: 'London' } },
  ],
  [
    'p03',
    'Alan',
    'Turing',
    'alan@example.com',
    'ENABLED',
    '2015-01-12T10:30:15.123Z',
    { score: 1000, startDate: '2015-12-31T23:59:59Z', vip: false, address: { city: 'Manchester' } },
  ],
  [
    'p04',
    'Grace',
    'Hopper',
    'grace@navy.mil',
    'DISABLED',
    '2015-01-31T23:59:59.999Z',
    { score: 50, startDate: '2016-01-01' },
  ],
  [
    'p05',
    'Linus',
    'Torvalds',
    'linus@kernel.org',
    'UNVERIFIED',
    '2015-02-01T00:00:00.000Z',
    { score: '500' },
  ],
  [
    'p06',
    '100% Sure',
    'Percent',
    'percent_user@example.com',
    'ENABLED',
    '2015-02-03T12:00:00.000Z',
    { note: '50% off', startDate: 2015 },
  ],
  ['p07', 'Ed', 'Snow', 'ed@example.com', 'ENABLED', '2015-02-03T12:59:59.999Z', { score: 0 }],
  [
    'p08',
    '1000 Sure',
    'Xsure',
    'percentXuser@example.com',
    'ENABLED',
    '2015-02-03T13:00:00.000Z',
    { score: -5 },
  ],
  ['p09', 'Back\\slash', 'Slash', 'back@example.com', 'DISABLED', '2016-06-15T00:00:00.000Z', null],
  [
    'p10',
    'Jon',
    'Snow',
    'jon@example.com',
    'ENABLED',
    '2017-03-04T05:06:07.089Z',
    { '0': 'zero-key', arr: ['x'] },
  ],
]
const ALL = ROWS.map(([id]) => id)

let dir: string
let client: Client
let db: LibSQLDatabase

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgepass-query-'))
  client = createClient({ url: `file:${join(dir, 'query.db')}` })
  db = drizzle(client)
  await db.run(sql`create table people (id text primary key, tenant_id text not null,
    given_name text, surname text, email text not null, status text not null,
    created_at integer not null, custom_data text)`)
  await db.insert(people).values(
    ROWS.map(([id, givenName, surname, email, status, createdAt, customData]) => ({
      id,
      tenantId: 't1',
      givenName,
      surname,
      email,
      status,
      createdAt: new Date(createdAt),
      customData: customData && JSON.stringify(customData),
    })),
  )
})

afterAll(async () => {
  client.close()
  await rm(dir, { recursive: true, force: true })
})

type Params = string | Record<string, string> | [string, string][]

function parse(params: Params, resource: ResourceQuerySpec = spec) {
  return parseCollectionQuery(new URLSearchParams(params), resource)
}

/** The ids a collection request returns, in its order. */
async function ids(params: Params, resource: ResourceQuerySpec = spec): Promise<string[]> {
  const q = parse(params, resource)
  const rows = await db
    .select({ id: people.id })
    .from(people)
    .where(q.where)
    .orderBy(...q.orderBy)
    .limit(q.limit)
    .offset(q.offset)
  return rows.map((row) => row.id)
}

/** The error a request is refused with; fails the test when it is not a query error. */
function refusal(params: Params, code: ErrorCode, resource: ResourceQuerySpec = spec) {
  let error: unknown
  try {
    parse(params, resource)
  } catch (caught) {
    error = caught
  }
  expect(error).toBeInstanceOf(EdgepassError)
  expect((error as EdgepassError).code).toBe(code)
  return error as EdgepassError
}

describe('paging', () => {
  test('offset defaults to 0 and limit to 25', () => {
    expect(parse('')).toMatchObject({ offset: 0, limit: DEFAULT_LIMIT, where: undefined })
  })

  test('limit is clamped into 1..100 and the effective limit is returned for echoing', () => {
    expect(parse('limit=500').limit).toBe(MAX_LIMIT)
    expect(parse('limit=0').limit).toBe(1)
    expect(parse('limit=-3').limit).toBe(1)
    expect(parse('limit=99999999999999999999999').limit).toBe(MAX_LIMIT)
  })

  test('a negative offset starts at the first item; a huge one returns an empty page', async () => {
    expect(parse('offset=-4').offset).toBe(0)
    expect(await ids('offset=99999999999999999999999')).toEqual([])
  })

  test('offset and limit select a page in the default order', async () => {
    expect(await ids('offset=2&limit=3')).toEqual(['p03', 'p04', 'p05'])
  })

  test.each(['abc', '', '1.5', '1e3', '10abc', '+5', ' 5'])(
    'a non-numeric offset or limit (%p) is refused with 2103 naming the parameter',
    (value) => {
      for (const parameter of ['offset', 'limit']) {
        const error = refusal({ [parameter]: value }, 'query_invalid_value')
        expect(error.field).toBe(parameter)
        expect(error.message).toContain(parameter)
      }
    },
  )
})

describe('accepted parameters', () => {
  test('nocache, _method, the API-key encryption and create flags are accepted and ignored', async () => {
    const passed =
      'nocache=true&_method=DELETE&encryptSecret=true&encryptionKeySize=256' +
      '&encryptionKeyIterations=1024&encryptionKeySalt=abc&registrationWorkflowEnabled=false' +
      '&passwordFormat=mcf&createDirectory=true&nocache=1'
    expect(await ids(passed)).toEqual(ALL)
  })

  test('a parameter that is not a searchable attribute is refused with 2105 naming it', () => {
    const error = refusal('password=secret', 'query_unsupported')
    expect(error.field).toBe('password')
    expect(error.message).toContain('password')
  })

  test('prototype pollution: constructor, __proto__ and toString are not attributes', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      refusal({ [name]: 'x' }, 'query_unsupported')
      expect(refusal({ orderBy: name }, 'query_order_by_attribute').field).toBe('orderBy')
      refusal({ expand: name }, 'query_not_expandable')
    }
  })

  test('a parameter given twice is refused with 2100', () => {
    expect(refusal('givenName=a&givenName=b', 'query_malformed').field).toBe('givenName')
    expect(refusal('limit=1&limit=2', 'query_malformed').message).toContain('limit')
    refusal('orderBy=surname&orderBy=givenName', 'query_malformed')
  })

  test('more than 50 filter parameters are refused with 2100; 50 are accepted', async () => {
    const filters = (count: number) =>
      Array.from({ length: count }, (_, i): [string, string] => [`customData.k${i}`, '*'])
    expect(await ids(filters(50))).toEqual([])
    refusal(filters(51), 'query_malformed')
  })

  test('parameter flooding: 1000 parameters are refused, 1000 nocache are ignored', () => {
    const flood = Array.from({ length: 1000 }, (_, i) => `p${i}=x`).join('&')
    refusal(flood, 'query_malformed')
    expect(parse('nocache=1&'.repeat(1000)).where).toBeUndefined()
  })

  test('an empty filter value is refused with 2103 (Stormpath 2101 "needs a value")', () => {
    expect(refusal('givenName=', 'query_invalid_value').field).toBe('givenName')
  })
})

describe('q', () => {
  test('matches case-insensitively anywhere in any text attribute', async () => {
    expect(await ids('q=LOVE')).toEqual(['p02'])
    expect(await ids('q=navy')).toEqual(['p04'])
    expect(await ids('q=al')).toEqual(['p03', 'p05'])
  })

  test('does not search status, ids or dates', async () => {
    expect(await ids('q=disabled')).toEqual([])
    expect(await ids('q=p01')).toEqual([])
    expect(await ids('q=2015')).toEqual([])
  })

  test('takes * and LIKE wildcards literally', async () => {
    expect(await ids('q=*')).toEqual([])
    expect(await ids('q=%25')).toEqual(['p06'])
    expect(await ids('q=t_u')).toEqual(['p06'])
  })

  test('an empty q filters nothing; q on a collection without text attributes → 2105', async () => {
    expect(await ids('q=')).toEqual(ALL)
    refusal('q=x', 'query_unsupported', { ...spec, searchable: { id: spec.searchable.id! } })
  })

  test('ANDs with attribute filters', async () => {
    expect(await ids('q=example&status=disabled')).toEqual(['p09'])
  })
})

describe('attribute search', () => {
  test('an exact value matches the whole value, case-insensitively', async () => {
    expect(await ids('givenName=ada')).toEqual(['p02'])
    expect(await ids('givenName=ad')).toEqual([])
  })

  test('*value is ends-with, value* starts-with, *value* contains', async () => {
    expect(await ids('surname=*ING')).toEqual(['p03'])
    expect(await ids('givenName=a*')).toEqual(['p02', 'p03'])
    expect(await ids('email=*@EXAMPLE*')).toEqual([
      'p01',
      'p02',
      'p03',
      'p06',
      'p07',
      'p08',
      'p09',
      'p10',
    ])
    expect(await ids('givenName=*')).toEqual(ALL)
  })

  test('several filters AND together', async () => {
    expect(await ids('surname=snow&givenName=j*')).toEqual(['p10'])
  })

  test('LIKE injection: % and _ in a search value are matched literally', async () => {
    expect(await ids('givenName=100%25*')).toEqual(['p06'])
    expect(await ids('email=percent_user*')).toEqual(['p06'])
    expect(await ids('givenName=%25')).toEqual([])
    expect(await ids('givenName=_d')).toEqual([])
    expect(await ids('givenName=back\\slash')).toEqual(['p09'])
    expect(await ids('givenName=back\\*')).toEqual(['p09'])
  })

  test("the longest value allowed, all LIKE metacharacters, stays within SQLite's pattern limit", async () => {
    expect(await ids({ givenName: '%'.repeat(4096) })).toEqual([])
    expect(await ids({ givenName: `*${'😀'.repeat(2047)}*` })).toEqual([])
    expect(await ids({ q: '_'.repeat(4096) })).toEqual([])
  })

  test('status is an exact value compared upper-cased', async () => {
    expect(await ids('status=disabled')).toEqual(['p04', 'p09'])
    expect(await ids('status=Unverified')).toEqual(['p05'])
  })

  test('status and id refuse wildcards with 2103', () => {
    for (const value of ['ENA*', '*', '*ABLED', 'EN*ED']) {
      expect(refusal({ status: value }, 'query_invalid_value').field).toBe('status')
    }
    refusal('id=p0*', 'query_invalid_value')
  })

  test('id is an exact, case-sensitive value', async () => {
    expect(await ids('id=p03')).toEqual(['p03'])
    expect(await ids('id=P03')).toEqual([])
  })
})

describe('date search', () => {
  test('shorthand without brackets means the whole unit', async () => {
    expect(await ids('createdAt=2015')).toEqual(['p02', 'p03', 'p04', 'p05', 'p06', 'p07', 'p08'])
    expect(await ids('createdAt=2015-01')).toEqual(['p02', 'p03', 'p04'])
    expect(await ids('createdAt=2015-01-12')).toEqual(['p03'])
    expect(await ids('createdAt=2015-02-03T12')).toEqual(['p06', 'p07'])
    expect(await ids('createdAt=2015-01-12T10:30')).toEqual(['p03'])
    expect(await ids('createdAt=2015-01-12T10:30:15Z')).toEqual(['p03'])
    expect(await ids('createdAt=2015-01-12T10:30:15.123Z')).toEqual(['p03'])
    expect(await ids('createdAt=2015-01-12T10:30:15.124')).toEqual([])
    expect(await ids('createdAt=[2015-01]')).toEqual(['p02', 'p03', 'p04'])
  })

  test('[ and ] include a bound, ( and ) exclude it', async () => {
    expect(await ids('createdAt=[2015-01-12, 2015-02-01)')).toEqual(['p03', 'p04'])
    expect(await ids('createdAt=[2015-01-12,2015-02-01]')).toEqual(['p03', 'p04', 'p05'])
    expect(await ids('createdAt=(2015-01-01T00:00:00.000Z,2015-01-12]')).toEqual([])
    expect(await ids('createdAt=[2015-01-01T00:00:00.000Z,2015-01-12T10:30:15.123Z]')).toEqual([
      'p02',
      'p03',
    ])
  })

  test('a bound of lower precision is the first instant of its unit', async () => {
    expect(await ids('createdAt=[,2015-01-31]')).toEqual(['p01', 'p02', 'p03'])
    expect(await ids('createdAt=[,2015-01-31T23:59:59.999Z]')).toEqual(['p01', 'p02', 'p03', 'p04'])
  })

  test('either bound may be omitted; whitespace is allowed after the comma', async () => {
    expect(await ids('createdAt=[,2015-01-01]')).toEqual(['p01', 'p02'])
    expect(await ids('createdAt=[2016,]')).toEqual(['p09', 'p10'])
    expect(await ids('createdAt=(2015-02-03T12:00:00Z,   2015-02-03T13)')).toEqual(['p07'])
  })

  test('a range whose end is not after its start is refused with 2108', () => {
    refusal('createdAt=[2015-02-01, 2015-01-01)', 'query_range')
    expect(refusal('createdAt=[2015-01, 2015-01]', 'query_range').field).toBe('createdAt')
  })

  test.each([
    'yesterday',
    '2015-13',
    '2015-02-30',
    '2015-00',
    '2015-01-12T24',
    '2015-01-12T10:60',
    '2015-01-12T10:30:15.12',
    '2015-01-12T10:30:00+02:00',
    '2015Z',
    '2015*',
    '[2015, 2016, 2017]',
    '[,]',
    '(2015)',
    '[abc, 2016)',
    '[2015',
    '[[2015, 2016]]',
  ])('an unreadable date (%p) is refused with 2103', (value) => {
    expect(refusal({ createdAt: value }, 'query_invalid_value').field).toBe('createdAt')
  })
})

describe('customData search', () => {
  test('matches nested keys with wildcards, case-insensitively', async () => {
    expect(await ids('customData.address.city=london')).toEqual(['p01', 'p02'])
    expect(await ids('customData.address.city=*CHESTER')).toEqual(['p03'])
  })

  test('matches numbers by their text, and true/false by those words', async () => {
    expect(await ids('customData.score=50')).toEqual(['p04'])
    expect(await ids('customData.score=500')).toEqual(['p05'])
    expect(await ids('customData.vip=true')).toEqual(['p02'])
    expect(await ids('customData.vip=FALSE')).toEqual(['p03'])
  })

  test('LIKE injection: % in a custom data value is matched literally', async () => {
    expect(await ids('customData.note=50%25*')).toEqual(['p06'])
    expect(await ids('customData.note=%25')).toEqual([])
  })

  test('number ranges compare numbers only', async () => {
    expect(await ids('customData.score=(0,1000]')).toEqual(['p02', 'p03', 'p04'])
    expect(await ids('customData.score=[50,]')).toEqual(['p03', 'p04'])
    expect(await ids('customData.score=[,0]')).toEqual(['p07', 'p08'])
    expect(await ids('customData.score=(-5.5, 1e1]')).toEqual(['p02', 'p07', 'p08'])
  })

  test('date ranges compare ISO strings; [unit] is the whole unit', async () => {
    expect(await ids('customData.startDate=[2015-01-01, 2016-01-01)')).toEqual(['p02', 'p03'])
    expect(await ids('customData.startDate=[2015-01-01, 2016-01-01]')).toEqual([
      'p02',
      'p03',
      'p04',
    ])
    expect(await ids('customData.startDate=[2015]')).toEqual(['p02', 'p03'])
    expect(await ids('customData.startDate=[2015-12]')).toEqual(['p03'])
  })

  test('there is no date shorthand: customData.startDate=2015 is an exact match', async () => {
    expect(await ids('customData.startDate=2015')).toEqual(['p06'])
  })

  test('a key named 0 is a key, not an array index', async () => {
    expect(await ids('customData.0=zero-key')).toEqual(['p10'])
  })

  test('ranges whose end is not after the start are refused with 2108', () => {
    refusal('customData.score=[10,5]', 'query_range')
    refusal('customData.startDate=[2016, 2015-06)', 'query_range')
  })

  test('mixed or unreadable bounds are refused with 2103', () => {
    for (const value of ['[1, 2016-01)', '[abc,]', '[5]', '(2015)', '[1,2,3]', '[NaN,]']) {
      expect(refusal({ 'customData.score': value }, 'query_invalid_value').field).toBe(
        'customData.score',
      )
    }
  })

  test('collections without custom data refuse customData filters with 2105', () => {
    refusal('customData.score=5', 'query_unsupported', withoutCustomData)
  })

  test.each([
    "customData.a')or 1=1--",
    'customData.a"."b',
    'customData.$',
    'customData.a[0]',
    'customData.*',
    'customData.',
    'customData..a',
    'customData.a.',
    'customData.a b',
    `customData.${'a'.repeat(256)}`,
    `customData.${Array.from({ length: 11 }, () => 'a').join('.')}`,
    'customdata.score',
  ])('JSON path injection: %p is refused with 2105', (name) => {
    refusal({ [name]: 'x' }, 'query_unsupported')
    // As an orderBy term, a name with spaces is a malformed statement before it is a bad name.
    refusal({ orderBy: name }, /\s/.test(name) ? 'query_bad_order_by' : 'query_order_by_attribute')
  })
})

describe('orderBy', () => {
  test('sorts by one attribute, ascending by default', async () => {
    expect(await ids('orderBy=givenName&limit=3')).toEqual(['p06', 'p08', 'p02'])
  })

  test('sorts by several attributes, each asc or desc in any case; %2C separates', async () => {
    expect(await ids('orderBy=surname%2CgivenName%20DESC&limit=3')).toEqual(['p01', 'p04', 'p02'])
    expect(await ids('orderBy=surname desc,givenName desc&limit=4')).toEqual([
      'p08',
      'p03',
      'p05',
      'p10',
    ])
  })

  test('the default order breaks ties, so paging is stable', async () => {
    expect(await ids('orderBy=surname desc&limit=5')).toEqual(['p08', 'p03', 'p05', 'p07', 'p10'])
  })

  test('orderBy=customData.key sorts by the custom data value', async () => {
    // SQLite sorts text after numbers: the string "500" (p05) comes first descending.
    expect(await ids('orderBy=customData.score desc&limit=4')).toEqual(['p05', 'p03', 'p04', 'p02'])
    expect(await ids('orderBy=customData.score&customData.score=[-100,]')).toEqual([
      'p08',
      'p07',
      'p02',
      'p04',
      'p03',
    ])
    refusal('orderBy=customData.score', 'query_order_by_attribute', withoutCustomData)
  })

  test.each([
    'surname sideways',
    'surname asc desc',
    'surname,,givenName',
    'surname,',
    '',
    ' ',
    'surname,surname desc',
  ])('a malformed statement (%p) is refused with 2104', (value) => {
    expect(refusal({ orderBy: value }, 'query_bad_order_by').field).toBe('orderBy')
  })

  test('more than ten terms are refused with 2104', () => {
    refusal(
      { orderBy: Array.from({ length: 11 }, () => 'surname').join(',') },
      'query_bad_order_by',
    )
  })

  test('an unknown or non-sortable attribute is refused with 2106 naming it', () => {
    expect(refusal('orderBy=password', 'query_order_by_attribute').message).toContain('password')
    refusal('orderBy=status desc', 'query_order_by_attribute')
  })
})

describe('expand', () => {
  const expandable = spec.expandable

  test('names links and collections, comma-separated', () => {
    expect(parse('expand=directory,tenant,customData').expand).toEqual([
      { name: 'directory' },
      { name: 'tenant' },
      { name: 'customData' },
    ])
  })

  test('a collection takes offset and limit in either order, each optional', () => {
    expect(parseExpand('groups(offset:0,limit:10)', expandable)).toEqual([
      { name: 'groups', offset: 0, limit: 10 },
    ])
    expect(parseExpand('groups( limit:10 , offset:5 )', expandable)).toEqual([
      { name: 'groups', offset: 5, limit: 10 },
    ])
    expect(parseExpand('directory,groups(limit:3)', expandable)).toEqual([
      { name: 'directory' },
      { name: 'groups', limit: 3 },
    ])
    expect(parseExpand('groups(offset:3)', expandable)).toEqual([{ name: 'groups', offset: 3 }])
  })

  test('expand limits are clamped into 1..100 like collection limits', () => {
    expect(parseExpand('groups(limit:1000,offset:-1)', expandable)).toEqual([
      { name: 'groups', offset: 0, limit: 100 },
    ])
    expect(parseExpand('groups(limit:0)', expandable)).toEqual([{ name: 'groups', limit: 1 }])
  })

  test('absent or empty means nothing to expand', () => {
    expect(parseExpand(null, expandable)).toEqual([])
    expect(parseExpand('', expandable)).toEqual([])
    expect(parse('').expand).toEqual([])
  })

  test('a name that is not expandable, or a nested one, is refused with 2107', () => {
    expect(refusal('expand=password', 'query_not_expandable').message).toContain('password')
    refusal('expand=directory.tenant', 'query_not_expandable')
  })

  test.each([
    'groups(limit:10',
    'groups)',
    'groups((limit:1))',
    'groups()',
    'groups(size:1)',
    'groups(limit:1,limit:2)',
    'groups(limit:1)x',
    'groups(limit:1)(offset:2)',
    'groups(limit:1:2)',
    'directory(limit:5)',
    'directory,,tenant',
    'directory,',
    ',',
    '(limit:1)',
    'directory,directory',
  ])('malformed syntax (%p) is refused with 2100', (value) => {
    expect(refusal({ expand: value }, 'query_malformed').field).toBe('expand')
  })

  test('a non-numeric expand offset or limit is refused with 2103', () => {
    refusal('expand=groups(limit:ten)', 'query_invalid_value')
    refusal('expand=groups(offset:)', 'query_invalid_value')
  })
})

describe('hostile input', () => {
  const big = 'x'.repeat(10_240)
  test.each([
    ['a 10 KB q', 'q', big, 'query_invalid_value'],
    ['a 10 KB search value', 'givenName', big, 'query_invalid_value'],
    ['a 10 KB range bound', 'customData.score', `[${'1'.repeat(10_240)},]`, 'query_invalid_value'],
    ['a 10 KB orderBy name', 'orderBy', big, 'query_order_by_attribute'],
    ['5000 orderBy terms', 'orderBy', `${'a,'.repeat(5000)}a`, 'query_bad_order_by'],
    ['a 10 KB expand name', 'expand', big, 'query_not_expandable'],
    ['10 KB of unbalanced parentheses', 'expand', '('.repeat(10_240), 'query_malformed'],
    [
      'deeply nested expand options',
      'expand',
      `groups${'('.repeat(5000)}${')'.repeat(5000)}`,
      'query_malformed',
    ],
    [
      'deeply nested date brackets',
      'createdAt',
      `${'['.repeat(5000)}2015${']'.repeat(5000)}`,
      'query_invalid_value',
    ],
    [
      'deeply nested range brackets',
      'customData.score',
      `${'('.repeat(5000)}1,2${')'.repeat(5000)}`,
      'query_invalid_value',
    ],
    ['a 10 KB parameter name', big, 'x', 'query_unsupported'],
    ['a NUL in an orderBy name', 'orderBy', 'surname\0', 'query_order_by_attribute'],
    ['a NUL in a date', 'createdAt', '2015\0', 'query_invalid_value'],
  ] as const)(
    '%s is a query error with a short message, never an exception',
    (_, name, value, code) => {
      const error = refusal({ [name]: value }, code)
      expect(error.message.length).toBeLessThan(300)
      expect((error.developerMessage ?? '').length).toBeLessThan(400)
      expect((error.field ?? '').length).toBeLessThanOrEqual(64)
    },
  )

  test('10 KB of digits in limit or offset are clamped, not refused', () => {
    expect(parse({ limit: '9'.repeat(10_240), offset: '9'.repeat(10_240) })).toMatchObject({
      limit: MAX_LIMIT,
      offset: Number.MAX_SAFE_INTEGER,
    })
  })

  test('NUL truncation: %00 in a search value is refused, so Ada%00x cannot match "Ada"', () => {
    for (const name of ['givenName', 'q', 'id', 'status', 'customData.address.city']) {
      expect(refusal(`${name}=Ada%00x`, 'query_invalid_value').field).toBe(name)
    }
  })
})

describe('D1 parameter limit', () => {
  /** Every attribute with its costliest form, q, and custom data ranges up to the budget. */
  function worstCase(ranges: number): [string, string][] {
    return [
      ['q', 'a'],
      ['id', 'p01'],
      ['givenName', '*a*'],
      ['surname', '*a*'],
      ['email', '*a*'],
      ['status', 'ENABLED'],
      ['createdAt', '[2000, 2100)'],
      ...Array.from({ length: ranges }, (_, i): [string, string] => [`customData.k${i}`, '[1,2]']),
    ]
  }

  test('the worst case allowed stays under 100 bound parameters with scope, limit and offset', async () => {
    const q = parse(worstCase(35))
    const statement = db
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.tenantId, 't1'), q.where))
      .orderBy(...q.orderBy)
      .limit(q.limit)
      .offset(q.offset)
    const { params } = statement.toSQL()
    expect(params.length).toBeGreaterThan(MAX_FILTER_BINDINGS)
    expect(params.length).toBeLessThan(100)
    expect(await statement).toEqual([])
  })

  test('filters binding more than 80 values are refused with 2100', () => {
    refusal(worstCase(36), 'query_malformed')
  })
})
