import { readAtMost } from "../bytes";

/** Campfire's payloads are a few KB; anything near this is not a chat message. */
export const MAX_BODY_BYTES = 1_000_000;

export type BodyResult = { ok: true; text: string } | { ok: false; status: 400 | 413; reason: string };

/**
 * Reads a request body up to `limit` bytes. The Content-Length is checked first, then the bytes actually
 * read: a chunked request declares nothing, and one built in-process can carry more than it declares.
 */
export async function readBody(request: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const tooLarge = { ok: false, status: 413, reason: `the body is larger than ${limit} bytes` } as const;
  const length = request.headers.get("content-length");
  if (Number(length) > limit) return tooLarge;
  // A declared length bounds what the runtime lets through, so it is read at once; otherwise chunk by chunk.
  const bytes =
    length !== null && /^\d+$/.test(length)
      ? new Uint8Array(await request.arrayBuffer())
      : await readAtMost(request.body, limit);
  if (!bytes || bytes.byteLength > limit) return tooLarge;
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, status: 400, reason: "the body is not valid UTF-8" };
  }
}
