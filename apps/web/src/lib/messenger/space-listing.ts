import { type QueryClient, QueryObserver } from "@tanstack/svelte-query";
import { keys, type ListedSpace } from "../api/queries.ts";

/**
 * `GET /api/spaces` through TanStack Query (key `spaces`): so that whoever invalidates the
 * list (join, leave, create) makes the messenger follow the new set.
 */
export class SpaceListing {
  readonly #client: QueryClient;
  readonly #query: { queryKey: typeof keys.spaces; queryFn: () => Promise<ListedSpace[]> };
  readonly #observer: QueryObserver<
    ListedSpace[],
    Error,
    ListedSpace[],
    ListedSpace[],
    typeof keys.spaces
  >;

  constructor(client: QueryClient, listSpaces: () => Promise<ListedSpace[]>) {
    this.#client = client;
    this.#query = { queryKey: keys.spaces, queryFn: listSpaces };
    this.#observer = new QueryObserver(client, this.#query);
  }

  /** Every answer (and failure); subscribing reads the list when it is stale. */
  subscribe(onAnswer: (spaces: ListedSpace[] | undefined, error: Error | null) => void) {
    return this.#observer.subscribe((result) => onAnswer(result.data, result.error));
  }

  /** What is known now (perhaps this device's copy). */
  get current(): ListedSpace[] | undefined {
    return this.#observer.getCurrentResult().data;
  }

  refetch(): void {
    void this.#observer.refetch();
  }

  /** Reads the list again now and gives the ids in it (the stream's 404 path). */
  async fetchIds(): Promise<string[]> {
    const spaces = await this.#client.fetchQuery({ ...this.#query, staleTime: 0 });
    return spaces.map((space) => space.id);
  }

  destroy(): void {
    this.#observer.destroy();
  }
}
