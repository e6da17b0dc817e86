// Types of bin/cli-bundle.mjs for the TypeScript tests and benches.
export interface BundleOptions {
  /** The project (default: this checkout). */
  root?: string;
  /** Where the bundle goes (default: ROOT/out/cli). */
  outDir?: string;
  /** The CLI's entry module, relative to root (default: main/cli/index.ts). */
  entry?: string;
}
export const PROJECT_ROOT: string;
export function cliBundleStaleReason(opts?: BundleOptions): string | null;
export function buildCliBundle(opts?: BundleOptions): Promise<string>;
export function ensureCliBundle(opts?: BundleOptions): Promise<{ entry: string; rebuilt: string | null }>;
