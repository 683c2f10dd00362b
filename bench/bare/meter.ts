/**
 * The bench's own meter of what Cloudflare bills, wrapped around the bot's exports from outside its code: Worker
 * invocations, Durable Object requests (each RPC call on a stub, each alarm run), SQLite rows read and written
 * (from each cursor's rowsRead/rowsWritten), alarms set, and how long each alarm run held its object.
 * `GET /__meter` returns the tally since the last call and starts a new one. Only `npm run bench` builds it.
 */

import type { Tally } from "./tally";

const fresh = (): Tally => ({
  workerRequests: 0,
  doRequests: 0,
  alarmRuns: 0,
  rowsRead: 0,
  rowsWritten: 0,
  alarmsSet: 0,
  deleteAlls: 0,
  alarmMs: [],
});
let tally = fresh();
// Rows are known only once a cursor is read, so cursors are kept until the next readout.
let cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];

function readout(): Tally {
  for (const cursor of cursors) {
    tally.rowsRead += cursor.rowsRead;
    tally.rowsWritten += cursor.rowsWritten;
  }
  const taken = tally;
  tally = fresh();
  cursors = [];
  return taken;
}

const isNamespace = (value: unknown): value is DurableObjectNamespace =>
  typeof value === "object" && value !== null && "idFromName" in value && "getByName" in value;

/** Each method called on a stub is one RPC session, so one billed request to the object. */
function meteredStub<T extends object>(stub: T): T {
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== "function" || typeof property !== "string" || property === "then") return value;
      return (...args: unknown[]) => {
        tally.doRequests++;
        // Reflect.apply: an RPC method's own `.apply` would be taken for a remote method of that name.
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function meteredNamespace(namespace: DurableObjectNamespace): DurableObjectNamespace {
  return new Proxy(namespace, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (property !== "get" && property !== "getByName")
        return typeof value === "function" ? value.bind(target) : value;
      return (...args: unknown[]) => meteredStub(Reflect.apply(value as (...a: unknown[]) => object, target, args));
    },
  });
}

/** The same bindings, with every Durable Object namespace counting the calls made through it. */
function meteredEnv<E extends object>(env: E): E {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, isNamespace(value) ? meteredNamespace(value) : value]),
  ) as E;
}

function meterStorage(storage: DurableObjectStorage): void {
  const { sql } = storage;
  const exec = sql.exec.bind(sql);
  sql.exec = ((query: string, ...bindings: unknown[]) => {
    const cursor = exec(query, ...bindings);
    cursors.push(cursor);
    return cursor;
  }) as typeof sql.exec;
  const setAlarm = storage.setAlarm.bind(storage);
  storage.setAlarm = (...args) => {
    tally.alarmsSet++;
    return setAlarm(...args);
  };
  const deleteAll = storage.deleteAll.bind(storage);
  storage.deleteAll = (...args) => {
    tally.deleteAlls++;
    return deleteAll(...args);
  };
}

// TypeScript requires a mixin's base to take `...any[]`.
type ObjectClass = abstract new (...args: any[]) => { alarm?(info?: AlarmInvocationInfo): void | Promise<void> };

/** `Base`, metering its storage, the stubs it calls and its alarm runs. */
export function meterObject<C extends ObjectClass>(Base: C): C {
  abstract class Metered extends Base {
    constructor(...args: any[]) {
      meterStorage((args[0] as DurableObjectState).storage);
      super(args[0], meteredEnv(args[1] as object));
    }
  }
  const alarm = Base.prototype.alarm;
  if (alarm) {
    Object.defineProperty(Metered.prototype, "alarm", {
      async value(this: InstanceType<C>, info?: AlarmInvocationInfo) {
        tally.doRequests++;
        tally.alarmRuns++;
        const started = Date.now();
        try {
          return await alarm.call(this, info);
        } finally {
          tally.alarmMs.push(Date.now() - started);
        }
      },
    });
  }
  return Metered as unknown as C;
}

/** The Worker's handler, counting its invocations and answering `/__meter`. */
export function meterWorker<E extends object>(handler: ExportedHandler<E>): ExportedHandler<E> {
  return {
    ...handler,
    fetch(request, env, ctx) {
      if (new URL(request.url).pathname === "/__meter") return Response.json(readout());
      tally.workerRequests++;
      return handler.fetch!(request, meteredEnv(env), ctx);
    },
  };
}
