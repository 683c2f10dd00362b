/** What Cloudflare bills a Durable Object for, counted per entry point (a request or an alarm run). */
export interface Billing {
  doRequests: number;
  rowsRead: number;
  /** SQLite rows written, plus one per `setAlarm`/`deleteAll`, which are billed as a row written each. */
  rowsWritten: number;
  subrequests: number;
}

export const NO_BILLING: Readonly<Billing> = { doRequests: 0, rowsRead: 0, rowsWritten: 0, subrequests: 0 };

export const addBilling = (a: Billing, b: Billing): Billing => ({
  doRequests: a.doRequests + b.doRequests,
  rowsRead: a.rowsRead + b.rowsRead,
  rowsWritten: a.rowsWritten + b.rowsWritten,
  subrequests: a.subrequests + b.subrequests,
});

/** The `billing` field of a log line, in the snake_case of the other fields. */
export const billingFields = (b: Billing) => ({
  do_requests: b.doRequests,
  rows_read: b.rowsRead,
  rows_written: b.rowsWritten,
  subrequests: b.subrequests,
});

/**
 * Counts an object's billable work. Every SQL cursor passes through `track` (its counters are final once it is
 * consumed, so they are read when the figures are taken); `take` returns what was counted and starts afresh.
 */
export class Meter {
  private cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  private counted: Billing = { ...NO_BILLING };

  track<T extends Record<string, SqlStorageValue>>(cursor: SqlStorageCursor<T>): SqlStorageCursor<T> {
    this.cursors.push(cursor as unknown as SqlStorageCursor<Record<string, SqlStorageValue>>);
    return cursor;
  }

  add(part: Partial<Billing>): void {
    this.counted = addBilling(this.counted, { ...NO_BILLING, ...part });
  }

  take(): Billing {
    const rows = this.cursors.reduce(
      (sum, cursor) => ({ read: sum.read + cursor.rowsRead, written: sum.written + cursor.rowsWritten }),
      { read: 0, written: 0 },
    );
    const taken = addBilling(this.counted, { ...NO_BILLING, rowsRead: rows.read, rowsWritten: rows.written });
    this.cursors = [];
    this.counted = { ...NO_BILLING };
    return taken;
  }
}

/**
 * An object's billable work not yet added to the conversation's stored totals, and not yet on a log line. The two
 * move on apart: a webhook's work is logged by the route at once but stored with the next answer.
 */
export class Ledger {
  private unsaved: Billing = { ...NO_BILLING };
  private unlogged: Billing = { ...NO_BILLING };

  constructor(private readonly meter: Meter) {}

  /** What the meter counted for a request whose caller logs it: it only waits to be stored. */
  takeForCaller(): Billing {
    const taken = this.meter.take();
    this.unsaved = addBilling(this.unsaved, taken);
    return taken;
  }

  /** Moves what the meter counted into both running figures. */
  collect(): void {
    const taken = this.meter.take();
    this.unsaved = addBilling(this.unsaved, taken);
    this.unlogged = addBilling(this.unlogged, taken);
  }

  /** Not yet in the stored totals; call `stored()` once they are written. */
  toStore(): Billing {
    this.collect();
    return this.unsaved;
  }

  stored(): void {
    this.unsaved = { ...NO_BILLING };
  }

  /** Not yet on a log line; call `logged()` once it is. */
  toLog(): Billing {
    this.collect();
    return this.unlogged;
  }

  logged(): void {
    this.unlogged = { ...NO_BILLING };
  }
}
