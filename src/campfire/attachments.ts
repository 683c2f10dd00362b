import { type CampfireTransport, campfireFailure, messageIdOf } from "./transport";

export { campfireFilename } from "./filename";

/** A file to post into a room. */
export interface OutgoingFile {
  name: string;
  /** Its MIME type, e.g. `text/csv`; Campfire shows images inline by it. */
  type: string;
  bytes: Uint8Array;
}

/**
 * Posts a file as a message of its own (it carries no text): `multipart/form-data` with the file in the field
 * `attachment`, as Campfire's bot API takes uploads. Resolves with the new message's id when Campfire gives one.
 */
export async function postAttachment(
  send: CampfireTransport,
  messagesPath: string,
  file: OutgoingFile,
): Promise<{ messageId?: number }> {
  const form = new FormData();
  form.append("attachment", new File([file.bytes], file.name, { type: file.type }));
  // No content-type header: fetch writes the multipart one with its boundary.
  const response = await send(messagesPath, { method: "POST", body: form });
  await response.body?.cancel();
  if (response.status < 200 || response.status >= 300) throw campfireFailure(response, `post the file ${file.name}`);
  return messageIdOf(response);
}
