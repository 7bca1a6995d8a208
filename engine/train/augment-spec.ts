// Augmentation written as short text (`flip,rotate=15,noise=0.05`), as the CLI's --augment takes it, turned into
// engine/data/augment.ts options, and back.

import type { AugmentOptions } from '../data/augment.ts';
import { SettingsError } from './settings.ts';

export const AUGMENT_HELP = [
  'flip[=P]           random left-right flip with probability P (default 0.5); hflip is the same',
  'vflip[=P]          random upside-down flip (default 0.5)',
  'rotate=D           random rotation within +-D degrees; rotate=0/90/180/270 picks one of the angles',
  'scale=A-B          random zoom between A and B (e.g. 0.9-1.1)',
  'translate=N        random shift of up to N pixels each way; shift is the same',
  'crop=N             RandomCrop with N pixels of zero padding',
  'erase[=P]          RandomErasing with probability P (default 0.5)',
  'noise=S            white noise of standard deviation S (0-1 pixel units)',
].join('\n');

function number(item: string, text: string | undefined, fallback?: number): number {
  if (text === undefined || text === '') {
    if (fallback === undefined) throw new SettingsError('augment', `"${item}" needs a value (${item}=...)`);
    return fallback;
  }
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new SettingsError('augment', `"${item}=${text}": ${text} is not a number`);
  return value;
}

function probability(item: string, text: string | undefined): number {
  const p = number(item, text, 0.5);
  if (p < 0 || p > 1)
    throw new SettingsError('augment', `"${item}=${text}": a probability is between 0 and 1`);
  return p;
}

/** Parses `flip,rotate=15,...`; an empty text or `none` is no augmentation (null). */
export function parseAugment(spec: string): AugmentOptions | null {
  const options: AugmentOptions = {};
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0 || (items.length === 1 && items[0] === 'none')) return null;
  for (const item of items) {
    const [name, value] = item.split('=', 2) as [string, string | undefined];
    switch (name) {
      case 'flip':
      case 'hflip':
        options.horizontalFlip = probability(item, value);
        break;
      case 'vflip':
        options.verticalFlip = probability(item, value);
        break;
      case 'rotate': {
        const angles = (value ?? '').split('/').map((a) => number(item, a));
        options.rotation = angles.length > 1 ? { angles } : { degrees: Math.abs(angles[0]!) };
        break;
      }
      case 'scale': {
        const range = (value ?? '').split(/[-:]/).map((a) => number(item, a));
        const [low, high] = [range[0]!, range[1] ?? range[0]!];
        if (!(low > 0 && high >= low))
          throw new SettingsError('augment', `"${item}": scale is A-B with 0 < A <= B, e.g. scale=0.9-1.1`);
        options.scale = [low, high];
        break;
      }
      case 'translate':
      case 'shift':
        options.translate = Math.abs(number(item, value));
        break;
      case 'crop':
        options.crop = { padding: Math.abs(number(item, value)) };
        break;
      case 'erase':
        options.erase = { probability: probability(item, value) };
        break;
      case 'noise':
        options.noise = Math.abs(number(item, value));
        break;
      default:
        throw new SettingsError('augment', `does not know "${name}". It takes:\n${AUGMENT_HELP}`);
    }
  }
  return options;
}

/** The short text for options (for progress lines and logs). */
export function describeAugment(options: AugmentOptions | null): string {
  if (!options) return 'none';
  const parts: string[] = [];
  if (options.horizontalFlip) parts.push(`flip=${options.horizontalFlip}`);
  if (options.verticalFlip) parts.push(`vflip=${options.verticalFlip}`);
  if (options.rotation)
    parts.push(
      'degrees' in options.rotation
        ? `rotate=${options.rotation.degrees}`
        : `rotate=${options.rotation.angles.join('/')}`,
    );
  if (options.scale) parts.push(`scale=${options.scale[0]}-${options.scale[1]}`);
  if (options.translate) parts.push(`translate=${options.translate}`);
  if (options.crop) parts.push(`crop=${options.crop.padding}`);
  if (options.erase) parts.push(`erase=${options.erase.probability}`);
  if (options.noise) parts.push(`noise=${options.noise}`);
  return parts.join(',') || 'none';
}
