/** The median of a bench's per-round figures (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number;
