// Types of cli-build.mjs (plain JavaScript, run before any TypeScript loader), for the tests.

export interface CliBuildOptions {
  /** Where the build is (default dist/cli under the repository). */
  outdir?: string;
}

export declare const DEFAULT_OUTDIR: string;

/** Bundles the import command into `outdir`; its absolute path and the sources it was made from (repository-relative). */
export declare function buildCli(options?: CliBuildOptions): Promise<{ outdir: string; inputs: string[] }>;

/** The build's entry (a file URL) when it was made from the sources as they are now, else undefined. */
export declare function freshBuildEntry(options?: CliBuildOptions): string | undefined;

/** Runs the import command in this process: the build when fresh, else the sources through tsx. */
export declare function runImportCommand(options?: CliBuildOptions): Promise<void>;
