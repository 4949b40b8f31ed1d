import { validateField, isValidCpf, isSkip } from '../../domain/fields';

const context = { now: new Date('2026-03-10T14:00:00-03:00'), timeZone: 'America/Sao_Paulo', pastByDefault: true };
const value = (type: Parameters<typeof validateField>[0], text: string, options?: string[]) => {
  const result = validateField(type, text, context, options);
  return result.ok ? result.value : null;
};

describe('field validators', () => {
  test.each([
    ['cpf', '529.982.247-25', '52998224725'],
    ['cpf', 'meu cpf é 52998224725', '52998224725'],
    ['cpf', '529.982.247-24', null],
    ['cpf', '111.111.111-11', null],
    ['email', ' Ana.Souza@Exemplo.COM.br ', 'ana.souza@exemplo.com.br'],
    ['email', 'ana arroba exemplo', null],
    ['phone', '+55 (11) 98765-4321', '+5511987654321'],
    ['phone', '011 3456-7890', '+551134567890'],
    ['phone', '98765', null],
    ['cep', 'cep 01310-100', '01310100'],
    ['cep', '0131', null],
    ['plate', 'placa abc-1234', 'ABC1234'],
    ['plate', 'BRA2E19', 'BRA2E19'],
    ['plate', 'A1', null],
    ['date', 'ontem', '2026-03-09'],
    ['date', 'anteontem', '2026-03-08'],
    ['date', 'dia 2 de março', '2026-03-02'],
    ['date', '25/12', '2025-12-25'],
    ['date', '31/02/2026', null],
    ['money', 'R$ 1.234,56', '1234.56'],
    ['money', '1234.5', '1234.50'],
    ['money', 'não sei', null],
    ['year', 'é 2019', '2019'],
    ['year', '1800', null],
    ['yes_no', 'Sim, claro', 'true'],
    ['yes_no', 'não', 'false'],
    ['yes_no', 'talvez', null],
    ['text', '  Rua das Flores,   10 ', 'Rua das Flores, 10'],
    ['text', '   ', null],
  ] as const)('%s "%s" → %s', (type, text, expected) => {
    expect(value(type, text)).toBe(expected);
  });

  test('choices resolve by accent-free spelling, a typo, a related word or the option number', () => {
    const options = ['colisão', 'roubo', 'furto', 'incêndio', 'enchente'];
    expect(value('choice', 'colisao', options)).toBe('colisão');
    expect(value('choice', 'incendo', options)).toBe('incêndio');
    expect(value('choice', 'furtaram meu carro', options)).toBe('furto');
    expect(value('choice', '2', options)).toBe('roubo');
    expect(value('choice', 'banana', options)).toBeNull();
  });

  test('a bad answer explains itself in Portuguese', () => {
    const result = validateField('cpf', '529.982.247-24', context);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/CPF não é válido/) });
  });

  test('CPF check digits and skip words', () => {
    expect(isValidCpf('52998224725')).toBe(true);
    expect(isValidCpf('52998224752')).toBe(false);
    expect(isSkip('Não tenho')).toBe(true);
    expect(isSkip('tenho sim')).toBe(false);
  });
});
