// Where import bytes come from: the file and folder interfaces readers take, an in-memory implementation, helpers.
//
// The engine never touches a file system. The CLI implements DataFile/DataFolder with node:fs, the browser with
// File / FileSystemDirectoryHandle; tests and archives use the in-memory ones below.

/** One file of an import. */
export interface DataFile {
  /** Path relative to what the user picked, '/'-separated: `cats/001.png`, `train-images-idx3-ubyte.gz`. */
  readonly name: string;
  /** Size in bytes (drives progress). */
  readonly size: number;
  bytes(): Promise<Uint8Array>;
  /** The bytes in chunks, so large files need not sit in memory whole; readers fall back to bytes(). */
  stream?(): ReadableStream<Uint8Array>;
}

/** A folder the user picked; its entries are files and folders named by their own (base) names. */
export interface DataFolder {
  readonly name: string;
  entries(): Promise<Array<DataFile | DataFolder>>;
}

export function isFolder(entry: DataFile | DataFolder): entry is DataFolder {
  return typeof (entry as DataFolder).entries === 'function';
}

/** Every file under `folder`, renamed to its path below it, in sorted path order. */
export async function listFiles(folder: DataFolder): Promise<DataFile[]> {
  const out: DataFile[] = [];
  const walk = async (dir: DataFolder, prefix: string): Promise<void> => {
    for (const entry of await dir.entries()) {
      const path = prefix + entry.name;
      if (isFolder(entry)) await walk(entry, `${path}/`);
      else out.push(renamed(entry, path));
    }
  };
  await walk(folder, '');
  return out.sort((a, b) => compareNames(a.name, b.name));
}

/** Code-point order, as Python's sorted() (so class order matches torchvision's ImageFolder). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function renamed(file: DataFile, name: string): DataFile {
  const out: DataFile = { name, size: file.size, bytes: () => file.bytes() };
  if (file.stream) {
    const stream = file.stream.bind(file);
    return { ...out, stream };
  }
  return out;
}

/** A file held in memory; `chunkSize` sets how its stream is cut (tests use odd sizes to hit every boundary). */
export function memoryFile(name: string, data: Uint8Array, chunkSize = 1 << 16): DataFile {
  return {
    name,
    size: data.length,
    bytes: async () => data,
    stream: () => {
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= data.length) return controller.close();
          controller.enqueue(data.subarray(at, at + chunkSize));
          at += chunkSize;
        },
      });
    },
  };
}

/** A folder held in memory, from '/'-separated paths to bytes. */
export function memoryFolder(
  name: string,
  files: Record<string, Uint8Array>,
  chunkSize?: number,
): DataFolder {
  const root = new Map<string, unknown>();
  for (const [path, data] of Object.entries(files)) {
    const parts = path.split('/').filter(Boolean);
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      if (!dir.has(part)) dir.set(part, new Map<string, unknown>());
      dir = dir.get(part) as Map<string, unknown>;
    }
    dir.set(parts[parts.length - 1] ?? path, data);
  }
  const toFolder = (folderName: string, dir: Map<string, unknown>): DataFolder => ({
    name: folderName,
    entries: async () =>
      [...dir].map(([entry, value]) =>
        value instanceof Map ? toFolder(entry, value) : memoryFile(entry, value as Uint8Array, chunkSize),
      ),
  });
  return toFolder(name, root);
}

/** The file's bytes chunk by chunk (its stream where it has one). */
export async function* readChunks(file: DataFile): AsyncGenerator<Uint8Array> {
  if (!file.stream) {
    yield await file.bytes();
    return;
  }
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value.length > 0) yield value;
    }
  } finally {
    // NOTE: a reader that stops early (a header check failed) must release the file handle behind the stream.
    await reader.cancel().catch(() => {});
  }
}

/** The first `length` bytes (fewer if the file is shorter), without reading the rest where streams allow. */
export async function readHead(file: DataFile, length: number): Promise<Uint8Array> {
  const head = new Uint8Array(Math.min(length, file.size || length));
  let filled = 0;
  for await (const chunk of readChunks(file)) {
    const take = Math.min(chunk.length, head.length - filled);
    head.set(chunk.subarray(0, take), filled);
    filled += take;
    if (filled >= head.length) break;
  }
  return head.subarray(0, filled);
}

/** The base name of a path, lower-cased, for matching by name. */
export function baseName(path: string): string {
  return (path.split('/').pop() ?? path).toLowerCase();
}

/** Joins chunks into one array. */
export function concatBytes(chunks: Uint8Array[], total?: number): Uint8Array {
  const out = new Uint8Array(total ?? chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
