import { UserError } from '../errors.js';

/** A CSV header: its fields and the delimiter it uses (comma, semicolon or tab, whichever it has most of). */
export interface CsvHeader {
  readonly fields: readonly string[];
  readonly delimiter: string;
}

/** Reads the header line; a UserError when it has fewer than two fields or an open quote. */
export function parseCsvHeader(line: string, file: string): CsvHeader {
  const candidates = [',', ';', '\t'];
  const counts = candidates.map((d) => line.split(d).length - 1);
  const delimiter = candidates[counts.indexOf(Math.max(...counts))] ?? ',';
  const fields = splitCsvLine(line, delimiter);
  if (fields === undefined) throw new UserError(`${file}, line 1: a quoted field is not closed. Nothing was imported.`);
  if (fields.length < 2) throw new UserError(`${file}, line 1: expected a header such as timestamp,open,high,low,close,volume. Nothing was imported.`);
  return { fields, delimiter };
}

/** Splits one CSV line on `delimiter`, honouring "quoted" fields with "" escapes; undefined if a quote is left open. */
export function splitCsvLine(line: string, delimiter: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}
