import assert from 'node:assert/strict';
import { isPapermailError, type PapermailError } from '../../src/errors.js';

/** The PapermailError a promise rejects with; fails the test when it resolves or throws something else. */
export async function rejection(promise: Promise<unknown>, what = 'the ingest'): Promise<PapermailError> {
  try {
    await promise;
  } catch (err) {
    if (isPapermailError(err)) return err;
    throw err;
  }
  assert.fail(`expected ${what} to fail`);
}
