// Bytes in and out of the browser for annotation packages: a picked File read as base64 (what importAnnotations
// takes, bounded by MAX_PACKAGE_BYTES before anything is read), and a package's bytes saved as a download with the
// file name main chose (a Blob and a temporary anchor: works in web mode and in Electron, which asks where to save).
import { MAX_PACKAGE_BYTES } from '../../../common/contractReaders.js';
import { base64ToBytes, bytesToBase64 } from '../../../common/labelDiff.js';

/** The package file extension the file input offers. */
export const PACKAGE_EXTENSION = '.spinepkg';

export class PackageFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageFileError';
  }
}

/** A size for people: "812 KiB", "3.4 MiB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Why a picked file cannot be sent (empty, over the contract's limit), or null. Checked before reading it. */
export function pickedFileProblem(file: { name: string; size: number }): string | null {
  if (file.size === 0) return `${file.name} is empty`;
  if (file.size > MAX_PACKAGE_BYTES) return `${file.name} is ${formatSize(file.size)}; an annotation package is at most ${formatSize(MAX_PACKAGE_BYTES)}`;
  return null;
}

/** The file's bytes as base64; PackageFileError when it is empty, too large or unreadable. */
export async function readPackageFile(file: File): Promise<string> {
  const problem = pickedFileProblem(file);
  if (problem) throw new PackageFileError(problem);
  let buf: ArrayBuffer;
  try {
    buf = await file.arrayBuffer();
  } catch (e) {
    throw new PackageFileError(`${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return bytesToBase64(new Uint8Array(buf));
}

/** Saves base64 package data as a download named `fileName`. */
export function downloadPackage(fileName: string, base64: string): void {
  const bytes = base64ToBytes(base64);
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has taken the blob once click() returned; a delay keeps slow browsers safe.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
