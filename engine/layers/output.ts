// Output: the classification head: takes logits for each class; cross-entropy loss at training time.

import { PROBLEMS } from '../problems.ts';
import { floats, int, num } from './params.ts';
import { fail, numel, ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Output: LayerDef = {
  kind: 'Output',
  category: 'output',
  summary: 'The network output: one score (logit) per class, trained with cross-entropy loss.',
  params: {
    num_classes: { type: 'int', default: 10, min: 2, help: 'Number of classes the data set has.' },
    label_smoothing: { type: 'float', default: 0, min: 0, max: 1, help: 'Cross-entropy label smoothing.' },
    class_weights: {
      type: 'floats',
      default: null,
      min: 0,
      nullable: true,
      help: "Cross-entropy weight of each class, one per class (PyTorch's weight=); None weighs all alike.",
    },
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
    const weights = floats(params, 'class_weights');
    if (weights && weights.length !== classes)
      return fail({
        code: PROBLEMS.classWeightsMismatch.code,
        param: 'class_weights',
        message: `class_weights has ${weights.length} weights for ${classes} classes. Give one weight per class (${classes} numbers, in class order), or clear the field for none.`,
        expected: `${classes} weights`,
        arrived: `${weights.length} weights`,
        fix: { kind: 'setParam', param: 'class_weights', value: null, label: 'Clear class_weights' },
      });
    if (weights?.every((w) => w === 0))
      return fail({
        code: PROBLEMS.classWeightsMismatch.code,
        param: 'class_weights',
        message:
          'class_weights are all 0, so the loss would be 0/0. Give at least one class a weight above 0, or clear the field for none.',
        expected: 'at least one weight above 0',
        arrived: 'all 0',
        fix: { kind: 'setParam', param: 'class_weights', value: null, label: 'Clear class_weights' },
      });
    return ok(input, params);
  },
  state: () => [],
  macs: () => 0,
  describe: (params) =>
    `${params.num_classes} classes${num(params, 'label_smoothing') ? `, smoothing ${params.label_smoothing}` : ''}${Array.isArray(params.class_weights) && params.class_weights.length ? ', class weights' : ''}`,
  torch: () => '',
  lower(b, p) {
    const logits = b.inputs[0]!;
    const labels = b.labels();
    const classWeights = floats(p, 'class_weights');
    const loss = b.op(
      'cross_entropy',
      { labelSmoothing: num(p, 'label_smoothing'), ...(classWeights ? { classWeights } : {}) },
      { logits, labels },
    );
    b.loss(loss, b.op('accuracy', {}, { logits, labels }), logits);
    return logits;
  },
};
