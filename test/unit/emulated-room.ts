import { CampfireClient } from "../../src/campfire/client";
import { Room } from "../../src/campfire/room";
import { handleBotApi } from "../../src/campfire-emulator/bot-api";
import { MemoryCampfireStore } from "../../src/campfire-emulator/memory-store";
import { TEST_KEYS } from "../bots";

export const BASE = "https://chat.example.com";
const KEY = TEST_KEYS.assistant;

/**
 * Room 1 of the emulated Campfire (once-campfire's paging) behind the bot's real `Room`, with no network: its store,
 * to say things in, and the path and query of every request the bot sent it.
 */
export function emulatedRoom() {
  const store = new MemoryCampfireStore({
    authenticateBot: (key) => (key === KEY ? { id: Number(KEY.split("-")[0]), name: "Assistant", role: "bot" } : null),
    rooms: [1],
  });
  const requests: string[] = [];
  const client = new (class extends CampfireClient {
    override async request(path: string, init: RequestInit = {}): Promise<Response> {
      requests.push(path.slice(path.indexOf("/messages")));
      return handleBotApi(new Request(BASE + path, init), store);
    }
  })(BASE);
  return { store, requests, room: new Room(client, 1, KEY, new Set(), () => {}, BASE) };
}
