CREATE TYPE "public"."member_role" AS ENUM('owner', 'member');--> statement-breakpoint
CREATE TYPE "public"."visibility" AS ENUM('public', 'private');--> statement-breakpoint
CREATE TABLE "beings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"handle" text NOT NULL,
	"name" text NOT NULL,
	"color" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "beings_handle_unique" UNIQUE("handle")
);
--> statement-breakpoint
CREATE TABLE "intentions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"space_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"content" text NOT NULL,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"deleted_at" timestamp(6) with time zone,
	CONSTRAINT "intentions_tombstone_check" CHECK ("intentions"."deleted_at" IS NULL OR ("intentions"."deleted_at" = "intentions"."updated_at" AND "intentions"."content" = ''))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"being_id" uuid NOT NULL,
	"created_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "space_members" (
	"space_id" uuid NOT NULL,
	"being_id" uuid NOT NULL,
	"role" "member_role" DEFAULT 'member' NOT NULL,
	"joined_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "space_members_pk" PRIMARY KEY("space_id","being_id")
);
--> statement-breakpoint
CREATE TABLE "spaces" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"visibility" "visibility" DEFAULT 'public' NOT NULL,
	"owner_id" uuid NOT NULL,
	"created_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"head" timestamp(6) with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "intentions" ADD CONSTRAINT "intentions_space_id_spaces_id_fk" FOREIGN KEY ("space_id") REFERENCES "public"."spaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intentions" ADD CONSTRAINT "intentions_author_id_beings_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."beings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "space_members" ADD CONSTRAINT "space_members_space_id_spaces_id_fk" FOREIGN KEY ("space_id") REFERENCES "public"."spaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "space_members" ADD CONSTRAINT "space_members_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spaces" ADD CONSTRAINT "spaces_owner_id_beings_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."beings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "intentions_space_updated_idx" ON "intentions" USING btree ("space_id","updated_at");--> statement-breakpoint
CREATE INDEX "intentions_space_created_idx" ON "intentions" USING btree ("space_id","created_at");--> statement-breakpoint
CREATE INDEX "sessions_being_idx" ON "sessions" USING btree ("being_id");--> statement-breakpoint
CREATE INDEX "space_members_being_idx" ON "space_members" USING btree ("being_id");--> statement-breakpoint
CREATE INDEX "spaces_visibility_idx" ON "spaces" USING btree ("visibility");