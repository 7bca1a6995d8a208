// safetensors IO: the public entry points.

export { readSafetensors, type SafetensorsContents, type SafetensorsReadOptions } from './read.ts';
export { writeSafetensors } from './write.ts';
