// The export dialog's "Source" selector (issue 16 item 4): where the exported labels and grades come from — this
// store (the consensus in an adjudicator's store: the original + your edits and decisions), the original dataset,
// or one imported reader. Lists the store's readers (listReaders, again after an import).
import { useEffect, useState } from 'react';
import type { ReaderInfo, SourceRef } from '../../../common/contractReaders.js';
import { call } from '../../platform/api.js';
import { useReadersVersion } from '../packages/packagesState.js';

/** How a source is offered in the export dialog. */
export function exportSourceName(s: SourceRef): string {
  if (s === 'local') return 'Consensus / your store';
  if (s === 'original') return 'Original dataset (as released)';
  return `${s.slice('reader:'.length)} (imported reader)`;
}

export function ExportSource({ value, onChange, disabled }: { value: SourceRef; onChange: (s: SourceRef) => void; disabled: boolean }) {
  const [readers, setReaders] = useState<ReaderInfo[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const version = useReadersVersion();
  useEffect(() => {
    let live = true;
    call('listReaders', {})
      .then((r) => live && (setReaders(r.readers), setProblem(null)))
      .catch((e: unknown) => live && setProblem(e instanceof Error ? e.message : String(e)));
    return () => void (live = false);
  }, [version]);
  const options: SourceRef[] = ['local', 'original', ...readers.map((r): SourceRef => `reader:${r.name}`)];
  if (!options.includes(value)) options.push(value);
  return (
    <div className="pad-x export-row">
      <label htmlFor="export-source">Source</label>
      <select id="export-source" data-testid="export-source" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as SourceRef)}>
        {options.map((o) => (
          <option key={o} value={o}>{exportSourceName(o)}</option>
        ))}
      </select>
      {value !== 'local' && (
        <span className="small muted" data-testid="export-source-note">
          {value === 'original' ? 'the masks and gradings as released' : `original masks + ${value.slice('reader:'.length)}’s label layer; their grades over the CSV`}
        </span>
      )}
      {problem && <span className="small problem-line warning">Readers not listed: {problem}</span>}
    </div>
  );
}
