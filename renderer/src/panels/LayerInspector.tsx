// The inspector for one layer: name, module path, parameters from the schema, shapes, weights, cost, problems.

import type { Analysis } from '../../../engine/graph/analyze.ts';
import { formatCount, formatMegabytes, formatShort } from '../../../engine/graph/cost.ts';
import type { GraphNode } from '../../../engine/graph/types.ts';
import { layerDef } from '../../../engine/layers/registry.ts';
import { shapeText } from '../../../engine/layers/shapes.ts';
import type { ParamValue } from '../../../engine/layers/types.ts';
import { factsOf } from '../canvas/facts.ts';
import { ProblemCard } from '../canvas/ProblemCard.tsx';
import { editorStore, useEditor } from '../store/useEditor.ts';
import { NameField } from './NameField.tsx';
import { ParamField } from './ParamField.tsx';

export function LayerInspector({ node, analysis }: { node: GraphNode; analysis: Analysis }) {
  const graph = useEditor((s) => s.graph);
  const def = layerDef(node.kind);
  const info = analysis.nodes.get(node.id);
  const facts = factsOf(graph, analysis);
  const path = facts.paths.get(node.id) ?? node.name;
  const parentPath = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  const problems = facts.problemsOf.get(node.id) ?? [];
  const setParam = (name: string, value: ParamValue) =>
    editorStore()
      .getState()
      .dispatch([{ type: 'setParams', id: node.id, params: { [name]: value } }], `Set ${name}`, {
        coalesce: `${node.id}.${name}`,
      });

  return (
    <div className="inspector__content" data-testid="inspector-layer">
      <header className="inspector__head">
        <span className={`swatch cat-${def?.category ?? 'unknown'}`} aria-hidden="true" />
        <div>
          <h2 className="inspector__kind">{node.kind}</h2>
          {def && <p className="inspector__summary">{def.summary}</p>}
        </div>
      </header>

      <section className="inspector__section">
        <NameField id={node.id} name={node.name} parent={node.parent} parentPath={parentPath} />
        <div className="kv">
          <span>module path</span>
          <code>{path}</code>
        </div>
      </section>

      {def && Object.keys(def.params).length > 0 && (
        <section className="inspector__section">
          <h3 className="inspector__heading">Parameters</h3>
          {Object.entries(def.params).map(([name, spec]) => (
            <ParamField
              key={`${node.id}.${name}`}
              def={def}
              name={name}
              spec={spec}
              params={node.params}
              resolved={info?.resolved?.[name]}
              problem={problems.find((p) => p.param === name)?.message}
              onChange={(value) => setParam(name, value)}
            />
          ))}
        </section>
      )}

      <section className="inspector__section">
        <h3 className="inspector__heading">Shapes</h3>
        <div className="kv">
          <span>in</span>
          <code>{info?.inputs.length ? info.inputs.map(shapeText).join(' | ') : '-'}</code>
        </div>
        <div className="kv">
          <span>out</span>
          <code data-testid="inspector-output">{info?.output ? shapeText(info.output) : '?'}</code>
        </div>
      </section>

      {info && info.state.length > 0 && (
        <section className="inspector__section">
          <h3 className="inspector__heading">Weights (state_dict)</h3>
          <table className="weights">
            <tbody>
              {info.state.map((entry) => (
                <tr key={entry.name}>
                  <td>
                    <code>
                      {path}.{entry.name}
                    </code>
                  </td>
                  <td className="weights__shape">
                    <code>{entry.shape.join(' x ')}</code>
                  </td>
                  <td className="weights__role">{entry.role === 'buffer' ? 'buffer' : entry.dtype}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {info && (
        <section className="inspector__section">
          <h3 className="inspector__heading">Cost (one sample)</h3>
          <div className="kv">
            <span>parameters</span>
            <code>{formatCount(info.cost.params)}</code>
          </div>
          <div className="kv">
            <span>weights memory</span>
            <code>{formatMegabytes(info.cost.paramBytes)}</code>
          </div>
          <div className="kv">
            <span>output memory</span>
            <code>{formatMegabytes(info.cost.activationBytes)}</code>
          </div>
          <div className="kv">
            <span>multiply-adds</span>
            <code>{formatShort(info.cost.macs)}</code>
          </div>
        </section>
      )}

      {problems.length > 0 && (
        <section className="inspector__section">
          <h3 className="inspector__heading">Problems</h3>
          {problems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; the list is rebuilt per analysis
            <ProblemCard key={i} problem={p} />
          ))}
        </section>
      )}
    </div>
  );
}
