import { findCorrection, findVolunteeredAnswers, isCancel, pickOption } from '../../domain/collection';
import { stepSchema } from '../../domain/schemas';

const context = { now: new Date('2026-03-10T14:00:00-03:00'), timeZone: 'America/Sao_Paulo', pastByDefault: true };
const steps = [
  { id: 'cpf', question: 'CPF?', type: 'cpf' },
  { id: 'placa', question: 'Placa?', type: 'plate' },
  { id: 'data', question: 'Quando?', type: 'date' },
  { id: 'tipo', question: 'O que houve?', type: 'choice', options: ['colisão', 'roubo', 'furto'] },
  { id: 'telefone', question: 'Telefone?', type: 'phone' },
  { id: 'relato', question: 'Conte', type: 'text' },
  { id: 'ano', question: 'Ano do carro?', type: 'year' },
].map((step) => stepSchema.parse(step));

describe('answers volunteered in one message', () => {
  test('a demand with CPF, plate, date and an option fills those steps and nothing else', () => {
    expect(findVolunteeredAnswers(steps, {}, 'foi roubo ontem, placa ABC1D23, meu CPF é 529.982.247-25', context)).toEqual({
      cpf: '52998224725',
      placa: 'ABC1D23',
      data: '2026-03-09',
      tipo: 'roubo',
    });
  });

  test('bare digits are not taken as a phone, and an invalid CPF is not taken at all', () => {
    expect(findVolunteeredAnswers(steps, {}, 'meu cpf 529.982.247-00', context)).toEqual({});
    expect(findVolunteeredAnswers(steps, {}, 'meu celular é (11) 98765-4321', context)).toEqual({ telefone: '+5511987654321' });
  });

  test('answered steps are left alone', () => {
    expect(findVolunteeredAnswers(steps, { cpf: '11144477735' }, 'CPF 529.982.247-25', context)).toEqual({});
  });
});

describe('corrections, cancel and picks', () => {
  const answers = { cpf: '52998224725', placa: 'ABC1D23', tipo: 'roubo' };

  test('a correction that names the step and carries a valid value replaces it', () => {
    expect(findCorrection(steps, answers, 'errei o CPF, o certo é 111.444.777-35', context)).toEqual({ stepId: 'cpf', value: '11144477735' });
    expect(findCorrection(steps, answers, 'na verdade a placa é BRA2E19', context)).toEqual({ stepId: 'placa', value: 'BRA2E19' });
  });

  test('a correction that names the step without a value asks it again; an ordinary answer is no correction', () => {
    expect(findCorrection(steps, answers, 'errei a placa', context)).toEqual({ stepId: 'placa', value: null });
    expect(findCorrection(steps, answers, 'BRA2E19', context)).toBeNull();
    // "engano" holds "ano" but names no step
    expect(findCorrection(steps, { ...answers, ano: '2019' }, 'desculpa, foi engano, errei', context)).toBeNull();
  });

  test('cancel phrases and option picks', () => {
    expect(['deixa pra lá', 'Desisto', 'esquece isso'].every(isCancel)).toBe(true);
    expect(isCancel('quero cancelar meu seguro')).toBe(false);
    expect(pickOption('2', 3)).toBe(1);
    expect(pickOption('a segunda', 3)).toBe(1);
    expect(pickOption('o último', 3)).toBe(2);
    expect(pickOption('nenhum', 3)).toBe(-1);
    expect(pickOption('7', 3)).toBeNull();
    expect(pickOption('é o do boleto', 3)).toBeNull();
  });
});
