// Types for scripts/bundle.mjs (a plain ES module, so that building needs no TypeScript step).
export declare const root: string;
export declare function constTopLevel(code: string): string;
export declare function bundle(entry: string, outfile: string): Promise<void>;
