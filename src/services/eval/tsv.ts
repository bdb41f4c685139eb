// Reads the tab-separated files VLMEvalKit publishes its benchmarks in (MME, MMBench, SEED-Bench): pandas'
// `to_csv(sep='\t')` output, where a field holding a tab, newline or quote is quoted and its quotes doubled.
// Written by hand: a dozen lines, and the CSV packages in node_modules are only transitive dependencies.

export interface TsvTable {
  header: string[];
  /** Each row as column → text, with the line it starts on (1-based, the header being line 1). */
  rows: { line: number; cells: Record<string, string>; width: number }[];
}

/** Parses TSV text; a row whose field count differs from the header's is kept with `width` telling it. */
export function parseTsv(text: string): TsvTable {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: startLine, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === '\t') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else field += c;
  }
  if (field !== '' || fields.length) endRecord();
  const [head, ...body] = records;
  const header = head?.fields ?? [];
  return {
    header,
    rows: body.map((r) => {
      const cells: Record<string, string> = {};
      header.forEach((h, k) => (cells[h] = r.fields[k] ?? ''));
      return { line: r.line, cells, width: r.fields.length };
    }),
  };
}
