// The confusion matrix of the latest epoch's validation: rows are true classes, columns predictions; the diagonal
// is right, everything else is a mix-up, shaded by its share of the row.

export function ConfusionMatrix({
  confusion,
  classes,
  epoch,
}: {
  confusion: readonly (readonly number[])[];
  classes: readonly string[];
  epoch: number;
}) {
  const n = Math.min(confusion.length, 20);
  const name = (i: number) => classes[i] ?? String(i);
  const columns = Array.from({ length: n }, (_, j) => ({ id: `class${j}`, name: name(j) }));
  return (
    <figure className="confusion" data-testid="confusion">
      <figcaption className="chart__title">
        Confusion matrix, epoch {epoch} (rows: true, columns: predicted)
      </figcaption>
      <table className="confusion__table">
        <thead>
          <tr>
            <th />
            {columns.map((c) => (
              <th key={c.id} scope="col">
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {confusion.slice(0, n).map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0) || 1;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are classes by index
              <tr key={i}>
                <th scope="row">{name(i)}</th>
                {row.slice(0, n).map((count, j) => {
                  const share = count / total;
                  const right = i === j;
                  return (
                    <td
                      // biome-ignore lint/suspicious/noArrayIndexKey: columns are classes by index
                      key={j}
                      className={`confusion__cell${right ? ' is-right' : count ? ' is-wrong' : ''}`}
                      style={{ '--share': right ? share : Math.min(1, share * 4) } as React.CSSProperties}
                      title={`true ${name(i)}, predicted ${name(j)}: ${count}`}
                    >
                      {count || ''}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      {confusion.length > n && (
        <p className="muted">
          The first {n} of {confusion.length} classes.
        </p>
      )}
    </figure>
  );
}
