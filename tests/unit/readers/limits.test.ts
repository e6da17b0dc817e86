// The largest annotation package must cross every transport: as base64 in a JSON body it has to fit under web
// mode's request body limit (else an import the contract allows would be refused by the server as too_large).
import { describe, expect, it } from 'vitest';
import { MAX_PACKAGE_BYTES, requestSchemas } from '../../../common/contract.js';
import { MAX_BODY_BYTES } from '../../../main/server/http.js';

describe('annotation package limits', () => {
  it('the largest package, base64 in a JSON request, fits under the web server body limit', () => {
    const base64Length = Math.ceil(MAX_PACKAGE_BYTES / 3) * 4;
    const jsonOverhead = 64 * 1024; // field names, a 255-character file name, escapes
    expect(base64Length + jsonOverhead).toBeLessThan(MAX_BODY_BYTES);
  });

  it('the schema accepts base64 of the largest package and refuses one byte more', () => {
    const at = (bytes: number): string => 'A'.repeat(Math.ceil(bytes / 3) * 4);
    expect(requestSchemas.importAnnotations.safeParse({ fileName: 'a.spinepkg', data: at(MAX_PACKAGE_BYTES) }).success).toBe(true);
    expect(requestSchemas.importAnnotations.safeParse({ fileName: 'a.spinepkg', data: at(MAX_PACKAGE_BYTES + 3) }).success).toBe(false);
  });
});
