// The catalogue of reasons a data file cannot be imported, with stable codes, and the DataError that carries one.

export const DATA_PROBLEMS = {
  unknownFormat: { code: 'DS001', title: 'File format not recognised' },
  truncated: { code: 'DS002', title: 'File is cut short' },
  wrongMagic: { code: 'DS003', title: 'File does not start the way its format requires' },
  damaged: { code: 'DS004', title: 'File is damaged' },
  unsupported: { code: 'DS005', title: 'Variant of the format not supported' },
  missingPartner: { code: 'DS006', title: 'Images without labels, or labels without images' },
  countMismatch: { code: 'DS007', title: 'Image and label counts differ' },
  badImage: { code: 'DS008', title: 'Image cannot be decoded' },
  noClassFolder: { code: 'DS009', title: 'Image is not inside a class folder' },
  badNumber: { code: 'DS010', title: 'Value is not a number' },
  badShape: { code: 'DS011', title: 'Image shape cannot be worked out' },
  badPixelRange: { code: 'DS012', title: 'Pixel values are neither 0-1 nor 0-255' },
  badLabel: { code: 'DS013', title: 'Label is not a class number' },
  empty: { code: 'DS014', title: 'No images found' },
  mixedFormats: { code: 'DS015', title: 'Files of different formats' },
  tooLarge: { code: 'DS016', title: 'Data set is too large' },
} as const;

export type DataProblem = keyof typeof DATA_PROBLEMS;

/**
 * Why one file (or a whole import) cannot be read. `file` is the path the user would recognise (inside an
 * archive: `archive.zip: inner/path.png`); `detail` says what is wrong; `message` joins the two.
 */
export class DataError extends Error {
  override name = 'DataError';
  readonly code: string;
  constructor(
    readonly problem: DataProblem,
    readonly file: string,
    readonly detail: string,
  ) {
    super(file ? `${file}: ${detail}` : detail);
    this.code = DATA_PROBLEMS[problem].code;
  }
}
