import { campfireFilename } from "../campfire/filename.ts";
import { plainText } from "./plain-text.ts";
import type { CampfireStore, CampfireUser, PageFrom, StoredBoost, StoredMessage } from "./store.ts";

/** Campfire's `Message::Pagination::PAGE_SIZE`. */
export const PAGE_SIZE = 40;

const ROUTE = /^\/rooms\/(\d+)\/([^/]+)\/messages(?:\/(\d+)(?:\/(boosts)(?:\/(\d+))?)?)?\/?$/;

/**
 * Campfire's bot API, as once-campfire's `Messages::ByBotsController` and `Messages::Boosts::ByBotsController`
 * answer it, over a store: post text (the raw body) or a file (multipart field `attachment`), read 40 a page with
 * `?before=` / `?after=`, edit and delete one's own messages, boost and unboost. `baseUrl` is Campfire's own
 * address (the request's origin when not given): paths are matched under it, and `Location`, `Link` and the
 * JSON's URLs are made from it. Runs in workerd and in Node alike.
 */
export async function handleBotApi(
  request: Request,
  store: CampfireStore,
  options: { baseUrl?: string } = {},
): Promise<Response> {
  const url = new URL(request.url);
  const base = (options.baseUrl ?? url.origin).replace(/\/$/, "");
  const basePath = new URL(base).pathname.replace(/\/$/, "");
  const match = url.pathname.startsWith(`${basePath}/`) ? ROUTE.exec(url.pathname.slice(basePath.length)) : null;
  const action = match && actionOf(request.method.toUpperCase(), match[3], match[4], match[5]);
  // Routing comes first in Campfire: a path or verb it has no route for is a 404, whatever the key.
  if (!match || !action) return head(404);
  const [, room, key, id, , boostId] = match;
  const roomId = Number(room);

  const bot = store.authenticateBot(decodedKey(key!));
  // Campfire sends anyone it cannot authenticate to its login page.
  if (!bot) return new Response(null, { status: 302, headers: { location: "/session/new" } });
  if (!store.isMember(roomId, bot.id)) return head(404);
  const json = new Json(base, key!);
  if (action === "index") return index(store, roomId, url.searchParams, json);
  if (action === "create") return create(request, store, roomId, bot, base);

  const message = store.message(roomId, Number(id));
  if (!message) return head(404);
  if (action === "boost") {
    const content = await request.text();
    if (!content.trim()) return head(422);
    return Response.json(json.boost(store.boost(message, bot, content), message), { status: 201 });
  }
  if (action === "unboost") {
    const boost = store.boostBy(message, Number(boostId), bot.id);
    if (!boost) return head(404);
    store.unboost(message, boost);
    return head(204);
  }
  // `can_administer?`: a bot is no administrator, so only its own messages.
  if (message.creator.id !== bot.id) return head(403);
  if (action === "destroy") {
    store.remove(message);
    return head(204);
  }
  // Campfire's update takes the raw body as it is: unlike posting, an empty text is not refused.
  return Response.json(json.message(store.edit(message, await request.text())));
}

type Action = "index" | "create" | "update" | "destroy" | "boost" | "unboost";

/** The bot routes: `resources :messages, only: [index create update destroy]` with `resources :boosts, only: [create destroy]`. */
function actionOf(
  method: string,
  id: string | undefined,
  boosts: string | undefined,
  boostId: string | undefined,
): Action | null {
  if (id === undefined) return method === "GET" ? "index" : method === "POST" ? "create" : null;
  if (boosts) {
    if (boostId === undefined) return method === "POST" ? "boost" : null;
    return method === "DELETE" ? "unboost" : null;
  }
  if (method === "PATCH" || method === "PUT") return "update";
  return method === "DELETE" ? "destroy" : null;
}

/**
 * `find_paged_messages` and `set_pagination_headers`: the newest page, or the one just before `?before=` (looked up
 * first) or just after `?after=` (a message of this room, else 404); `Link` goes on after when `after` was given,
 * else before, when a message lies beyond.
 */
function index(store: CampfireStore, roomId: number, params: URLSearchParams, json: Json): Response {
  const before = present(params.get("before"));
  const after = present(params.get("after"));
  let from: PageFrom = { latest: true };
  const anchorId = before ?? after;
  if (anchorId !== undefined) {
    const anchor = store.message(roomId, railsInteger(anchorId));
    if (!anchor) return head(404);
    from = before !== undefined ? { before: anchor } : { after: anchor };
  }
  const page = store.page(roomId, from, PAGE_SIZE);
  const headers = new Headers({ "x-total-count": String(store.count(roomId)) });
  // `next_page_params`: forward whenever `after` was given, even beside a `before` that chose the page.
  const forward = after !== undefined;
  const edge = forward ? page.at(-1) : page[0];
  if (edge && store.page(roomId, forward ? { after: edge } : { before: edge }, 1).length > 0)
    headers.set(
      "link",
      `<${json.roomMessages(roomId, forward ? { after: edge.id } : { before: edge.id })}>; rel="next"`,
    );
  return Response.json(
    page.map((message) => json.message(message)),
    { headers },
  );
}

/** Rails' `present?`: a blank parameter is no parameter. */
const present = (value: string | null) => (value?.trim() ? value : undefined);

/** An id as ActiveRecord casts it for `find`: its leading integer ("12abc" is 12); none (NaN, found nowhere) otherwise. */
const railsInteger = (value: string) => Number(/^\s*[+-]?\d+/.exec(value)?.[0] ?? Number.NaN);

async function create(
  request: Request,
  store: CampfireStore,
  roomId: number,
  bot: CampfireUser,
  base: string,
): Promise<Response> {
  let message: StoredMessage;
  if (request.headers.get("content-type")?.startsWith("multipart/form-data")) {
    const file = (await request.formData().catch(() => null))?.get("attachment");
    // Campfire would post a multipart body with no file in `attachment` as text, source and all; refusing it shows the mistake.
    if (!file || typeof file === "string") return head(422);
    const upload = {
      filename: campfireFilename(file.name),
      contentType: file.type || "application/octet-stream",
      bytes: new Uint8Array(await file.arrayBuffer()),
    };
    message = store.post(roomId, bot, { file: upload });
  } else {
    const html = await request.text();
    if (!html.trim()) return head(422);
    message = store.post(roomId, bot, { html });
  }
  return new Response(null, { status: 201, headers: { location: `${base}/messages/${message.id}` } });
}

/** Campfire's JSON views (`messages/_message`, `messages/boosts/_boost`, `users/_user`), with its URLs. */
class Json {
  private readonly base: string;
  private readonly key: string;

  constructor(base: string, key: string) {
    this.base = base;
    this.key = key;
  }

  roomMessages(roomId: number, query: { before: number } | { after: number }): string {
    return `${this.base}/rooms/${roomId}/${this.key}/messages?${new URLSearchParams(Object.entries(query).map(([name, value]) => [name, String(value)]))}`;
  }

  message(message: StoredMessage) {
    return {
      id: message.id,
      created_at: new Date(message.createdAt).toISOString(),
      body: { plain_text: plainTextBody(message), html: renderedHtml(message.html) },
      creator: this.user(message.creator),
      room: { id: message.roomId },
      url: this.messageUrl(message),
    };
  }

  boost(boost: StoredBoost, message: StoredMessage) {
    return {
      id: boost.id,
      content: boost.content,
      created_at: new Date(boost.createdAt).toISOString(),
      booster: this.user(boost.booster),
      message: { id: message.id, url: this.messageUrl(message) },
    };
  }

  private user(user: CampfireUser) {
    return { id: user.id, name: user.name, role: user.role, avatar_url: `${this.base}/users/${user.id}/avatar` };
  }

  private messageUrl(message: StoredMessage): string {
    return `${this.base}/rooms/${message.roomId}/messages/${message.id}`;
  }
}

/** `Message#plain_text_body`: the rich text's plain text, else the attached file's name. */
export function plainTextBody(message: StoredMessage): string {
  const text = plainText(message.html);
  return text.trim() ? text : (message.attachment?.filename ?? "");
}

/** Action Text renders a body inside its `trix-content` layout; a file message has no body, so no HTML. */
function renderedHtml(html: string): string {
  return html ? `<div class="trix-content">\n  ${html}</div>\n` : "";
}

/** The key as Rails hands it to `authenticate_bot`: unescaped and stripped ("" for an undecodable one, which no bot has). */
function decodedKey(segment: string): string {
  try {
    return decodeURIComponent(segment).trim();
  } catch {
    return "";
  }
}

/** Campfire's `head :status`: no body. */
const head = (status: number) => new Response(null, { status });
