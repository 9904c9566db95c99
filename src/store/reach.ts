import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { accounts, groups } from '../../db/schema'

/**
 * What an application or organization reaches through its account store mappings, as SQL
 * conditions built from subqueries: one bound parameter however many stores are mapped (D1
 * allows 100), and always current (no cached membership lists).
 */

/** Directories mapped to `ownerId`, directly or through a mapped organization. */
function mappedStores(ownerId: string, storeType: 'directory' | 'group'): SQL {
  return sql`select store_id from account_store_mappings where owner_id = ${ownerId} and store_type = ${storeType}
    union select inner_mapping.store_id from account_store_mappings as outer_mapping
      join account_store_mappings as inner_mapping on inner_mapping.owner_id = outer_mapping.store_id
      where outer_mapping.owner_id = ${ownerId} and outer_mapping.store_type = 'organization'
        and inner_mapping.store_type = ${storeType}`
}

/** Accounts an owner reaches: those of its mapped directories and the members of its mapped groups. */
export function accountsReachedBy(ownerId: string): SQL {
  return sql`(${accounts.directoryId} in (${mappedStores(ownerId, 'directory')})
    or ${accounts.id} in (select account_id from group_memberships where group_id in (${mappedStores(ownerId, 'group')})))`
}

/** Groups an owner reaches: those of its mapped directories and the groups mapped themselves. */
export function groupsReachedBy(ownerId: string): SQL {
  return sql`(${groups.directoryId} in (${mappedStores(ownerId, 'directory')})
    or ${groups.id} in (${mappedStores(ownerId, 'group')}))`
}

/** Owners (applications or organizations) whose mappings reach `storeIds`' accounts. */
export function ownersMapping(storeIdsSql: SQL, ownerType: 'application' | 'organization'): SQL {
  return sql`select owner_id from account_store_mappings where owner_type = ${ownerType} and store_id in (${storeIdsSql})
    union select app_mapping.owner_id from account_store_mappings as app_mapping
      join account_store_mappings as org_mapping on org_mapping.owner_id = app_mapping.store_id
      where ${ownerType} = 'application' and app_mapping.owner_type = 'application'
        and app_mapping.store_type = 'organization' and org_mapping.store_id in (${storeIdsSql})`
}

/** `column IN (subquery)`: drizzle's `inArray` would not parenthesise a raw SQL subquery. */
export function inSubquery(column: SQLWrapper, subquery: SQL): SQL {
  return sql`${column} in (${subquery})`
}
