// The inspector for a module: name, path, block preset settings, size, and collapse / ungroup.

import type { Analysis } from '../../../engine/graph/analyze.ts';
import { formatCount } from '../../../engine/graph/cost.ts';
import type { GraphGroup } from '../../../engine/graph/types.ts';
import { factsOf } from '../canvas/facts.ts';
import { toggleModules, ungroupSelectionArranged } from '../canvas/layoutCommand.ts';
import { ProblemCard } from '../canvas/ProblemCard.tsx';
import { useEditor } from '../store/useEditor.ts';
import { NameField } from './NameField.tsx';
import { formatValue } from './paramText.ts';

export function GroupInspector({ group, analysis }: { group: GraphGroup; analysis: Analysis }) {
  const graph = useEditor((s) => s.graph);
  const facts = factsOf(graph, analysis);
  const path = facts.paths.get(group.id) ?? group.name;
  const parentPath = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  const problems = facts.problemsOf.get(group.id) ?? [];
  return (
    <div className="inspector__content" data-testid="inspector-group">
      <header className="inspector__head">
        <span className="swatch cat-block" aria-hidden="true" />
        <div>
          <h2 className="inspector__kind">{group.block ? `${group.block.kind} block` : 'Module'}</h2>
          <p className="inspector__summary">
            {facts.groupLayers.get(group.id) ?? 0} layers, {formatCount(facts.groupParams.get(group.id) ?? 0)}{' '}
            parameters
          </p>
        </div>
      </header>
      <section className="inspector__section">
        <NameField id={group.id} name={group.name} parent={group.parent} parentPath={parentPath} />
        <div className="kv">
          <span>module path</span>
          <code>{path}</code>
        </div>
      </section>
      {group.block && (
        <section className="inspector__section">
          <h3 className="inspector__heading">Built from {group.block.kind}</h3>
          {Object.entries(group.block.params).map(([name, value]) => (
            <div className="kv" key={name}>
              <span>{name}</span>
              <code>{formatValue(value)}</code>
            </div>
          ))}
          <p className="inspector__note">The layers inside are ordinary layers: edit them one by one.</p>
        </section>
      )}
      <section className="inspector__section inspector__actions">
        <button type="button" className="button" onClick={() => void toggleModules([group.id])}>
          {group.collapsed ? 'Expand' : 'Collapse'}
        </button>
        <button type="button" className="button" onClick={ungroupSelectionArranged} title="Ctrl+Shift+G">
          Ungroup
        </button>
      </section>
      {problems.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; the list is rebuilt per analysis
        <ProblemCard key={i} problem={p} />
      ))}
    </div>
  );
}
