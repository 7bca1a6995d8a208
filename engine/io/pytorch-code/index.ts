// PyTorch code export: the model.py text for a graph.

export { generateModelCode, type ModelCodeOptions } from './generate.ts';
