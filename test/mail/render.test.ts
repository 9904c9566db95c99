import { describe, expect, test } from 'bun:test'
import { checkEmailDomain } from '../../src/directory/email-domains'
import { defaultTemplate } from '../../src/mail/defaults'
import { containsTokenMacro, renderTemplate } from '../../src/mail/render'
import { checkTemplateCarriesToken, WORKFLOW_NAMES } from '../../src/mail/templates'
import { EdgepassError } from '../../src/errors'

const model = {
  account: { givenName: 'Ada', surname: 'Lovelace', customData: { 'team-name': 'Engines', n: 3 } },
  url: 'https://id.example.com/ui/reset?sptoken=abc',
  sptoken: 'abc',
}

describe('template macros', () => {
  test('Stormpath, Cloudpass and mustache syntaxes render the same value', () => {
    expect(
      renderTemplate(
        '$!{account.givenName} ${account.givenName} {{account.givenName}} {{ account.givenName }}',
        model,
        'text',
      ),
    ).toBe('Ada Ada Ada Ada')
  })

  test('custom data keys, numbers and the token macros render', () => {
    expect(
      renderTemplate('$!{account.customData.team-name}/$!{account.customData.n}', model, 'text'),
    ).toBe('Engines/3')
    expect(renderTemplate('<a href="$!{url}">$!{sptoken}</a>', model, 'text')).toBe(
      '<a href="https://id.example.com/ui/reset?sptoken=abc">abc</a>',
    )
  })

  test('missing values, objects and prototype names render as nothing (quiet references)', () => {
    expect(
      renderTemplate(
        '[$!{account.middleName}][$!{account}][$!{account.customData}][{{constructor}}][$!{account.givenName.length}][$!{__proto__.x}]',
        model,
        'text',
      ),
    ).toBe('[][][][][][]')
  })

  test('markup injection: values are HTML-escaped in HTML bodies, not in text ones', () => {
    const hostile = { account: { givenName: `<script>alert("x")</script>&'` } }
    expect(renderTemplate('<p>$!{account.givenName}</p>', hostile, 'html')).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    )
    expect(renderTemplate('$!{account.givenName}', hostile, 'text')).toBe(
      `<script>alert("x")</script>&'`,
    )
  })

  test('a value is never rendered twice: macros inside values stay literal', () => {
    expect(
      renderTemplate(
        '$!{account.givenName}',
        { account: { givenName: '$!{sptoken}' }, sptoken: 's' },
        'text',
      ),
    ).toBe('$!{sptoken}')
  })

  test('token macros are recognised in every syntax, other macros are not', () => {
    for (const body of [
      '$!{url}',
      '${sptoken}',
      '{{sptokenNameValuePair}}',
      '$!{ cpToken }',
      '{{ url }}',
    ])
      expect(containsTokenMacro(body)).toBe(true)
    for (const body of ['url', '$!{account.url}', 'sptoken=', '{{ urls }}'])
      expect(containsTokenMacro(body)).toBe(false)
  })
})

describe('default templates', () => {
  test('every workflow has one, and the token workflows pass rule 7301', () => {
    for (const workflow of WORKFLOW_NAMES) {
      const template = defaultTemplate(workflow)
      expect(template.subject.length).toBeGreaterThan(0)
      expect(template.htmlBody).toStartWith('<!doctype html>')
      expect(() =>
        checkTemplateCarriesToken({ workflow, mimeType: 'multipart/alternative', ...template }),
      ).not.toThrow()
    }
  })

  test('rule 7301 checks the bodies the mimeType sends', () => {
    const template = {
      workflow: 'reset' as const,
      textBody: 'no link',
      htmlBody: '<a href="$!{url}">x</a>',
    }
    expect(() => checkTemplateCarriesToken({ ...template, mimeType: 'text/html' })).not.toThrow()
    expect(() => checkTemplateCarriesToken({ ...template, mimeType: 'text/plain' })).toThrow(
      EdgepassError,
    )
    expect(() =>
      checkTemplateCarriesToken({ ...template, mimeType: 'multipart/alternative' }),
    ).toThrow(EdgepassError)
    expect(() =>
      checkTemplateCarriesToken({ ...template, workflow: 'welcome', mimeType: 'text/plain' }),
    ).not.toThrow()
  })
})

describe('email domain lists', () => {
  const policy = (blacklist: string[], whitelist: string[]) => ({
    emailDomainBlacklist: JSON.stringify(blacklist),
    emailDomainWhitelist: JSON.stringify(whitelist),
  })
  const codeOf = (email: string, p: ReturnType<typeof policy>) => {
    try {
      checkEmailDomain(email, p)
      return 'ok'
    } catch (error) {
      return (error as EdgepassError).code
    }
  }

  test('exact and wildcard patterns, case-insensitive; the blacklist wins', () => {
    const p = policy(['*spam.test', 'BAD.test'], ['*example.com', 'bad.test'])
    expect(codeOf('a@example.com', p)).toBe('ok')
    expect(codeOf('a@mail.EXAMPLE.com', p)).toBe('ok')
    expect(codeOf('a@x.spam.test', p)).toBe('email_domain_blacklisted')
    expect(codeOf('a@bad.test', p)).toBe('email_domain_blacklisted')
    expect(codeOf('a@other.test', p)).toBe('email_domain_not_whitelisted')
    expect(codeOf('a@sub.bad.test', policy(['bad.test'], []))).toBe('ok')
  })
})
