import type { Cursor } from "@rhizome/protocol";
import { stamp } from "@rhizome/protocol/testing";
import type { ListedSpace } from "../api/queries.ts";
import type { HistoryPage } from "../messenger/history.ts";
import type { ReadChannelPort } from "../messenger/read-markers.ts";

/** A listed space as `GET /api/spaces` gives it; a member of it unless `role` says otherwise. */
export function listed(id: string, fields: Partial<ListedSpace> = {}): ListedSpace {
  return {
    id,
    name: `space ${id.slice(-2)}`,
    visibility: "public",
    ownerId: "00000000-0000-4000-8000-0000000000ff",
    createdAt: stamp(0),
    head: stamp(0),
    role: "member",
    readAt: null,
    unread: 0,
    lastIntention: null,
    ...fields,
  };
}

/** The API as far as the messenger goes: the space list, read markers, history pages. */
export class FakeMessengerApi {
  spaces: ListedSpace[] = [];
  /** Called before each answer of the list, to change what the next one says. */
  beforeList: (call: number) => void = () => {};
  listCalls = 0;
  readonly puts: { spaceId: string; cursor: Cursor }[] = [];
  putAnswer: () => Promise<void> = async () => {};
  readonly history: {
    spaceId: string;
    before: Cursor | undefined;
    limit: number;
    resolve: (page: HistoryPage) => void;
    reject: (error: Error) => void;
  }[] = [];

  readonly listSpaces = async (): Promise<ListedSpace[]> => {
    this.beforeList(++this.listCalls);
    return structuredClone(this.spaces);
  };

  readonly putRead = async (spaceId: string, cursor: Cursor): Promise<void> => {
    this.puts.push({ spaceId, cursor });
    await this.putAnswer();
  };

  readonly loadHistory = (spaceId: string, before: Cursor | undefined, limit: number) =>
    new Promise<HistoryPage>((resolve, reject) => {
      this.history.push({ spaceId, before, limit, resolve, reject });
    });
}

/** BroadcastChannels of one browser: what one port posts, the others receive (at once). */
export class FakeChannelHub {
  readonly #ports = new Set<FakeChannelPort>();

  port(): FakeChannelPort {
    const port = new FakeChannelPort(this.#ports);
    this.#ports.add(port);
    return port;
  }
}

class FakeChannelPort implements ReadChannelPort {
  readonly #listeners = new Set<(event: { data: unknown }) => void>();
  constructor(readonly ports: Set<FakeChannelPort>) {}

  postMessage(message: unknown): void {
    for (const port of this.ports) {
      if (port === this) continue;
      for (const listener of port.#listeners) listener({ data: structuredClone(message) });
    }
  }

  addEventListener(_type: "message", listener: (event: { data: unknown }) => void): void {
    this.#listeners.add(listener);
  }

  removeEventListener(_type: "message", listener: (event: { data: unknown }) => void): void {
    this.#listeners.delete(listener);
  }

  close(): void {
    this.ports.delete(this);
  }
}

/** Lets timers of 0 ms (TanStack's notifications, the stream loop) run until `done` holds. */
export async function until(done: () => boolean, what = "the condition"): Promise<void> {
  for (let turn = 0; turn < 500; turn++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`${what} never held`);
}
