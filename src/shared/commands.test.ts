import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyLike } from './commands.js';
import {
  COMMANDS,
  formatShortcut,
  isCommandId,
  matchesShortcut,
  parseShortcut,
  toAccelerator,
} from './commands.js';

function key(k: string, mods: Partial<Omit<KeyLike, 'key'>> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods };
}

test('commands: ids are unique and every shortcut parses; no two commands share a shortcut', () => {
  const ids = COMMANDS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  const seen = new Map<string, string>();
  for (const c of COMMANDS) {
    const all: string[] = [c.shortcut, ...('aliases' in c ? c.aliases : [])];
    for (const s of all) {
      const p = parseShortcut(s);
      const norm = JSON.stringify(p);
      assert.equal(seen.get(norm), undefined, `${c.id} and ${seen.get(norm) ?? ''} share ${s}`);
      seen.set(norm, c.id);
    }
  }
  assert.ok(isCommandId('zoom-in'));
  assert.ok(!isCommandId('rm-rf'));
});

test('parseShortcut: modifiers in any order, the key last, Mod++ is the plus key', () => {
  assert.deepEqual(parseShortcut('Mod+Shift+P'), {
    mod: true,
    ctrl: false,
    shift: true,
    alt: false,
    key: 'p',
  });
  assert.deepEqual(parseShortcut('Shift+Mod+P'), parseShortcut('Mod+Shift+P'));
  assert.equal(parseShortcut('Mod++').key, '+');
  assert.equal(parseShortcut('Mod+-').key, '-');
  assert.equal(parseShortcut('Mod+Alt+ArrowRight').key, 'ArrowRight');
  assert.deepEqual(parseShortcut('R'), { mod: false, ctrl: false, shift: false, alt: false, key: 'r' });
  assert.throws(() => parseShortcut('Hyper+K'), /unknown modifier "Hyper"/);
  assert.throws(() => parseShortcut(''), /no key/);
});

test('matchesShortcut: Mod is Cmd on macOS and Ctrl elsewhere, never both', () => {
  assert.equal(matchesShortcut(key('k', { ctrlKey: true }), 'Mod+K', false), true);
  assert.equal(matchesShortcut(key('k', { metaKey: true }), 'Mod+K', false), false);
  assert.equal(matchesShortcut(key('k', { metaKey: true }), 'Mod+K', true), true);
  assert.equal(matchesShortcut(key('k', { ctrlKey: true }), 'Mod+K', true), false);
  assert.equal(matchesShortcut(key('k', { ctrlKey: true, metaKey: true }), 'Mod+K', true), false);
  assert.equal(matchesShortcut(key('k'), 'Mod+K', false), false);
});

test('matchesShortcut: Shift counts for letters, digits and named keys; extra modifiers do not match', () => {
  assert.equal(matchesShortcut(key('r'), 'R', false), true);
  assert.equal(matchesShortcut(key('R', { shiftKey: true }), 'R', false), false);
  assert.equal(matchesShortcut(key('R', { shiftKey: true }), 'Shift+R', false), true);
  assert.equal(matchesShortcut(key('P', { ctrlKey: true, shiftKey: true }), 'Mod+Shift+P', false), true);
  assert.equal(matchesShortcut(key('p', { ctrlKey: true }), 'Mod+Shift+P', false), false);
  assert.equal(matchesShortcut(key('r', { altKey: true }), 'R', false), false);
  assert.equal(
    matchesShortcut(key('ArrowRight', { ctrlKey: true, altKey: true }), 'Mod+Alt+ArrowRight', false),
    true,
  );
  assert.equal(
    matchesShortcut(
      key('ArrowRight', { ctrlKey: true, altKey: true, shiftKey: true }),
      'Mod+Alt+ArrowRight',
      false,
    ),
    false,
  );
  assert.equal(matchesShortcut(key('0', { ctrlKey: true }), 'Mod+0', false), true);
  assert.equal(matchesShortcut(key(')', { ctrlKey: true, shiftKey: true }), 'Mod+0', false), false);
});

test('matchesShortcut: punctuation as typed (Ctrl+Shift+= is "+"); Option-changed letters by their physical key', () => {
  assert.equal(matchesShortcut(key('=', { ctrlKey: true }), 'Mod+=', false), true);
  assert.equal(matchesShortcut(key('+', { ctrlKey: true, shiftKey: true }), 'Mod++', false), true);
  assert.equal(matchesShortcut(key('+', { ctrlKey: true, shiftKey: true }), 'Mod+=', false), false);
  assert.equal(matchesShortcut(key(',', { metaKey: true }), 'Mod+,', true), true);
  // macOS: ⌥⌘N types "˜"; the code says which key it was.
  const optN = { ...key('˜', { metaKey: true, altKey: true }), code: 'KeyN' };
  assert.equal(matchesShortcut(optN, 'Mod+Alt+N', true), true);
  assert.equal(matchesShortcut(optN, 'Mod+Alt+M', true), false);
});

test('formatShortcut: symbols on macOS, words elsewhere', () => {
  assert.equal(formatShortcut('Mod+Shift+P', true), '⇧⌘P');
  assert.equal(formatShortcut('Mod+Shift+P', false), 'Ctrl+Shift+P');
  assert.equal(formatShortcut('Mod+Alt+ArrowRight', true), '⌥⌘→');
  assert.equal(formatShortcut('Mod+Alt+ArrowRight', false), 'Ctrl+Alt+→');
  assert.equal(formatShortcut('Mod+=', false), 'Ctrl+=');
  assert.equal(formatShortcut('R', false), 'R');
  assert.equal(formatShortcut('Shift+R', true), '⇧R');
});

test('toAccelerator: Electron accelerator strings', () => {
  assert.equal(toAccelerator('Mod+O'), 'CmdOrCtrl+O');
  assert.equal(toAccelerator('Mod+Shift+P'), 'CmdOrCtrl+Shift+P');
  assert.equal(toAccelerator('Mod+Alt+ArrowLeft'), 'CmdOrCtrl+Alt+Left');
  assert.equal(toAccelerator('Mod++'), 'CmdOrCtrl+Plus');
  assert.equal(toAccelerator('Mod+='), 'CmdOrCtrl+=');
  assert.equal(toAccelerator('Mod+,'), 'CmdOrCtrl+,');
  assert.equal(toAccelerator('Shift+R'), 'Shift+R');
  assert.equal(toAccelerator('Ctrl+Enter'), 'Ctrl+Return');
  assert.equal(toAccelerator('N'), 'N');
});
