// The state_dict a graph implies: keys (module path + tensor name), shapes and dtypes, in PyTorch's order.

import type { StateEntry } from '../layers/types.ts';
import type { Analysis } from './analyze.ts';
import type { ModuleTreeNode } from './modules.ts';

export interface StateKey extends StateEntry {
  /** `layer1.0.conv1.weight` */
  key: string;
  nodeId: string;
}

/**
 * Walks the module tree depth first, as `nn.Module.state_dict()` does: each module's own parameters,
 * then its buffers, then its children in registration order. Nodes with problems contribute nothing.
 */
export function stateDictKeys(analysis: Analysis): StateKey[] {
  const keys: StateKey[] = [];
  const walk = (module: ModuleTreeNode) => {
    if (module.type === 'layer') {
      const state = analysis.nodes.get(module.id)?.state ?? [];
      const ordered = [
        ...state.filter((s) => s.role === 'parameter'),
        ...state.filter((s) => s.role === 'buffer'),
      ];
      for (const entry of ordered)
        keys.push({ ...entry, key: `${module.path}.${entry.name}`, nodeId: module.id });
    }
    for (const child of module.children) walk(child);
  };
  walk(analysis.tree);
  return keys;
}
