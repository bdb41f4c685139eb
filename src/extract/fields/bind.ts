// The field binder: pairs a field's label with the value of the field's type that the layout puts beside it
// (right on the line, across a column gap, the row of a right-hand column, the line below), and binds the
// fields no label names (the issuing company and its address at the top, the only date) by position and type.
// Every binding carries its evidence and a score; only those it stands behind score ≥ VERIFIED_SCORE.
import type { BoundField, DateHit, FieldKind, TextPage } from '../../shared/domain.js';
import type { Rect } from '../../shared/geometry.js';
import { findPhrase, levenshtein } from '../verify/find-text.js';
import { ALL_LABELS, FIELD_SPECS, specOf, type FieldSpec } from './labels.js';
import {
  boxOf,
  heightOf,
  indexPage,
  lettersOf,
  rightOf,
  rowsBelow,
  textOf,
  vOverlap,
  type PageIndex,
} from './page-index.js';
import { currencyCode, isMoneyFiller, parseId, parseMoney } from './values.js';

/** Bindings scoring at least this are stated as verified; below it the value is only 'found'. */
export const VERIFIED_SCORE = 0.8;

export interface BindContext {
  pages: readonly TextPage[];
  /** The document's dates (extractDocumentDates, day/month order decided for the whole document). */
  dates: readonly DateHit[];
}

export interface FieldBinding {
  field: FieldKind;
  /** The value bound to the field (null: none could be bound). */
  binding: BoundField | null;
  /** Other values that could be the field, best first (the binding excluded). */
  candidates: BoundField[];
}

interface LabelHit {
  spec: FieldSpec;
  rank: number;
  /** Token range [start, end] of the label. */
  start: number;
  end: number;
  text: string;
  box: Rect;
  fuzzy: boolean;
}

const FIRST_WORDS = new Set(
  ALL_LABELS.map((l) => lettersOf(l.split(' ')[0] ?? '')).filter((l) => l.length >= 3),
);

const EXACT_LABELS = new Set(ALL_LABELS.map(lettersOf));
const COLON_ONLY = new Set([
  'from',
  'to',
  'no',
  'amount',
  'balance',
  'invoice',
  'receipt',
  'due',
  'issued',
  'dated',
]);

function allowedEdits(target: string): number {
  return target.length <= 4 ? 0 : target.length <= 9 ? 1 : target.length <= 16 ? 2 : 3;
}

/** Every place a label of `spec` starts a segment of the page (fuzzy: OCR misreads a letter or two). */
function findLabels(ix: PageIndex, spec: FieldSpec): LabelHit[] {
  const hits: LabelHit[] = [];
  const toks = ix.tokens;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t || !t.letters) continue;
    // "(Total includes GST 1.42)": a remark in brackets, not a label.
    if (t.text.startsWith('(')) continue;
    if (!t.segStart) {
      // Only punctuation or a bullet before it in its segment ("* TOTAL", "- Date").
      let j = i - 1;
      let clean = true;
      while (j >= 0 && toks[j]?.seg === t.seg) {
        if (toks[j]?.letters || /\d/.test(toks[j]?.text ?? '')) clean = false;
        j--;
      }
      if (!clean) continue;
    }
    let best: { rank: number; end: number; dist: number; len: number } | null = null;
    for (const label of spec.labels) {
      const target = lettersOf(label.text);
      const n = label.text.split(' ').length;
      let joined = '';
      for (let k = 0; k < n + 1 && i + k < toks.length; k++) {
        const w = toks[i + k];
        // An amount is a value, never part of a label ("Grand Total RM15.40" is not "grand total rm").
        if (!w || w.line !== t.line || (k > 0 && parseMoney(w.text) !== null)) break;
        if (k > 0 && w.box.x0 - (toks[i + k - 1]?.box.x1 ?? 0) > 2.5 * heightOf(ix, w.box)) break;
        joined += w.letters;
        if (joined.length > target.length + 2) break;
        const dist = levenshtein(joined, target);
        if (dist <= allowedEdits(target) && w.letters.length > 0) {
          const cand = { rank: label.rank, end: i + k, dist, len: target.length };
          if (!best || cand.len > best.len || (cand.len === best.len && cand.dist < best.dist)) best = cand;
        }
      }
    }
    if (!best) continue;
    // A misread of this field's label that is exactly another field's label ("Net amount" is not "VAT amount").
    if (best.dist > 0) {
      const exact = lettersOf(
        textOf(
          ix,
          Array.from({ length: best.end - i + 1 }, (_, k) => i + k),
        ),
      );
      if (EXACT_LABELS.has(exact) && !spec.labels.some((l) => lettersOf(l.text) === exact)) continue;
    }
    const next = toks[best.end + 1];
    // Words that are labels only with a colon ("From:", "To:", "No:", "Amount:"); bare, they are prose or
    // column headers.
    const lastText = toks[best.end]?.text ?? '';
    const labelWords = textOf(
      ix,
      Array.from({ length: best.end - i + 1 }, (_, k) => i + k),
    );
    if (COLON_ONLY.has(lettersOf(labelWords)) && !/[:：]$/.test(lastText) && !/^[:：]/.test(next?.text ?? ''))
      continue;
    // A word of the same segment right after or before the label that makes it another label ("Total Qty").
    const spoils = (n: typeof next, words: readonly string[]) =>
      !!n && n.seg === t.seg && !!n.letters && words.some((w) => n.letters === lettersOf(w));
    if (spoils(next, spec.notAfter) || spoils(toks[i - 1], spec.notBefore)) continue;
    const idx = Array.from({ length: best.end - i + 1 }, (_, k) => i + k);
    hits.push({
      spec,
      rank: best.rank,
      start: i,
      end: best.end,
      text: textOf(ix, idx).replace(/[:;]+$/, ''),
      box: boxOf(ix, idx),
      fuzzy: best.dist > 0,
    });
    i = best.end;
  }
  return hits;
}

/** true when token i starts some label (a value search stops there: it is the next field, not this one's value). */
function startsLabel(ix: PageIndex, i: number): boolean {
  const t = ix.tokens[i];
  return !!t && t.letters.length >= 3 && FIRST_WORDS.has(t.letters);
}

interface Found {
  idx: number[];
  value: string;
  normalized: string | null;
  how: string;
  currency?: string | null;
  /** An amount whose decimal point OCR did not read ("1000" printed as 10.00): never stated verified. */
  implied?: boolean;
}

/** true when most of the page's amounts are printed with two decimals (a receipt in cents, not in yen). */
function centsPage(ix: PageIndex): boolean {
  let cents = 0;
  let whole = 0;
  for (const t of ix.tokens) {
    if (parseMoney(t.text)) cents++;
    else if (/^\d{3,6}$/.test(t.text)) whole++;
  }
  return cents >= 3 && cents >= whole;
}

function moneyIn(
  ix: PageIndex,
  stream: readonly number[],
  how: string,
  maxSkip = 4,
  labelH = ix.h,
  labelSeg?: number,
): Found | null {
  let skipped = 0;
  for (const i of stream) {
    const t = ix.tokens[i];
    if (!t) continue;
    // A smear or a stamp OCR read as letters, much taller than the label's text, is not in the row.
    if (t.box.y1 - t.box.y0 > 2.2 * labelH) continue;
    const m = parseMoney(t.text);
    if (m) {
      return { idx: [i], value: m.value, normalized: m.normalized, how, currency: m.currency };
    }
    // "1000" beside a total on a page of amounts in cents: the point between 10 and 00 was not read.
    if (labelSeg !== undefined && /^\d{3,6}$/.test(t.text) && centsPage(ix)) {
      const v = `${t.text.slice(0, -2)}.${t.text.slice(-2)}`;
      return { idx: [i], value: v, normalized: String(Number(v).toFixed(2)), how, implied: true };
    }
    if (isMoneyFiller(t.text)) continue;
    // The rest of the label's own segment qualifies it ("Total RM Incl. of GST 7.30"); words beyond it end the search.
    if (labelSeg !== undefined && t.seg === labelSeg && !startsLabel(ix, i)) continue;
    // "Total RM Incl. of GST 7.30": a label word after "incl." / "of" qualifies the label, it is not the next
    // field; an "Excl." anywhere in it makes it the amount before tax, never the total paid.
    if (labelSeg !== undefined && t.seg === labelSeg) {
      const before = ix.tokens[i - 1];
      if (/^(excl|exclusive|excluding)$/.test(before?.letters ?? '')) return null;
      if (before?.seg === labelSeg && /^(incl|inclusive|including|of|with)$/.test(before.letters)) continue;
    }
    if (t.letters.length >= 4 || startsLabel(ix, i)) return null;
    if (++skipped > maxSkip) return null;
  }
  return null;
}

function dateIn(
  ix: PageIndex,
  stream: readonly number[],
  dates: readonly DateHit[],
  how: string,
): Found | null {
  let skipped = 0;
  for (const i of stream) {
    const t = ix.tokens[i];
    if (!t) continue;
    const hit = dates.find(
      (d) =>
        d.box.page === ix.page.page &&
        d.precision === 'day' &&
        Math.min(d.box.x1, t.box.x1) - Math.max(d.box.x0, t.box.x0) > 0 &&
        vOverlap(d.box, t.box) > 0.3,
    );
    if (hit) {
      const idx = stream.filter((j) => {
        const b = ix.tokens[j]?.box;
        return (
          !!b && Math.min(hit.box.x1, b.x1) - Math.max(hit.box.x0, b.x0) > 0 && vOverlap(hit.box, b) > 0.3
        );
      });
      return { idx, value: hit.text, normalized: hit.iso, how };
    }
    if (/^[:#.\-–=|]+$/.test(t.text)) continue;
    if (startsLabel(ix, i)) return null;
    if (++skipped > 2) return null;
  }
  return null;
}

function idIn(ix: PageIndex, stream: readonly number[], how: string): Found | null {
  let skipped = 0;
  for (const i of stream) {
    const t = ix.tokens[i];
    if (!t) continue;
    if (/^(?:[:#.\-=|]+|no\.?:?|number:?|num:?|#:?)$/i.test(t.text)) continue;
    const id = parseId(t.text);
    if (id) return { idx: [i], value: id, normalized: id, how };
    if (startsLabel(ix, i) || ++skipped > 1) return null;
  }
  return null;
}

/** Words of a name after a label: up to a column gap or the next label. */
function nameIn(ix: PageIndex, stream: readonly number[], how: string): Found | null {
  const idx: number[] = [];
  for (const i of stream) {
    const t = ix.tokens[i];
    if (!t) continue;
    if (idx.length === 0 && /^[:\-–=|]+$/.test(t.text)) continue;
    const prev = ix.tokens[idx[idx.length - 1] ?? -1];
    if (prev && t.box.x0 - prev.box.x1 > 2 * heightOf(ix, t.box)) break;
    if (startsLabel(ix, i) && idx.length > 0) break;
    idx.push(i);
  }
  const text = textOf(ix, idx)
    .replace(/^[:\s]+/, '')
    .trim();
  if (!/[A-Za-z]{2}/.test(text) || idx.length === 0 || (idx.length > 0 && startsLabel(ix, idx[0] ?? -1)))
    return null;
  return { idx, value: text, normalized: null, how };
}

function valueFor(ix: PageIndex, hit: LabelHit, dates: readonly DateHit[]): Found | null {
  const right = rightOf(ix, hit.box).filter(
    (i) => i > hit.end || (ix.tokens[i]?.box.x0 ?? 0) >= hit.box.x1 - 0.5,
  );
  const sameSeg = right.filter((i) => ix.tokens[i]?.seg === ix.tokens[hit.start]?.seg);
  const how = (idx: number[]) => (idx.every((i) => sameSeg.includes(i)) ? 'same-line' : 'right');
  const h = heightOf(ix, hit.box);
  const below = (n: number) => rowsBelow(ix, hit.box, n, Math.max(hit.box.x1 - hit.box.x0, 12 * h));
  switch (hit.spec.type) {
    case 'money': {
      const r = moneyIn(ix, right, 'right', 4, h, ix.tokens[hit.start]?.seg);
      if (r) return { ...r, how: how(r.idx) };
      // Below only when the amount sits under the label itself (a form's boxed field), not the next row's
      // amount in the right-hand column (that is the next label's value: cash under total).
      // A table's column header ("Qty  Price  Total") is a row of three or more word-only cells; under it is an
      // item's amount, not the field's value. A form's labels stand two to a row at most.
      const rowSegs = new Set<number>();
      let digits = false;
      ix.tokens.forEach((t) => {
        if (vOverlap(t.box, hit.box) < 0.5) return;
        rowSegs.add(t.seg);
        if (/\d/.test(t.text)) digits = true;
      });
      if (rowSegs.size >= 3 && !digits) return null;
      if (right.some((i) => parseMoney(ix.tokens[i]?.text ?? ''))) return null;
      const row = rowsBelow(ix, hit.box, 1, 0)[0]?.filter((i) => {
        const b = ix.tokens[i]?.box;
        return !!b && b.x0 < hit.box.x1 && b.x1 > hit.box.x0;
      });
      return row?.length ? moneyIn(ix, row, 'below', 1, h) : null;
    }
    case 'date': {
      const r = dateIn(ix, right, dates, 'right');
      if (r) return { ...r, how: how(r.idx) };
      const row = below(1)[0];
      return row ? dateIn(ix, row, dates, 'below') : null;
    }
    case 'id': {
      const r = idIn(ix, right, 'right');
      if (r) return { ...r, how: how(r.idx) };
      const row = below(1)[0];
      return row ? idIn(ix, row, 'below') : null;
    }
    case 'name':
    case 'text': {
      const r = nameIn(ix, sameSeg, 'same-line');
      if (r) return r;
      // The value across a gap on the label's row ("Customer:      Oliver Bennett"), when nothing else sits there.
      const near = right[0] !== undefined && (ix.tokens[right[0]]?.box.x0 ?? 0) - hit.box.x1 < 15 * h;
      const across = near ? right : [];
      const firstSeg = ix.tokens[across[0] ?? -1]?.seg;
      if (firstSeg !== undefined && /[:：]$/.test(ix.tokens[hit.end]?.text ?? '')) {
        const acr = nameIn(
          ix,
          across.filter((i) => ix.tokens[i]?.seg === firstSeg),
          'right',
        );
        if (acr) return acr;
      }
      const row = below(1)[0];
      return row ? nameIn(ix, row, 'below') : null;
    }
    case 'address': {
      let r = nameIn(ix, sameSeg, 'same-line');
      // The first line across a gap on the label's row ("ADDRESS      : 2920/1, JALAN …"); the lines under it
      // continue the address from that line's left edge, not the label's.
      if (!r && right[0] !== undefined && (ix.tokens[right[0]]?.box.x0 ?? 0) - hit.box.x1 < 15 * h) {
        const seg = ix.tokens[right[0]]?.seg;
        r = nameIn(
          ix,
          right.filter((i) => ix.tokens[i]?.seg === seg),
          'right',
        );
      }
      const anchor = r ? boxOf(ix, r.idx) : hit.box;
      const under = r ? rowsBelow(ix, anchor, 4, anchor.x1 - anchor.x0) : below(4);
      // The address ends at a label, a phone number or the document's body.
      const rows: number[][] = [];
      for (const row of under) {
        const text = textOf(ix, row);
        if (row.some((i) => startsLabel(ix, i)) || STOP_ADDRESS_SHAPE.test(text) || BODY_LINE.test(text))
          break;
        rows.push(row);
      }
      const idx = [...(r?.idx ?? []), ...rows.flat()];
      if (idx.length === 0) return null;
      return {
        idx,
        value: joinLines(ix, [r?.idx ?? [], ...rows]).replace(/^[:\s]+/, ''),
        normalized: null,
        how: r?.how ?? 'below',
      };
    }
  }
}

function joinLines(ix: PageIndex, rows: readonly number[][]): string {
  return rows
    .filter((r) => r.length > 0)
    .map((r) => textOf(ix, r))
    .join(' ');
}

function bound(
  ix: PageIndex,
  field: FieldKind,
  spec: FieldSpec,
  found: Found,
  label: LabelHit | null,
  score: number,
): BoundField {
  const box = boxOf(ix, found.idx);
  return {
    field,
    value: found.value,
    normalized: found.normalized,
    type: spec.type,
    box: { ...box, page: ix.page.page, label: field },
    label: label?.text ?? null,
    labelBox: label ? { ...label.box, page: ix.page.page, label: label.text } : null,
    how: found.how,
    score,
  };
}

function labelScore(hit: LabelHit, how: string, source: TextPage['source']): number {
  // An amount under its label on a scan may be the next row's (a receipt's right-hand column drifts with the
  // skew); on a text layer the form's layout is exact.
  if (hit.spec.type === 'money' && how === 'below' && source !== 'text-layer') return 0.7;
  // An address's words run over lines that OCR punctuates its own way; a scan's address is never stated verified.
  if (hit.spec.type === 'address' && source !== 'text-layer') return 0.7;
  let s = hit.rank >= 4 ? 0.95 : hit.rank === 3 ? 0.92 : 0.85;
  if (hit.fuzzy) s -= 0.03;
  if (how === 'below') s -= 0.03;
  // Short generic labels ("No", "To", "Due") bind less surely than "Invoice number".
  if (lettersOf(hit.text).length <= 3) s -= 0.1;
  return s;
}

/** Label-bound candidates of one field on one page. */
function labelled(ix: PageIndex, spec: FieldSpec, dates: readonly DateHit[]): BoundField[] {
  const out: BoundField[] = [];
  for (const hit of findLabels(ix, spec)) {
    const found = valueFor(ix, hit, dates);
    if (!found) continue;
    // Short labels with a weak value are the look-alikes ("No: 28, Jalan ...").
    if (spec.type === 'id' && hit.rank < 3 && !/[A-Za-z].*\d|\d{4}/.test(found.value)) continue;
    const score = labelScore(hit, found.how, ix.page.source);
    const b = bound(ix, spec.field, spec, found, hit, found.implied ? Math.min(score, 0.6) : score);
    (b as BoundField & { rank?: number }).rank = hit.rank;
    out.push(b);
  }
  return out;
}

const rankOf = (b: BoundField) => (b as BoundField & { rank?: number }).rank ?? 0;

const LEGAL =
  /\b(sdn\.?\s*bhd|bhd|berhad|s\/b|ltd|limited|llc|l\.l\.c|inc|incorporated|co|corp|corporation|company|gmbh|plc|pty|llp|enterprise|enterprises|trading|restaurant|restoran|store|stores|mart|supermarket|hardware|services|pharmacy|bakery|cafe|café|hotel|studio|group|holdings|industries|marketing|stationery|machinery|electrical|book|books|s\.a\.|sarl|ag|bv|oy|ab)\b\.?/i;
const NOT_NAME =
  /^(?:tax\s+invoice|invoice|receipt|official\s+receipt|cash\s+(?:sale|bill|receipt)|simplified\s+tax\s+invoice|statement|bill|quotation|delivery\s+order|credit\s+note|welcome|original|copy|duplicate|page\b.*|thank\s+you.*|tel\b.*|fax\b.*|gst\b.*|date\b.*|no\b.*|\W*)$/i;
const STOP_ADDRESS =
  /(?:gst|sst|csi)\s*(?:id|reg|no)|\b(tel|tele|phone|fax|h\/p|hp|email|e-mail|website|www|gst|roc|reg|registration|company\s+no|co\.?\s*no|invoice|receipt|cashier|date|time|bill|table|cash|tax)\b|@|\.com\b|invoice\b/i;
/**
 * The end of an address block beyond STOP_ADDRESS's words: a phone number however OCR spells its label ("T:03-2093
 * 7358", "Te1: 03-…", "+603-9130 2672", "careline: 1800 88 1231") and a date or a time (the receipt's own header).
 */
const STOP_ADDRESS_SHAPE =
  /\+\s?\d{2}|\b\d{2,4}\s?-\s?\d{3,4}\s?\d{3,4}\b|\b\d{3,4}\s\d{2,4}\s\d{4}\b|\b(te[l1]|careline|hotline)\b|^t\s*:|\b\d{1,2}:\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}\b/i;
/** A line holding a date or a time: printed between the issuer's name and the address, it is not the address. */
const DATE_TIME_LINE =
  /\b\d{1,2}:\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}\b/i;
const ADDRESS_LIKE =
  /\b(jalan|jln|lorong|taman|tmn|street|road|avenue|lot\s+\S*\d|lot\s+[a-z][a-z.,]{0,5}\s?\d|no\.?\s*\d+\s*,)|^\d[\d\-/]*\s*,|\b\d{5}\s+[A-Za-z]{3,}/i;
const NOT_ADDRESS_START = /^\(.*\)$|\b(formerly|licensee|known as|branch|outlet|division)\b/i;
/** A registration number after a company's name: "(587969-U)", "273500-U (KSB)", "(139386 X)". */
const TRAILING_REG = /\s*\(?\s*\d[\d\s]{3,}\s*-?\s*[A-Z]\s*\)?(?:\s*\([^)]*\))?\s*$/;
/** A company's legal form (not a trade word like "Restaurant" or "Hardware"). */
const STRONG_LEGAL =
  /\b(sdn\.?\s*bhd|bhd|berhad|s\/b|ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|gmbh|plc|pty|llp)\b/i;
/** A registration number printed after a name, with OCR's misreadings of its digits ("($24101-0)", "(1393S6 X)"). */
const PAREN_REG = /\s*\(([^()]*\d[^()]*)\)?\s*$/;

/** The text less a trailing bracket holding a number ("(519537-X)", "(Co. No: 20154-T)"), not "(M) ..." words. */
function withoutParenReg(text: string): string {
  const m = PAREN_REG.exec(text);
  const inner = m?.[1] ?? '';
  const alnum = inner.replace(/[^A-Za-z0-9]/g, '');
  const digits = inner.replace(/\D/g, '').length;
  if (!m || (digits < 0.4 * alnum.length && !/^\s*(?:co|reg|roc|gst|company)\b/i.test(inner))) return text;
  return text.slice(0, m.index);
}

/** A registration number OCR misread letters into ("8OZTZ5-U"), printed after a legal form ("… SDN BHD 8OZTZ5-U"). */
const MISREAD_REG = /\s+\(?(?=[0-9A-Z]*\d[0-9A-Z]*\d)[0-9A-Z]{5,9}\s*-\s*[A-Z]\)?\s*$/;

function withoutMisreadReg(text: string): string {
  const m = MISREAD_REG.exec(text);
  if (!m) return text;
  const rest = text.slice(0, m.index);
  return /\b(?:bhd|berhad|ltd|limited|inc|corp|s\/b|plc|llc|gmbh)\.?$/i.test(repairLegalForm(rest))
    ? rest
    : text;
}

/**
 * NOTE: a closed vocabulary, not a dictionary: the two words of the Malaysian legal form "Sdn Bhd" with one letter
 * misread in one of them ("SON. BHD.", "SDN EHD", "Sdn DHD") are the form; the other word, read right beside it,
 * says so. The letters take the printed word's case and marks.
 */
function repairLegalForm(text: string): string {
  const words = text.split(' ');
  const core = (w: string) => w.replace(/[.,]+$/, '');
  const cased = (target: string, like: string) =>
    like === like.toUpperCase()
      ? target.toUpperCase()
      : like[0] === like[0]?.toUpperCase()
        ? target[0]?.toUpperCase() + target.slice(1)
        : target;
  for (let i = 0; i + 1 < words.length; i++) {
    const w1 = words[i] ?? '';
    const w2 = words[i + 1] ?? '';
    const c1 = core(w1);
    const c2 = core(w2);
    if (c1.length !== 3 || c2.length !== 3) continue;
    if (levenshtein(c1.toLowerCase(), 'sdn') + levenshtein(c2.toLowerCase(), 'bhd') !== 1) continue;
    words[i] = cased('sdn', c1) + w1.slice(c1.length);
    words[i + 1] = cased('bhd', c2) + w2.slice(c2.length);
  }
  return words.join(' ');
}

function withoutReg(text: string): string {
  let t = text;
  for (let k = 0; k < 2; k++) {
    const next = withoutMisreadReg(withoutParenReg(t).replace(TRAILING_REG, ''));
    if (next === t) break;
    t = next;
  }
  return /[A-Za-z]{2}/.test(t) ? t.trim() : text;
}
const CONTINUATION =
  /^(?:co\.?|\(m\)|sdn\.?|bhd\.?|berhad|s\/b|ltd\.?|limited|inc\.?|llc|corp\.?|corporation|plc|gmbh|llp|pty)(?:\s|$)/i;
const REG_LINE =
  /^\(?[A-Z0-9]{0,4}[\s.-]*\d[\d\s-]{3,}[A-Z]?\)?\.?$|\b(co[.\-\s]*reg|roc|company\s+(?:no|reg)|reg\.?\s*no)\b/i;

interface Seg {
  idx: number[];
  box: Rect;
  text: string;
}

/** The segments of the page, top to bottom (rows of one y, left to right). */
function segments(ix: PageIndex): Seg[] {
  const bySeg = new Map<number, number[]>();
  ix.tokens.forEach((t, i) => {
    const list = bySeg.get(t.seg) ?? [];
    list.push(i);
    bySeg.set(t.seg, list);
  });
  const segs = [...bySeg.values()].map((idx) => ({ idx, box: boxOf(ix, idx), text: textOf(ix, idx) }));
  // Rows by their middles; pieces of one row (side by side, overlapping in height) left to right. On a skewed
  // scan the lines above and below overlap a line by half, but they lie across it, not beside it.
  const mid = (r: Rect) => (r.y0 + r.y1) / 2;
  segs.sort((a, b) => mid(a.box) - mid(b.box));
  const rows: Seg[][] = [];
  for (const s of segs) {
    const row = rows[rows.length - 1];
    const side = row?.every((o) => o.box.x1 <= s.box.x0 + 1 || s.box.x1 <= o.box.x0 + 1);
    if (row && row[0] && side && vOverlap(row[0].box, s.box) > 0.5) row.push(s);
    else rows.push([s]);
  }
  return rows.flatMap((r) => r.sort((a, b) => a.box.x0 - b.box.x0));
}

/** "Segi Cash & Carry Sdn Bhd": a wholesaler's trade name, not a payment line's "cash". */
const CASH_AND_CARRY = /\bcash\s*(?:&|and|n)\s*carry\b/gi;
/** A registration or tax number: a run of 7+ digits no phone shape explains ("002643278-A", "000342237184"). */
const LONG_NUMBER = /(?<![\d-])\d{7,}(?![\d-]\d)/;
/**
 * A line of the header that ends the address for good: a label of the receipt's body or an amount (a unit
 * number after "Lot", "Unit", "Level" is no amount: "Unit 2.05").
 */
const BODY_LINE =
  /\b(invoice|receipt|cashier|table|bill|order|date|time|qty|description|item|member|slip|counter|pos|terminal|trans)\b|(?<!\b(?:lot|unit|no|level|suite|blk|block|aras|tingkat)\.?\s*)(?<![\w.])\d+\.\d{2}(?![\d,])/i;
/** Lines before the address that do not end the search for it: the company's and its tax registration. */
const PRE_ADDRESS =
  /(?:gst|sst|csi|tax)\s*(?:id|reg|ref|no)|\b(roc|reg|registration|company|co\.?\s*no|gst)\b/i;
/**
 * A postcode ("81100 Johor Bahru", "Damansara.47301"); a lot or house number ("PT17920", "P.T. 33198", "Lot
 * 12345") is not one.
 */
const POSTCODE = /(?<![\w\-/])(?<!\b(?:pt|p\.\s?t|lot|no)[.\s]*)\d{5}(?![\d-])/i;
/** A postcode with its town after it on the line; a postcode ending its line has the town on the next. */
const POSTCODE_TOWN = new RegExp(`${POSTCODE.source}[\\s,.]+[A-Za-z]{2,}`, 'i');
/** A line a postcode completes: a US state and ZIP ("Denver, CO 80202"), a UK postcode ("Leeds LS1 4AP"). */
const POSTCODE_END = /\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\s*[.,]?$|\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b/;
/** Words a state, region or country line is made of, printed under the postcode line. */
const STATE_WORDS = [
  ...(
    "johor selangor darul ehsan takzim ta'zim makmur aman ridzuan khusus naim kedah kelantan melaka malacca " +
    'negeri sembilan pahang perak perlis pulau pinang penang sabah sarawak terengganu kuala lumpur labuan ' +
    'putrajaya wilayah persekutuan malaysia singapore usa united states kingdom'
  ).split(' '),
];
const STATE_SHORT = new Set(['kl', 'jb', 'wp', 'w.p', 'd.e', 'de', 'pj', 'uk', 'u.s.a', 'us']);

function stateWord(w: string): boolean {
  if (STATE_SHORT.has(w)) return true;
  // OCR's misreadings of a long word ("Setangor", "Selandor"), and two words run together ("darulehsan").
  return (
    w.length >= 4 &&
    STATE_WORDS.some(
      (s) =>
        levenshtein(w, s) <= (s.length >= 5 ? 1 : 0) ||
        STATE_WORDS.some((t) => levenshtein(w, s + t) <= 1 && w.length >= 8),
    )
  );
}

/**
 * A line that continues an address past its postcode line: the state or country ("Selangor Darul Ehsan.",
 * "Cameron Highlands, Pahang", "Malaysia"), another address line ("Jalan Kapar, …" under a lot number), or a
 * chain's branch code line ("1181-TMN SRI SINAR", kept with the address by the receipts' keys).
 */
function continuesAddress(text: string): boolean {
  if (/^\d{3,4}\s*-\s*[A-Za-z]/.test(text.trim()) || ADDRESS_LIKE.test(text)) return true;
  const words = text
    .toLowerCase()
    .split(/[\s,]+/)
    .map((w) => w.replace(/^[.,;:]+|[.,;:]+$/g, ''))
    .filter((w) => w.length > 0);
  const lastWord = words[words.length - 1];
  return !!lastWord && (stateWord(lastWord) || words.every(stateWord));
}

/**
 * The address block under the issuer's name: runs of lines between the registration and tax lines (skipped) up
 * to a phone, e-mail, label or amount; the first run that looks like an address (an address word, a postcode, a
 * house number) wins over a branch name or a tagline above it. It ends on the postcode line, or the state and
 * country lines right under it; a branch or mall name, "CARRY OUT" printed below is not the address. Lines are
 * joined with one space, each keeping its own punctuation.
 */
function addressBlock(ix: PageIndex, segs: readonly Seg[], last: number, vBox: Rect): BoundField | null {
  const h = heightOf(ix, vBox);
  const blocks: Seg[][] = [];
  let rows: Seg[] = [];
  let bottom = vBox.y1;
  let lines = 0;
  let ended = false;
  let placeOnly: Seg | null = null;
  const close = () => {
    if (rows.length > 0) blocks.push(rows);
    rows = [];
  };
  for (let k = last + 1; k < segs.length && lines < 12 && !ended; k++) {
    const s = segs[k];
    if (!s) continue;
    if (s.box.x1 < vBox.x0 - 2 * h || s.box.x0 > vBox.x1 + 2 * h) continue;
    if (s.box.y0 - bottom > 2.5 * h) break;
    lines++;
    bottom = Math.max(bottom, s.box.y1);
    const text = s.text.trim();
    // A piece of the last line's own row ("53300 KL      Site 1066") stays with it.
    const prevRow = rows[rows.length - 1];
    if (
      prevRow &&
      vOverlap(prevRow.box, s.box) > 0.5 &&
      s.box.x0 >= prevRow.box.x1 - 1 &&
      !STOP_ADDRESS_SHAPE.test(text) &&
      !STOP_ADDRESS.test(text) &&
      !BODY_LINE.test(text) &&
      !LONG_NUMBER.test(text)
    ) {
      rows.push(s);
      continue;
    }
    // Registration and tax numbers, "formerly known as …", a date: between the name and the address or
    // between a branch's name and its address; they end a run of lines, not the search.
    if (REG_LINE.test(text) || PRE_ADDRESS.test(text) || LONG_NUMBER.test(text)) {
      close();
      continue;
    }
    if (rows.length === 0 && (NOT_ADDRESS_START.test(text) || DATE_TIME_LINE.test(text))) continue;
    // A tagline before the address: no digit, no address word, no comma ending it. One with a comma inside
    // ("USJ Summit, Subang (SS)") is the address when no line with an address's signs follows.
    if (rows.length === 0 && !/\d/.test(text) && !ADDRESS_LIKE.test(text) && !/,$/.test(text)) {
      if (/[A-Za-z]{2},\s+[A-Za-z]{2}/.test(text)) placeOnly = s;
      continue;
    }
    const shape = STOP_ADDRESS_SHAPE.exec(text);
    if (STOP_ADDRESS.test(text.replace(CASH_AND_CARRY, '')) || BODY_LINE.test(text) || shape) {
      // A phone or a date printed on the address's last line ends the address there, not the line before it.
      if (shape && rows.length > 0) {
        const keep = s.idx.filter((i) => {
          const at = text.indexOf(ix.tokens[i]?.text ?? '\u0000');
          return at >= 0 && at + (ix.tokens[i]?.text.length ?? 0) <= shape.index;
        });
        if (keep.length > 0 && /\d/.test(textOf(ix, keep)) && /[A-Za-z]{2}/.test(textOf(ix, keep)))
          rows.push({ idx: keep, box: boxOf(ix, keep), text: textOf(ix, keep) });
      }
      // An amount or a label at the end of a row makes the whole row the body's ("22241 NS CUT SCISSORS  18.00").
      if (BODY_LINE.test(text) && !shape)
        while (rows.length > 0 && vOverlap(rows[rows.length - 1]?.box ?? s.box, s.box) > 0.5) rows.pop();
      close();
      ended = true;
      break;
    }
    // After the postcode line (the town's line when the postcode ends its line) only the state or country
    // continues the address; a piece of the postcode line's own row stays with it ("53300 KL    Site 1066").
    const pc = rows.findIndex((r) => POSTCODE_TOWN.test(r.text) || POSTCODE_END.test(r.text));
    const pcEnd = rows.findIndex((r) => POSTCODE.test(r.text));
    const endRow = pc >= 0 ? rows[pc] : pcEnd >= 0 ? rows[pcEnd + 1] : undefined;
    const open = /,$/.test(rows[rows.length - 1]?.text.trim() ?? '');
    if (endRow && !open && !continuesAddress(text)) {
      close();
      ended = true;
      break;
    }
    rows.push(s);
    if (rows.length >= 6) break;
  }
  close();
  const strong = (b: Seg[]) =>
    b.some(
      (r) => ADDRESS_LIKE.test(r.text) || POSTCODE.test(r.text) || /^(?:no\b|lot\b)/i.test(r.text.trim()),
    );
  const pick =
    blocks.find(strong) ??
    blocks.find((b) => b.some((r) => /\d/.test(r.text))) ??
    (placeOnly ? [placeOnly] : undefined);
  if (!pick) return null;
  const idx = pick.flatMap((r) => r.idx);
  return {
    field: 'address',
    value: pick.map((r) => r.text).join(' '),
    normalized: null,
    type: 'address',
    box: { ...boxOf(ix, idx), page: ix.page.page, label: 'address' },
    label: null,
    labelBox: null,
    how: 'position',
    score: 0.6,
  };
}

/** The issuing company (largest, top-most name-like line) and the address block under it. */
function vendorAndAddress(ix: PageIndex): { vendor: BoundField | null; address: BoundField | null } {
  const segs = segments(ix).filter((s) => s.box.y0 < ix.page.height * 0.4);
  const vendorSpec = specOf('vendor');
  const addressSpec = specOf('address');
  if (!vendorSpec || !addressSpec) return { vendor: null, address: null };
  const nameLike = (s: Seg) => {
    // The name without a registration number printed after it ("99 SPEED MART S/B (519537-X)", "… Sdn Bhd (Co.
    // No: 20154-T)"): the number's words are not the name's.
    const text = withoutReg(s.text);
    return (
      /[A-Za-z]{2}/.test(text) &&
      !ADDRESS_LIKE.test(text) &&
      !/\b(thank|goods sold|welcome|ref\.?\s*no|receipt|invoice|cashier|table|feedback|complaint)\b/i.test(
        text,
      ) &&
      (text.match(/[A-Za-z]/g)?.length ?? 0) >= 3 &&
      !NOT_NAME.test(text.trim()) &&
      !STOP_ADDRESS.test(text.replace(CASH_AND_CARRY, '')) &&
      // A name starts with a letter; "99 SPEED MART S/B" with a legal form is a name too.
      // A registration number printed after it says so too when OCR misread the form ("99 SFEEO MRRT 5/9 (519S37-X)").
      (!/^\d/.test(text.trim()) || STRONG_LEGAL.test(text) || (text !== s.text.trim() && /\(/.test(s.text)))
    );
  };
  const firstName = segs.findIndex(nameLike);
  if (firstName < 0) return { vendor: null, address: null };
  // A line with a legal form among the first few name-like lines wins ("... SDN BHD" under a logo's words); a
  // company's form ("Sdn Bhd", "Ltd") over a trade word ("Restaurant", "Hardware"): the brand printed above the
  // company that issues the receipt is not the issuer (28 of the 29 SROIE receipts printing both are keyed so).
  let vi = firstName;
  let legal = false;
  const h0 = heightOf(ix, segs[firstName]?.box ?? { x0: 0, y0: 0, x1: 0, y1: ix.h });
  // The other pieces of a printed row OCR cut at wide letter spacing ("CO.   (M)   SDN   BHD", "THE  MARCO POLO").
  const rowMates = (k: number): number[] => {
    const out: number[] = [];
    let cur = segs[k];
    for (let n = k + 1; n < segs.length && cur; n++) {
      const s = segs[n];
      if (!s || vOverlap(s.box, cur.box) < 0.5 || s.box.x0 < cur.box.x1 || s.box.x0 - cur.box.x1 > 6 * h0)
        break;
      if (!/^[A-Za-z(&.'\-\s)]+$/.test(s.text) || STOP_ADDRESS.test(s.text) || s.text.split(' ').length > 3)
        break;
      out.push(n);
      cur = s;
    }
    return out;
  };
  const rowText = (k: number) => [k, ...rowMates(k)].map((n) => segs[n]?.text ?? '').join(' ');
  // The name lines before the address starts (a company printed lower down is a branch's, a customer's).
  const window: number[] = [];
  for (let k = firstName; k < segs.length && window.length < 4; k++) {
    const s = segs[k];
    if (!s) continue;
    const above = segs[window[window.length - 1] ?? -1]?.box;
    const addressLine =
      ADDRESS_LIKE.test(s.text) || /^(?:no\b|lot\b)/i.test(s.text.trim()) || STOP_ADDRESS_SHAPE.test(s.text);
    // The address block under a name ends the names (scribbles and stamps beside the header do not).
    if (addressLine && above && s.box.y0 >= above.y1 - 0.5 * h0) break;
    if (addressLine) continue;
    const mates = rowMates(k);
    k += mates.length;
    if (!nameLike({ ...s, text: rowText(k - mates.length) })) continue;
    window.push(k - mates.length);
  }
  const strong = window.find((k) => STRONG_LEGAL.test(withoutReg(rowText(k))));
  const weak = window.find((k) => LEGAL.test(rowText(k)));
  if (strong !== undefined || weak !== undefined) {
    vi = strong ?? weak ?? firstName;
    legal = true;
  }
  // Without a legal form, the issuer is the name line the address block starts under (registration numbers
  // between them): a receipt's top may hold a handwritten note or a logo OCR read as words.
  if (!legal) {
    // An address's lines end with commas ("S117, SECOND FLOOR," / "AEON TEBRAU CITY," / "1, JALAN …"): a line
    // ending with one is the address's, not the issuer's name.
    const startsAddress = (t: string) =>
      ADDRESS_LIKE.test(t) || /^(?:no\b|lot\b|\d)/i.test(t.trim()) || /[A-Za-z\d],$/.test(t.trim());
    for (let k = firstName; k < Math.min(segs.length, firstName + 6); k++) {
      const s = segs[k];
      // A spaced-out name row ("F IVE  ST AR  CASH & CARRY") is one row: the next line is under its last piece.
      if (!s) continue;
      const mates = rowMates(k);
      const row = { ...s, text: rowText(k) };
      if (!nameLike(row) || /\d/.test(row.text) || /,$/.test(row.text.trim())) {
        k += mates.length;
        continue;
      }
      let n = k + mates.length + 1;
      while (n < segs.length && n <= k + mates.length + 2 && REG_LINE.test(segs[n]?.text.trim() ?? '')) n++;
      const next = segs[n];
      if (next && startsAddress(next.text) && !STOP_ADDRESS.test(next.text)) {
        vi = k;
        break;
      }
    }
  }
  const v = segs[vi];
  if (!v) return { vendor: null, address: null };
  let vIdx = [...v.idx];
  let last = vi;
  for (const n of rowMates(vi)) {
    vIdx = [...vIdx, ...(segs[n]?.idx ?? [])];
    last = n;
  }
  let vBox = boxOf(ix, vIdx);
  const near = (a: Rect, b: Rect) => b.y0 - a.y1 < 1.2 * heightOf(ix, a) && b.y0 > a.y0;
  // A name broken over lines: "HOME MASTER HARDWARE &" / "ELECTRICAL", "… ENTERPRISE (SETIA" / "ALAM) SDN BHD",
  // "POPULAR BOOK" / "CO. (M) SDN BHD"; and a line that starts with the legal form continues the one above.
  const open = (t: string) =>
    /(?:&|\band|-|,)$/i.test(t.trim()) || (t.match(/\(/g)?.length ?? 0) > (t.match(/\)/g)?.length ?? 0);
  // Upwards: "AIK HUAT HARDWARE" / "ENTERPRISE (SETIA" / "ALAM) SDN BHD" is one name, chosen by its last line.
  for (let k = vi - 1, up = 0; k >= firstName && up < 2; k--, up++) {
    const prev = segs[k];
    if (!prev || prev.box.x0 > vBox.x1) break;
    const curText = textOf(ix, vIdx);
    if (!nameLike(prev) || !near(prev.box, vBox) || /\d/.test(prev.text)) break;
    if (!open(prev.text) && LEGAL.exec(curText)?.index !== 0) break;
    vIdx = [...prev.idx, ...vIdx];
    vBox = boxOf(ix, vIdx);
  }
  for (let k = last + 1; k < Math.min(segs.length, last + 3); k++) {
    const next = segs[k];
    const cur = segs[last];
    if (
      !next ||
      !cur ||
      !near(cur.box, next.box) ||
      !/[A-Za-z]{2}/.test(next.text) ||
      STOP_ADDRESS.test(next.text)
    )
      break;
    const joinIt =
      open(textOf(ix, vIdx)) ||
      (next.text.length <= 30 && CONTINUATION.test(next.text.trim()) && LEGAL.test(next.text));
    if (!joinIt || ADDRESS_LIKE.test(next.text)) break;
    vIdx = [...vIdx, ...next.idx];
    last = k;
    for (const n of rowMates(k)) {
      vIdx = [...vIdx, ...(segs[n]?.idx ?? [])];
      last = n;
    }
    k = last;
    if (LEGAL.test(textOf(ix, vIdx))) legal = true;
  }
  vBox = boxOf(ix, vIdx);
  // The name without the registration number printed after it: keep the words the cut text still covers.
  const full = textOf(ix, vIdx);
  const cut = withoutReg(full);
  const trimmed = cut.length < full.length && /[A-Za-z]{2}/.test(cut);
  if (trimmed) {
    let len = 0;
    const kept: number[] = [];
    for (const i of vIdx) {
      if (len >= cut.length) break;
      kept.push(i);
      len += (ix.tokens[i]?.text ?? '').length + 1;
    }
    vIdx = kept;
    vBox = boxOf(ix, vIdx);
  }
  // A name never ends with a colon: one after it is a speck OCR read ("Pioneer Kitchen Inc.:").
  const vendorText = repairLegalForm((trimmed ? cut.trim() : full).replace(/\s*[:;]+$/, ''));
  const vendor: BoundField = {
    field: 'vendor',
    value: vendorText,
    normalized: null,
    type: 'name',
    box: { ...vBox, page: ix.page.page, label: 'vendor' },
    label: null,
    labelBox: null,
    how: 'position',
    // Position binds the issuer; on a scan the words themselves may be misread (C0 for CO), and nothing on
    // the page checks a name, so only a text layer's name at the top with a legal form is stated verified.
    score: legal && vi === firstName && ix.page.source === 'text-layer' ? 0.82 : 0.6,
  };
  const address = addressBlock(ix, segs, last, vBox);
  return { vendor, address };
}

function sameValue(a: BoundField, b: BoundField): boolean {
  return (a.normalized ?? a.value.toLowerCase()) === (b.normalized ?? b.value.toLowerCase());
}

/** Demotes a pick that another candidate of equal or better label contradicts. */
function contested(pick: BoundField, rest: readonly BoundField[]): boolean {
  return rest.some((c) => rankOf(c) >= rankOf(pick) && !sameValue(c, pick));
}

function moneyValue(b: BoundField | undefined): number | null {
  return b?.normalized ? Number(b.normalized) : null;
}

/** Cash tendered or change given, whichever sign the till prints it with ("Cash -300.00"). */
function tendered(b: BoundField | undefined): number | null {
  const v = moneyValue(b);
  return v === null ? null : Math.abs(v);
}

/** The amount paid: the final total (after rounding), corroborated by cash − change or subtotal + tax. */
function pickTotal(
  ixs: readonly PageIndex[],
  cands: BoundField[],
  extra: Map<FieldKind, BoundField[]>,
): BoundField[] {
  // A rounding line: the first total printed below it is the amount paid. A tax summary table ("GST Summary")
  // has a "Total" row of its own that is not the amount paid.
  const roundingY = new Map<number, number>();
  const summaryY = new Map<number, number>();
  for (const ix of ixs)
    ix.tokens.forEach((t, i) => {
      // The adjustment line ("Rounding Adj", "Rounding Adjustment"), not a "Rounding" or "Rounded" total.
      const next = ix.tokens[i + 1];
      const adj =
        /^(adj|adjustment|adjusment)$/.test(t.letters) ||
        (/^round/.test(t.letters) && next?.line === t.line && /^ad/.test(next.letters));
      if (adj) roundingY.set(ix.page.page, Math.max(roundingY.get(ix.page.page) ?? -1, t.box.y0));
      if (t.letters === 'summary' || t.letters === 'analysis')
        summaryY.set(ix.page.page, Math.min(summaryY.get(ix.page.page) ?? Infinity, t.box.y0));
    });
  // "Rounding RM 45.35" under "Rounding Adjustment .01" is the rounded total; "Rounding 0.00" alone is not.
  cands = cands.filter((b) => {
    if (!/^round/.test(lettersOf(b.label ?? ''))) return true;
    const y = roundingY.get(b.box.page);
    return y !== undefined && b.box.y0 > y + 1;
  });
  if (cands.length === 0) return unlabelledTotal(ixs, extra);
  const firstBelow = new Map<number, BoundField>();
  for (const b of [...cands].sort((a, b2) => a.box.y0 - b2.box.y0)) {
    const y = roundingY.get(b.box.page);
    if (y !== undefined && b.box.y0 > y + 1 && !firstBelow.has(b.box.page)) firstBelow.set(b.box.page, b);
  }
  const after = (b: BoundField) => (firstBelow.get(b.box.page) === b ? 1 : 0);
  const inSummary = (b: BoundField) => (b.box.y0 > (summaryY.get(b.box.page) ?? Infinity) ? 1 : 0);
  const cash = extra.get('cash' as FieldKind)?.[0];
  const change = extra.get('change' as FieldKind)?.[0];
  const sub = extra.get('subtotal')?.[0];
  const tax = extra.get('tax')?.[0];
  const paid = (b: BoundField) => {
    const v = moneyValue(b);
    const c = tendered(cash);
    const ch = tendered(change);
    return v !== null && c !== null && ch !== null && Math.abs(c - ch - v) < 0.005;
  };
  const corroborated = (b: BoundField) => {
    const v = moneyValue(b);
    if (v === null) return false;
    if (paid(b)) return true;
    const s = moneyValue(sub);
    const t = moneyValue(tax);
    return s !== null && t !== null && Math.abs(s + t - v) < 0.005;
  };
  // The total under the rounding line that a total above it rounds to (within 5 sen) is the amount paid, whatever
  // the wording of the one above ("Total (Inclusive of GST) 31.02" / "Rounding Adj -0.02" / "TOTAL: 31.00").
  const roundsTo = (b: BoundField) => {
    const v = moneyValue(b);
    const y = roundingY.get(b.box.page);
    return (
      after(b) === 1 &&
      v !== null &&
      cands.some((c) => {
        const cv = moneyValue(c);
        return (
          c.box.page === b.box.page &&
          y !== undefined &&
          c.box.y0 < y &&
          cv !== null &&
          cv !== v &&
          Math.abs(cv - v) <= 0.05 + 1e-9
        );
      })
    );
  };
  const key = (b: BoundField) =>
    rankOf(b) + after(b) * 1.5 + (roundsTo(b) ? 1.5 : 0) + (corroborated(b) ? 0.5 : 0) - inSummary(b) * 3;
  const sorted = [...cands].sort(
    (a, b) => key(b) - key(a) || (moneyValue(b) ?? 0) - (moneyValue(a) ?? 0) || b.box.page - a.box.page,
  );
  const pick = sorted[0];
  if (!pick) return sorted;
  // Every total label bound sits under the payment lines (a tax summary's "Net Amt", the total's own amount
  // not read): the amount paid is the one cash − change comes to, printed above them. Arithmetic, so found.
  const cashRow = cash && cash.box.page === pick.box.page ? cash.box : null;
  if (cashRow && !paid(pick) && sorted.every((c) => c.box.page !== cashRow.page || c.box.y0 > cashRow.y1)) {
    const byCash = unlabelledTotal(ixs, extra)[0];
    if (byCash && byCash.box.y1 <= cashRow.y0 + 1)
      return [
        { ...byCash, score: Math.min(byCash.score, 0.7) },
        { ...pick, score: Math.min(pick.score, 0.6) },
        ...sorted.slice(1),
      ];
  }
  if (inSummary(pick)) return [{ ...pick, score: Math.min(pick.score, 0.6) }, ...sorted.slice(1)];
  const rivals = sorted.slice(1).filter((c) => key(c) >= key(pick) - 0.25 && !sameValue(c, pick));
  let score = pick.score;
  if (corroborated(pick)) score = Math.max(score, 0.9);
  else if (rivals.length > 0) score = Math.min(score, 0.65);
  // An amount paid of nothing, or far below the subtotal, is a misread row, not a total to stand behind.
  const pv = moneyValue(pick) ?? 0;
  const sv = moneyValue(sub);
  if (pv <= 0 || (sv !== null && pv < sv * 0.5)) score = Math.min(score, 0.6);
  // A rounding line printed below the total ("Rounding Adj", "Rounding"): the total may be the amount before
  // rounding, which subtotal + tax adds up to as well; only cash − change shows what was paid.
  // Rows compared by their middles: OCR's boxes of adjacent rows touch.
  const row = pick.labelBox ?? pick.box;
  const mid = (r: Rect) => (r.y0 + r.y1) / 2;
  const roundingBelow = ixs.some(
    (ix) =>
      ix.page.page === pick.box.page &&
      ix.tokens.some((t) => /^round/.test(t.letters) && mid(t.box) > mid(row) + 0.5 * (row.y1 - row.y0)),
  );
  if (roundingBelow && !paid(pick)) score = Math.min(score, 0.65);
  const ry = roundingY.get(pick.box.page);
  if (ry !== undefined && pick.box.y1 < ry && !corroborated(pick)) {
    // The total is printed above a rounding adjustment and no total below it was bound: the amount paid is the
    // unlabelled amount under the adjustment that differs from the total by at most a rounding step.
    const ix = ixs.find((p) => p.page.page === pick.box.page);
    const v = moneyValue(pick);
    if (ix && v !== null) {
      const h = heightOf(ix, pick.box);
      for (let i = 0; i < ix.tokens.length; i++) {
        const t = ix.tokens[i];
        if (!t || t.box.y0 < ry + 0.5 * h || t.box.y0 > ry + 3 * h || t.box.x1 < pick.box.x0 - 3 * h)
          continue;
        const m = parseMoney(t.text);
        const d = m ? Math.abs(Number(m.normalized) - v) : Infinity;
        if (m && d > 0.001 && d <= 0.05 + 1e-9) {
          const rounded: BoundField = {
            ...pick,
            value: m.value,
            normalized: m.normalized,
            box: { ...t.box, page: pick.box.page, label: 'total' },
            how: 'rounded',
            // Arithmetic alone, no label: the amount paid more often than not, but not proof of it.
            score: 0.7,
          };
          return [rounded, { ...pick, score: Math.min(score, 0.6) }, ...sorted.slice(1)];
        }
      }
    }
    // A total above the rounding line may not be the amount paid.
    score = Math.min(score, 0.65);
  }
  return [{ ...pick, score }, ...sorted.slice(1)];
}

/**
 * No total label could be read (OCR cut "Total" to "al" or "Fay", or the label is one no table lists): the amount
 * paid is the amount printed right under the rounding line ("Rounding Adj 0.02" over "599.45"), else the amount
 * that cash − change comes to. Arithmetic and position without a label: found, unless cash − change agrees.
 */
function unlabelledTotal(ixs: readonly PageIndex[], extra: Map<FieldKind, BoundField[]>): BoundField[] {
  const c = tendered(extra.get('cash' as FieldKind)?.[0]);
  const ch = tendered(extra.get('change' as FieldKind)?.[0]);
  const paid = c !== null && ch !== null && c - ch > 0 ? c - ch : null;
  const make = (ix: PageIndex, i: number, how: string, score: number): BoundField | null => {
    const t = ix.tokens[i];
    const m = t ? parseMoney(t.text) : null;
    if (!t || !m) return null;
    return {
      field: 'total',
      value: m.value,
      normalized: m.normalized,
      type: 'money',
      box: { ...t.box, page: ix.page.page, label: 'total' },
      label: null,
      labelBox: null,
      how,
      score,
    };
  };
  for (const ix of ixs) {
    for (let i = 0; i < ix.tokens.length; i++) {
      const r = ix.tokens[i];
      if (!r || !/^round/.test(r.letters)) continue;
      // An adjustment's own amount is a few cents (or none was read); "Rounded Total 45.35" is a total's line.
      const own = rightOf(ix, r.box)
        .map((j) => parseMoney(ix.tokens[j]?.text ?? ''))
        .find((m) => m !== null);
      if (own && Math.abs(Number(own.normalized)) > 0.1) continue;
      const h = heightOf(ix, r.box);
      let best = -1;
      for (let j = 0; j < ix.tokens.length; j++) {
        const t = ix.tokens[j];
        if (!t || t.box.x0 < r.box.x1 || t.box.y0 < r.box.y1 - 0.3 * h || t.box.y0 > r.box.y1 + 2.5 * h)
          continue;
        const m = parseMoney(t.text);
        if (!m || Number(m.normalized) <= 0) continue;
        if (best < 0 || t.box.y0 < (ix.tokens[best]?.box.y0 ?? Infinity)) best = j;
      }
      if (best < 0) continue;
      const v = Number(parseMoney(ix.tokens[best]?.text ?? '')?.normalized);
      const b = make(ix, best, 'under rounding', paid !== null && Math.abs(paid - v) < 0.005 ? 0.85 : 0.7);
      if (b) return [b];
    }
  }
  if (paid === null) return [];
  const cashBox = extra.get('cash' as FieldKind)?.[0]?.box;
  for (const ix of ixs)
    for (let i = 0; i < ix.tokens.length; i++) {
      const t = ix.tokens[i];
      const m = t ? parseMoney(t.text) : null;
      if (!t || !m || Math.abs(Number(m.normalized) - paid) >= 0.005) continue;
      if (cashBox && cashBox.page === ix.page.page && vOverlap(cashBox, t.box) > 0.5) continue;
      const b = make(ix, i, 'cash − change', 0.7);
      if (b) return [b];
    }
  return [];
}

const CASH: FieldSpec = {
  field: 'cash' as FieldKind,
  type: 'money',
  labels: [
    { text: 'cash', rank: 2 },
    { text: 'cash tendered', rank: 3 },
    { text: 'tendered', rank: 2 },
    { text: 'paid', rank: 2 },
    { text: 'amount paid', rank: 3 },
    { text: 'amount tendered', rank: 3 },
  ],
  notAfter: [],
  notBefore: [],
};
const CHANGE: FieldSpec = {
  field: 'change' as FieldKind,
  type: 'money',
  labels: [
    { text: 'change', rank: 2 },
    { text: 'change due', rank: 3 },
    { text: 'balance change', rank: 3 },
  ],
  notAfter: [],
  notBefore: [],
};

function strip(b: BoundField): BoundField {
  const { rank: _rank, ...rest } = b as BoundField & { rank?: number };
  return rest;
}

/**
 * A scanned date whose parts are split by different marks ("24 Mar-2018" for a printed 24-MAR-2018) is one OCR
 * misread a mark of; it may have misread more, so it is not stated verified. "Mar 24, 2018" is one style.
 */
function misreadDate(text: string, pages: readonly TextPage[], page: number): boolean {
  if (pages.find((p) => p.page === page)?.source === 'text-layer') return false;
  const marks = new Set(
    (text.match(/[^A-Za-z0-9]+/g) ?? []).filter((m) => !m.includes(',')).map((m) => m.trim() || ' '),
  );
  return marks.size > 1;
}

/**
 * A misread date's text with its one other mark for the space OCR read in place of it ("24 Mar-2018" is printed
 * 24-Mar-2018: a date does not mix a space with a dash or slash between its parts). Others are left as read.
 */
function dateMarksRepaired(text: string): string {
  const m =
    /^(\d{1,2}) ([A-Za-z]{3,9}|\d{1,2})([-/.])(\d{2,4})$/.exec(text) ??
    /^(\d{1,2})([-/.])([A-Za-z]{3,9}|\d{1,2}) (\d{2,4})$/.exec(text);
  if (!m) return text;
  const mark = /[-/.]/.test(m[3] ?? '') ? m[3] : m[2];
  return text.replace(' ', mark ?? ' ');
}

/** Every field's candidates on the pages, best first (the first of each list is the binding). */
export function bindCandidates(ctx: BindContext): Map<FieldKind, BoundField[]> {
  const ixs = ctx.pages.map(indexPage);
  const out = new Map<FieldKind, BoundField[]>();
  const extra = new Map<FieldKind, BoundField[]>();
  for (const spec of [...FIELD_SPECS, CASH, CHANGE]) {
    const list = ixs.flatMap((ix) => labelled(ix, spec, ctx.dates));
    list.sort(
      (a, b) => b.score - a.score || rankOf(b) - rankOf(a) || a.box.page - b.box.page || a.box.y0 - b.box.y0,
    );
    if (spec === CASH || spec === CHANGE) extra.set(spec.field, list);
    else out.set(spec.field, list);
  }
  for (const k of ['subtotal', 'tax'] as const) extra.set(k, out.get(k) ?? []);
  out.set('total', pickTotal(ixs, out.get('total') ?? [], extra));
  // A plain "Total" already bound as the subtotal or the tax is not the total.
  // Unlabelled fields: the issuer at the top of the first page, the only date.
  const first = ixs[0];
  if (first) {
    const { vendor, address } = vendorAndAddress(first);
    if (
      vendor &&
      vendor.score < VERIFIED_SCORE &&
      vendor.value.split(' ').length >= 2 &&
      LEGAL.test(vendor.value)
    ) {
      // A scanned name read the same way twice (the letterhead and the footer, the bank account's name) is
      // not a misreading: two reads agree.
      const again = findPhrase(ctx.pages, vendor.value, { minScore: 1 }).filter(
        // The same characters and spaces, not only the same letters: "LL C" twice is one misreading, twice.
        (m) =>
          m.text === vendor.value &&
          !m.boxes.some((b) => m.page === vendor.box.page && vOverlap(b, vendor.box) > 0.5),
      );
      if (again.length > 0) {
        vendor.score = 0.82;
        vendor.how = 'position, repeated';
      }
    }
    if (vendor) out.set('vendor', [...(out.get('vendor') ?? []), vendor]);
    if (address) {
      // An "Address" label a few lines under a recipient's label ("Bill to", "Customer", "Sold to") is the
      // recipient's address; the question that names no party means the issuer's, the block under its name.
      const recipientSpec = specOf('recipient');
      const recipients = recipientSpec
        ? ixs.flatMap((ix) => findLabels(ix, recipientSpec).map((h) => ({ ...h.box, page: ix.page.page })))
        : [];
      const theirs = (c: BoundField) =>
        !!c.labelBox &&
        recipients.some(
          (r) =>
            r.page === c.labelBox?.page &&
            c.labelBox.y0 > r.y0 &&
            c.labelBox.y0 - r.y1 < 4 * (r.y1 - r.y0) &&
            Math.abs(c.labelBox.x0 - r.x0) < 2 * (r.y1 - r.y0),
        );
      const list = out.get('address') ?? [];
      out.set('address', [...list.filter((c) => !theirs(c)), address, ...list.filter(theirs)]);
    }
  }
  const dateList = out.get('date') ?? [];
  const bindOf = new Set(
    [...(out.get('due_date') ?? [])].map(
      (b) => `${b.box.page}:${Math.round(b.box.x0)}:${Math.round(b.box.y0)}`,
    ),
  );
  const free = ctx.dates.filter(
    (d) =>
      d.precision === 'day' && !bindOf.has(`${d.box.page}:${Math.round(d.box.x0)}:${Math.round(d.box.y0)}`),
  );
  const distinct = new Set(free.map((d) => d.iso));
  for (const d of [...free].sort((a, b) => a.box.page - b.box.page || a.box.y0 - b.box.y0)) {
    const misread = misreadDate(d.text, ctx.pages, d.box.page);
    dateList.push({
      field: 'date',
      value: misread ? dateMarksRepaired(d.text) : d.text,
      normalized: d.iso,
      type: 'date',
      box: { ...d.box, label: 'date' },
      label: null,
      labelBox: null,
      how: distinct.size === 1 ? 'only-date' : 'position',
      score: distinct.size === 1 && !misread ? 0.82 : 0.55,
    });
  }
  out.set('date', dateList);
  // Single-valued fields whose best label is contradicted by another equally good one are only 'found'.
  for (const [field, list] of out) {
    const pick = list[0];
    if (!pick || field === 'total') continue;
    if (
      contested(
        pick,
        list.slice(1).filter((c) => c.label !== null),
      ) &&
      pick.label !== null
    )
      list[0] = { ...pick, score: Math.min(pick.score, 0.65) };
    if (field === 'date' && pick.label === null && dateList.some((c) => c.label !== null)) continue;
  }
  // The currency: a code printed with the total, or the total's own mark.
  const total = out.get('total')?.[0];
  if (total && !(out.get('currency') ?? []).length) {
    const ix = ixs.find((p) => p.page.page === total.box.page);
    if (ix) {
      for (const i of rightOf(ix, {
        ...total.box,
        x0: (total.labelBox?.x0 ?? total.box.x0) - 1,
        x1: (total.labelBox?.x0 ?? total.box.x0) - 1,
      })) {
        const t = ix.tokens[i];
        const code = t ? (currencyCode(t.text) ?? parseMoney(t.text)?.currency ?? null) : null;
        if (t && code) {
          out.set('currency', [
            {
              field: 'currency',
              value: t.text.replace(/^\(|\)$/g, ''),
              normalized: code,
              type: 'text',
              box: { ...t.box, page: ix.page.page, label: 'currency' },
              label: total.label,
              labelBox: total.labelBox,
              how: 'total-row',
              score: 0.85,
            },
          ]);
          break;
        }
      }
    }
  }
  for (const [field, list] of out)
    out.set(
      field,
      list.map((b) => strip(apartCurrency(ixs, b))),
    );
  return out;
}

/**
 * A scanned amount with its currency code printed as a word of its own before it ("RM 8.60"): whether the
 * mark belongs to the value as printed is not something the scan settles (OCR joins or splits "RM 8.60" by the
 * spacing of the print, and receipts' keys are written both ways: in the 150 SROIE receipts, 7 keep such a
 * mark and 7 leave it out, on the same chain's identical layout). The amount is bound, but its text is not
 * stated verified. A mark inside the word ("RM41.45", "$7.60") and a text layer's exact characters are not this.
 */
function apartCurrency(ixs: readonly PageIndex[], b: BoundField): BoundField {
  if (b.type !== 'money' || b.score < VERIFIED_SCORE) return b;
  const ix = ixs.find((p) => p.page.page === b.box.page);
  if (!ix || ix.page.source === 'text-layer') return b;
  const h = heightOf(ix, b.box);
  const apart = ix.tokens.some(
    (t) =>
      /^[A-Za-z]{2,3}$/.test(t.text) &&
      currencyCode(t.text) !== null &&
      t.box.x1 <= b.box.x0 + 0.5 &&
      b.box.x0 - t.box.x1 < 1.5 * h &&
      vOverlap(t.box, b.box) > 0.5,
  );
  return apart ? { ...b, how: `${b.how}, currency apart`, score: Math.min(b.score, 0.75) } : b;
}

/** The best binding of every field the pages hold. */
export function bindAll(pages: readonly TextPage[], dates: readonly DateHit[]): BoundField[] {
  const out: BoundField[] = [];
  for (const list of bindCandidates({ pages, dates }).values()) if (list[0]) out.push(list[0]);
  return out;
}

export function isVerified(b: BoundField | null | undefined): boolean {
  return !!b && b.score >= VERIFIED_SCORE;
}
