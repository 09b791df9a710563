/**
 * A small reader for the subset of the Prisma schema language our services use (PostgreSQL, one schema per
 * service): models, enums, scalar and relation fields, @id/@unique/@map/@db.*, @@id/@@unique/@@index/@@map.
 *
 * Why not Prisma's own DMMF: Prisma 7 ships `getDMMF` only inside the bundled CLI (no `@prisma/internals`
 * package is installed), and the generated client's `runtimeDataModel` keeps only field names, kinds and
 * column names: no optionality, no native types, no keys or indexes. Parsing the schema text is what works
 * offline and gives everything the schema-agreement check compares.
 */

export interface PrismaAttribute {
  name: string; // 'map', 'db.VarChar', 'id', 'relation', ...
  args: string | undefined; // raw text between the parentheses
}

export interface PrismaField {
  name: string;
  column: string;
  type: string; // 'String', 'DateTime', a model or enum name, or 'Unsupported'
  unsupportedType?: string;
  optional: boolean;
  list: boolean;
  attributes: PrismaAttribute[];
  nativeType?: { name: string; args: string[] };
  isId: boolean;
  isUnique: boolean;
  relation?: { fields: string[]; references: string[] };
}

export interface PrismaModel {
  name: string;
  table: string;
  fields: PrismaField[];
  blockAttributes: PrismaAttribute[];
  ignored: boolean;
}

export interface PrismaEnum {
  name: string;
  dbName: string;
  values: string[]; // database values (after @map)
}

export interface PrismaSchema {
  models: PrismaModel[];
  enums: PrismaEnum[];
}

function stripComments(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '/' && line[i + 1] === '/') {
      return line.slice(0, i);
    }
  }
  return line;
}

/** Index just past the parenthesis that closes the one at `open`, honouring strings and nesting. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error(`unbalanced parentheses in: ${text}`);
}

export function parseAttributes(text: string): PrismaAttribute[] {
  const attributes: PrismaAttribute[] = [];
  const re = /@{1,2}([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    const end = match.index + match[0].length;
    let args: string | undefined;
    if (text[end] === '(') {
      const close = closingParen(text, end);
      args = text.slice(end + 1, close - 1);
      re.lastIndex = close;
    }
    attributes.push({ name: match[1] as string, args });
  }
  return attributes;
}

/** Top-level comma split (ignores commas inside brackets, parentheses and strings). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      current += ch;
      if (ch === '\\') current += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function unquote(text: string): string {
  const t = text.trim();
  return t.startsWith('"') && t.endsWith('"') ? JSON.parse(t) : t;
}

/** Value of a named argument (`fields: [...]`) or, when `positional` is true, the first unnamed one. */
export function argument(args: string | undefined, name: string, positional = false): string | undefined {
  if (args === undefined) return undefined;
  const parts = splitTopLevel(args);
  for (const part of parts) {
    const named = /^([A-Za-z_]\w*)\s*:\s*([\s\S]*)$/.exec(part);
    if (named && named[1] === name) return named[2];
  }
  if (positional) return parts.find((part) => !/^[A-Za-z_]\w*\s*:/.test(part));
  return undefined;
}

/** `[a, b(sort: Desc), c(ops: ...)]` -> ['a', 'b', 'c'] */
export function fieldList(text: string | undefined): string[] {
  if (!text) return [];
  const t = text.trim();
  const inner = t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
  return splitTopLevel(inner).map((part) => part.replace(/\(.*\)$/s, '').trim()).filter(Boolean);
}

const FIELD = /^([A-Za-z_]\w*)\s+(Unsupported\("(?:[^"\\]|\\.)*"\)|[A-Za-z_]\w*)(\[\])?(\?)?\s*(.*)$/;

function parseField(line: string): PrismaField {
  const match = FIELD.exec(line);
  if (!match) throw new Error(`cannot parse Prisma field: ${line}`);
  const [, name, rawType, list, optional, rest] = match as unknown as [string, string, string, string | undefined, string | undefined, string];
  const attributes = parseAttributes(rest);
  const map = attributes.find((a) => a.name === 'map');
  const native = attributes.find((a) => a.name.startsWith('db.'));
  const relation = attributes.find((a) => a.name === 'relation');
  const unsupported = /^Unsupported\("(.*)"\)$/.exec(rawType);
  const field: PrismaField = {
    name,
    column: map?.args !== undefined ? unquote(argument(map.args, 'name', true) ?? name) : name,
    type: unsupported ? 'Unsupported' : rawType,
    optional: optional === '?',
    list: list === '[]',
    attributes,
    isId: attributes.some((a) => a.name === 'id'),
    isUnique: attributes.some((a) => a.name === 'unique'),
  };
  if (unsupported) field.unsupportedType = unsupported[1];
  if (native) {
    field.nativeType = {
      name: native.name.slice(3),
      args: native.args === undefined || native.args.trim() === '' ? [] : splitTopLevel(native.args),
    };
  }
  if (relation?.args !== undefined) {
    const fields = fieldList(argument(relation.args, 'fields'));
    if (fields.length > 0) field.relation = { fields, references: fieldList(argument(relation.args, 'references')) };
  }
  return field;
}

export function parsePrismaSchema(text: string): PrismaSchema {
  const lines = text.split(/\r?\n/).map(stripComments);
  const models: PrismaModel[] = [];
  const enums: PrismaEnum[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^\s*(model|enum|view|type|generator|datasource)\s+([A-Za-z_]\w*)\s*\{\s*$/.exec(lines[i] as string);
    if (!head) continue;
    const body: string[] = [];
    for (i++; i < lines.length && (lines[i] as string).trim() !== '}'; i++) {
      const line = (lines[i] as string).trim();
      if (line) body.push(line);
    }
    const [, kind, name] = head as unknown as [string, string, string];
    if (kind === 'model') {
      const blockAttributes = parseAttributes(body.filter((l) => l.startsWith('@@')).join('\n'));
      const map = blockAttributes.find((a) => a.name === 'map');
      models.push({
        name,
        table: map?.args !== undefined ? unquote(argument(map.args, 'name', true) ?? name) : name,
        fields: body.filter((l) => !l.startsWith('@@')).map(parseField),
        blockAttributes,
        ignored: blockAttributes.some((a) => a.name === 'ignore'),
      });
    } else if (kind === 'enum') {
      const blockAttributes = parseAttributes(body.filter((l) => l.startsWith('@@')).join('\n'));
      const map = blockAttributes.find((a) => a.name === 'map');
      enums.push({
        name,
        dbName: map?.args !== undefined ? unquote(argument(map.args, 'name', true) ?? name) : name,
        values: body
          .filter((l) => !l.startsWith('@@'))
          .map((l) => {
            const [value, ...rest] = l.split(/\s+/);
            const valueMap = parseAttributes(rest.join(' ')).find((a) => a.name === 'map');
            return valueMap?.args !== undefined ? unquote(argument(valueMap.args, 'name', true) ?? '') : (value as string);
          }),
      });
    }
  }
  return { models, enums };
}
