import { canonicalId } from "@rhizome/protocol";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ACCESS_CHANGES_CHANNEL, type AccessChange, AccessChangeSchema } from "../db/channels.ts";
import type { Listen } from "../db/client.ts";

const check = TypeCompiler.Compile(AccessChangeSchema);

/** A payload as sent by any instance (or by hand in psql): a checked change with canonical ids, or why not. */
export function parseAccessChange(payload: string): AccessChange | { invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { invalid: "not JSON" };
  }
  if (!check.Check(value)) {
    return { invalid: check.Errors(value).First()?.message ?? "not an access change" };
  }
  return value.kind === "member-removed"
    ? { ...value, spaceId: canonicalId(value.spaceId), beingId: canonicalId(value.beingId) }
    : value;
}

/**
 * Listens for revocations. `onChange` gets each valid one; a bad payload is logged and
 * dropped. `onReconnect` runs when the listener came back, since changes may have been lost.
 */
export async function listenForAccessChanges(
  listen: Listen,
  onChange: (change: AccessChange) => void,
  onReconnect: () => void,
): Promise<() => Promise<void>> {
  let connected = false;
  return listen(
    ACCESS_CHANGES_CHANNEL,
    (payload) => {
      const change = parseAccessChange(payload);
      if ("invalid" in change) {
        console.error(
          `[access] ignored a bad ${ACCESS_CHANGES_CHANNEL} payload (${change.invalid}):`,
          payload.slice(0, 200),
        );
      } else {
        onChange(change);
      }
    },
    () => {
      if (connected) onReconnect();
      connected = true;
    },
  );
}
