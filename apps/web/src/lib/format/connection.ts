import type { ConnectionLabel } from "@rhizome/protocol";

const STATE_WORDS: Record<ConnectionLabel, string> = {
  live: "Up to date",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/**
 * The connection as a person would say it: "Up to date" while live; away from live, how
 * fresh the messages on screen are ("showing messages up to 14:03"), once anything synced.
 */
export function connectionWords(
  state: ConnectionLabel,
  lastSyncedAt: number | null,
  locale?: string,
): { state: string; detail: string | null } {
  const detail =
    state === "live" || lastSyncedAt === null
      ? null
      : `showing messages up to ${new Date(lastSyncedAt).toLocaleTimeString(locale, {
          hour: "2-digit",
          minute: "2-digit",
        })}`;
  return { state: STATE_WORDS[state], detail };
}
