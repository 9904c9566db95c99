CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name_key` text NOT NULL,
	`name` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_name_key_unique` ON `tenants` (`name_key`);