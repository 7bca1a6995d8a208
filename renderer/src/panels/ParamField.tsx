// One parameter's field, drawn from its registry schema and checked as you type with the engine's checkParams.

import { useEffect, useId, useRef, useState } from 'react';
import { checkParams, withDefaults } from '../../../engine/layers/params.ts';
import type { LayerDef, ParamSpec, Params, ParamValue } from '../../../engine/layers/types.ts';
import { formatValue, parseValue } from './paramText.ts';

interface Props {
  def: Pick<LayerDef, 'params'>;
  name: string;
  spec: ParamSpec;
  params: Params;
  /** What `auto` resolved to, shown as a hint. */
  resolved: ParamValue | undefined;
  /** Highlights the field when a problem points at this parameter. */
  problem?: string | undefined;
  onChange(value: ParamValue): void;
}

export function ParamField({ def, name, spec, params, resolved, problem, onChange }: Props) {
  const id = useId();
  const value = params[name] ?? spec.default;
  const [draft, setDraft] = useState(formatValue(value));
  const [error, setError] = useState<string | null>(null);
  const editing = useRef(false);

  useEffect(() => {
    if (!editing.current) {
      setDraft(formatValue(value));
      setError(null);
    }
  }, [value]);

  /** Checks a candidate value against the whole schema; only a problem with this parameter blocks it. */
  const check = (candidate: ParamValue): string | null => {
    const issue = checkParams(def.params, withDefaults(def.params, { ...params, [name]: candidate }));
    return issue && issue.param === name ? issue.message : null;
  };
  const commit = (candidate: ParamValue) => {
    const why = check(candidate);
    setError(why);
    if (!why) onChange(candidate);
  };

  const label = (
    <label htmlFor={id} className="field__label" title={spec.help}>
      {name}
    </label>
  );
  const help = error ?? problem;
  const footer = help ? (
    <p className="field__error" role="alert">
      {help}
    </p>
  ) : null;

  if (spec.type === 'bool')
    return (
      <div className="field is-inline">
        {label}
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => commit(e.target.checked)} />
        {footer}
      </div>
    );
  if (spec.type === 'enum')
    return (
      <div className="field">
        {label}
        <select id={id} className="text-input" value={String(value)} onChange={(e) => commit(e.target.value)}>
          {spec.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        {footer}
      </div>
    );

  const auto = spec.type === 'int' && spec.auto === true && value === 'auto';
  const nullable = (spec.type === 'float' || spec.type === 'pair') && spec.nullable === true;
  const none = nullable && value === null;
  // NOTE: a list of floats is None when its field is empty (no toggle: a list has no obvious value to start from).
  const list = spec.type === 'floats';
  return (
    <div className={`field${help ? ' has-error' : ''}`}>
      {label}
      <div className="field__control">
        <input
          id={id}
          className="text-input is-mono"
          inputMode={spec.type === 'float' || list ? 'decimal' : 'numeric'}
          placeholder={list && spec.nullable ? 'None' : undefined}
          value={auto ? `auto (${formatValue(resolved) || '?'})` : none ? 'None' : draft}
          disabled={auto || none}
          aria-invalid={help ? true : undefined}
          onFocus={() => {
            editing.current = true;
          }}
          onBlur={() => {
            editing.current = false;
            setDraft(formatValue(value));
            setError(null);
          }}
          onChange={(e) => {
            setDraft(e.target.value);
            const parsed = parseValue(spec, e.target.value);
            if (!parsed.ok) setError(parsed.message);
            else commit(parsed.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
          }}
        />
        {spec.type === 'int' && spec.auto && (
          <label className="field__toggle" title="Take the value from the incoming tensor">
            <input
              type="checkbox"
              checked={auto}
              onChange={(e) =>
                commit(e.target.checked ? 'auto' : typeof resolved === 'number' ? resolved : 1)
              }
            />
            auto
          </label>
        )}
        {nullable && (
          <label className="field__toggle" title="None, as in PyTorch">
            <input
              type="checkbox"
              checked={none}
              onChange={(e) => commit(e.target.checked ? null : spec.type === 'pair' ? spec.min : 0)}
            />
            None
          </label>
        )}
      </div>
      {footer}
    </div>
  );
}
