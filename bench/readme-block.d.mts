/** Writes one bench's block of bench/README.md (between `<!-- name:start -->` and `<!-- name:end -->`), or appends it under `heading`. */
export function writeReadmeBlock(name: string, block: string, heading: string): void;
