// The catalogue of problems validation can report: one stable code per kind of mistake.

export const PROBLEMS = {
  cycle: { code: 'NC001', title: 'Cycle in the graph' },
  missingInput: { code: 'NC002', title: 'Input not connected' },
  tooManyInputs: { code: 'NC003', title: 'Too many inputs' },
  channelMismatch: { code: 'NC004', title: 'Channel count does not match' },
  needsFlatInput: { code: 'NC005', title: 'Layer needs a flat vector' },
  featureMismatch: { code: 'NC006', title: 'Feature count does not match' },
  kernelTooLarge: { code: 'NC007', title: 'Kernel larger than the padded input' },
  outputTooSmall: { code: 'NC008', title: 'Output size below 1' },
  addMismatch: { code: 'NC009', title: 'Add inputs differ in shape' },
  concatMismatch: { code: 'NC010', title: 'Concat inputs differ in spatial size' },
  duplicateName: { code: 'NC011', title: 'Duplicate name' },
  invalidName: { code: 'NC012', title: 'Invalid name' },
  badParam: { code: 'NC013', title: 'Invalid parameter value' },
  wrongRank: { code: 'NC014', title: 'Input has the wrong number of dimensions' },
  classMismatch: { code: 'NC015', title: 'Class count does not match' },
  noInput: { code: 'NC016', title: 'No Input node' },
  reshapeMismatch: { code: 'NC017', title: 'Reshape changes the element count' },
  groupsMismatch: { code: 'NC018', title: 'Channels not divisible by groups' },
  unknownKind: { code: 'NC019', title: 'Unknown layer kind' },
  badEdge: { code: 'NC020', title: 'Edge points at nothing' },
  mixedNames: { code: 'NC021', title: 'Mixed numbered and named children' },
  noOutput: { code: 'NC022', title: 'No Output node' },
  unused: { code: 'NC023', title: 'Node does not reach the Output' },
  badGroup: { code: 'NC024', title: 'Module structure is broken' },
  classWeightsMismatch: { code: 'NC025', title: 'Class weights do not fit the classes' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;
export type ProblemCode = (typeof PROBLEMS)[ProblemKind]['code'];
