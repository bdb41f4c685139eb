// Screen drags → page space under each view rotation: a drag to the screen's right moves the box along the page's
// +x unturned, +y turned 90° clockwise (the page's top now faces right), −x at 180°, −y at 270°; zoom divides.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dragged, screenDeltaToPage } from './box-drag.js';

test('a screen drag maps to page space for every quarter turn and zoom', () => {
  assert.deepEqual(screenDeltaToPage(30, 10, 0, 2), { dx: 15, dy: 5 });
  // 90° clockwise: page +x points down the screen, page +y points left.
  assert.deepEqual(screenDeltaToPage(30, 10, 90, 2), { dx: 5, dy: -15 });
  assert.deepEqual(screenDeltaToPage(30, 10, 180, 2), { dx: -15, dy: -5 });
  assert.deepEqual(screenDeltaToPage(30, 10, 270, 2), { dx: -5, dy: 15 });
  assert.deepEqual(screenDeltaToPage(12, -6, 0, 1.5), { dx: 8, dy: -4 });
});

test('moving keeps the size, a corner grip moves only its own edges', () => {
  const r = { x0: 10, y0: 20, x1: 50, y1: 40 };
  assert.deepEqual(dragged(r, 'move', 5, -5), { x0: 15, y0: 15, x1: 55, y1: 35 });
  assert.deepEqual(dragged(r, 'se', 5, 6), { x0: 10, y0: 20, x1: 55, y1: 46 });
  assert.deepEqual(dragged(r, 'nw', 5, 6), { x0: 15, y0: 26, x1: 50, y1: 40 });
  assert.deepEqual(dragged(r, 'ne', 5, 6), { x0: 10, y0: 26, x1: 55, y1: 40 });
  assert.deepEqual(dragged(r, 'sw', 5, 6), { x0: 15, y0: 20, x1: 50, y1: 46 });
});
