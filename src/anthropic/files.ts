import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { readAtMost } from "../bytes";
import { anthropicFailure } from "./failure";
import { ServiceFailure } from "../failure";
import { log } from "../log";

/** The largest file the bot posts into a room; a larger one is named in the answer instead. */
export const FILE_LIMIT_BYTES = 25 * 1024 * 1024;

/** One file's fetch, metadata and bytes together: a Files API that hangs costs this, not the SDK's five minutes. */
export const FILE_FETCH_TIMEOUT_MS = 30_000;

/** Why a file could not be fetched from the Files API; `fileName` once its metadata was read, so a note can name it. */
export class FileFetchFailure extends ServiceFailure {
  constructor(
    failure: ServiceFailure,
    readonly fileName: string | null,
  ) {
    super(failure.service, failure.kind, failure.message, failure.status, failure.retryAfterMs);
  }
}

export type ProducedFile =
  | { kind: "file"; name: string; type: string; size: number; bytes: Uint8Array }
  | { kind: "too_large"; name: string; size: number };

/** The parts of the Files API's metadata the bot relies on, checked: it comes from outside. */
const Metadata = z.object({ filename: z.string(), mime_type: z.string(), size_bytes: z.number().int().nonnegative() });

/**
 * A file Claude's code execution produced, read through the Files API: metadata first, so a file over
 * `limitBytes` is never downloaded, then the content (also cut off at the limit, should the metadata be wrong).
 * Failures come back as `FileFetchFailure`s (service "anthropic"), after at most `FILE_FETCH_TIMEOUT_MS`.
 */
export async function fetchProducedFile(
  client: Anthropic,
  fileId: string,
  limitBytes: number = FILE_LIMIT_BYTES,
): Promise<ProducedFile> {
  const signal = AbortSignal.timeout(FILE_FETCH_TIMEOUT_MS);
  const metadata = Metadata.safeParse(
    await call(fileId, null, "metadata", signal, () => client.files.retrieveMetadata(fileId, {}, { signal })),
  );
  if (!metadata.success)
    throw new FileFetchFailure(
      new ServiceFailure(
        "anthropic",
        "unavailable",
        `the Files API's metadata for ${fileId} was not as documented: ${metadata.error.issues[0]?.message}`,
      ),
      null,
    );
  // Code execution writes into an outputs folder; only the file's own name means anything in the room.
  const name = metadata.data.filename.split("/").pop() || fileId;
  const size = metadata.data.size_bytes;
  if (size > limitBytes) {
    log("warn", "file.too_large", { file: fileId, size, limit: limitBytes });
    return { kind: "too_large", name, size };
  }
  const response = await call(fileId, name, "download", signal, () => client.files.download(fileId, {}, { signal }));
  const bytes = await call(fileId, name, "download", signal, () => readAtMost(response.body, limitBytes));
  // The metadata understated the size: all that is known is that the file is over the limit.
  if (!bytes) return { kind: "too_large", name, size: limitBytes + 1 };
  return { kind: "file", name, type: metadata.data.mime_type || "application/octet-stream", size: bytes.length, bytes };
}

async function call<T>(
  fileId: string,
  name: string | null,
  step: "metadata" | "download",
  signal: AbortSignal,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const subject = `the Files API (${step} of ${fileId})`;
    if (signal.aborted)
      throw new FileFetchFailure(
        new ServiceFailure(
          "anthropic",
          "timeout",
          `${subject} did not answer within ${FILE_FETCH_TIMEOUT_MS / 1_000} s`,
        ),
        name,
      );
    throw new FileFetchFailure(anthropicFailure(error, subject), name);
  }
}
