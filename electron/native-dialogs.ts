// The Dialogs interface on Electron's native open and save dialogs, attached to the main window.

import { join } from 'node:path';
import { type BrowserWindow, dialog, type FileFilter as ElectronFilter } from 'electron';
import type { FileFilter } from './ipc/contract.ts';
import type { Dialogs } from './ipc/dialogs.ts';

const toElectron = (filters: FileFilter[]): ElectronFilter[] =>
  filters.length ? [...filters, { name: 'All files', extensions: ['*'] }] : [];

export function createNativeDialogs(window: () => BrowserWindow | null, documents: () => string): Dialogs {
  return {
    async chooseOpen(options) {
      const properties: Array<'openFile' | 'openDirectory' | 'multiSelections'> = [
        options.directory ? 'openDirectory' : 'openFile',
      ];
      if (options.multiple) properties.push('multiSelections');
      const settings = { title: options.title, filters: toElectron(options.filters), properties };
      const parent = window();
      const result = parent
        ? await dialog.showOpenDialog(parent, settings)
        : await dialog.showOpenDialog(settings);
      return result.canceled ? [] : result.filePaths;
    },

    async chooseSave(options) {
      const settings = {
        title: options.title,
        defaultPath: options.defaultPath ?? join(documents(), options.defaultName),
        filters: toElectron(options.filters),
        properties: ['createDirectory', 'showOverwriteConfirmation'] as Array<
          'createDirectory' | 'showOverwriteConfirmation'
        >,
      };
      const parent = window();
      const result = parent
        ? await dialog.showSaveDialog(parent, settings)
        : await dialog.showSaveDialog(settings);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  };
}
