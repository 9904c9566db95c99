import { describe, expect, test } from 'bun:test'
import { formRefusalText, readUrlEncodedForm } from '../../src/http/url-encoded-form'

const FORM = 'application/x-www-form-urlencoded'

describe('URL-encoded form bodies', () => {
  test('reads the parameters of a form, charset parameter allowed', () => {
    const reading = readUrlEncodedForm(`${FORM}; charset=UTF-8`, 'a=1&b=two+words')
    expect(reading.kind === 'ok' && Object.fromEntries(reading.params)).toEqual({
      a: '1',
      b: 'two words',
    })
  })

  test('parameter smuggling: a repeated parameter is refused and named', () => {
    const reading = readUrlEncodedForm(FORM, 'grant_type=a&code=x&grant_type=b')
    expect(reading).toEqual({ kind: 'refused', problem: 'repeated', name: 'grant_type' })
    if (reading.kind === 'refused')
      expect(formRefusalText(reading)).toBe('The grant_type parameter is repeated.')
  })

  test('other media types, look-alikes and missing types are refused', () => {
    for (const type of [
      undefined,
      'application/json',
      'text/plain',
      `text/plain; x=${FORM}`,
      `${FORM}x`,
    ]) {
      expect(readUrlEncodedForm(type, 'a=1')).toEqual({ kind: 'refused', problem: 'wrong_type' })
    }
  })

  test('an oversized body is refused before it is parsed', () => {
    expect(readUrlEncodedForm(FORM, `a=${'x'.repeat(100)}`, 50)).toEqual({
      kind: 'refused',
      problem: 'too_large',
    })
  })
})
