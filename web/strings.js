/*
 * The console's shared words, in Portuguese (the product's first language): what the API calls
 * `high`, `resolved` or `conversation.escalated`, as the inbox, the admin and the dashboard say it.
 * One place, so a page never names a status differently from another, and a translation starts
 * here. Served at /assets/strings.js; each page reads window.atendeStrings.
 */
window.atendeStrings = Object.freeze({
  urgency: { critical: 'crítica', high: 'alta', medium: 'média', low: 'baixa', never: 'nunca' },
  priority: { HIGH: 'Alta', MEDIUM: 'Média', LOW: 'Baixa' },
  sentiment: { positive: 'positivo', neutral: 'neutro', negative: 'negativo', mixed: 'misto' },
  conversationStatus: { active: 'em andamento', resolved: 'resolvido', escalated: 'com a equipe', abandoned: 'abandonado', closed: 'encerrado' },
  stage: {
    greeting: 'com o bot', identifying: 'com o bot', clarifying: 'com o bot', collecting: 'com o bot', confirming: 'com o bot', analyzing: 'com o bot',
    escalated: 'aguardando atendente', with_agent: 'com atendente', resolved: 'resolvida', rating: 'avaliando o atendimento', abandoned: 'abandonada', closed: 'encerrada',
  },
  role: { admin: 'Administrador', agent: 'Atendente', customer: 'Cliente', bot: 'Bot', system: '' },
  weekdays: ['dom', 'seg', 'ter', 'qua', 'qui', 'sex', 'sáb'],
  stepType: { text: 'Texto', cpf: 'CPF', email: 'E-mail', phone: 'Telefone', cep: 'CEP', plate: 'Placa', date: 'Data', money: 'Valor', year: 'Ano', yes_no: 'Sim/não', choice: 'Escolha' },
  verdict: { confident: 'entende com segurança', ambiguous: 'fica em dúvida entre opções', none: 'não reconhece' },
  documentStatus: { indexing: 'indexando', ready: 'pronto', failed: 'falhou' },
  actionType: { WELCOME: 'Boas-vindas', LEAD_QUALIFICATION: 'Qualificação', COMPLAINT_HANDLING: 'Reclamação', FAQ_RESPONSE: 'Dúvida frequente', FOLLOW_UP: 'Acompanhamento', CUSTOM: 'Outro' },
  event: {
    '*': 'todos', 'conversation.started': 'conversa iniciada', 'message.created': 'mensagem', 'conversation.escalated': 'passada para a equipe',
    'conversation.claimed': 'assumida', 'conversation.resolved': 'resolvida', 'conversation.abandoned': 'abandonada', 'csat.received': 'nota recebida',
    'ticket.created': 'ticket aberto', 'script.completed': 'roteiro concluído', 'lead.captured': 'lead capturado', 'webhook.disabled': 'endereço desativado',
  },
  delivery: { pending: 'tentando', succeeded: 'entregue', failed: 'falhou' },
});
