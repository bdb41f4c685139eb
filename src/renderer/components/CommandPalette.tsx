// The command palette (Mod+K / Mod+Shift+P): every command that can run now, filtered as you type, with its
// shortcut; arrow keys and Enter run one, Esc closes. Where the backend takes paths it also lists recent
// files and offers to open a typed absolute path.
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatShortcut } from '../../shared/commands.js';
import type { Command } from '../commands.js';
import { commands, isMac, openPathCommand, setPaletteOpen, usePalette } from '../commands.js';
import { useRecent } from '../stores/recent.js';
import { loadAppInfo, useAppInfo } from '../stores/settings.js';
import '../commands.css';

/** Score of a title for a query: every word must occur; earlier and word-start matches rank higher. */
export function matchScore(title: string, query: string): number | null {
  const t = title.toLowerCase();
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  let score = 0;
  for (const w of words) {
    const i = t.indexOf(w);
    if (i < 0) return null;
    score += i === 0 ? 0 : /[\s:(/-]/.test(t[i - 1] ?? '') ? 1 : 3;
    score += i / 100;
  }
  return score;
}

function looksLikePath(q: string): boolean {
  return /^(\/|~\/|[A-Za-z]:[\\/]|\\\\)/.test(q.trim());
}

export function CommandPalette() {
  const open = usePalette((s) => s.open);
  return open ? <PaletteDialog /> : null;
}

function PaletteDialog() {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const recent = useRecent((s) => s.items);
  const pathsAllowed = useAppInfo((s) => s.info?.pathsAllowed ?? false);

  useEffect(() => {
    void loadAppInfo();
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    input.current?.focus();
    return () => {
      before?.focus();
    };
  }, []);

  const items = useMemo(() => {
    const all: Command[] = commands.filter((c) => !c.when || c.when());
    if (pathsAllowed) all.push(...recent.map((r) => openPathCommand(r.path, `Open recent: ${r.name}`)));
    const q = query.trim();
    const scored = all
      .map((c, i) => ({ c, i, s: q ? matchScore(c.title, q) : 0 }))
      .filter((x): x is { c: Command; i: number; s: number } => x.s !== null)
      .sort((a, b) => a.s - b.s || a.i - b.i)
      .map((x) => x.c);
    if (pathsAllowed && looksLikePath(q)) scored.unshift(openPathCommand(q, `Open file at ${q}`));
    return scored;
  }, [query, recent, pathsAllowed]);

  const current = Math.min(active, items.length - 1);

  useEffect(() => {
    const el = list.current?.querySelector(`[data-index="${current}"]`);
    el?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const run = (c: Command | undefined) => {
    if (!c) return;
    setPaletteOpen(false);
    // After the dialog has gone, so that focus-taking commands (Ask, Find) keep the focus they set.
    requestAnimationFrame(() => c.run());
  };

  return (
    <div
      className="palette-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) setPaletteOpen(false);
      }}
    >
      <div className="palette" role="dialog" aria-modal="true" aria-labelledby="palette-title">
        <h2 id="palette-title" className="visually-hidden">
          Command palette
        </h2>
        <input
          ref={input}
          className="palette-input"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-autocomplete="list"
          aria-activedescendant={items[current] ? `palette-item-${current}` : undefined}
          aria-label="Type a command"
          placeholder={pathsAllowed ? 'Type a command, a recent file or a path…' : 'Type a command…'}
          value={query}
          spellCheck={false}
          onChange={(e) => {
            setQuery(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((current + 1) % Math.max(1, items.length));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((current - 1 + items.length) % Math.max(1, items.length));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              run(items[current]);
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              setPaletteOpen(false);
            }
          }}
        />
        <ul className="palette-list" id="palette-list" role="listbox" aria-label="Commands" ref={list}>
          {items.map((c, i) => (
            <li
              key={c.id}
              id={`palette-item-${i}`}
              data-index={i}
              role="option"
              aria-selected={i === current}
              className={`palette-item${i === current ? ' active' : ''}`}
              onMouseMove={() => i !== current && setActive(i)}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => run(c)}
            >
              <span className="palette-section">{c.section}</span>
              <span className="palette-title">{c.title}</span>
              {c.shortcut && <kbd className="palette-kbd">{formatShortcut(c.shortcut, isMac)}</kbd>}
            </li>
          ))}
          {items.length === 0 && (
            <li className="palette-none" role="presentation">
              No command matches “{query}”.
            </li>
          )}
        </ul>
      </div>
    </div>
  );
}
