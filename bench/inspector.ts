/**
 * A client of workerd's V8 inspector (Chrome DevTools Protocol over a WebSocket), enough to read a Worker's
 * JavaScript heap from outside after a full garbage collection.
 */
import { z } from "zod";

/** workerd's `/json` list: one target per Worker service, its `id` the service's name. */
const Targets = z.array(z.object({ id: z.string(), webSocketDebuggerUrl: z.string() }));

/** The WebSocket URL of `service`'s isolate in an inspector's `/json` answer. */
export function debuggerUrl(answer: unknown, service: string): string {
  const targets = Targets.safeParse(answer);
  if (!targets.success)
    throw new Error(`the inspector's /json answer is not a list of targets: ${z.prettifyError(targets.error)}`);
  const target = targets.data.find((candidate) => candidate.id === service);
  if (!target)
    throw new Error(
      `the inspector lists no target "${service}" (it lists: ${targets.data.map((t) => t.id).join(", ") || "none"})`,
    );
  return target.webSocketDebuggerUrl;
}

/** `Runtime.getHeapUsage`'s result: V8's heap, and the embedder's (workerd's C++ objects V8 traces, cppgc). */
const HeapUsageResult = z.object({
  usedSize: z.number(),
  totalSize: z.number(),
  embedderHeapUsedSize: z.number().optional(),
});

export interface HeapUsage {
  /** Bytes of live JavaScript objects. */
  used: number;
  /** Bytes of live objects in workerd's traced C++ heap (0 if this V8 does not report it). */
  embedder: number;
}

export function heapUsage(result: unknown): HeapUsage {
  const usage = HeapUsageResult.safeParse(result);
  if (!usage.success) throw new Error(`Runtime.getHeapUsage answered something else: ${z.prettifyError(usage.error)}`);
  return { used: usage.data.usedSize, embedder: usage.data.embedderHeapUsedSize ?? 0 };
}

/** One answer of the protocol: `result` or `error`, for the request of the same `id`. */
const Reply = z.object({
  id: z.number(),
  result: z.unknown().optional(),
  error: z.object({ message: z.string() }).optional(),
});

const CALL_TIMEOUT_MS = 30_000;

export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();

  private readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      let reply: z.infer<typeof Reply>;
      try {
        reply = Reply.parse(JSON.parse(String(event.data)));
      } catch {
        return; // an event (no id), not an answer
      }
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error) waiting?.reject(new Error(`the inspector refused: ${reply.error.message}`));
      else waiting?.resolve(reply.result);
    });
    socket.addEventListener("close", () => {
      for (const waiting of this.pending.values()) waiting.reject(new Error("the inspector closed the connection"));
      this.pending.clear();
    });
  }

  /** A session with `service`'s isolate through the inspector listening on 127.0.0.1:`port`. */
  static async connect(port: number, service: string): Promise<Inspector> {
    const list = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    if (!list.ok) throw new Error(`the inspector's /json answered ${list.status}`);
    const socket = new WebSocket(debuggerUrl(await list.json(), service));
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", () => reject(new Error(`could not open the inspector's WebSocket on ${port}`)));
    });
    return new Inspector(socket);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the inspector did not answer ${method} within ${CALL_TIMEOUT_MS / 1000} s`));
      }, CALL_TIMEOUT_MS);
      const done =
        <T>(settle: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          settle(value);
        };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject) });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /**
   * The heap once garbage is collected: V8's stored console messages dropped first (an attached inspector keeps the
   * last thousand logged lines alive, which is not the Worker's memory), then two full collections (the second
   * takes what the first one's finalizers let go). workerd runs V8's collection task only when something enters
   * the isolate, so `poke` (a request the Worker answers cheaply) is sent until the collection is done.
   */
  async heapAfterGc(poke: () => Promise<unknown>): Promise<HeapUsage> {
    await this.call("Runtime.discardConsoleEntries");
    for (let round = 0; round < 2; round++) {
      let collected = false;
      const collection = this.call("HeapProfiler.collectGarbage").then(() => {
        collected = true;
      });
      while (!collected) {
        await Promise.race([collection, poke().then(() => new Promise((resolve) => setTimeout(resolve, 50)))]);
      }
    }
    return heapUsage(await this.call("Runtime.getHeapUsage"));
  }

  close(): void {
    this.socket.close();
  }
}
