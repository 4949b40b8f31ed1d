import { describeSpan } from './aftercare';
import { describeHours, followUpFor, greetingFor, leadInFor, type WorkingHours } from './persona';

/**
 * Every sentence the bot says, by key: the workflow names a line, it never spells one. This is
 * the one place to change wording (and, later, to add a tenant's or a locale's). Lines whose
 * wording follows the business's tone (the greeting, the check-in, the prompts' lead-ins) come
 * from the tone tables in persona.ts and are reached through here too.
 */

const anythingElse = 'Posso ajudar em mais alguma coisa?';
const callingSomeone = 'Vou chamar uma pessoa da nossa equipe';
const confirmQuestion = 'Posso confirmar? (sim/não)';

/** "1. Segunda via do boleto", one option a line. */
export function numbered(items: readonly string[]): string {
  return items.map((item, index) => `${index + 1}. ${item}`).join('\n');
}

export const replies = {
  greeting: greetingFor,
  checkIn: followUpFor,
  leadIn: leadInFor,

  // identifying and clarifying
  faqAnswer: (answer: string) => `${answer}\n\n${anythingElse}`,
  notUnderstood: 'Desculpe, não entendi bem o que você precisa. Pode me contar de outro jeito? Por exemplo: "preciso da segunda via do boleto".',
  /** Nothing in the catalog fits: say so, and what the bot can do. */
  cannotHelpWith: (titles: readonly string[]) =>
    `Desculpe, não consegui entender seu pedido ou não é um assunto que eu atendo por aqui. Posso te ajudar com: ${listed(titles)}. O que você precisa?`,
  askDemand: 'Pode me contar em poucas palavras o que você precisa?',
  whichTopic: (titles: readonly string[]) => `Só para eu ter certeza, é sobre qual destes assuntos?\n${numbered(titles)}\nResponda com o número ou o nome, ou diga "nenhum".`,
  whichTopicAgain: (titles: readonly string[]) => `É sobre qual destes assuntos?\n${numbered(titles)}`,
  noneOfThese: 'Tudo bem. Então me conta com outras palavras o que você precisa?',

  smallTalkBack: (asked: boolean) => (asked ? 'Tudo ótimo por aqui, obrigado por perguntar! Me conta: em que posso te ajudar?' : 'Olá! Em que posso te ajudar?'),
  emergency: 'Se alguém está ferido ou em perigo, ligue agora: SAMU 192, Bombeiros 193 ou Polícia 190.',
  emergencyHandoff: 'Já estou chamando uma pessoa da nossa equipe para te atender com prioridade.',

  // collecting and confirming
  scriptStarted: (title: string, noted: readonly string[]) =>
    `Entendi: ${title}. Vou te fazer algumas perguntas rápidas.${noted.length ? ` Já anotei ${noted.join(', ')}.` : ''}`,
  invalidAnswer: (error: string, question: string) => `${error} ${question}`,
  corrected: (labelAndValue: string) => `Corrigido: ${labelAndValue}.`,
  correctingStep: (question: string) => `Sem problema, vamos corrigir. ${question}`,
  confirmSummary: (summary: string) => `Confere se está tudo certo:\n${summary}\n${confirmQuestion}`,
  whichToCorrect: (summary: string) => `O que você quer corrigir? Responda com o número:\n${summary}`,
  whichItem: (summary: string) => `Não entendi qual item. Responda com o número:\n${summary}`,
  confirmUnclear: 'Não entendi. Está tudo certo? Responda sim para confirmar ou não para corrigir algo.',
  cancelled: 'Tudo bem, cancelei este atendimento. Se quiser, me conta de novo o que você precisa.',
  continueQuestion: 'Podemos continuar?',
  hoursAnswer: (hours: WorkingHours | null) =>
    hours ? `Nossa equipe atende ${describeHours(hours)}; por aqui eu respondo a qualquer hora.` : 'Por aqui eu respondo a qualquer hora; a equipe atende em horário comercial.',
  unknownQuestion: 'Boa pergunta! Não tenho essa resposta aqui, mas a equipe pode te ajudar depois.',
  backToStep: (answer: string, question: string) => `${answer}\n\nVoltando: ${question}`,
  rescriptedByTeam: (title: string) => `Nossa equipe ajustou seu atendimento para: ${title}.`,

  // resolving
  /** A tool of the script's completion failed: the conversation goes on, and the customer knows. */
  lookedUp: (found: readonly string[]) => `Encontrei nos nossos registros: ${found.join('; ')}.`,
  toolFailed: (name: string | null) => `Não consegui concluir ${name ? `"${name}"` : 'uma das etapas'} agora. Suas respostas estão guardadas e nossa equipe pode completar isso depois.`,
  resolved: (message: string | undefined, protocol: string) => `${message ?? 'Sua solicitação foi registrada.'} Seu protocolo é ${protocol}. ${anythingElse}`,

  // handing over to a person
  humanOnRequest: `Claro! ${callingSomeone} para falar com você.`,
  humanAfterMisses: 'Não consegui identificar o assunto. Vou chamar uma pessoa da nossa equipe para te ajudar.',
  humanAfterInvalidAnswers: 'Parece que não estou conseguindo entender. Vou chamar uma pessoa da equipe para continuar com você.',
  humanByPrompt: `${callingSomeone} para continuar com você.`,
  humanAfterCheckIn: `Entendi. ${callingSomeone} para continuar com você.`,
  humanAfterScript: (message: string | undefined) => message ?? 'Obrigado! Vou passar seu atendimento para uma pessoa da nossa equipe, que vai continuar daqui.',
  withTheTeam: 'Sua conversa está com a nossa equipe; uma pessoa vai te responder aqui em breve.',
  ticketOpened: (ticketId: string, protocol: string | null) =>
    `Abri o chamado #${ticketId} na nossa central de atendimento (protocolo ${protocol}). Uma pessoa da equipe vai continuar com você por aqui.`,
  outsideHours: (hours: WorkingHours, protocol: string | null, when: string) =>
    `Nossa equipe atende ${describeHours(hours)}. Seu pedido ficou registrado com o protocolo ${protocol}, e uma pessoa vai te responder aqui mesmo a partir de ${when}.`,
  queueBusy: (protocol: string | null) =>
    `Nossa equipe está com muitos atendimentos agora. Seu pedido está na fila com o protocolo ${protocol}: assim que uma pessoa assumir, ela te responde aqui mesmo. Se preferir, deixe um telefone que retornamos a ligação.`,
  ticketFinished: (ticketId: string) => `Seu chamado #${ticketId} foi concluído pela nossa equipe.`,
  resolvedByTeam: 'Seu atendimento foi concluído pela nossa equipe.',
  handoffResolved: (closing: string, protocol: string | null) => `${closing} Protocolo ${protocol}. ${anythingElse}`,
  backWithScript: (title: string) => `Voltei a te atender por aqui. Vamos continuar: ${title}.`,
  backAnythingElse: `Voltei a te atender por aqui. ${anythingElse}`,

  // after the resolution
  goodbye: 'Eu que agradeço! Se precisar, é só chamar. Até logo!',
  gladItWorked: 'Que bom! Eu que agradeço.',
  reopening: (title: string) => `Sinto muito que não tenha dado certo. Vamos retomar sua solicitação: ${title}.`,
  askRating: (lead: string) => `${lead} Antes de você ir: de 1 a 5, que nota você dá para este atendimento?`,
  thanksForRating: (score: number) => (score >= 4 ? 'Muito obrigado pela avaliação! Até logo!' : 'Obrigado pela sinceridade; sua nota nos ajuda a melhorar. Até logo!'),
  ratingDeclined: 'Tudo bem! Obrigado pelo contato. Até logo!',
  ratingUnclear: 'Desculpe, não entendi a nota. Responda com um número de 1 (muito ruim) a 5 (excelente).',

  // silence
  stillThere: (question: string) => `Ainda está por aí? ${question}`,
  idleDefault: 'Se precisar de algo, é só me contar o que você precisa.',
  abandoning: (answersKept: boolean, resumeWithinMs: number) =>
    `Como não tive resposta, vou encerrar por aqui. ${answersKept ? 'Suas respostas ficam guardadas: ' : ''}se você voltar ${describeSpan(resumeWithinMs)}, continuamos de onde paramos.`,
  welcomeBack: 'Que bom que você voltou! Vamos continuar de onde paramos.',
} as const;

/** Lines written to the transcript for the team, not said by the bot. */
export const systemNotes = {
  rescripted: (title: string, version: number, by: string) => `Roteiro alterado para "${title}" (v${version}) por ${by}.`,
  agentJoined: (agentId: string) => `${agentId} (atendente) entrou na conversa.`,
  agentAssigned: (from: string, to: string) => `${from} passou a conversa para ${to} (atendente).`,
  agentHandedBack: (agentId: string) => `${agentId} devolveu a conversa ao assistente virtual.`,
} as const;

/** Why a conversation went to a person, in words for the agent. */
export const escalationDetails = {
  askedForHuman: (text: string) => `O cliente pediu para falar com uma pessoa: "${text.slice(0, 200)}"`,
  notRecognized: (misses: number) => `O bot não identificou a demanda em ${misses} tentativas.`,
  invalidAnswers: (attempts: number, question: string) => `Respostas inválidas ${attempts} vezes para: "${question}"`,
  byPrompt: (name: string) => `A instrução "${name}" pede atendimento humano para esta mensagem.`,
  checkInReply: (text: string) => `Resposta ao acompanhamento: "${text.slice(0, 200)}"`,
  emergency: (text: string, urgency: string) => `Emergência relatada (urgência ${urgency}); o cliente recebeu os números SAMU 192, Bombeiros 193 e Polícia 190: "${text.slice(0, 200)}"`,
} as const;

/** What the model is asked to write when a prompt shapes a line (it falls back to the offline line). */
export const phrasingPurposes = {
  greeting: 'a saudação de boas-vindas ao cliente, terminando com uma pergunta sobre o que ele precisa',
  leadIn: 'uma frase de abertura para a resposta a esta mensagem do cliente',
  checkIn: 'uma mensagem curta de acompanhamento perguntando se a solicitação do cliente foi resolvida',
} as const;

/** Why a step of this type is asked, when the script does not say. */
export const whyByType: Record<string, string> = {
  cpf: 'Precisamos do CPF para localizar sua apólice e confirmar que é você; ele não é usado para mais nada.',
  email: 'O e-mail é para onde enviamos o documento e o andamento do seu pedido.',
  phone: 'O telefone é para a equipe ou o prestador falar com você se precisar.',
  plate: 'A placa identifica o veículo na sua apólice.',
  cep: 'O CEP nos diz onde fica o local, para encaminhar o atendimento certo.',
  date: 'A data ajuda a registrar o pedido corretamente.',
};
export const whyDefault = 'Essa informação é necessária para registrar seu pedido corretamente.';

/** A short name for a step in summaries: its label, else its type's name, else its id in words. */
export function stepName(step: { id: string; type: string; label?: string }): string {
  const byType: Record<string, string> = { cpf: 'CPF', email: 'E-mail', phone: 'Telefone', cep: 'CEP', plate: 'Placa', date: 'Data', money: 'Valor', year: 'Ano' };
  if (step.label) return step.label;
  const words = step.id.replace(/[_-]+/g, ' ').trim();
  return byType[step.type] && !/\s/.test(words) ? byType[step.type]! : words.charAt(0).toUpperCase() + words.slice(1);
}

/** "a, b e c" */
function listed(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} e ${items.at(-1)}` : (items[0] ?? '');
}
