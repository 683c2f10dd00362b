/**
 * Ack latency: how long a sender waits for 204, for the bare Worker (reference), the durable floor (a Worker
 * that hands one row to a Durable Object, which stores it and sets an alarm) and the bot; and the bot's own
 * overhead from webhook to reply posted.
 */
import { getJson, payload, post, type Posted, type Requested, sleep, waitForRooms } from "./client.ts";
import { percentile } from "./stats.ts";
import type { Workerd } from "./workerd.ts";

export const ADMIN_TOKEN = "bench-admin";

type Target = (index: number) => { url: string; body: string; headers?: Record<string, string> };

/** Sends `count` requests, `concurrency` at a time; returns each one's latency. */
export async function latencies(target: Target, count: number, concurrency: number): Promise<number[]> {
  const samples: number[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < count) {
        const { url, body, headers } = target(sent++);
        const started = performance.now();
        const status = await post(url, body, headers);
        samples.push(performance.now() - started);
        if (status !== 204) throw new Error(`${url} answered ${status}; expected 204`);
      }
    }),
  );
  return samples;
}

/**
 * Waits until every message the bot queued has been answered (the `messages` of its `reply.posted` lines add up to
 * its queued `webhook.accepted` lines) and nothing is retrying, so the next row measures its own load. Read from
 * the bot's logs: the registry hears of a live conversation only at birth, death and changes into failing.
 */
export async function drained(bot: Workerd): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const queued = bot.logs.filter((line) => line.event === "webhook.accepted" && line.outcome === "queued").length;
    const answered = bot.logs
      .filter((line) => line.event === "reply.posted")
      .reduce((sum, line) => sum + Number(line.messages ?? 0), 0);
    if (answered >= queued) return;
    if (Date.now() > deadline) throw new Error(`${queued - answered} messages still unanswered after 5 minutes`);
    await sleep(250);
  }
}

export interface AckRow {
  senders: number;
  bare: number[];
  floor: number[];
  bot: number[];
}

/**
 * For each sender count: `count` requests to each server over `rooms` rooms (objects), in two alternating
 * halves, so a slow moment of the shared machine falls on all three alike.
 */
export async function ackRows(
  bare: Workerd,
  bot: Workerd,
  senders: number[],
  count: number,
  rooms: number,
  ttlMs: number,
): Promise<AckRow[]> {
  const rows: AckRow[] = [];
  for (const concurrency of senders) {
    const row: AckRow = { senders: concurrency, bare: [], floor: [], bot: [] };
    const firstRoom = 1_000_000 * concurrency;
    for (let half = 0; half < 2; half++) {
      const room = (index: number) => firstRoom + ((index + half) % rooms);
      row.bare.push(
        ...(await latencies(
          (i) => ({ url: `${bare.url}/webhook/assistant`, body: payload(room(i), `ack ${i}`) }),
          count / 2,
          concurrency,
        )),
      );
      row.floor.push(
        ...(await latencies(
          (i) => ({
            url: `${bare.url}/note/${room(i)}`,
            body: payload(room(i), `ack ${i}`),
            headers: { "x-ttl-ms": String(ttlMs) },
          }),
          count / 2,
          concurrency,
        )),
      );
      row.bot.push(
        ...(await latencies(
          (i) => ({ url: `${bot.url}/webhook/assistant`, body: payload(room(i), `ack ${i}`) }),
          count / 2,
          concurrency,
        )),
      );
      await drained(bot);
    }
    rows.push(row);
  }
  return rows;
}

export interface Overhead {
  model: number[];
  overhead: number[];
  /** Each mention's ack, with no earlier turn still running: the ack path alone. */
  ack: number[];
  /** Where the time goes, from sending the webhook (ms): the turn's first Campfire request, the model request, the reply. */
  timeline: { turnStart: number[]; modelAsked: number[]; posted: number[] };
}

/** `count` mentions to fresh rooms, one at a time on an idle bot: webhook → reply posted, minus the model's time. */
export async function botOverhead(
  bot: Workerd,
  fakes: { anthropic: string; campfire: string },
  count: number,
): Promise<Overhead> {
  const rooms = Array.from({ length: count }, (_, i) => 300_000 + i);
  const sentAt = new Map<number, number>();
  const acks: number[] = [];
  for (const roomId of rooms) {
    sentAt.set(roomId, Date.now());
    const started = performance.now();
    await post(`${bot.url}/webhook/assistant`, payload(roomId, `overhead room ${roomId}`));
    acks.push(performance.now() - started);
    await waitForRooms(fakes.campfire, [roomId], 30_000);
    await sleep(IDLE_PAUSE_MS);
  }
  const posted = (await getJson<Posted[]>(`${fakes.campfire}/_fake/messages`)).filter((message) =>
    sentAt.has(message.roomId),
  );
  const requests = await getJson<Requested[]>(`${fakes.anthropic}/_fake/requests`);
  const calls = await getJson<{ roomId: number; at: number }[]>(`${fakes.campfire}/_fake/calls`);
  const result: Overhead = {
    model: [],
    overhead: [],
    ack: acks,
    timeline: { turnStart: [], modelAsked: [], posted: [] },
  };
  for (const roomId of rooms) {
    const request = requests.find((r) => JSON.stringify(r.body).includes(`overhead room ${roomId}`));
    const reply = posted.find((m) => m.roomId === roomId);
    const first = calls.find((call) => call.roomId === roomId);
    if (!request || !reply || !first)
      throw new Error(`room ${roomId}: no model request, Campfire request or reply was recorded`);
    const sent = sentAt.get(roomId)!;
    result.model.push(request.ms ?? 0);
    result.overhead.push(reply.at - sent - (request.ms ?? 0));
    result.timeline.turnStart.push(first.at - sent);
    result.timeline.modelAsked.push(request.at - sent);
    result.timeline.posted.push(reply.at - sent);
  }
  return result;
}

/** After each idle mention: the turn's end (settling, its registry report) is over before the next ack. */
const IDLE_PAUSE_MS = 20;

export interface IdleFloor {
  ack: number[];
  /** From sending the note to its alarm running (set for "now"): how soon the runtime starts an alarm. */
  alarmStart: number[];
}

/** The floor's ack the same way, one new note at a time, each after a pause; each note's alarm is due at once. */
export async function idleFloor(bare: Workerd, count: number): Promise<IdleFloor> {
  const result: IdleFloor = { ack: [], alarmStart: [] };
  const sentAt = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const id = String(300_000 + i);
    sentAt.set(id, Date.now());
    const started = performance.now();
    await post(`${bare.url}/note/${id}`, payload(300_000 + i, `overhead room ${id}`), { "x-ttl-ms": "0" });
    result.ack.push(performance.now() - started);
    await sleep(IDLE_PAUSE_MS);
  }
  for (const line of bare.logs) {
    const sent = line.event === "note.alarm" ? sentAt.get(String(line.id)) : undefined;
    if (sent !== undefined) result.alarmStart.push(Number(line.at) - sent);
  }
  if (result.alarmStart.length < count)
    throw new Error(`only ${result.alarmStart.length} of ${count} notes logged their alarm`);
  return result;
}

/** p50 and p99 of `samples`, and of `samples` ÷ `baseline`. */
export function ratio(samples: number[], baseline: number[], p: number): number {
  return percentile(samples, p) / percentile(baseline, p);
}
