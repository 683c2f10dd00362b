import { DurableObject } from "cloudflare:workers";

interface Env {
  NOTES: DurableObjectNamespace<Note>;
}

/**
 * The memory control: the least a conversation could be — one SQLite row, one alarm, and `deleteAll` when the
 * alarm fires. What local workerd spends per live object of this kind is the floor under the bot's figure.
 */
export class Note extends DurableObject<Env> {
  async write(text: string, ttlMs: number): Promise<void> {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS note (text TEXT NOT NULL)");
    this.ctx.storage.sql.exec("INSERT INTO note VALUES (?)", text);
    await this.ctx.storage.setAlarm(Date.now() + ttlMs);
  }

  override async alarm(): Promise<void> {
    // When the runtime ran the alarm: with a TTL of 0, the floor under the bot's "webhook → turn starts".
    console.log(JSON.stringify({ event: "note.alarm", id: this.ctx.id.name ?? null, at: Date.now() }));
    await this.ctx.storage.deleteAll();
  }
}

// The latency baseline: every other request gets 204 at once, with no routing and no storage.
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const note = /^\/note\/(\d+)$/.exec(new URL(request.url).pathname);
    if (note) await env.NOTES.getByName(note[1]!).write(await request.text(), Number(request.headers.get("x-ttl-ms")));
    return new Response(null, { status: 204 });
  },
} satisfies ExportedHandler<Env>;
