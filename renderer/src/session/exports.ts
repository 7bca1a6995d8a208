// Export from the app (.pt state_dict, full training checkpoint, safetensors, model.py, project bundle) and
// loading weights into the graph with load_state_dict's strict/non-strict report; a bundle reopens trained.

import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { pythonClassName } from '../../../engine/io/export.ts';
import {
  DEFAULT_TRAINING,
  type Project,
  parseProject,
  serializeProject,
  type TrainingSettings,
} from '../../../engine/io/project/project.ts';
import type { EpochMetrics, StepMetrics } from '../../../engine/train/metrics.ts';
import { type RunSettings, runSettings } from '../../../engine/train/settings.ts';
import { replaceProject } from '../app/previous.ts';
import { suggestedFileName } from '../app/projectFiles.ts';
import { platform } from '../platform/index.ts';
import { editorStore } from '../store/useEditor.ts';
import { EngineError } from '../worker/client.ts';
import type { ExportKind } from '../worker/protocol.ts';
import { engine } from './engine.ts';
import { IDLE_RUN, sessionStore } from './store.ts';
import { currentRunSettings, projectTraining } from './training.ts';

const editor = () => editorStore().getState();
const session = () => sessionStore();

export const BUNDLE_FORMAT = 'neurocanvas-bundle';
const BUNDLE_EXTENSION = 'ncbundle.zip';

/** `LeNet-5` -> `lenet-5` */
export function fileStem(name: string): string {
  return suggestedFileName(name).replace(/\.json$/, '');
}

export const EXPORTS: Record<
  ExportKind,
  { label: string; file: (stem: string) => string; filter: string[] }
> = {
  pt: { label: 'PyTorch state_dict (.pt)', file: (s) => `${s}.pt`, filter: ['pt', 'pth'] },
  checkpoint: {
    label: 'Training checkpoint (.pt)',
    file: (s) => `${s}.checkpoint.pt`,
    filter: ['pt'],
  },
  safetensors: { label: 'safetensors', file: (s) => `${s}.safetensors`, filter: ['safetensors'] },
  py: { label: 'PyTorch code (model.py)', file: () => 'model.py', filter: ['py'] },
  bundle: {
    label: 'Project bundle (graph + weights + metrics)',
    file: (s) => `${s}.${BUNDLE_EXTENSION}`,
    filter: ['zip'],
  },
};

function say(error: unknown, what: string): void {
  if (error instanceof EngineError && error.cancelled) return;
  editor().notify(`${what}: ${(error as Error).message || String(error)}`, 'error');
}

/** The settings to record with an export (falls back to the project's when the extras do not check out). */
function settingsForExport(): RunSettings {
  try {
    return currentRunSettings();
  } catch {
    return runSettings(projectTraining());
  }
}

async function bundleBytes(): Promise<Uint8Array> {
  const e = editor();
  const { stateDict, history } = await engine().call('weights.snapshot', { graph: e.graph });
  const s = session().getState();
  const manifest = {
    format: BUNDLE_FORMAT,
    version: 1,
    weights: s.weights,
  };
  return zipSync({
    'neurocanvas-bundle.json': strToU8(JSON.stringify(manifest, null, 1)),
    'project.json': strToU8(serializeProject(e.toProject())),
    'model.pt': stateDict,
    // The steps too, so the charts come back whole (they belong to the run that made these weights).
    'metrics.json': strToU8(
      JSON.stringify(
        { epochs: history, steps: history.length ? s.run.steps : [], settings: s.run.settings },
        null,
        1,
      ),
    ),
  });
}

/** Writes one export through the platform (a save dialog, or a download in a browser without one). */
export async function exportAs(kind: ExportKind): Promise<boolean> {
  const e = editor();
  const stem = fileStem(e.meta.name);
  const spec = EXPORTS[kind];
  try {
    const bytes =
      kind === 'bundle'
        ? await bundleBytes()
        : await engine().call('export', {
            graph: e.graph,
            kind,
            className: pythonClassName(e.meta.name),
            settings: settingsForExport(),
          });
    const saved = await platform().saveBinary(bytes, spec.file(stem), [
      { name: spec.label, extensions: spec.filter },
    ]);
    if (saved) e.notify(`Exported ${spec.file(stem)} (${session().getState().weights} weights).`);
    return saved;
  } catch (error) {
    say(error, `The ${spec.label} export failed`);
    return false;
  }
}

/** Loads a .pt or .safetensors state_dict into the graph; the report appears in a dialog. */
export async function loadWeightsFile(strict: boolean): Promise<void> {
  try {
    const [file] = await platform().pickDataFiles({
      filters: [{ name: 'Weights', extensions: ['pt', 'pth', 'safetensors', 'bin', 'ckpt'] }],
    });
    if (!file) return;
    await loadWeightsBytes(new Uint8Array(await file.read()), file.name, strict);
  } catch (error) {
    say(error, 'The weights could not be loaded');
  }
}

export async function loadWeightsBytes(
  bytes: Uint8Array,
  name: string,
  strict: boolean,
  history?: EpochMetrics[],
): Promise<boolean> {
  const report = await engine().call('weights.load', {
    graph: editor().graph,
    bytes,
    name,
    strict,
    ...(history ? { history } : {}),
  });
  const s = session().getState();
  if (report.ok)
    session().setState({ weights: 'loaded', weightsTick: s.weightsTick + 1, continueWeights: true });
  session().setState({
    report: {
      title: report.ok ? `Loaded ${name}` : `${name} does not fit the network`,
      text: `${report.ok ? '' : strict ? 'Nothing was loaded (strict). Load it non-strict to take what fits.\n\n' : ''}${report.text}${report.warnings.length ? `\n\n${report.warnings.join('\n')}` : ''}`,
      ok: report.ok,
    },
  });
  return report.ok;
}

export function isBundleName(name: string): boolean {
  return /\.ncbundle(\.zip)?$/i.test(name);
}

/** A project with run settings an older bundle kept beside it; the project as it was when they do not check out. */
function withOlderSettings(project: Project, older: object): Project {
  if (Object.keys(older).length === 0) return project;
  const training = { ...(project.training ?? DEFAULT_TRAINING), ...older } as TrainingSettings;
  try {
    return parseProject(serializeProject({ ...project, training }));
  } catch {
    return project;
  }
}

/** Opens a bundle: its project, then its weights (strict) and metrics, so the network comes back trained. */
export async function openBundle(bytes: Uint8Array, name: string): Promise<void> {
  try {
    const files = unzipSync(bytes);
    const manifest = files['neurocanvas-bundle.json'];
    const project = files['project.json'];
    if (!manifest || !project) throw new Error('this is not a NeuroCanvas project bundle');
    const info = JSON.parse(strFromU8(manifest)) as { format?: string; extras?: unknown; augment?: unknown };
    if (info.format !== BUNDLE_FORMAT) throw new Error('this is not a NeuroCanvas project bundle');
    const metrics = files['metrics.json'];
    const recorded = metrics
      ? (JSON.parse(strFromU8(metrics)) as {
          epochs?: EpochMetrics[];
          steps?: StepMetrics[];
          settings?: RunSettings;
        })
      : {};
    const history = recorded.epochs ?? [];
    // NOTE: bundles written before the project file held them kept augmentation and the other run settings in
    // the manifest; they become the project's (checked like any project's).
    const older = {
      ...(info.extras && typeof info.extras === 'object' ? info.extras : {}),
      ...(info.augment && typeof info.augment === 'object' && Object.keys(info.augment).length
        ? { augment: info.augment }
        : {}),
    };
    replaceProject(withOlderSettings(parseProject(strFromU8(project)), older));
    const weights = files['model.pt'];
    if (weights && (await loadWeightsBytes(weights, `${name}: model.pt`, true, history))) {
      session().setState({
        report: null,
        run: {
          ...IDLE_RUN,
          status: history.length ? 'done' : 'idle',
          epochs: history,
          steps: recorded.steps ?? [],
          settings: recorded.settings ?? null,
        },
        weights: 'trained',
      });
      const epochs = `${history.length} epoch${history.length === 1 ? '' : 's'}`;
      editor().notify(`Opened ${name} with its trained weights and ${epochs} of metrics.`);
    }
  } catch (error) {
    say(error, `${name} could not be opened`);
  }
}

/** Asks for a bundle file and opens it. */
export async function pickBundle(): Promise<void> {
  try {
    const [file] = await platform().pickDataFiles({
      filters: [{ name: 'Project bundle', extensions: ['zip'] }],
    });
    if (file) await openBundle(new Uint8Array(await file.read()), file.name);
  } catch (error) {
    say(error, 'The bundle could not be opened');
  }
}
