// Every command id a native menu item can send to the renderer: one list, read by the menu and the bridge.

export const COMMAND_IDS = [
  'file.new',
  'file.open',
  'file.openRecent',
  'file.save',
  'file.saveAs',
  'file.exportStateDict',
  'file.exportSafetensors',
  'file.exportModelPy',
  'file.exportCheckpoint',
  'file.exportBundle',
  'edit.undo',
  'edit.redo',
  'edit.cut',
  'edit.copy',
  'edit.paste',
  'edit.duplicate',
  'edit.delete',
  'edit.selectAll',
  'edit.group',
  'edit.ungroup',
  'view.fit',
  'view.autoLayout',
  'view.zoomIn',
  'view.zoomOut',
  'view.toggleTheme',
  'templates.open',
  'templates.gallery',
  'train.start',
  'train.pause',
  'train.stop',
  'train.resumeCheckpoint',
  'help.shortcuts',
  'help.about',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

const known = new Set<string>(COMMAND_IDS);

export function isCommandId(value: unknown): value is CommandId {
  return typeof value === 'string' && known.has(value);
}
