-- Every revocation notifies every instance, whoever makes it (sign-out, the purge, a script,
-- psql): open streams end and cached sessions and read checks are forgotten at once.
CREATE OR REPLACE FUNCTION notify_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('access_changes',
    json_build_object('kind', 'session-revoked', 'sessionKey', OLD.token_hash)::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A session that had already expired is trusted nowhere: its deletion says nothing new.
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions
  FOR EACH ROW WHEN (OLD.expires_at > now()) EXECUTE FUNCTION notify_session_revoked();
--> statement-breakpoint
CREATE TRIGGER sessions_shortened AFTER UPDATE OF expires_at ON sessions
  FOR EACH ROW WHEN (NEW.expires_at < OLD.expires_at) EXECUTE FUNCTION notify_session_revoked();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION notify_member_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only a private space's reader loses access by leaving; anyone may read a public one.
  IF EXISTS (SELECT 1 FROM spaces WHERE id = OLD.space_id AND visibility = 'private') THEN
    PERFORM pg_notify('access_changes', json_build_object('kind', 'member-removed',
      'spaceId', OLD.space_id, 'beingId', OLD.being_id)::text);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER space_members_deleted AFTER DELETE ON space_members
  FOR EACH ROW EXECUTE FUNCTION notify_member_removed();
