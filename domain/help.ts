import { ScriptMatcher } from './matcher';

/**
 * The internal assistant's knowledge: short how-to articles about Atende itself, in Portuguese.
 * Offline, the assistant answers with the article that best matches the question (the same
 * matcher that routes customers to scripts); with an LLM, the top articles become its context.
 */
export interface HelpArticle {
  id: string;
  title: string;
  /** How agents ask about it; the matcher learns from these. */
  questions: string[];
  answer: string;
}

export const helpArticles: readonly HelpArticle[] = [
  {
    id: 'follow-ups',
    title: 'Configuração de Follow-ups',
    questions: [
      'como configuro um follow-up automático',
      'como funciona o follow-up',
      'quando o bot manda mensagem de acompanhamento',
      'mudar o tempo do follow-up',
      'como o cliente recebe lembrete depois do atendimento',
    ],
    answer:
      'Depois que uma conversa é resolvida, o Atende espera um tempo sem resposta do cliente e envia uma mensagem de acompanhamento; se o cliente responder, os acompanhamentos seguintes são cancelados. A espera conta só o horário de atendimento (dias, intervalos e feriados do onboarding ou do catálogo): resolvida sexta às 19:50 numa loja que fecha às 20:00, com 1 hora de espera, o follow-up sai sábado às 08:50.\n\n' +
      '1. Cada roteiro pode declarar seus acompanhamentos em followUps: o tempo (after, por exemplo "2h"), a mensagem e o que a resposta faz (onReply: match trata como novo pedido, reopen reabre a solicitação para conferir, escalate chama uma pessoa).\n' +
      '2. Sem acompanhamentos no roteiro, valem os prompts de ação do tipo FOLLOW_UP com conditions.followUpAfterMinutes; sem eles, um acompanhamento padrão depois de FOLLOW_UP_DELAY (padrão 1h), e o encerramento após CLOSE_AFTER_FOLLOW_UP (padrão 24h).\n' +
      '3. Se o cliente responde que deu tudo certo ou agradece, o bot pede uma nota de 1 a 5, uma única vez (CSAT_SURVEY).\n' +
      '4. Pergunta sem resposta: o bot pergunta de novo depois de INACTIVITY_NUDGE_AFTER (padrão 10m) e encerra como abandonada depois de INACTIVITY_ABANDON_AFTER (padrão 20m); se o cliente voltar em ABANDONED_RESUME_WITHIN (padrão 24h), continua de onde parou.\n\n' +
      'Os timers são duráveis: sobrevivem a reinícios do worker e aparecem no histórico da conversa no Temporal UI.',
  },
  {
    id: 'scripts',
    title: 'Roteiros de atendimento',
    questions: [
      'como crio um roteiro',
      'como cadastrar um novo script de atendimento',
      'editar as perguntas de um roteiro',
      'como o bot sabe quais dados pedir',
      'adicionar uma etapa de CPF no roteiro',
    ],
    answer:
      'Roteiros (scripts) dizem ao bot quais dados coletar para cada demanda.\n\n' +
      '1. Crie com POST /api/v1/scripts (token de admin): id, title, description, examples (frases de clientes) e steps.\n' +
      '2. Cada etapa tem id, question e type: text, cpf, email, phone, cep, plate, date, money, number, choice ou yes_no.\n' +
      '3. Editar (PUT /api/v1/scripts/:id) cria uma nova versão; conversas em andamento continuam na versão que começaram.\n' +
      '4. Para importar um catálogo inteiro: npx atende scripts import arquivo.json.\n\n' +
      'Quanto mais exemplos reais em examples, melhor o bot reconhece a demanda.',
  },
  {
    id: 'matching',
    title: 'Como o bot reconhece a demanda',
    questions: [
      'por que o bot não entendeu o cliente',
      'o bot escolheu o roteiro errado',
      'como melhorar o reconhecimento de intenção',
      'testar qual roteiro uma mensagem aciona',
    ],
    answer:
      'O bot compara a mensagem com os exemplos de cada roteiro. Se dois roteiros empatam, ele pergunta ao cliente qual é o assunto; se nenhum serve, pede para reformular e, na segunda falha, chama uma pessoa.\n\n' +
      '1. Teste uma frase com: npx atende nlu match "minha frase".\n' +
      '2. Adicione a frase que falhou aos examples do roteiro certo.\n' +
      '3. Com OPENAI_API_KEY configurada, um modelo escolhe entre os melhores candidatos.',
  },
  {
    id: 'action-prompts',
    title: 'Prompts de ação',
    questions: [
      'como criar um prompt de ação',
      'o que é um prompt de boas-vindas',
      'como tratar reclamações automaticamente',
      'responder reclamações com empatia',
      'ativar ou desativar um prompt',
      'prioridade dos prompts',
      'disparar prompt por palavra-chave',
    ],
    answer:
      'Prompts de ação mudam o comportamento do bot quando suas condições valem.\n\n' +
      '1. Crie com POST /api/ai/prompts: name, actionType (WELCOME, LEAD_QUALIFICATION, COMPLAINT_HANDLING, FAQ_RESPONSE, FOLLOW_UP, CUSTOM), prompt, priority e conditions.\n' +
      '2. Condições: triggerOnFirstMessage, sentimentTrigger (ex.: negative), funnelStage (Novo, Em atendimento, Escalado, Resolvido) e triggerOnKeywords.\n' +
      '3. Ative/desative com POST /api/ai/prompts/:id/toggle. Menor priority é aplicado primeiro.\n\n' +
      'Com LLM, o texto do prompt entra nas instruções do modelo; sem LLM, o tipo escolhe a frase pronta (boas-vindas, empatia, interesse).',
  },
  {
    id: 'onboarding',
    title: 'Onboarding da IA',
    questions: [
      'como configuro o nome da empresa no bot',
      'mudar o tom de voz do bot',
      'cadastrar perguntas frequentes',
      'gerar o prompt do assistente',
      'configurar horário de atendimento',
    ],
    answer:
      'O onboarding ensina ao bot quem é a empresa.\n\n' +
      '1. Salve as respostas com POST /api/ai/onboarding/:instanceId: businessName, businessType, businessDescription, targetAudience, tone (formal, professional_friendly, casual, enthusiastic), mainProducts, faq e workingHours.\n' +
      '2. Com nome, tipo e tom preenchidos, o prompt do sistema é gerado e o onboarding fica completo.\n' +
      '3. Para pré-visualizar o prompt sem salvar: POST /api/ai/onboarding/generate.\n\n' +
      'Novas conversas usam o nome e o tom na saudação e respondem direto às perguntas do FAQ.',
  },
  {
    id: 'escalation',
    title: 'Escalonamento para atendentes',
    questions: [
      'quando o bot passa para um humano',
      'como funciona o escalonamento',
      'onde vejo as conversas escaladas',
      'cliente pediu para falar com atendente',
      'como assumir uma conversa',
      'devolver a conversa ao bot',
    ],
    answer:
      'O bot passa a conversa para uma pessoa quando o roteiro pede, quando a urgência atinge o nível da política (alta, por padrão), numa reclamação com sentimento negativo, quando o cliente pede um atendente, quando não entende a demanda duas vezes, quando uma resposta falha três vezes ou quando uma instrução marcada como escalonável se aplica. O motivo fica registrado na conversa.\n\n' +
      '1. Com o Mindchat configurado, abre um chamado (um só, mesmo com falhas e novas tentativas) e acompanha a resposta; se o Mindchat falhar, a conversa vai para a caixa de entrada.\n' +
      '2. Sem Mindchat, a conversa entra na caixa de entrada em /inbox (ou GET /api/v1/inbox) com motivo, urgência e resumo.\n' +
      '3. O atendente clica em Assumir: o bot fica em silêncio e as mensagens do cliente vão para o atendente. Depois ele devolve ao bot ou resolve.\n' +
      '4. Um admin ajusta as regras em PUT /api/v1/settings/escalation.',
  },
  {
    id: 'analysis',
    title: 'Análise de sentimento e urgência',
    questions: [
      'como o bot calcula a urgência',
      'o que significa sentimento mixed',
      'reanalisar uma conversa',
      'ver o resumo da conversa',
      'nível de frustração do cliente',
    ],
    answer:
      'Ao fim da coleta, cada conversa é analisada: sentimento (positive, neutral, negative, mixed), urgência (low a critical), intenção, tópicos, resumo, ações sugeridas e frustração de 1 a 5.\n\n' +
      '1. Veja com GET /api/ai/conversations/:id/state ou em lote com POST /api/ai/conversations/states.\n' +
      '2. Peça nova análise com POST /api/ai/analyze e force: true.\n\n' +
      'Sem chave da OpenAI, a análise usa regras em português (feridos e incêndio são críticos; roubo, pane na estrada e ameaça judicial são altos).',
  },
  {
    id: 'tokens',
    title: 'Tokens de acesso',
    questions: ['como gero um token de acesso', 'erro não autenticado', 'criar token de atendente', 'token expirado', 'como crio um usuário atendente'],
    answer:
      'A API usa Bearer JWT. Pessoas entram com a própria conta; integrações usam um token de serviço.\n\n' +
      '1. Pessoas: um admin cria a conta (POST /api/v1/users, ou npx atende users add --email E --role agent) e a pessoa entra em /inbox com e-mail e senha. O token de acesso dura 15 minutos e é renovado sozinho.\n' +
      '2. Integrações: gere um token de serviço com npx atende token --role agent --subject NOME --tenant SEU_TENANT.\n' +
      '3. Envie no cabeçalho: Authorization: Bearer <token>.\n' +
      '4. "Não autenticado" (401) significa token ausente, inválido ou expirado; entre de novo ou gere outro.',
  },
  {
    id: 'llm',
    title: 'Usar um modelo de linguagem',
    questions: ['como ligo a openai', 'usar ollama com o atende', 'configurar chave da openai', 'o bot funciona sem internet'],
    answer:
      'O Atende funciona sem chave e sem internet, com regras e matcher próprios.\n\n' +
      '1. Para usar um modelo, defina OPENAI_API_KEY (e OPENAI_MODEL, padrão gpt-4o-mini).\n' +
      '2. Para Ollama, vLLM ou outro servidor compatível, defina também OPENAI_BASE_URL.\n' +
      '3. Se o modelo falhar ou demorar mais que OPENAI_TIMEOUT, o bot segue com as regras offline.',
  },
  {
    id: 'temporal-ui',
    title: 'Inspecionar conversas no Temporal UI',
    questions: ['onde vejo o histórico de uma conversa', 'como debugar uma conversa', 'abrir o temporal ui', 'procurar conversas urgentes'],
    answer:
      'Cada conversa é um workflow durável no Temporal.\n\n' +
      '1. Abra o Temporal UI (http://localhost:8233 com npm start).\n' +
      '2. O workflow id é conversation-<id da conversa>.\n' +
      '3. Filtre por atributos: Urgency, Sentiment, ConversationStage, ConversationStatus, ScriptId, Channel e TenantId.',
  },
];

const articleMatcher = new ScriptMatcher(
  helpArticles.map((article) => ({ id: article.id, title: article.title, description: article.title, examples: article.questions })),
  { threshold: 0.2 },
);

/** The best articles for a question, best first; empty when nothing fits. */
export function findHelp(question: string, limit = 3): HelpArticle[] {
  const match = articleMatcher.match(question, limit);
  const ids = match.scriptId ? [match.scriptId, ...match.candidates.map((candidate) => candidate.scriptId)] : [];
  return [...new Set(ids)].map((id) => helpArticles.find((article) => article.id === id)!).slice(0, limit);
}

export const HELP_FALLBACK =
  'Não encontrei isso na ajuda do Atende. Posso explicar: ' +
  helpArticles.map((article) => article.title.toLowerCase()).join('; ') +
  '. Sobre qual desses assuntos você quer saber?';

/** The offline answer: the best article, closed with an offer to help further. */
export function answerOffline(question: string): { answer: string; article: HelpArticle | null } {
  const [article] = findHelp(question, 1);
  if (!article) return { answer: HELP_FALLBACK, article: null };
  return { answer: `${article.answer}\n\nPosso ajudar com mais alguma coisa?`, article };
}
