// Which field a freely worded question asks for ("What is the total amount?", "Who is the invoice addressed
// to?", "How much was the logo design?"); null when it asks for no field, so other readers take it.
import type { FieldKind } from '../../shared/domain.js';

export interface FieldQuestion {
  field: FieldKind;
  /** For line items: the item asked about ("logo design"). */
  item?: string;
  /** For line items: the column asked about ("unit price", "qty"); absent for the row's amount. */
  column?: string;
}

/** Words a column of line items is asked by, and the headers that print it. */
const COLUMN_WORDS: ReadonlyArray<[RegExp, string[]]> = [
  [
    /^(?:quantity|qty|number|count|units?|how many(?: \w+)?)$/,
    ['qty', 'quantity', 'units', 'hours', 'hrs', 'no.'],
  ],
  [/^(?:hours|hrs)$/, ['hours', 'hrs', 'qty', 'quantity']],
  [
    /^(?:unit price|unit cost|price per unit|rate|price each|each)$/,
    ['unit price', 'unit cost', 'rate', 'price'],
  ],
];

/** The headers a column question's words may be printed as ("how many" → Qty, Quantity, Hours …). */
export function columnHeaders(column: string): string[] {
  const c = column.trim().toLowerCase();
  for (const [re, headers] of COLUMN_WORDS) if (re.test(c)) return [c, ...headers.filter((h) => h !== c)];
  return [c];
}

const RULES: ReadonlyArray<[FieldKind, RegExp]> = [
  [
    'due_date',
    /\b(due date|date due|payment due|due by|due on|when (?:is|was|are) .*\b(?:due|payable)\b|pay(?:ment)? deadline|deadline)\b/,
  ],
  ['subtotal', /\b(sub-?\s?total|before tax(?:es)?|excl(?:uding|\.)? (?:tax|gst|vat)|net amount|pre-?tax)\b/],
  ['tax', /\b(tax|vat|gst|sst)\b(?!\s*(?:id|no|number|reg))/],
  [
    'total',
    /\b(total|grand total|amount (?:due|payable|paid|to pay|owed|charged)|balance due|how much (?:is|was|do|did|must|should|to)\b(?! .*\b(?:for|of)\b)|what (?:was|is) (?:paid|charged|owed)|final amount|the amount|amount)\b/,
  ],
  [
    'invoice_number',
    /\b((?:invoice|receipt|bill|document|order|reference|ref|statement)\s*(?:number|no\.?|#|id|num)|number of (?:the|this) (?:invoice|receipt|bill))\b/,
  ],
  [
    'recipient',
    /\b(bill(?:ed)? to|invoiced? to|sold to|addressed to|recipient|customer|client|buyer|(?:who|whom) (?:is|was) (?:it|this|the (?:invoice|bill|receipt))\s*(?:for|to|addressed)|who (?:is|was) billed|who pays)\b/,
  ],
  ['address', /\baddress\b/],
  [
    'vendor',
    /\b(company|vendor|seller|supplier|merchant|store|shop|restaurant|business|issuer|issued by|who (?:issued|sent|wrote)|from whom|who is (?:it|the invoice|this) from|sold by)\b/,
  ],
  ['currency', /\bcurrency\b|\bwhich (?:money|currency)\b/],
  [
    'date',
    /\b(date|dated|when (?:was|is) (?:it|this|the (?:invoice|receipt|bill|purchase|document))|when (?:was|did) .*\b(?:issued|bought|purchased|made|paid))\b|\bissued\b/,
  ],
];

/** The field a question asks for, or null. */
export function fieldOfQuestion(question: string): FieldQuestion | null {
  const q = question.trim().toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ');
  if (!q) return null;
  // "How much was the logo design?", "What is the price of X?", "What did X cost?"
  const item =
    /^(?:how much (?:was|is|were|are|did|does|do)(?: the| a| an)? (.+?)(?: cost| charged| billed)?|what (?:is|was|were) the (?:price|cost|amount|charge) (?:of|for)(?: the)? (.+?)|what did (?:the )?(.+?) cost)\s*\??$/.exec(
      q,
    );
  // A column of a line item's row: "What is the unit price of the illustration set?", "How many hours of
  // project management?", "What is the quantity for logo design?".
  const col =
    /^what (?:is|was|are|were) the (.+?) (?:of|for) (?:the |an? )?(.+?)\s*\??$/.exec(q) ??
    /^(how many(?: \w+)?) (?:of|for|in|on) (?:the |an? )?(.+?)\s*\??$/.exec(q);
  if (
    col?.[1] &&
    col[2] &&
    !/^(?:price|cost|amount|charge|total)$/.test(col[1]) &&
    !RULES.some(([, re]) => re.test(col[1] ?? '') || re.test(col[2] ?? '')) &&
    !/^(?:it|this|that|these|those|page|document|invoice|receipt|bill|statement|file)\b/.test(col[2]) &&
    columnHeaders(col[1]).length > 1
  )
    return { field: 'line_item', item: col[2].trim(), column: col[1].replace(/^how many /, '').trim() };
  const itemText = item?.[1] ?? item?.[2] ?? item?.[3];
  if (
    itemText &&
    !RULES.some(([, re]) => re.test(itemText)) &&
    !/^(?:it|this|that|i|we|you|they|the (?:invoice|receipt|bill|total)|total|tax|vat|gst|paid|due|owed|charged|spent|to pay)\b/.test(
      itemText,
    )
  )
    return { field: 'line_item', item: itemText.trim() };
  for (const [field, re] of RULES) {
    if (!re.test(q)) continue;
    // "Date" in "due date" is the due date; "tax" in "total including tax" is the total.
    if (
      field === 'tax' &&
      /\b(total|amount due|grand)\b/.test(q) &&
      /\b(incl|including|with|after)\b/.test(q)
    )
      return { field: 'total' };
    if (
      field === 'address' &&
      /\b(bill(?:ing|ed)?|customer|client|recipient|ship(?:ping)?|deliver\w*)\b/.test(q)
    )
      return { field: 'recipient' };
    return { field };
  }
  return null;
}
