// The report of a weights load: what matched, what is missing, unexpected or of another shape, per tensor.

import { sessionStore, useSession } from '../session/store.ts';
import { Modal } from './Modal.tsx';

export function WeightsReport() {
  const report = useSession((s) => s.report);
  if (!report) return null;
  const close = () => sessionStore().setState({ report: null });
  return (
    <Modal title={report.title} onClose={close}>
      <pre className={`report${report.ok ? '' : ' is-error'}`} data-testid="weights-report">
        {report.text}
      </pre>
      <div className="button-row is-end">
        <button type="button" className="button is-primary" onClick={close}>
          OK
        </button>
      </div>
    </Modal>
  );
}
