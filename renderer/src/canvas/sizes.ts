// Sizes of nodes as the canvas measured them, by id; auto-layout reads them so boxes do not overlap.

export const measuredSizes = new Map<string, { width: number; height: number }>();
