/**
 * The pure half of agent tools: templates that fill a tool's URL, headers, body and reply from
 * the conversation (`{{answers.cpf}}`, `{{customer.name}}`, `{{response.status}}`), and the
 * calculator's expression language — numbers, + - * / % ^, parentheses, min max round abs sqrt
 * floor ceil, and the script's answers by step id — parsed here, never `eval`ed.
 */

export type TemplateContext = Record<string, unknown>;

/** The value at a dotted path (`answers.cpf`, `response.items.0.name`), or undefined. */
export function lookup(context: TemplateContext, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Fills `{{ path }}` placeholders; `escape` shapes each value for where it goes (a URL, say). */
export function render(template: string, context: TemplateContext, escape: (value: string) => string = (value) => value): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_, path: string) => escape(text(lookup(context, path))));
}

/** A JSON body template: its string leaves are rendered, so an answer can never break the JSON. */
export function renderJson(template: unknown, context: TemplateContext): unknown {
  if (typeof template === 'string') {
    // a leaf that is only one placeholder keeps the value's own type (a number stays a number)
    const whole = /^\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$/.exec(template);
    if (whole) return lookup(context, whole[1]!) ?? null;
    return render(template, context);
  }
  if (Array.isArray(template)) return template.map((item) => renderJson(item, context));
  if (template && typeof template === 'object') return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, renderJson(value, context)]));
  return template;
}

/** The placeholders a template uses, for validating them when a tool is saved. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g)].map((match) => match[1]!);
}

// --- the calculator ----------------------------------------------------------------------

export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

type Token = { kind: 'number'; value: number } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|(\*\*|[-+*/%^(),]))/y;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) throw new ExpressionError(`unexpected "${source.slice(index).trim()[0]}" at ${index + 1}`);
    index = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: 'name', value: match[2] });
    else tokens.push({ kind: 'op', value: match[3] === '**' ? '^' : match[3]! });
  }
  return tokens;
}

const functions: Record<string, (...args: number[]) => number> = {
  min: Math.min,
  max: Math.max,
  abs: Math.abs,
  sqrt: Math.sqrt,
  floor: Math.floor,
  ceil: Math.ceil,
  round: (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits,
};

/** The expression's tree, checked once (names are resolved when it is evaluated). */
export type Expression = { number: number } | { name: string } | { op: string; args: Expression[] } | { call: string; args: Expression[] };

/** Parses with the usual precedence: ^ (right), unary −, * / %, + −. */
export function parseExpression(source: string): Expression {
  if (source.length > 500) throw new ExpressionError('the expression is longer than 500 characters');
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const take = (value: string) => {
    const token = peek();
    if (token?.kind === 'op' && token.value === value) {
      at++;
      return true;
    }
    return false;
  };
  function primary(): Expression {
    const token = tokens[at++];
    if (!token) throw new ExpressionError('the expression ends too soon');
    if (token.kind === 'number') return { number: token.value };
    if (token.kind === 'name') {
      if (take('(')) {
        if (!(token.value in functions)) throw new ExpressionError(`unknown function "${token.value}"`);
        const args: Expression[] = [];
        if (!take(')')) {
          do args.push(sum());
          while (take(','));
          if (!take(')')) throw new ExpressionError('a ")" is missing');
        }
        return { call: token.value, args };
      }
      return { name: token.value };
    }
    if (token.value === '(') {
      const inner = sum();
      if (!take(')')) throw new ExpressionError('a ")" is missing');
      return inner;
    }
    throw new ExpressionError(`unexpected "${token.value}"`);
  }
  function power(): Expression {
    const base = primary();
    return take('^') ? { op: '^', args: [base, unary()] } : base;
  }
  function unary(): Expression {
    if (take('-')) return { op: 'neg', args: [unary()] };
    if (take('+')) return unary();
    return power();
  }
  function product(): Expression {
    let left = unary();
    for (let token = peek(); token?.kind === 'op' && ['*', '/', '%'].includes(token.value); token = peek()) {
      at++;
      left = { op: token.value, args: [left, unary()] };
    }
    return left;
  }
  function sum(): Expression {
    let left = product();
    for (let token = peek(); token?.kind === 'op' && ['+', '-'].includes(token.value); token = peek()) {
      at++;
      left = { op: token.value, args: [left, product()] };
    }
    return left;
  }
  const tree = sum();
  if (at < tokens.length) throw new ExpressionError(`unexpected "${(tokens[at] as { value: unknown }).value}"`);
  return tree;
}

/** A number as Brazilians write it: "R$ 1.234,56", "12,5%", "1500". NaN when it is not one. */
export function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const cleaned = value.replace(/[^\d.,-]/g, '');
  if (!cleaned) return Number.NaN;
  // a comma is the decimal mark when present; dots before it group thousands
  const normal = cleaned.includes(',') ? cleaned.replace(/\./g, '').replace(',', '.') : /^\d{1,3}(\.\d{3})+$/.test(cleaned) ? cleaned.replace(/\./g, '') : cleaned;
  return Number(normal);
}

/** The names an expression reads (its variables), in order of first use. */
export function expressionNames(tree: Expression): string[] {
  if ('number' in tree) return [];
  if ('name' in tree) return [tree.name];
  return [...new Set(tree.args.flatMap(expressionNames))];
}

export function evaluate(tree: Expression, variables: (name: string) => unknown): number {
  if ('number' in tree) return tree.number;
  if ('name' in tree) {
    const value = numberOf(variables(tree.name));
    if (!Number.isFinite(value)) throw new ExpressionError(`"${tree.name}" is not a number`);
    return value;
  }
  const args = tree.args.map((arg) => evaluate(arg, variables));
  if ('call' in tree) return functions[tree.call]!(...args);
  const [a, b] = args as [number, number];
  switch (tree.op) {
    case 'neg':
      return -a;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) throw new ExpressionError('division by zero');
      return a / b;
    case '%':
      return a % b;
    default:
      return a ** b;
  }
}

/** A result as the customer reads it: "1.234,57". */
export function formatNumber(value: number, decimals: number): string {
  return value.toLocaleString('pt-BR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
