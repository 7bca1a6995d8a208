// conv_transpose2d on the CPU: the conv2d kernels with roles swapped. Forward is conv2d's input gradient (x in
// the place of dy); backward is conv2d's forward for dx and conv2d's weight gradient with dy as the input.

import type { Conv2dAttrs, ConvTranspose2dAttrs } from '../compile/ops.ts';
import { conv2d } from './conv2d.ts';
import { type CpuKernel, type CpuTensor, dimsNCS, gradInto } from './tensor.ts';

/** The conv2d whose input gradient this transposed conv is (bias handled here, not by conv2d). */
function asConv(a: ConvTranspose2dAttrs): Conv2dAttrs {
  return { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups, bias: false };
}

function scratch(shape: readonly number[]): CpuTensor {
  const f = new Float32Array(shape.reduce((a, b) => a * b, 1));
  return { shape, f, i: new Int32Array(f.buffer) };
}

export const convTranspose2d: CpuKernel<'conv_transpose2d'> = {
  // x (N, C_in, H, W), weight (C_in, C_out/groups, KH, KW), bias (C_out) -> y (N, C_out, OH, OW)
  forward({ attrs, inputs, output, training }) {
    const { x, weight, bias } = inputs;
    // conv2d(input y-shaped, weight) has x's shape as its output: y = that conv's input gradient for dy = x.
    conv2d.backward({
      attrs: asConv(attrs),
      inputs: { x: output, weight },
      output: x,
      saved: {},
      training,
      gradOutput: x,
      grads: { x: { t: output, accumulate: false } },
    });
    if (!bias) return;
    const [N, C, S] = dimsNCS(output);
    const y = output.f;
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++) for (let p = (n * C + c) * S, e = p + S; p < e; p++) y[p]! += bias.f[c]!;
  },

  // dy (N, C_out, OH, OW) -> dx = conv2d(dy, weight), dweight = conv2d's weight gradient of (dy, x), dbias
  backward({ attrs, inputs, gradOutput, grads, training }) {
    const { x, weight } = inputs;
    const conv = asConv(attrs);
    const dx = gradInto(grads.x);
    if (dx) {
      const tmp = scratch(x.shape);
      conv2d.forward({ attrs: conv, inputs: { x: gradOutput, weight }, output: tmp, saved: {}, training });
      for (let k = 0; k < dx.length; k++) dx[k]! += tmp.f[k]!;
    }
    if (grads.weight)
      conv2d.backward({
        attrs: conv,
        inputs: { x: gradOutput, weight },
        output: x,
        saved: {},
        training,
        gradOutput: x,
        grads: { weight: grads.weight },
      });
    const db = gradInto(grads.bias);
    if (db) {
      const [N, C, S] = dimsNCS(gradOutput);
      const dy = gradOutput.f;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let n = 0; n < N; n++) for (let p = (n * C + c) * S, e = p + S; p < e; p++) s += dy[p]!;
        db[c]! += s;
      }
    }
  },
};
