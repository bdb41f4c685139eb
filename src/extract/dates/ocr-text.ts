// OCR reads 2025 as 2O25 and "March 14, 2025" as "March 14. 2025". Before parsing an OCR line, undo the
// confusions that matter for dates, one character for one, so offsets (and so boxes) stay valid and the hit
// keeps the text as OCR read it.

const DIGIT_FOR: Record<string, string> = { O: '0', o: '0', I: '1', l: '1', S: '5', B: '8' };

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const DAY_AFTER_MONTH = new RegExp(`(?<=\\b${MONTH}\\.? )[\\dOoIlSB]{1,2}(?=(?:st|nd|rd|th)?,? )`, 'g');
const DAY_BEFORE_MONTH = new RegExp(
  `(?<![\\p{L}\\d])[\\dOoIlSB]{1,2}(?=(?:st|nd|rd|th)?(?: day)?(?: of)? ${MONTH}\\b)`,
  'gu',
);

/**
 * Replaces letters OCR confuses with digits inside number-like tokens (a run of digits and confusables that
 * holds at least one digit and touches no other letter: "2O25-O3-l4" → "2025-03-14", while "Oct" and
 * "14th" stay), and a full stop OCR read for the comma before a year ("March 14. 2025" → "March 14, 2025").
 * The result has the same length as the input.
 */
export function normaliseOcrText(text: string): string {
  const fix = (run: string) => run.replace(/[OoIlSB]/g, (c) => DIGIT_FOR[c] ?? c);
  return (
    text
      // ISO timestamps: every field but the T and Z ("2O25-O3-14T1O:OO:OOZ").
      .replace(/(?<![\p{L}\d])[\dOoIlSB]{4}-[\dOoIlSB]{2}-[\dOoIlSB]{2}T[\dOoIlSB:.]+(?=Z|[+-]\d|\b)/gu, fix)
      // Numeric dates, where a field may have no digit left ("S/19/99", "O6.OS.2O25").
      .replace(/(?<![\p{L}\d])[\dOoIlSB]{1,4}([/.-])[\dOoIlSB]{1,2}\1[\dOoIlSB]{2,4}(?![\p{L}\d])/gu, fix)
      // Number-like runs, ordinals included ("2O25", "l4th").
      .replace(/(?<![A-Za-z])[\dOoIlSB]*\d[\dOoIlSB]*(?=(?:st|nd|rd|th)?(?![A-Za-z]))/g, fix)
      // A day with no digit left beside a month name ("June S, 2007", "S May 2024", "l4th April").
      .replace(DAY_AFTER_MONTH, fix)
      .replace(DAY_BEFORE_MONTH, fix)
      .replace(/(?<=\d|\d(?:st|nd|rd|th)|[A-Za-z]{3})\.(?= (?:19|20)\d\d(?!\d))/g, ',')
      .replace(COLON_BEFORE_YEAR, ',')
      .replace(STOP_BEFORE_MONTH, ' ')
  );
}

/**
 * A colon or semicolon OCR read for the comma of "October 21, 2022" (nothing prints a colon there), and a stop
 * read for the comma with the space lost ("Aug 21.2020").
 */
const COLON_BEFORE_YEAR = new RegExp(
  `(?<=\\b${MONTH}\\.? \\d{1,2}(?:st|nd|rd|th)?)(?:[:;](?= )|[.:;](?=(?:19|20)\\d\\d(?!\\d)))(?= ?(?:19|20)\\d\\d(?!\\d))`,
  'g',
);
/** A stop OCR read for the space between a day and its month name ("24.October 2020"). */
const STOP_BEFORE_MONTH = new RegExp(`(?<=(?<![\\d.])\\d{1,2})\\.(?=${MONTH}\\b)`, 'g');
const STOP_BEFORE_MONTH_TEXT = new RegExp(`^(\\d{1,2})\\.(${MONTH}\\b)`);
const MISREAD_COMMA = new RegExp(`^(${MONTH}\\.? \\d{1,2}(?:st|nd|rd|th)?)[.:;] ?((?:19|20)\\d\\d)$`);

/**
 * The text of an OCR'd "Month DD, YYYY" date as printed: a full stop, colon or semicolon in the comma's place
 * ("October 21: 2022", "Aug 21.2020" with the space lost too) is OCR's misreading of the comma (no style prints
 * one there), so the comma and its space are put back; a stop read for the space before a month name ("24.October
 * 2020") is the space.
 */
export function printedMonthDate(text: string): string {
  return text.replace(MISREAD_COMMA, '$1, $2').replace(STOP_BEFORE_MONTH_TEXT, '$1 $2');
}
