// Connecting ports: a check on the would-be graph decides; a refused edge shows why, with a fix when one exists.

import type { Connection, Edge, FinalConnectionState } from '@xyflow/react';
import { useCallback } from 'react';
import type { XY } from '../store/types.ts';
import { editorStore } from '../store/useEditor.ts';
import { checkConnection, type Wire } from './connect.ts';

function wireOf(connection: Connection | Edge): Wire {
  return { source: connection.source, target: connection.target, targetHandle: connection.targetHandle };
}

export function useConnections() {
  const isValidConnection = useCallback(
    (connection: Connection | Edge) => checkConnection(editorStore().getState().graph, wireOf(connection)).ok,
    [],
  );

  const onConnect = useCallback((connection: Connection) => {
    const state = editorStore().getState();
    const check = checkConnection(state.graph, wireOf(connection));
    if (check.ok) state.dispatch(check.edits, 'Connect');
  }, []);

  /** Explains a refused connection next to the pointer. */
  const onConnectEnd = useCallback((client: XY, connection: FinalConnectionState) => {
    if (connection.isValid !== false || !connection.fromNode || !connection.toNode) return;
    const fromSource = connection.fromHandle?.type === 'source';
    const wire: Wire = fromSource
      ? {
          source: connection.fromNode.id,
          target: connection.toNode.id,
          targetHandle: connection.toHandle?.id,
        }
      : {
          source: connection.toNode.id,
          target: connection.fromNode.id,
          targetHandle: connection.fromHandle?.id,
        };
    if (fromSource ? connection.toHandle?.type !== 'target' : connection.toHandle?.type !== 'source') return;
    const state = editorStore().getState();
    const check = checkConnection(state.graph, wire);
    if (check.ok) return;
    const fix = check.fix;
    state.notify(`Not connected. ${check.reason}`, 'error', {
      at: client,
      ...(fix
        ? {
            action: {
              label: `Connect and ${fix.label.charAt(0).toLowerCase()}${fix.label.slice(1)}`,
              run: () => editorStore().getState().dispatch(fix.edits, `Connect and ${fix.label}`),
            },
          }
        : {}),
    });
  }, []);

  return { isValidConnection, onConnect, onConnectEnd };
}
