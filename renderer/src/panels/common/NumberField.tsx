// A small number input that reports a value only when it parses and lies in range (the text stays while typing).

import { useState } from 'react';

export function NumberField({
  id,
  label,
  value,
  min,
  max,
  step = 1,
  disabled,
  onChange,
  testId,
}: {
  id?: string;
  /** Accessible name (the visible label may be elsewhere). */
  label: string;
  value: number;
  min?: number;
  max?: number;
  step?: number | 'any';
  disabled?: boolean;
  onChange: (value: number) => void;
  testId?: string;
}) {
  const [text, setText] = useState(String(value));
  const [shown, setShown] = useState(value);
  // A new value from outside (undo, a preset) replaces the text; typing in progress is left alone.
  if (value !== shown) {
    setShown(value);
    if (Number(text) !== value) setText(String(value));
  }
  const number = Number(text);
  const valid =
    text.trim() !== '' &&
    Number.isFinite(number) &&
    (min === undefined || number >= min) &&
    (max === undefined || number <= max);
  return (
    <input
      id={id}
      className="text-input is-number"
      type="number"
      aria-label={label}
      aria-invalid={!valid}
      title={label}
      value={text}
      min={min}
      max={max}
      step={step}
      disabled={disabled}
      data-testid={testId}
      onChange={(e) => {
        setText(e.target.value);
        const n = Number(e.target.value);
        if (
          e.target.value.trim() !== '' &&
          Number.isFinite(n) &&
          (min === undefined || n >= min) &&
          (max === undefined || n <= max)
        ) {
          setShown(n);
          onChange(n);
        }
      }}
    />
  );
}
