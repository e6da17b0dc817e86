// Mounts the open annotation-package dialog (File ▸ Import annotations… / Export annotations…, issue 16 item 1).
import { ExportAnnotationsDialog } from './ExportAnnotationsDialog.js';
import { ImportAnnotationsDialog } from './ImportAnnotationsDialog.js';
import { closePackagesDialog, usePackagesDialog } from './packagesState.js';

export { openExportAnnotations, openImportAnnotations, readersChanged, useReadersVersion } from './packagesState.js';

export function PackagesHost() {
  const dialog = usePackagesDialog();
  if (dialog === 'import') return <ImportAnnotationsDialog onClose={closePackagesDialog} />;
  if (dialog === 'export') return <ExportAnnotationsDialog onClose={closePackagesDialog} />;
  return null;
}
