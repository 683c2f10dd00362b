/** Fields a log line may carry. Never put secrets or whole message texts here: logs leave the Worker. */
export interface LogFields {
  bot?: string;
  room?: number | string;
  ms?: number;
  [field: string]: string | number | boolean | null | undefined | Record<string, number>;
}

/** One JSON object per line, so Workers Logs can filter on `event`, `bot`, `room`. */
export function log(level: "info" | "warn" | "error", event: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
