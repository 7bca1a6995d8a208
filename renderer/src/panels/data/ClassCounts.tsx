// Samples per class as a compact bar list, so an unbalanced data set shows at a glance.

export function ClassCounts({ classes, counts }: { classes: readonly string[]; counts: readonly number[] }) {
  const most = Math.max(1, ...counts);
  const shown = classes.slice(0, 40);
  return (
    <ul className="bars" data-testid="class-counts">
      {shown.map((name, i) => (
        <li key={name} className="bars__row" title={`${name}: ${counts[i] ?? 0} images`}>
          <span className="bars__name">{name}</span>
          <span className="bars__track">
            <span className="bars__fill" style={{ width: `${((counts[i] ?? 0) / most) * 100}%` }} />
          </span>
          <span className="bars__value">{counts[i] ?? 0}</span>
        </li>
      ))}
      {classes.length > shown.length && <li className="muted">and {classes.length - shown.length} more</li>}
    </ul>
  );
}
