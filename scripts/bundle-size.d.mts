/** Sizes of the edge bundles (see bundle-size.mjs). */
export interface BundleSize {
  readonly minified: number;
  readonly gzip: number;
  /** Minified bytes in the bundle, by package (`meterwall` for the package's own code). */
  readonly inputs: Readonly<Record<string, number>>;
  /** Each dependency's gzipped weight: the bundle less the bundle without it. */
  readonly dependencies: Readonly<Record<string, number>>;
}
export declare const BUNDLES: Readonly<Record<'decide' | 'render', string>>;
export declare function measureBundles(dist?: string): Promise<Record<'decide' | 'render', BundleSize>>;
