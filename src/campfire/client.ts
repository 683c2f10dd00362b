import { ServiceFailure } from "../failure";
import { campfireFailure } from "./transport";

/** A message as Campfire's read API returns it. */
export interface RoomMessage {
  id: number;
  createdAt: string;
  text: string;
  creator: { id: number; name: string };
}

/** Where a page of a room's messages starts: at most one of `before` and `after` (a message id of the room). */
export interface PageOptions {
  before?: number;
  after?: number;
  timeoutMs?: number;
}

/** A page of messages, oldest first, and whether Campfire has another beyond it in the same direction. */
export interface MessagePage {
  messages: RoomMessage[];
  more: boolean;
}

/** How long a Campfire call may take: a hung Campfire must not hold a turn (Campfire itself answers in ms). */
export const CAMPFIRE_TIMEOUT_MS = 10_000;

/** Talks to one Campfire as a bot: base URL in, `ServiceFailure`s out, every request bounded in time. */
export class CampfireClient {
  constructor(
    private readonly baseUrl: string,
    /** Called once per HTTP request sent, for the turn's subrequest count. */
    private readonly onRequest: () => void = () => {},
  ) {}

  /** Sends one request; a network failure or a timeout becomes a retryable `ServiceFailure`. */
  async request(path: string, init: RequestInit = {}, timeoutMs = CAMPFIRE_TIMEOUT_MS): Promise<Response> {
    this.onRequest();
    // A timer cleared once Campfire answers (AbortSignal.timeout would still wake the object 10 s later).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      // A wrong key answers with a redirect to the login page; following it would hide the error.
      return await fetch(this.baseUrl + path, { ...init, redirect: "manual", signal: abort.signal });
    } catch (error) {
      const timedOut = abort.signal.aborted;
      throw new ServiceFailure(
        "campfire",
        timedOut ? "timeout" : "unreachable",
        timedOut
          ? `Campfire did not answer within ${timeoutMs / 1000} s`
          : `Campfire could not be reached: ${(error as Error).message}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends and checks: 2xx resolves with the response (body unread), anything else throws. */
  async send(path: string, init: RequestInit, what: string): Promise<Response> {
    const response = await this.request(path, init);
    if (response.status >= 200 && response.status < 300) return response;
    await response.body?.cancel();
    throw campfireFailure(response, what);
  }

  /** The room's latest messages (or those before `before`), oldest first; null when this Campfire has no read API. */
  async recent(path: string, options: { before?: number; timeoutMs?: number } = {}): Promise<RoomMessage[] | null> {
    return (await this.page(path, options))?.messages ?? null;
  }

  /**
   * One page of 40, oldest first: the newest, or the one just before `before` or just after `after`; `more` when
   * Campfire links a next page in the same direction. Null when this Campfire has no read API (404).
   */
  async page(path: string, options: PageOptions = {}): Promise<MessagePage | null> {
    const query = options.after ? `?after=${options.after}` : options.before ? `?before=${options.before}` : "";
    const response = await this.request(path + query, { headers: { accept: "application/json" } }, options.timeoutMs);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw campfireFailure(response, "read the room");
    }
    const list = (await response.json()) as {
      id: number;
      created_at: string;
      body?: { plain_text?: string };
      creator?: { id: number; name: string };
    }[];
    return {
      messages: list.map((m) => ({
        id: m.id,
        createdAt: m.created_at,
        text: m.body?.plain_text ?? "",
        creator: { id: m.creator?.id ?? 0, name: m.creator?.name ?? "someone" },
      })),
      more: /rel="?next"?/.test(response.headers.get("link") ?? ""),
    };
  }
}
