// `npm run bench:fields`: the reader engine (no model) answering field questions on real scanned receipts
// (SROIE, ../shared/fixtures/receipts) and on the generated invoices / receipts / forms (digital and scanned,
// scripts/fields-corpus), through the app's own text path (pdf.js text layer, else the bundled OCR). Prints
// per set and field: answered rate, exact match (SROIE rule: equal after trimming), false-verified rate
// (verified but not exactly right), and the goals as met / not met.
// Options (environment): FIELDS_RECEIPTS_DIR=DIR (another set of receipts: DIR/keys.json with id → fields, or
// SROIE's own layout DIR/key/<id>.json; images DIR/img/<id>.jpg|png), FIELDS_RECEIPTS=N (first N receipts),
// FIELDS_GENERATED=N (documents per generated
// set), FIELDS_NO_CACHE=1 (read every file again), FIELDS_SHOW=1 (print each miss).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectLocale, extractDocumentDates } from '../src/extract/dates/index.js';
import { answerWithReader } from '../src/extract/reader/reader.js';
import type { FieldKind } from '../src/shared/domain.js';
import { openTextSource, type TextSource } from './fields-corpus/text-cache.js';

const RECEIPTS = process.env.FIELDS_RECEIPTS_DIR ?? '../shared/fixtures/receipts';

type Key = { company: string; date: string; address: string; total: string };

/** The receipts' keys: one keys.json (id → fields), or SROIE's layout of one key/<id>.json per receipt. */
async function readKeys(dir: string): Promise<Record<string, Key>> {
  try {
    return JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8')) as Record<string, Key>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${join(dir, 'keys.json')}: ${String(e)}`);
  }
  const out: Record<string, Key> = {};
  const names = (
    await readdir(join(dir, 'key')).catch(() => {
      throw new Error(`${dir}: neither keys.json nor a key/ folder of <id>.json files`);
    })
  ).filter((n) => n.endsWith('.json'));
  for (const n of names.sort()) {
    const k = JSON.parse(await readFile(join(dir, 'key', n), 'utf8')) as Partial<Key>;
    out[n.slice(0, -5)] = {
      company: k.company ?? '',
      date: k.date ?? '',
      address: k.address ?? '',
      total: k.total ?? '',
    };
  }
  return out;
}

/** A receipt's image: img/<id>.jpg, else .png or .jpeg. */
function imageOf(dir: string, id: string): string {
  for (const ext of ['jpg', 'png', 'jpeg']) {
    const p = join(dir, 'img', `${id}.${ext}`);
    if (existsSync(p)) return p;
  }
  return join(dir, 'img', `${id}.jpg`);
}
const SHOW = process.env.FIELDS_SHOW === '1';

interface Doc {
  file: string;
  truth: Partial<Record<FieldKind, string>>;
  amountsByValue?: boolean;
}

interface Tally {
  n: number;
  answered: number;
  exact: number;
  verified: number;
  falseVerified: number;
  /** Exact including case. */
  caseExact: number;
  /** Verified and wrong by value (amounts compared as numbers). */
  falseValue: number;
}

function sameAmount(normalized: string | null, truth: string): boolean {
  const t = truth.replace(/[^\d.,-]/g, '').replace(/,(?=\d{3}(?:\D|$))/g, '');
  return normalized !== null && t !== '' && Math.abs(Number(normalized) - Number(t)) < 0.001;
}

const RECEIPT_QUESTIONS: Partial<Record<FieldKind, string>> = {
  total: 'What is the total amount?',
  date: 'What is the date?',
  vendor: 'What is the company name?',
  address: 'What is the address?',
};

async function score(
  src: TextSource,
  set: string,
  docs: readonly Doc[],
  questions: Partial<Record<FieldKind, string>>,
): Promise<Map<FieldKind, Tally>> {
  const out = new Map<FieldKind, Tally>();
  for (const doc of docs) {
    const pages = await src.pages(doc.file);
    const dates = extractDocumentDates(pages, { locale: detectLocale(pages) });
    for (const [field, truth] of Object.entries(doc.truth) as Array<[FieldKind, string]>) {
      const q = questions[field];
      // An empty key is a field the annotators left out: nothing to score.
      if (!q || !truth.trim()) continue;
      const t = out.get(field) ?? {
        n: 0,
        answered: 0,
        exact: 0,
        verified: 0,
        falseVerified: 0,
        caseExact: 0,
        falseValue: 0,
      };
      out.set(field, t);
      t.n++;
      const a = answerWithReader(q, { pages, dates, tables: null, metadataTitle: null });
      const value = a.field?.value.trim() ?? null;
      // SROIE's annotators typed company, address and month names in capitals whatever the print says
      // ("25/Feb/2017" is keyed "25/FEB/2017"), so values compare ignoring case; everything else is exact.
      // Generated pages: an amount is right when its value is (a scan may or may not show a "$" drawn beside it).
      const exact =
        value !== null &&
        (value.toUpperCase() === truth.trim().toUpperCase() ||
          (!!doc.amountsByValue && a.field?.type === 'money' && sameAmount(a.field.normalized, truth)));
      if (value !== null && value === truth.trim()) t.caseExact++;
      if (value !== null) t.answered++;
      if (exact) t.exact++;
      if (a.trust === 'verified') {
        t.verified++;
        if (!exact) t.falseVerified++;
        // The same amount keyed in another format ("RM 8.60" for a printed "8.60", "7838.80" for "7,838.80",
        // "43.7" for "43.70": SROIE's keys are not consistent about these) is a right answer, not a false one.
        if (!exact && !(a.field?.type === 'money' && sameAmount(a.field.normalized, truth))) t.falseValue++;
      }
      if (SHOW && !exact)
        console.log(
          `  ${set} ${doc.file.split('/').pop()} ${field}: ${JSON.stringify(value)} ≠ ${JSON.stringify(truth)} [${a.trust}${a.field ? ` ${a.field.how} ${a.field.label ?? ''}` : ''}]`,
        );
    }
  }
  return out;
}

const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);

interface Goal {
  text: string;
  met: boolean;
}

function report(
  set: string,
  tallies: Map<FieldKind, Tally>,
  exactGoal: (f: FieldKind) => number | null,
  goals: Goal[],
  /** Judge exact-match goals on SROIE's own rule (the key's text, case included) instead of ignoring case. */
  caseSensitiveGoals = false,
): void {
  const judged = (t: Tally) => (caseSensitiveGoals ? t.caseExact : t.exact) / t.n;
  console.log(`\n${set}`);
  console.log(`  field           n  answered   exact  (with case)  verified  false-verified  (by value)`);
  let all: Tally = {
    n: 0,
    answered: 0,
    exact: 0,
    verified: 0,
    falseVerified: 0,
    caseExact: 0,
    falseValue: 0,
  };
  for (const [field, t] of tallies) {
    all = {
      n: all.n + t.n,
      answered: all.answered + t.answered,
      exact: all.exact + t.exact,
      verified: all.verified + t.verified,
      falseVerified: all.falseVerified + t.falseVerified,
      caseExact: all.caseExact + t.caseExact,
      falseValue: all.falseValue + t.falseValue,
    };
    const goal = exactGoal(field);
    const met =
      goal === null
        ? ''
        : `  ${caseSensitiveGoals ? 'with case' : 'exact'} ≥ ${goal.toFixed(2)}: ${judged(t) >= goal ? 'met' : 'NOT MET'}`;
    console.log(
      `  ${field.padEnd(15)}${String(t.n).padStart(3)}  ${pct(t.answered, t.n)}  ${pct(t.exact, t.n)}     ${pct(t.caseExact, t.n)}  ${pct(t.verified, t.n)}  ${pct(t.falseVerified, t.n)}         ${pct(t.falseValue, t.n)}${met}`,
    );
  }
  console.log(
    `  ${'all'.padEnd(15)}${String(all.n).padStart(3)}  ${pct(all.answered, all.n)}  ${pct(all.exact, all.n)}     ${pct(all.caseExact, all.n)}  ${pct(all.verified, all.n)}  ${pct(all.falseVerified, all.n)}         ${pct(all.falseValue, all.n)}`,
  );
  const fv = all.falseVerified / Math.max(1, all.n);
  const fvv = all.falseValue / Math.max(1, all.n);
  goals.push({
    text: `${set}: false-verified ${(100 * fv).toFixed(1)}% (by value ${(100 * fvv).toFixed(1)}%) ≤ 1%`,
    met: fv <= 0.01,
  });
  for (const [field, t] of tallies) {
    const goal = exactGoal(field);
    if (goal !== null)
      goals.push({
        text: `${set}: ${field} ${caseSensitiveGoals ? `exact with case (SROIE's rule) ${judged(t).toFixed(3)}, ignoring case ${(t.exact / t.n).toFixed(3)}` : `exact ${judged(t).toFixed(3)}`} ≥ ${goal.toFixed(2)}`,
        met: judged(t) >= goal,
      });
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const src = await openTextSource({ cache: process.env.FIELDS_NO_CACHE !== '1' });
  const goals: Goal[] = [];
  try {
    const keys = await readKeys(RECEIPTS);
    const limit = Number(process.env.FIELDS_RECEIPTS ?? Infinity);
    const receipts: Doc[] = Object.entries(keys)
      .slice(0, limit)
      .map(([id, k]) => ({
        file: imageOf(RECEIPTS, id),
        truth: { total: k.total, date: k.date, vendor: k.company, address: k.address },
      }));
    const receiptGoal: Partial<Record<FieldKind, number>> = {
      total: 0.9,
      date: 0.9,
      vendor: 0.7,
      address: 0.5,
    };
    report(
      `${process.env.FIELDS_RECEIPTS_DIR ? `receipts in ${RECEIPTS}` : 'SROIE receipts'} (${receipts.length}, OCR)`,
      await score(src, 'receipts', receipts, RECEIPT_QUESTIONS),
      (f) => receiptGoal[f] ?? null,
      goals,
      true,
    );
    const ngen = Number(process.env.FIELDS_GENERATED ?? 24);
    const { writeCorpus, QUESTIONS } = await import('./fields-corpus/generate.js');
    const corpus = ngen === 0 ? [] : await writeCorpus({ docs: ngen });
    for (const set of corpus) {
      const isInvoice = set.name.startsWith('invoices');
      report(
        `generated ${set.name} (${set.docs.length})`,
        await score(
          src,
          set.name,
          set.docs.map((d) => ({ ...d, amountsByValue: true })),
          QUESTIONS,
        ),
        (f) => (isInvoice ? (f === 'address' ? null : 0.97) : null),
        goals,
      );
    }
  } finally {
    await src.close();
  }
  console.log('\nGoals (reader engine, no model):');
  for (const g of goals) console.log(`  ${g.met ? 'met    ' : 'NOT MET'}  ${g.text}`);
  console.log(
    `\n${((performance.now() - t0) / 1000).toFixed(0)} s (${src.misses} files read through the backend, the rest from .cache/fields-text)`,
  );
}

await main();
