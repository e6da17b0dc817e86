// Output-folder checks of the export: containment both ways (through symlinks too), relative paths, the store.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutDir } from '../../../main/core/export/index.js';
import { isWithin } from '../../../main/core/export/target.js';
import { rebuiltHeader } from '../../../main/core/export/mhaSeries.js';

const dir = mkdtempSync(join(tmpdir(), 'spine-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkOutDir', () => {
  it('refuses the source, folders in it (also through a symlink), folders holding it, relative paths and the store', () => {
    const src = join(dir, 'ds');
    mkdirSync(join(src, 'images'), { recursive: true });
    symlinkSync(src, join(dir, 'link'));
    expect(() => checkOutDir(src, src, null)).toThrow(/inside the source dataset/);
    expect(() => checkOutDir(join(dir, 'link', 'images', 'new'), src, null)).toThrow(/inside the source dataset/);
    expect(() => checkOutDir(dir, src, null)).toThrow(/contains the source dataset/);
    expect(() => checkOutDir('out', src, null)).toThrow(/absolute path/);
    expect(() => checkOutDir(join(dir, 'data'), src, join(dir, 'data', 'stores', 'x.sqlite'))).toThrow(/annotation store/);
    // DIR.partial must not be the source either (an export to "ds" beside "ds.partial" would delete it as stale).
    expect(() => checkOutDir(join(dir, 'x'), join(dir, 'x.partial'), null)).toThrow(/inside the source dataset/);
    expect(checkOutDir(join(dir, 'revised'), src, null)).toEqual({ out: join(dir, 'revised'), partial: join(dir, 'revised.partial') });
  });

  it('isWithin compares path segments, not string prefixes', () => {
    expect(isWithin('/a/b/c', '/a/b')).toBe(true);
    expect(isWithin('/a/b', '/a/b')).toBe(true);
    expect(isWithin('/a/bc', '/a/b')).toBe(false);
    expect(isWithin('/a', '/a/b')).toBe(false);
  });
});

describe('rebuiltHeader', () => {
  it('keeps the original fields and order, replacing only what describes the stored bytes', () => {
    const fields = { ObjectType: 'Image', NDims: '3', BinaryData: 'True', BinaryDataByteOrderMSB: 'True', CompressedData: 'True', CompressedDataSize: '99', TransformMatrix: '0 1 0 0 0 -1 -1 0 0', Offset: '1.5 2 3', AnatomicalOrientation: 'ASL', ElementSpacing: '0.5 0.5 3.3', DimSize: '4 5 6', ElementType: 'MET_SHORT', HeaderSize: '0', ElementDataFile: 'x.zraw' };
    expect(rebuiltHeader(fields, 1234, 'LOCAL')).toBe(
      'ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\nCompressedData = True\nCompressedDataSize = 1234\n' +
        'TransformMatrix = 0 1 0 0 0 -1 -1 0 0\nOffset = 1.5 2 3\nAnatomicalOrientation = ASL\nElementSpacing = 0.5 0.5 3.3\nDimSize = 4 5 6\nElementType = MET_SHORT\nElementDataFile = LOCAL\n',
    );
    expect(rebuiltHeader({ NDims: '3', CompressedData: 'False', ElementDataFile: 'LOCAL' }, null, 'LOCAL')).toBe('NDims = 3\nCompressedData = False\nElementDataFile = LOCAL\n');
  });
});
