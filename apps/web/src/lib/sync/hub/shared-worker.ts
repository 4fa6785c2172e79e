/** The SharedWorker that holds the browser's one stream for every tab of a being. */
import type { Locks } from "./links.ts";
import { WorkerHub } from "./worker-hub.ts";

const scope = self as unknown as {
  onconnect: ((event: MessageEvent) => void) | null;
  navigator: { locks?: Locks };
};
const hub = new WorkerHub({ locks: scope.navigator.locks });
scope.onconnect = (event) => {
  for (const port of event.ports) hub.connect(port);
};
