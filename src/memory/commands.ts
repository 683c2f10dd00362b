import type { MemoryCommand } from "./command-schema";
import { byteSize, type FileStore, formatSize, type StoredFile } from "./file-store";
import { MEMORY_ROOT, memoryPath, parentsOf } from "./paths";

/** One file may hold at most this many UTF-8 bytes. */
export const MAX_FILE_BYTES = 32 * 1024;
/** One person's memory may hold at most this many files… */
export const MAX_FILES = 100;
/** …and this many bytes in all. */
export const MAX_TOTAL_BYTES = 256 * 1024;

/** What the tool answers Claude: plain text, like a file tool's; `isError` marks a refusal it can recover from. */
export interface CommandResult {
  content: string;
  isError: boolean;
}

/** A command that cannot be done as asked; its message tells Claude what to do instead. */
class Refusal extends Error {}

/** Runs one memory tool command against `store`. Refusals come back as results; only storage failures throw. */
export function runCommand(store: FileStore, command: MemoryCommand, now: number): CommandResult {
  try {
    return { content: dispatch(store, command, now), isError: false };
  } catch (error) {
    if (error instanceof Refusal) return { content: error.message, isError: true };
    throw error;
  }
}

function dispatch(store: FileStore, command: MemoryCommand, now: number): string {
  switch (command.command) {
    case "view":
      return view(store, checked(command.path), command.view_range);
    case "create":
      return create(store, checked(command.path), command.file_text, now);
    case "str_replace":
      return strReplace(store, checked(command.path), command.old_str, command.new_str, now);
    case "insert":
      return insert(store, checked(command.path), command.insert_line, command.insert_text, now);
    case "delete":
      return remove(store, checked(command.path));
    case "rename":
      return rename(store, checked(command.old_path), checked(command.new_path), now);
  }
}

function checked(raw: string): string {
  const result = memoryPath(raw);
  if ("error" in result) throw new Refusal(result.error);
  return result.path;
}

const isDirectory = (store: FileStore, path: string) => path === MEMORY_ROOT || store.listUnder(path).length > 0;

function requireFile(store: FileStore, path: string): StoredFile {
  const file = store.get(path);
  if (file) return file;
  if (isDirectory(store, path))
    throw new Refusal(`${path} is a directory, not a file; view ${path} to list its files.`);
  throw new Refusal(`No such file: ${path}. View ${MEMORY_ROOT} to see which files exist.`);
}

/** Lines numbered from `first`, as `view` shows them and edits echo them. */
function numbered(lines: string[], first: number): string {
  return lines.map((line, i) => `${String(first + i).padStart(6)}\t${line}`).join("\n");
}

function view(store: FileStore, path: string, range: number[] | undefined): string {
  const file = store.get(path);
  if (file) {
    const lines = file.content.split("\n");
    const [start, end] = range ? [range[0]!, range[1] === -1 ? lines.length : range[1]!] : [1, lines.length];
    if (start < 1 || start > lines.length || end < start || end > lines.length) {
      throw new Refusal(
        `view_range [${range}] does not fit ${path}, which has ${lines.length} lines; use [first, last] with 1 ≤ first ≤ last ≤ ${lines.length}, or -1 as last for the end.`,
      );
    }
    return `Here's the content of ${path} with line numbers:\n${numbered(lines.slice(start - 1, end), start)}`;
  }
  const files = store.listUnder(path);
  if (files.length === 0 && path !== MEMORY_ROOT)
    throw new Refusal(`No such file or directory: ${path}. View ${MEMORY_ROOT} to see which files exist.`);
  if (range) throw new Refusal(`${path} is a directory; view_range applies to files only.`);
  if (files.length === 0) return `${MEMORY_ROOT} is empty: nothing is remembered yet.`;
  const { count, bytes } = usage(store);
  const header = `Files in ${path} (the memory holds ${count} of at most ${MAX_FILES} files, ${formatSize(bytes)} of ${formatSize(MAX_TOTAL_BYTES)}):`;
  return [header, ...files.map((f) => `${formatSize(byteSize(f.content))}\t${f.path}`)].join("\n");
}

function create(store: FileStore, path: string, text: string, now: number): string {
  if (isDirectory(store, path))
    throw new Refusal(`${path} is a directory; create a file inside it, e.g. ${path}/notes.md.`);
  if (store.get(path))
    throw new Refusal(`File ${path} already exists; change it with str_replace or insert, or delete it first.`);
  const blocker = parentsOf(path).find((parent) => store.get(parent));
  if (blocker) throw new Refusal(`Cannot create ${path}: ${blocker} is a file, not a directory.`);
  checkBounds(store, path, text);
  store.put(path, text, now);
  return `File created successfully at: ${path}`;
}

function strReplace(store: FileStore, path: string, oldStr: string, newStr: string, now: number): string {
  const file = requireFile(store, path);
  if (oldStr === "")
    throw new Refusal(
      "old_str is empty; give the exact text to replace, as view shows it but without the line numbers.",
    );
  const count = file.content.split(oldStr).length - 1;
  if (count === 0)
    throw new Refusal(
      `old_str was not found in ${path}; view the file and copy the text exactly, without the line numbers.`,
    );
  if (count > 1)
    throw new Refusal(
      `old_str must appear exactly once in ${path}; it appears ${count} times. Include more of the text around it to make it unique.`,
    );
  const at = file.content.indexOf(oldStr);
  const content = file.content.slice(0, at) + newStr + file.content.slice(at + oldStr.length);
  checkBounds(store, path, content);
  store.put(path, content, now);
  const first = file.content.slice(0, at).split("\n").length;
  const changed = content.split("\n").slice(first - 1, first - 1 + newStr.split("\n").length);
  return `The memory file ${path} has been edited; the changed lines now read:\n${numbered(changed, first)}`;
}

function insert(store: FileStore, path: string, line: number, text: string, now: number): string {
  const file = requireFile(store, path);
  const lines = file.content.split("\n");
  if (line < 0 || line > lines.length) {
    throw new Refusal(
      `insert_line ${line} is outside ${path}, which has ${lines.length} lines; use 0 for the top up to ${lines.length} for after the last line.`,
    );
  }
  // The text becomes whole lines; a trailing newline would add an empty line the model did not mean.
  lines.splice(line, 0, text.replace(/\n$/, ""));
  const content = lines.join("\n");
  checkBounds(store, path, content);
  store.put(path, content, now);
  return `Inserted the text after line ${line} of ${path}.`;
}

function remove(store: FileStore, path: string): string {
  if (store.get(path)) {
    store.delete(path);
    return `Deleted ${path}.`;
  }
  const files = store.listUnder(path);
  // Deleting the root is how "forget everything about me" is done in one step; the root itself stays.
  if (path === MEMORY_ROOT) {
    for (const file of files) store.delete(file.path);
    return files.length === 0
      ? `${MEMORY_ROOT} was already empty.`
      : `Deleted everything in ${MEMORY_ROOT} (${files.length} files): nothing is remembered now.`;
  }
  if (files.length === 0)
    throw new Refusal(`No such file or directory: ${path}. View ${MEMORY_ROOT} to see which files exist.`);
  for (const file of files) store.delete(file.path);
  return `Deleted the directory ${path} and the ${files.length} files in it.`;
}

function rename(store: FileStore, from: string, to: string, now: number): string {
  if (from === MEMORY_ROOT || to === MEMORY_ROOT)
    throw new Refusal(`${MEMORY_ROOT} itself cannot be renamed; rename the files inside it.`);
  if (store.get(to) || isDirectory(store, to))
    throw new Refusal(`${to} already exists; delete it first or choose another new_path.`);
  const blocker = parentsOf(to).find((parent) => store.get(parent));
  if (blocker) throw new Refusal(`Cannot rename to ${to}: ${blocker} is a file, not a directory.`);
  if (store.get(from)) {
    store.rename(from, to, now);
    return `Renamed ${from} to ${to}.`;
  }
  const files = store.listUnder(from);
  if (files.length === 0)
    throw new Refusal(`No such file or directory: ${from}. View ${MEMORY_ROOT} to see which files exist.`);
  if (to.startsWith(`${from}/`)) throw new Refusal(`Cannot move the directory ${from} into itself.`);
  const moves = files.map((file) => ({ from: file.path, to: to + file.path.slice(from.length) }));
  for (const move of moves) {
    const target = memoryPath(move.to);
    if ("error" in target)
      throw new Refusal(
        `Cannot rename ${from} to ${to}: ${move.from} would move to a path that is not allowed. ${target.error}`,
      );
  }
  for (const move of moves) store.rename(move.from, move.to, now);
  return `Renamed the directory ${from} (${files.length} files) to ${to}.`;
}

function usage(store: FileStore): { count: number; bytes: number } {
  const files = store.listUnder(MEMORY_ROOT);
  return { count: files.length, bytes: files.reduce((sum, file) => sum + byteSize(file.content), 0) };
}

/** Refuses a write that would break a limit, saying which one. */
function checkBounds(store: FileStore, path: string, content: string): void {
  const bytes = byteSize(content);
  if (bytes > MAX_FILE_BYTES) {
    throw new Refusal(
      `${path} would be ${formatSize(bytes)}; a memory file holds at most ${formatSize(MAX_FILE_BYTES)}. Keep what matters: summarise, or split it into several files.`,
    );
  }
  const others = store.listUnder(MEMORY_ROOT).filter((file) => file.path !== path);
  if (others.length >= MAX_FILES) {
    throw new Refusal(
      `The memory already holds ${others.length} files, the most allowed (${MAX_FILES}); add this to an existing file, or merge or delete files first.`,
    );
  }
  const total = others.reduce((sum, file) => sum + byteSize(file.content), bytes);
  if (total > MAX_TOTAL_BYTES) {
    throw new Refusal(
      `This would bring the memory to ${formatSize(total)}; at most ${formatSize(MAX_TOTAL_BYTES)} is kept per person. Shorten or delete files first.`,
    );
  }
}
