// LeNet-5 for 28x28 digits, built in code: the default project when no template file provides it.

import { GraphBuilder } from '../../../engine/graph/builder.ts';
import { layeredLayout } from '../../../engine/graph/layout.ts';
import { newProject, type Project } from '../../../engine/io/project/project.ts';

export function lenetProject(): Project {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 28, 28] }, [], 'input');
  x = b.layer('Conv2d', { in_channels: 1, out_channels: 6, kernel_size: 5, padding: 2 }, [x], 'conv1');
  x = b.layer('ReLU', {}, [x], 'relu1');
  x = b.layer('MaxPool2d', { kernel_size: 2, stride: 2 }, [x], 'pool1');
  x = b.layer('Conv2d', { in_channels: 6, out_channels: 16, kernel_size: 5 }, [x], 'conv2');
  x = b.layer('ReLU', {}, [x], 'relu2');
  x = b.layer('MaxPool2d', { kernel_size: 2, stride: 2 }, [x], 'pool2');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { in_features: 400, out_features: 120 }, [x], 'fc1');
  x = b.layer('ReLU', {}, [x], 'relu3');
  x = b.layer('Linear', { in_features: 120, out_features: 84 }, [x], 'fc2');
  x = b.layer('ReLU', {}, [x], 'relu4');
  x = b.layer('Linear', { in_features: 84, out_features: 10 }, [x], 'fc3');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  return newProject('LeNet-5', b.graph, {
    description:
      'LeNet-5 for 28x28 handwritten digits (MNIST): two convolutions with pooling, three linear layers.',
    layout: layeredLayout(b.graph),
    dataset: { source: 'builtin', name: 'mnist' },
  });
}
