// Output: the classification head: takes logits for each class; cross-entropy loss at training time.

import { PROBLEMS } from '../problems.ts';
import { int, num } from './params.ts';
import { fail, numel, ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Output: LayerDef = {
  kind: 'Output',
  category: 'output',
  summary: 'The network output: one score (logit) per class, trained with cross-entropy loss.',
  params: {
    num_classes: { type: 'int', default: 10, min: 2, help: 'Number of classes the data set has.' },
    label_smoothing: { type: 'float', default: 0, min: 0, max: 1, help: 'Cross-entropy label smoothing.' },
  },
  arity: { min: 1, max: 1 },
  view: true,
  infer(inputs, params) {
    const input = inputs[0]!;
    const classes = int(params, 'num_classes');
    if (input.length !== 1)
      return fail({
        code: PROBLEMS.needsFlatInput.code,
        input: 0,
        message: `The Output needs one score per class (a vector of ${classes}), but ${shapeText(input)} arrives. End the network with Flatten and a Linear layer with ${classes} outputs (${numel(input)} features would arrive).`,
        expected: `a vector of ${classes}`,
        arrived: shapeText(input),
        fix: { kind: 'insertBefore', layer: 'Flatten', label: 'Insert Flatten' },
      });
    if (input[0] !== classes)
      return fail({
        code: PROBLEMS.classMismatch.code,
        input: 0,
        message: `The Output expects ${classes} class scores, but ${input[0]} arrive. Set the last Linear layer's out_features to ${classes}.`,
        expected: `${classes} scores`,
        arrived: `${input[0]} scores`,
        fix: {
          kind: 'setSourceParam',
          input: 0,
          sourceKind: 'Linear',
          param: 'out_features',
          value: classes,
          label: `Set out_features to ${classes}`,
        },
      });
    return ok(input, params);
  },
  state: () => [],
  macs: () => 0,
  describe: (params) =>
    `${params.num_classes} classes${num(params, 'label_smoothing') ? `, smoothing ${params.label_smoothing}` : ''}`,
  torch: () => '',
  lower(b, p) {
    const logits = b.inputs[0]!;
    const labels = b.labels();
    const loss = b.op('cross_entropy', { labelSmoothing: num(p, 'label_smoothing') }, { logits, labels });
    b.loss(loss, b.op('accuracy', {}, { logits, labels }), logits);
    return logits;
  },
};
