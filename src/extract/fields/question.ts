// Which field a freely worded question asks for ("What is the total amount?", "Who is the invoice addressed
// to?", "How much was the logo design?"); null when it asks for no field, so other readers take it.
import type { FieldKind } from '../../shared/domain.js';

export interface FieldQuestion {
  field: FieldKind;
  /** For line items: the item asked about ("logo design"). */
  item?: string;
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
  const itemText = item?.[1] ?? item?.[2] ?? item?.[3];
  if (
    itemText &&
    !RULES.some(([, re]) => re.test(itemText)) &&
    !/^(?:it|this|that|the (?:invoice|receipt|bill|total)|total|tax|vat|gst|paid|due|owed|charged|spent|to pay)\b/.test(
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
