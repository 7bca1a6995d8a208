// Type declarations for the parts of the File System Access API that TypeScript's DOM library lacks.

export interface PickerType {
  description: string;
  accept: Record<string, string[]>;
}

export interface FileAccessWindow {
  showOpenFilePicker?(options?: {
    types?: PickerType[];
    multiple?: boolean;
    excludeAcceptAllOption?: boolean;
  }): Promise<FileSystemFileHandle[]>;
  showSaveFilePicker?(options?: {
    suggestedName?: string;
    types?: PickerType[];
  }): Promise<FileSystemFileHandle>;
  showDirectoryPicker?(options?: { mode?: 'read' | 'readwrite' }): Promise<FileSystemDirectoryHandle>;
}

export interface PermissionHandle {
  queryPermission?(options: { mode: 'read' | 'readwrite' }): Promise<PermissionState>;
  requestPermission?(options: { mode: 'read' | 'readwrite' }): Promise<PermissionState>;
}

export function fileAccess(): FileAccessWindow {
  return window as unknown as FileAccessWindow;
}

/** True when the user dismissed a picker (not an error worth showing). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Iterates a directory handle recursively, yielding files with their relative paths. */
export async function* walkDirectory(
  directory: FileSystemDirectoryHandle,
  prefix = '',
): AsyncGenerator<{ file: File; relativePath: string }> {
  const entries = (directory as unknown as { values(): AsyncIterable<FileSystemHandle> }).values();
  for await (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.kind === 'file')
      yield { file: await (entry as FileSystemFileHandle).getFile(), relativePath: path };
    else yield* walkDirectory(entry as FileSystemDirectoryHandle, path);
  }
}
