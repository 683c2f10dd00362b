import { formatBytes } from "../bytes";
import { forgetsIn } from "./format";
import { webhookRoom, webhookText } from "./mention";

/**
 * The playground page: a small Campfire room in plain HTML, CSS and JavaScript (no build step). Sending a
 * message stores it in the room and POSTs the exact Campfire webhook payload to /webhook/<bot>; the bot's
 * posts, edits, boosts and files arrive through the playground's bot API and are polled here. The helpers it
 * shares with the server are embedded as their source, so the unit-tested code is the code the browser runs.
 */
export const PLAYGROUND_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Campfire AI bot — playground</title>
<style>
  :root { --ink: #1d1d1f; --muted: #6e6e73; --line: #e5e5ea; --accent: #e05a2b; --bot: #fff4ee; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); display: grid; grid-template-columns: 220px 1fr; height: 100vh; }
  nav { background: #f5f5f7; border-right: 1px solid var(--line); padding: 16px; display: flex; flex-direction: column; gap: 16px; }
  nav h1 { font-size: 16px; margin: 0; }
  nav label { font-size: 12px; color: var(--muted); display: block; margin-bottom: 4px; }
  nav select { width: 100%; padding: 6px; font: inherit; }
  .rooms button { display: block; width: 100%; text-align: left; padding: 8px 10px; border: 0; border-radius: 6px; background: none; font: inherit; cursor: pointer; }
  .rooms button[aria-current="true"] { background: var(--accent); color: white; }
  main { display: grid; grid-template-rows: auto 1fr auto; min-height: 0; }
  header { padding: 12px 20px; border-bottom: 1px solid var(--line); display: flex; justify-content: space-between; align-items: center; gap: 12px; }
  header h2 { margin: 0; font-size: 18px; }
  #ttl { font-size: 13px; color: var(--muted); }
  #offline { background: #fff3cd; color: #6b4e00; padding: 8px 20px; font-size: 13px; }
  ol#messages { list-style: none; margin: 0; padding: 16px 20px; overflow-y: auto; display: flex; flex-direction: column; gap: 12px; }
  .message { display: grid; grid-template-columns: 36px 1fr; gap: 10px; }
  .avatar { width: 36px; height: 36px; border-radius: 50%; display: grid; place-items: center; color: white; font-weight: 600; background: #8e8e93; }
  .message.bot .avatar { background: var(--accent); }
  .message.bot .body { background: var(--bot); border-radius: 8px; padding: 6px 10px; }
  .author { font-weight: 600; font-size: 13px; }
  .body p { margin: 0 0 6px; } .body p:last-child { margin-bottom: 0; }
  .body pre { background: #f5f5f7; padding: 8px; border-radius: 6px; overflow-x: auto; }
  .chips:empty { display: none; } .chips { display: flex; gap: 6px; margin-top: 4px; }
  .chip { display: inline-block; font-size: 13px; padding: 2px 8px; border: 1px solid var(--line); border-radius: 12px; background: white; color: inherit; text-decoration: none; }
  a.chip:hover { border-color: var(--accent); }
  .forgotten { text-align: center; color: var(--muted); font-size: 13px; border-top: 1px dashed var(--line); padding-top: 6px; }
  form { display: flex; gap: 8px; padding: 12px 20px; border-top: 1px solid var(--line); }
  form input { flex: 1; padding: 10px 12px; font: inherit; border: 1px solid var(--line); border-radius: 8px; }
  form button { padding: 10px 16px; font: inherit; border: 0; border-radius: 8px; background: var(--accent); color: white; cursor: pointer; }
</style>
</head>
<body>
<nav aria-label="Playground">
  <h1>Campfire playground</h1>
  <div><label for="user">You are</label><select id="user"></select></div>
  <div><label for="bot">Bot</label><select id="bot"></select></div>
  <div class="rooms" role="list" aria-label="Rooms"></div>
</nav>
<main>
  <header><h2 id="room-name">…</h2><span id="ttl" aria-live="polite"></span></header>
  <div>
    <div id="offline" hidden>Offline model: no ANTHROPIC_API_KEY is set, so replies are canned. Add your key to <code>.dev.vars</code> and restart <code>npm run dev</code> to talk to Claude.</div>
    <ol id="messages" aria-live="polite" aria-label="Messages"></ol>
  </div>
  <form id="composer"><input id="text" autocomplete="off" aria-label="Message"><button>Send</button></form>
</main>
<script type="module">
const $ = (id) => document.getElementById(id);
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
${forgetsIn}
${formatBytes}
${webhookText}
${webhookRoom}
const config = await (await fetch("/playground/api/config")).json();
const state = { room: config.rooms[0], since: 0, messages: new Map(), hadConversation: false, nextMessageId: Date.now() };
$("offline").hidden = !config.offline;
for (const user of config.users) $("user").append(new Option(user.name, user.id));
for (const bot of config.bots) $("bot").append(new Option(bot.name, bot.id));
$("bot").onchange = placeholder;
const rooms = document.querySelector(".rooms");
for (const room of config.rooms) {
  const button = document.createElement("button");
  button.textContent = "# " + room.name;
  button.dataset.room = room.id;
  button.setAttribute("role", "listitem");
  button.onclick = () => openRoom(room);
  rooms.append(button);
}
const bot = () => config.bots.find((b) => b.id === $("bot").value);
const user = () => config.users.find((u) => String(u.id) === $("user").value);

function openRoom(room) {
  state.room = room; state.since = 0; state.messages.clear(); state.hadConversation = false;
  $("messages").replaceChildren();
  $("room-name").textContent = "# " + room.name;
  for (const b of rooms.children) b.setAttribute("aria-current", String(Number(b.dataset.room) === room.id));
  placeholder();
}

// As in Campfire: a shared room calls the bot only for a message that @mentions it, a direct room for every one.
function placeholder() {
  $("text").placeholder = state.room.direct
    ? "Message " + bot().name + " — it answers every message here"
    : "Message the room — start with @" + bot().name + " to ask the bot";
}

function fileChip(message) {
  const file = message.attachment;
  const chip = document.createElement(file.downloadable ? "a" : "span");
  chip.className = "chip file";
  chip.textContent = "📎 " + file.name + " · " + formatBytes(file.size);
  if (file.downloadable) Object.assign(chip, { href: "/playground/api/files/" + message.id, download: file.name });
  return chip;
}

function boostChip(boost) {
  const chip = document.createElement("span");
  chip.className = "chip boost";
  chip.textContent = boost.content;
  chip.title = "Boosted by " + boost.booster.name;
  return chip;
}

function render(message) {
  let item = document.getElementById("m" + message.id);
  if (!item) {
    item = document.createElement("li");
    item.id = "m" + message.id;
    item.className = "message" + (message.creator.bot ? " bot" : "");
    item.innerHTML = '<div class="avatar" aria-hidden="true"></div><div><div class="author"></div><div class="body"></div><div class="chips attachment"></div><div class="chips boosts" aria-label="Boosts"></div></div>';
    item.querySelector(".avatar").textContent = message.creator.name[0];
    item.querySelector(".author").textContent = message.creator.name;
    $("messages").append(item);
  }
  // The bot's HTML comes from its own renderer, which lets through only safe tags; people's text stays text.
  if (message.creator.bot) item.querySelector(".body").innerHTML = message.body;
  else item.querySelector(".body").textContent = message.body;
  // A file message has no text: only its chip shows.
  item.querySelector(".body").hidden = !message.body;
  item.querySelector(".attachment").replaceChildren(...(message.attachment ? [fileChip(message)] : []));
  item.querySelector(".boosts").replaceChildren(...message.boosts.map(boostChip));
  item.scrollIntoView({ block: "end" });
}

async function poll() {
  const room = state.room;
  const changed = await (await fetch("/playground/api/rooms/" + room.id + "/messages?since=" + state.since)).json();
  if (room !== state.room) return;
  for (const message of changed) { state.since = Math.max(state.since, message.version); render(message); }
  const conversation = await (await fetch("/playground/api/rooms/" + room.id + "/conversation/" + bot().id)).json();
  if (room !== state.room) return;
  if (conversation) {
    state.hadConversation = true;
    const left = Math.max(0, conversation.lastActivityAt + conversation.ttlMs - Date.now());
    const turns = conversation.turns + (conversation.turns === 1 ? " turn" : " turns");
    $("ttl").textContent = "Conversation (" + turns + ") forgotten in " + forgetsIn(left);
  } else {
    if (state.hadConversation) {
      const marker = document.createElement("li");
      marker.className = "forgotten";
      marker.textContent = "— conversation forgotten —";
      $("messages").append(marker);
      state.hadConversation = false;
    }
    $("ttl").textContent = "No conversation yet";
  }
}

$("composer").onsubmit = async (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  $("text").value = "";
  const room = state.room, me = user(), target = bot();
  const stored = await (await fetch("/playground/api/rooms/" + room.id + "/messages", { method: "POST", body: JSON.stringify({ user: me, text }) })).json();
  render(stored);
  const plain = webhookText(text, target.name, !room.direct);
  if (plain === null) return;
  // Exactly what Campfire sends the bot: its mention is gone from the plain text, still in the HTML.
  const payload = {
    user: me,
    room: webhookRoom(room, target.key),
    message: { id: stored.id, body: { html: "<div>" + escapeHtml(text) + "</div>", plain }, path: "/rooms/" + room.id + "/@" + stored.id },
  };
  await fetch("/webhook/" + target.id, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
};

openRoom(config.rooms[0]);
setInterval(poll, 700);
poll();
</script>
</body>
</html>`;
