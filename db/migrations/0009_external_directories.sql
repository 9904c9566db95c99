CREATE TABLE `directory_providers` (
	`directory_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`settings` text NOT NULL,
	`bind_password_sealed` text,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `directory_sync_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`directory_id` text NOT NULL,
	`trigger` text NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`lease_expires_at` integer,
	`total` integer DEFAULT 0 NOT NULL,
	`processed` integer DEFAULT 0 NOT NULL,
	`seen` integer DEFAULT 0 NOT NULL,
	`created` integer DEFAULT 0 NOT NULL,
	`updated` integer DEFAULT 0 NOT NULL,
	`unchanged` integer DEFAULT 0 NOT NULL,
	`missing` integer DEFAULT 0 NOT NULL,
	`conflicts` integer DEFAULT 0 NOT NULL,
	`groups` integer DEFAULT 0 NOT NULL,
	`log` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `directory_sync_runs_directory` ON `directory_sync_runs` (`directory_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `external_id` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `missing_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_directory_external` ON `accounts` (`directory_id`,`external_id`);--> statement-breakpoint
ALTER TABLE `groups` ADD `external_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `groups_directory_external` ON `groups` (`directory_id`,`external_id`);--> statement-breakpoint
-- A missing external account leaves the LDAP tree: its marking bumps the tenant's revision too.
DROP TRIGGER `accounts_update_revision`;
--> statement-breakpoint
CREATE TRIGGER `accounts_update_revision` AFTER UPDATE OF email, username, given_name, middle_name, surname, status, email_verification_status, directory_id, missing_at ON `accounts` BEGIN
	INSERT INTO `directory_revisions` (`tenant_id`, `revision`) VALUES (new.`tenant_id`, 1)
		ON CONFLICT (`tenant_id`) DO UPDATE SET `revision` = `revision` + 1;
END;
