CREATE TABLE `directory_revisions` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Triggers that bump a tenant's revision when its LDAP tree may have changed (see the
-- directory_revisions table in db/schema.ts). Login counters and password changes do not
-- bump it: binds read the account afresh.
CREATE TRIGGER `accounts_insert_revision` AFTER INSERT ON `accounts` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `accounts_delete_revision` AFTER DELETE ON `accounts` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `accounts_update_revision` AFTER UPDATE OF email, username, given_name, middle_name, surname, status, email_verification_status, directory_id ON `accounts` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `groups_insert_revision` AFTER INSERT ON `groups` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `groups_delete_revision` AFTER DELETE ON `groups` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `groups_update_revision` AFTER UPDATE OF name, status, directory_id ON `groups` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `group_memberships_insert_revision` AFTER INSERT ON `group_memberships` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `group_memberships_delete_revision` AFTER DELETE ON `group_memberships` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `directories_insert_revision` AFTER INSERT ON `directories` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `directories_delete_revision` AFTER DELETE ON `directories` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `directories_update_revision` AFTER UPDATE OF status ON `directories` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `applications_delete_revision` AFTER DELETE ON `applications` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `applications_update_revision` AFTER UPDATE OF status ON `applications` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `organizations_delete_revision` AFTER DELETE ON `organizations` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `organizations_update_revision` AFTER UPDATE OF status ON `organizations` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `account_store_mappings_insert_revision` AFTER INSERT ON `account_store_mappings` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `account_store_mappings_delete_revision` AFTER DELETE ON `account_store_mappings` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `account_store_mappings_update_revision` AFTER UPDATE ON `account_store_mappings` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `ldap_settings_insert_revision` AFTER INSERT ON `ldap_settings` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `ldap_settings_delete_revision` AFTER DELETE ON `ldap_settings` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `ldap_settings_update_revision` AFTER UPDATE ON `ldap_settings` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `ldap_app_secrets_insert_revision` AFTER INSERT ON `ldap_app_secrets` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `ldap_app_secrets_delete_revision` AFTER DELETE ON `ldap_app_secrets` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (old.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `ldap_app_secrets_update_revision` AFTER UPDATE ON `ldap_app_secrets` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
