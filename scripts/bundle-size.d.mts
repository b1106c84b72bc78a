/** Sizes of the edge bundles (see bundle-size.mjs). */
export interface BundleSize {
  readonly minified: number;
  readonly gzip: number;
  readonly inputs: Readonly<Record<string, number>>;
}
export declare const BUNDLES: Readonly<Record<'decide' | 'render', string>>;
export declare function measureBundles(): Promise<Record<'decide' | 'render', BundleSize>>;
