/** The size budgets (see budgets.mjs). */
export declare const BUDGETS: { readonly decideKB: number; readonly renderKB: number; readonly tarballKiB: number };
