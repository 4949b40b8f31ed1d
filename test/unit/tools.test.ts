import { evaluate, ExpressionError, formatNumber, numberOf, parseExpression, render, renderJson } from '../../domain/tools';

describe('the calculator', () => {
  const calc = (source: string, variables: Record<string, unknown> = {}) => evaluate(parseExpression(source), (name) => variables[name]);

  test('follows the usual precedence, right-associative powers and unary minus', () => {
    expect(calc('1 + 2 * 3')).toBe(7);
    expect(calc('(1 + 2) * 3')).toBe(9);
    expect(calc('2 ^ 3 ^ 2')).toBe(512);
    expect(calc('-2 ^ 2')).toBe(-4);
    expect(calc('10 % 4 + max(1, 7, 3) - abs(-2)')).toBe(7);
    expect(calc('round(10 / 3, 2)')).toBe(3.33);
  });

  test('reads the answers as Brazilians write numbers', () => {
    expect(calc('valor / parcelas', { valor: 'R$ 1.500,00', parcelas: '12' })).toBe(125);
    expect(numberOf('1.234.567')).toBe(1234567);
    expect(numberOf('12,5%')).toBe(12.5);
    expect(numberOf('abc')).toBeNaN();
  });

  test('refuses what is not arithmetic, never evaluating code', () => {
    expect(() => parseExpression('process.exit(1)')).toThrow(ExpressionError);
    expect(() => parseExpression('1 +')).toThrow(/ends too soon/);
    expect(() => parseExpression('(1 + 2')).toThrow(/\)/);
    expect(() => parseExpression('1; 2')).toThrow(ExpressionError);
    expect(() => calc('1 / 0')).toThrow(/division by zero/);
    expect(() => calc('valor * 2', { valor: 'muito' })).toThrow(/not a number/);
  });

  test('formats results the Brazilian way', () => {
    expect(formatNumber(1234.5, 2)).toBe('1.234,50');
  });
});

describe('templates', () => {
  const context = { answers: { cpf: '123.456.789-09', nome: 'Ana & Bia' }, response: { policy: { number: 'A-1' } }, count: 3 };

  test('fill placeholders by path, escaped for where they go', () => {
    expect(render('cpf={{answers.cpf}}&n={{ answers.nome }}', context, encodeURIComponent)).toBe('cpf=123.456.789-09&n=Ana%20%26%20Bia');
    expect(render('Apólice {{response.policy.number}}{{missing.path}}.', context)).toBe('Apólice A-1.');
  });

  test('a JSON body keeps its shape: an answer cannot break it, and a lone placeholder keeps its type', () => {
    expect(renderJson({ cpf: '{{answers.cpf}}', note: 'para {{answers.nome}}"}', n: '{{count}}', list: ['{{count}}', 2] }, context)).toEqual({ cpf: '123.456.789-09', note: 'para Ana & Bia"}', n: 3, list: [3, 2] });
  });
});
