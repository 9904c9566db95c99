/**
 * The templates every directory starts with, one per workflow step. Plain, friendly wording;
 * the HTML is a single inline-styled card (mail clients ignore `<style>` blocks and external
 * CSS) with a button and the raw link beneath it for clients that block buttons.
 */
import type { MailWorkflow } from '../store/rows'

export interface DefaultTemplate {
  name: string
  description: string
  subject: string
  textBody: string
  htmlBody: string
}

interface Content {
  name: string
  subject: string
  heading: string
  paragraphs: string[]
  /** A button to the workflow's link (`$!{url}`), with its label. */
  action?: string
  closing?: string
}

const CONTENT: Record<MailWorkflow, Content> = {
  verification: {
    name: 'Default Verification Email Template',
    subject: 'Verify your email address',
    heading: 'Confirm your email address',
    paragraphs: [
      'Hi $!{account.givenName},',
      'Thanks for signing up. Please confirm that $!{account.email} is your email address to activate your account.',
    ],
    action: 'Verify email address',
    closing: 'If you did not create this account, you can ignore this message.',
  },
  verificationSuccess: {
    name: 'Default Verification Success Email Template',
    subject: 'Your account is verified',
    heading: 'Your email address is confirmed',
    paragraphs: [
      'Hi $!{account.givenName},',
      'Your email address $!{account.email} has been verified and your account is ready to use.',
    ],
  },
  welcome: {
    name: 'Default Welcome Email Template',
    subject: 'Welcome!',
    heading: 'Welcome aboard',
    paragraphs: [
      'Hi $!{account.givenName},',
      'Your account $!{account.username} has been created. We are glad to have you.',
    ],
  },
  reset: {
    name: 'Default Password Reset Email Template',
    subject: 'Reset your password',
    heading: 'Reset your password',
    paragraphs: [
      'Hi $!{account.givenName},',
      'Someone asked to reset the password of the account $!{account.email}. The link below is valid for $!{expirationWindow} hours and can be used once.',
    ],
    action: 'Choose a new password',
    closing: 'If you did not ask for this, ignore this message: your password stays as it is.',
  },
  resetSuccess: {
    name: 'Default Password Reset Success Email Template',
    subject: 'Your password has been changed',
    heading: 'Your password has been changed',
    paragraphs: [
      'Hi $!{account.givenName},',
      'The password of your account $!{account.email} was just changed, and your other sessions were signed out.',
      'If you did not do this, reset your password at once and contact your administrator.',
    ],
  },
  accountLocked: {
    name: 'Default Account Locked Email Template',
    subject: 'Your account has been locked',
    heading: 'Your account is temporarily locked',
    paragraphs: [
      'Hi $!{account.givenName},',
      'After several failed sign-in attempts, your account $!{account.email} is locked for $!{accountLockDuration} minutes.',
      'If these attempts were not yours, consider changing your password once the lock has passed.',
    ],
  },
}

function textBody(content: Content): string {
  const parts = [...content.paragraphs]
  if (content.action) parts.push(`${content.action}:\n$!{url}`)
  if (content.closing) parts.push(content.closing)
  return `${parts.join('\n\n')}\n`
}

function htmlBody(content: Content): string {
  const paragraph = (text: string) =>
    `<p style="margin:0 0 16px;font-size:16px;line-height:24px;color:#1f2937">${text}</p>`
  const action = content.action
    ? `<p style="margin:24px 0"><a href="$!{url}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:#2563eb;color:#ffffff;font-weight:600;text-decoration:none">${content.action}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;line-height:20px;color:#6b7280">Or paste this link into your browser:<br><a href="$!{url}" style="color:#2563eb;word-break:break-all">$!{url}</a></p>`
    : ''
  const closing = content.closing
    ? `<p style="margin:16px 0 0;font-size:13px;line-height:20px;color:#6b7280">${content.closing}</p>`
    : ''
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${content.subject}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f3f4f6;font-family:-apple-system,BlinkMacSystemFont,\'Segoe UI\',Roboto,Helvetica,Arial,sans-serif">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;padding:32px">',
    `<tr><td><h1 style="margin:0 0 24px;font-size:22px;line-height:30px;color:#111827">${content.heading}</h1>`,
    ...content.paragraphs.map(paragraph),
    action,
    closing,
    '</td></tr></table></td></tr></table></body></html>',
  ].join('')
}

/** The default template of a workflow step. */
export function defaultTemplate(workflow: MailWorkflow): DefaultTemplate {
  const content = CONTENT[workflow]
  return {
    name: content.name,
    description: '',
    subject: content.subject,
    textBody: textBody(content),
    htmlBody: htmlBody(content),
  }
}
