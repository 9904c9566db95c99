import { expect, test } from 'bun:test'
import { ERROR_DOCS } from '../../src/rest/error-docs'
import { STORMPATH_ERRORS } from '../../src/rest/errors'

test('every Stormpath code an error can carry has a documentation page behind moreInfo', () => {
  const codes = new Set(Object.values(STORMPATH_ERRORS).map((entry) => entry.code))
  const undocumented = [...codes].filter((code) => !ERROR_DOCS[code]).sort()
  expect(undocumented).toEqual([])
})
