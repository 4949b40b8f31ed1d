/**
 * Concept groups for the offline matcher: words and phrases a customer uses for the same
 * thing ("levaram meu carro" and "roubo"). Each group becomes one extra feature, added to
 * both catalog texts and messages, so a message can meet an example it shares no word with.
 * These describe the language of customer service (insurance, banking, billing, accounts),
 * not any one catalog: scripts are never named here.
 */
export interface ConceptGroup {
  concept: string;
  /** Single words are compared by stem; entries with a space are matched as folded phrases. */
  terms: readonly string[];
}

export const portugueseConcepts: readonly ConceptGroup[] = [
  { concept: 'theft', terms: ['roubo', 'roubado', 'roubaram', 'furto', 'furtado', 'furtaram', 'assalto', 'assaltado', 'assaltaram', 'levaram', 'levaram meu', 'sumiram com', 'arrombaram', 'arrombado', 'ladrao', 'bandido'] },
  { concept: 'collision', terms: ['colisao', 'bati', 'bateu', 'bateram', 'batida', 'batido', 'acidente', 'capotei', 'capotou', 'amassou', 'amassado', 'atropelei', 'engavetamento', 'abalroamento', 'sinistro', 'atingido', 'atingiu', 'arranhao', 'ralei'] },
  { concept: 'fire', terms: ['incendio', 'fogo', 'pegou fogo', 'queimou', 'queimado', 'chamas', 'explodiu'] },
  { concept: 'flood', terms: ['alagamento', 'alagou', 'alagado', 'enchente', 'inundacao', 'inundou', 'submerso', 'embaixo d agua', 'debaixo d agua', 'agua da chuva', 'temporal'] },
  { concept: 'breakdown', terms: ['encanador', 'eletricista', 'vidraceiro', 'vazamento', 'cano', 'curto circuito', 'desentupimento', 'sem luz', 'pane eletrica', 'pane seca', 'pane', 'guincho', 'reboque', 'rebocar', 'chaveiro', 'pneu', 'estepe', 'bateria', 'arriou', 'gasolina', 'combustivel', 'parou de funcionar', 'nao liga', 'nao pega', 'morreu', 'enguicou', 'quebrou', 'socorro', 'prego', 'furou'] },
  { concept: 'cancel', terms: ['nao renovar', 'parar de pagar', 'cancelem', 'cancela', 'cancelar', 'cancelamento', 'encerrar', 'encerramento', 'desistir', 'desisti', 'rescindir', 'rescisao', 'nao quero mais', 'nao renovar', 'nao tenho mais interesse', 'perdi o interesse', 'parar de pagar', 'sair do seguro', 'suspender'] },
  { concept: 'buy', terms: ['quanto fica', 'quanto sai', 'quanto ficaria', 'segurar', 'assegurar', 'fazem seguro', 'tem seguro para', 'tem seguro pra', 'cotacao', 'cotar', 'orcamento', 'simular', 'simulacao', 'contratar', 'contratacao', 'quanto custa', 'qual o preco', 'preco', 'valor do seguro', 'fazer um seguro', 'fazer seguro', 'quero um seguro', 'seguro novo', 'novo seguro', 'tem seguro', 'voces tem seguro', 'vendem seguro', 'preciso de seguro', 'preciso de um seguro', 'adquirir'] },
  { concept: 'profile', terms: ['cadastro', 'cadastral', 'endereco', 'mudei', 'mudança', 'atualizar', 'dados', 'telefone', 'celular', 'numero de telefone', 'numero de celular', 'email', 'e-mail', 'nome', 'sobrenome'] },
  { concept: 'progress', terms: ['novidade', 'novidades', 'noticia', 'noticias', 'retorno', 'na oficina', 'parado na oficina', 'ja abri', 'abri um sinistro', 'abri o sinistro', 'andamento', 'situacao', 'status', 'acompanhar', 'acompanhamento', 'prazo', 'demora', 'quanto tempo', 'ainda nao', 'previsao', 'em que pe', 'como esta', 'como anda', 'pericia', 'periciado', 'perito', 'regulagem', 'regulacao', 'indenizacao', 'autorizacao', 'liberar', 'liberacao', 'conserto', 'processo'] },
  { concept: 'refund', terms: ['reembolso', 'reembolsar', 'ressarcimento', 'ressarcir', 'devolver', 'devolucao', 'devolve', 'estorno', 'estornar', 'dinheiro de volta', 'cobrado duas vezes', 'cobrado em duplicidade', 'duplicidade', 'cobranca indevida', 'pago a mais', 'paguei a mais'] },
  { concept: 'medical', terms: ['consulta', 'exame', 'medico', 'medica', 'hospital', 'remedio', 'medicamento', 'farmacia', 'dentista', 'odontologico', 'tratamento', 'internacao'] },
  { concept: 'document', terms: ['documento', 'apolice', 'certificado', 'carteirinha', 'comprovante', 'declaracao', 'quitacao', 'copia', 'contrato', 'pdf', 'comprove', 'comprovar'] },
  { concept: 'complaint', terms: ['queixa', 'queixar', 'ninguem atende', 'ninguem me atende', 'nao atendem', 'ninguem retorna', 'atende o telefone', 'atendem o telefone', 'atender o telefone', 'atende telefone', 'mal atendido', 'mal atendida', 'estragaram', 'estragou', 'reclamacao', 'reclamar', 'absurdo', 'pessimo', 'pessima', 'descaso', 'procon', 'reclame aqui', 'insatisfeito', 'insatisfeita', 'vergonha', 'desrespeito', 'palhacada', 'horrivel', 'ninguem resolve', 'ninguem responde', 'falta de respeito'] },
  { concept: 'coverage', terms: ['o seguro paga', 'seguradora paga', 'seguro cobre', 'e se', 'cobre', 'cobertura', 'coberto', 'coberta', 'franquia', 'carencia', 'limite', 'indeniza', 'inclui', 'incluso', 'direito a', 'tenho direito'] },
  { concept: 'inspection', terms: ['vistoria', 'vistoriador', 'vistoriar', 'inspecao', 'avaliacao do veiculo'] },
  { concept: 'human', terms: ['atendente', 'humano', 'humana', 'pessoa', 'operador', 'operadora', 'robo', 'bot', 'gente de verdade', 'alguem de verdade', 'ser humano', 'falar com alguem', 'supervisor', 'gerente'] },
  { concept: 'invoice', terms: ['cobranca', 'reenviar', 'reenvia', 'mandar de novo', 'outra via', 'nova via', 'boleto', 'fatura', 'parcela', 'codigo de barras', 'linha digitavel', 'segunda via', 'pix', 'vencimento', 'venceu', 'vencido', 'vencida', 'atrasado', 'atrasada', 'em atraso', 'pagar', 'pagamento', 'mensalidade'] },
  { concept: 'vehicle', terms: ['gol', 'civic', 'onix', 'hb20', 'corolla', 'uno', 'palio', 'fiesta', 'sandero', 'kwid', 'compass', 'hilux', 'strada', 'toro', 'polo', 'virtus', 'tcross', 't-cross', 'creta', 'kicks', 'renegade', 'argo', 'mobi', 'cruze', 'tracker', 'fusca', 'celta', 'corsa', 'biz', 'titan', 'fan', 'cg', 'carro', 'veiculo', 'automovel', 'moto', 'motocicleta', 'caminhao', 'caminhonete', 'auto', 'placa'] },
  { concept: 'vehicle_change', terms: ['troquei de carro', 'carro novo', 'comprei um carro', 'comprei outro', 'substituir o veiculo', 'trocar o carro', 'trocar de carro', 'endosso', 'condutor', 'incluir', 'transferir'] },
  { concept: 'other_business', terms: ['voces vendem', 'vcs vendem', 'voces consertam', 'vcs consertam', 'voces entregam', 'voces alugam', 'voces fabricam', 'voces instalam', 'voces tem loja', 'emprestimo', 'consignado', 'conta corrente', 'cartao de credito', 'prefeitura', 'receita federal', 'detran'] },
  { concept: 'existing_policy', terms: ['meu seguro', 'minha apolice', 'do meu seguro', 'da minha apolice', 'no meu seguro', 'na minha apolice', 'sou segurado', 'sou segurada', 'ja tenho seguro', 'sou cliente'] },
  { concept: 'home', terms: ['casa', 'residencia', 'residencial', 'apartamento', 'imovel'] },
];

export const englishConcepts: readonly ConceptGroup[] = [];

/**
 * Messages no customer-service catalog should take: small talk, other businesses, jobs,
 * arithmetic. The matcher indexes them as a "no script" class, so a message nearer to these
 * than to any script is refused instead of forced onto the closest script.
 */
export const portugueseOutOfScope: readonly string[] = [
  'vai chover amanhã?',
  'como está o clima hoje',
  'que horas são agora',
  'qual o resultado do futebol',
  'quem vai ganhar o campeonato',
  'qual time você torce',
  'me conta uma piada',
  'qual é o seu nome',
  'você é casado?',
  'qual a capital da frança',
  'quanto é dez vezes três',
  'me ajuda com a lição de matemática',
  'onde tem uma pizzaria aberta',
  'qual o melhor restaurante da cidade',
  'me recomenda um filme',
  'que música você gosta',
  'vocês vendem geladeira?',
  'vocês consertam fogão?',
  'vocês entregam em casa?',
  'quero um empréstimo',
  'qual o telefone da prefeitura',
  'vocês têm loja de roupa',
  'quero comprar um notebook',
  'qual o preço do iphone',
  'tem vaga de emprego?',
  'quero mandar meu currículo',
  'como faço para trabalhar na empresa',
  'estão contratando estagiário?',
  'teste teste',
  'alô alô',
  'hahaha',
  'rsrsrs',
  'bom dia',
  'tudo bem?',
  'obrigado, tchau',
  'oi',
];

export const englishOutOfScope: readonly string[] = [
  'what is the weather like tomorrow',
  'tell me a joke',
  'who won the game last night',
  'what is your name',
  'recommend a good restaurant nearby',
  'what is ten times three',
  'what is the capital of france',
  'play some music',
  'are you hiring',
  'hello there',
  'thanks, bye',
];
