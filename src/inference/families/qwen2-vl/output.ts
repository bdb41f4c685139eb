// The Qwen families' output decoder: boxes out of raw model text in the three Qwen grounding formats, forgiving
// the ways real outputs go wrong. Boxes stay in model-output units; src/anyres/coords.ts takes them to the page.
import type { ModelBox } from '../../../anyres/coords.js';

/**
 * - `qwen-vl`: `<ref>phrase</ref><box>(x1,y1),(x2,y2)</box>` (also `<quad>`);
 * - `qwen2-vl`: `<|object_ref_start|>phrase<|object_ref_end|><|box_start|>(x1,y1),(x2,y2)<|box_end|>`, or the
 *   same decoded with special tokens skipped: `phrase(x1,y1),(x2,y2)`;
 * - `qwen2.5-vl`: JSON objects with `bbox_2d: [x1,y1,x2,y2]` or `point_2d: [x,y]` and a `label`.
 */
export type GroundingFormat = 'qwen-vl' | 'qwen2-vl' | 'qwen2.5-vl';

/** A box as the model wrote it (model-output units, corners as written); a point has x0 = x1, y0 = y1. */
export type ParsedBox = ModelBox;

export interface ParsedGrounding {
  /** null when no box was found. */
  format: GroundingFormat | null;
  /** True for Qwen2-VL text whose special tokens were stripped (`phrase(x1,y1),(x2,y2)`). */
  stripped: boolean;
  boxes: ParsedBox[];
}

const NUM = String.raw`-?\d+(?:\.\d+)?`;
// The closing parenthesis may be missing at the very end (generation cut off inside the last pair).
const PAIR = new RegExp(String.raw`\(\s*(${NUM})\s*,\s*(${NUM})\s*(?:\)|$)`, 'g');

/** All `(x,y)` pairs of a box body, grouped: 1 → point, 2 → box, 4 → quad's bounds; longer → boxes of 2. */
function boxesFromPairs(body: string, label: string): ParsedBox[] {
  const pts = [...body.matchAll(PAIR)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
  if (pts.length === 1) {
    const p = pts[0]!;
    return [{ label, kind: 'point', x0: p.x, y0: p.y, x1: p.x, y1: p.y }];
  }
  if (pts.length === 4) {
    const xs = pts.map((p) => p.x);
    const ys = pts.map((p) => p.y);
    return [
      {
        label,
        kind: 'box',
        x0: Math.min(...xs),
        y0: Math.min(...ys),
        x1: Math.max(...xs),
        y1: Math.max(...ys),
      },
    ];
  }
  const out: ParsedBox[] = [];
  for (let i = 0; i + 1 < pts.length; i += 2) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    out.push({ label, kind: 'box', x0: a.x, y0: a.y, x1: b.x, y1: b.y });
  }
  return out;
}

interface TagSet {
  refOpen: string;
  refClose: string;
  boxes: Array<[string, string]>;
}

const QWEN_VL_TAGS: TagSet = {
  refOpen: '<ref>',
  refClose: '</ref>',
  boxes: [
    ['<box>', '</box>'],
    ['<quad>', '</quad>'],
  ],
};
const QWEN2_VL_TAGS: TagSet = {
  refOpen: '<|object_ref_start|>',
  refClose: '<|object_ref_end|>',
  boxes: [
    ['<|box_start|>', '<|box_end|>'],
    ['<|quad_start|>', '<|quad_end|>'],
  ],
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Tag formats: a box takes the label of the `ref` right before it, or of the previous box when only
 * whitespace/commas separate them (several boxes per phrase); a box after other text has no label ('').
 * An unclosed final box (generation cut off) is read up to the end of the text.
 */
function parseTagged(raw: string, tags: TagSet): ParsedBox[] {
  const ref = `${escapeRe(tags.refOpen)}([\\s\\S]*?)${escapeRe(tags.refClose)}`;
  const box = tags.boxes.map(([o, c]) => `${escapeRe(o)}([\\s\\S]*?)(?:${escapeRe(c)}|$)`).join('|');
  const re = new RegExp(`${ref}|${box}`, 'g');
  const out: ParsedBox[] = [];
  let label = '';
  let lastEnd = 0;
  for (const m of raw.matchAll(re)) {
    const between = raw.slice(lastEnd, m.index);
    if (m[1] !== undefined) {
      label = m[1].trim();
    } else {
      if (!/^[\s,;]*$/.test(between)) label = '';
      const body = m.slice(2).find((g) => g !== undefined) ?? '';
      out.push(...boxesFromPairs(body, label));
    }
    lastEnd = m.index + m[0].length;
  }
  return out;
}

const STRIPPED_BOX = new RegExp(
  String.raw`\(\s*(${NUM})\s*,\s*(${NUM})\s*\)\s*,\s*\(\s*(${NUM})\s*,\s*(${NUM})\s*\)`,
  'g',
);

/** The phrase right before a stripped box: the last clause of the text since the previous box. */
function phraseBefore(text: string): string {
  const clause = text.split(/[\n.;:!?]|,\s/).at(-1) ?? '';
  return clause
    .replace(/^\s*(?:and|or|&)\s+/i, '')
    .replace(/[\s,]+$/, '')
    .trim();
}

/** Qwen2-VL decoded with skip_special_tokens: `a red car(12,34),(56,78) and a dog(1,2),(3,4)`. */
function parseStripped(raw: string): ParsedBox[] {
  const out: ParsedBox[] = [];
  let label = '';
  let lastEnd = 0;
  for (const m of raw.matchAll(STRIPPED_BOX)) {
    const between = raw.slice(lastEnd, m.index);
    if (!/^[\s,;]*$/.test(between) || out.length === 0) label = phraseBefore(between);
    out.push({ label, kind: 'box', x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]) });
    lastEnd = m.index + m[0].length;
  }
  return out;
}

// ---- Qwen2.5-VL JSON -------------------------------------------------------------------------------------

/** Index of the bracket closing the one at `start`, skipping strings; -1 when it never closes. */
function matchingBracket(s: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') stack.push(c === '[' ? ']' : '}');
    else if (c === ']' || c === '}') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/**
 * Every JSON value that parses, scanning left to right: code fences and prose around it are skipped, and in
 * an array cut off mid-generation the complete objects inside it are still found.
 */
function jsonValues(raw: string): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '[' && c !== '{') continue;
    const end = matchingBracket(raw, i);
    if (end < 0) continue;
    try {
      out.push(JSON.parse(raw.slice(i, end + 1)));
      i = end;
    } catch {
      // not JSON (or a broken object): look inside it
    }
  }
  return out;
}

const LABEL_KEYS = ['label', 'text_content', 'text', 'name', 'category', 'description'];

function labelOf(o: Record<string, unknown>): string {
  for (const k of LABEL_KEYS) {
    const v = o[k];
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
  }
  return '';
}

const isNums = (v: unknown, n: number): v is number[] =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

function collectJson(v: unknown, out: ParsedBox[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectJson(x, out);
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  const o = v as Record<string, unknown>;
  const label = labelOf(o);
  const bbox = o['bbox_2d'];
  const point = o['point_2d'];
  // bbox_2d: [x1,y1,x2,y2], occasionally a list of them for one label.
  const bboxes = isNums(bbox, 4) ? [bbox] : Array.isArray(bbox) ? bbox.filter((b) => isNums(b, 4)) : [];
  for (const b of bboxes) out.push({ label, kind: 'box', x0: b[0]!, y0: b[1]!, x1: b[2]!, y1: b[3]! });
  const points = isNums(point, 2) ? [point] : Array.isArray(point) ? point.filter((p) => isNums(p, 2)) : [];
  for (const p of points) out.push({ label, kind: 'point', x0: p[0]!, y0: p[1]!, x1: p[0]!, y1: p[1]! });
  if (bboxes.length === 0 && points.length === 0) for (const x of Object.values(o)) collectJson(x, out);
}

const JSON_KEY = new RegExp(String.raw`"(bbox_2d|point_2d)"\s*:\s*\[([^\]]*)\]`, 'g');
const JSON_LABEL = /"(?:label|text_content|text)"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/** Last resort for JSON that does not parse (single quotes around values, trailing commas…). */
function parseJsonLoose(raw: string): ParsedBox[] {
  const out: ParsedBox[] = [];
  for (const m of raw.matchAll(JSON_KEY)) {
    const nums = (m[2] ?? '').split(',').map((s) => Number(s.trim()));
    if (nums.some((n) => !Number.isFinite(n))) continue;
    const open = raw.lastIndexOf('{', m.index);
    const closeAt = raw.indexOf('}', m.index);
    const obj = raw.slice(open < 0 ? m.index : open, closeAt < 0 ? raw.length : closeAt);
    const lm = JSON_LABEL.exec(obj);
    let label = '';
    if (lm?.[1] !== undefined) {
      try {
        label = JSON.parse(`"${lm[1]}"`) as string;
      } catch {
        label = lm[1];
      }
    }
    if (m[1] === 'bbox_2d' && nums.length === 4) {
      out.push({ label, kind: 'box', x0: nums[0]!, y0: nums[1]!, x1: nums[2]!, y1: nums[3]! });
    } else if (m[1] === 'point_2d' && nums.length === 2) {
      out.push({ label, kind: 'point', x0: nums[0]!, y0: nums[1]!, x1: nums[0]!, y1: nums[1]! });
    }
  }
  return out;
}

function parseJson(raw: string): ParsedBox[] {
  const out: ParsedBox[] = [];
  for (const v of jsonValues(raw)) collectJson(v, out);
  return out.length > 0 ? out : parseJsonLoose(raw);
}

// ---- entry points ----------------------------------------------------------------------------------------

/** Detects the grounding format of raw model text and returns its boxes in model-output coordinates. */
export function parseGrounding(raw: string): ParsedGrounding {
  if (raw.includes('<|box_start|>') || raw.includes('<|quad_start|>')) {
    return { format: 'qwen2-vl', stripped: false, boxes: parseTagged(raw, QWEN2_VL_TAGS) };
  }
  if (raw.includes('<box>') || raw.includes('<quad>')) {
    return { format: 'qwen-vl', stripped: false, boxes: parseTagged(raw, QWEN_VL_TAGS) };
  }
  if (raw.includes('bbox_2d') || raw.includes('point_2d')) {
    const boxes = parseJson(raw);
    if (boxes.length > 0) return { format: 'qwen2.5-vl', stripped: false, boxes };
  }
  const stripped = parseStripped(raw);
  if (stripped.length > 0) return { format: 'qwen2-vl', stripped: true, boxes: stripped };
  return { format: null, stripped: false, boxes: [] };
}
