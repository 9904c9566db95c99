import { asc } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import { openTotpSecret } from '../../mfa/factors'
import { qrPng } from '../../mfa/qr'
import { totpKeyUri } from '../../mfa/totp'
import { base64Encode } from '../../security/encoding'
import type { MfaChallengeRow, MfaFactorRow } from '../../store/rows'
import { commonSearchable, searchable, timestamps, type CollectionSource, type View } from './core'
import { accountView, linkTo } from './directory'

const { mfaFactors, mfaChallenges, accounts } = schema

/** A factor with its enrolment material, while it is still UNVERIFIED. */
export type FactorItem = MfaFactorRow & {
  enrolment?: { secret: string; keyUri: string; base64QRImage: string }
}

/**
 * A `google-authenticator` factor (stormpath-api reference §11.4). The seed, key URI and QR
 * image are shown only while the factor is UNVERIFIED, so an enrolment can be finished; once a
 * code has confirmed it, they are never shown again (the seed is as good as the factor).
 */
export const factorView: View<FactorItem> = {
  prepare: async (scope, row) => {
    if (row.verificationStatus !== 'UNVERIFIED' || row.enrolment) return row
    const secret = await openTotpSecret(scope.deps, row)
    const keyUri = totpKeyUri({ secret, issuer: row.issuer, accountName: row.accountName })
    return {
      ...row,
      enrolment: { secret, keyUri, base64QRImage: base64Encode(await qrPng(keyUri)) },
    }
  },
  attributes: (scope, row) => ({
    href: scope.hrefs.of('factors', row.id),
    type: row.type,
    status: row.status,
    verificationStatus: row.verificationStatus,
    accountName: row.accountName,
    issuer: row.issuer,
    secret: row.enrolment?.secret ?? null,
    keyUri: row.enrolment?.keyUri ?? null,
    base64QRImage: row.enrolment?.base64QRImage ?? null,
    challenges: { href: scope.hrefs.of('factors', row.id, 'challenges') },
    ...timestamps(row),
  }),
  links: {
    account: linkTo(
      'accounts',
      accounts,
      (row: FactorItem) => row.accountId,
      () => accountView,
    ),
  },
}

export const factorSource: CollectionSource<FactorItem> = {
  table: mfaFactors,
  view: factorView,
  spec: {
    searchable: {
      ...commonSearchable(mfaFactors),
      type: searchable('text', mfaFactors.type),
      status: searchable('status', mfaFactors.status),
    },
    sortable: { createdAt: mfaFactors.createdAt, modifiedAt: mfaFactors.modifiedAt },
    defaultOrder: [asc(mfaFactors.createdAt), asc(mfaFactors.id)],
  },
}

/** A challenge: one verification of a factor's code, SUCCESS or FAILED once answered. */
export const challengeView: View<MfaChallengeRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of('challenges', row.id),
    status: row.status,
    ...timestamps(row),
  }),
  links: {
    factor: linkTo(
      'factors',
      mfaFactors,
      (row: MfaChallengeRow) => row.factorId,
      () => factorView,
    ),
    account: linkTo(
      'accounts',
      accounts,
      (row: MfaChallengeRow) => row.accountId,
      () => accountView,
    ),
  },
}

export const challengeSource: CollectionSource<MfaChallengeRow> = {
  table: mfaChallenges,
  view: challengeView,
  spec: {
    searchable: {
      ...commonSearchable(mfaChallenges),
      status: searchable('text', mfaChallenges.status),
    },
    sortable: { createdAt: mfaChallenges.createdAt },
    defaultOrder: [asc(mfaChallenges.createdAt), asc(mfaChallenges.id)],
  },
}
