// An open document that turns out `partial` after opening (a later operator-list walk or render finds that a page
// lost an image) tells its clients: `documents.changed` carries the new DocumentInfo once, and documents.info and
// documents.list agree with it.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { imagePdf } from '../documents/test-pdfs.js';
import type { AppEvent, EventPayload } from '../shared/contract.js';
import type { DocumentInfo } from '../shared/domain.js';
import { testBackend } from './testing.js';

const events: AppEvent[] = [];
const tb = testBackend('doclens-documents-changed-', (backend) => backend.onEvent((e) => events.push(e)));

function changes(): EventPayload<'documents.changed'>[] {
  return events.flatMap((e) => (e.type === 'documents.changed' ? [e.payload] : []));
}

test('a document found partial after opening emits documents.changed once, and info follows', async () => {
  const file = join(tb.dir, 'cut.pdf');
  await writeFile(file, await imagePdf(['good-jpeg', 'cut-jpeg'], { text: 'Invoice date: 2024-03-15' }));
  const opened = await tb.call<DocumentInfo>('documents.open', { path: file });
  assert.equal(opened.status, 'ok', 'nothing is drawn at opening, so nothing is known lost yet');
  assert.deepEqual(changes(), []);

  // Tables walk the operator list of both text-layer pages, which decodes their images.
  await tb.call('extract.tables', { docId: opened.id });
  const lost = 'page 2: an image is incomplete (JPEG data is cut short)';
  assert.deepEqual(
    changes().map((c) => [c.id, c.status, c.warnings]),
    [[opened.id, 'partial', [lost]]],
  );
  const info = await tb.call<DocumentInfo>('documents.info', { docId: opened.id });
  assert.equal(info.status, 'partial');
  assert.deepEqual(info.warnings, [lost]);
  const listed = await tb.call<DocumentInfo[]>('documents.list', {});
  assert.equal(listed.find((d) => d.id === opened.id)?.status, 'partial');

  // The same loss found again (the page is not cached) changes nothing and is not announced again.
  await tb.call('extract.tables', { docId: opened.id });
  assert.equal(changes().length, 1);
});
