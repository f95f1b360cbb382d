"""The permission matrix: who may call what. Read by tests/acesso/test_matriz.py, which walks the
URLconf and fails on any URL pattern (and, for the API, any HTTP method) missing here.

Columns: anon (not logged in), sem (staff user without a role), the five roles of
acesso/papeis.py (est = Estoque, pcp = PCP, exp = Expedição, com = Comercial, ges = Gestão),
sup (superuser). Every logged-in user here is staff, as the demo users are: staff only opens
the admin's door, so `sem` shows what staff alone is worth.

Cells:
  ok    allowed: any answer but 401/403/405, a redirect to a login page or a 5xx
        (a write may answer 400: the permission passed, the data did not)
  403   refused (API: JSON; pages: the pt-BR 403 page)
  401   API without credentials
  lg    redirect to /entrar/?next=... (pages, anonymous)
  adm   redirect to /admin/login/?next=... (admin, anonymous)
  404   the admin's own "nothing for you here" (app index without any permitted model, unknown URL)
  neg   admin action not run: not offered to this user (or the changelist itself is 403)

Placeholders in addresses come from the test's data: {cod} a product, {pedido} an order in the
carteira, {mov} a movement, {pre} a pré-separação, {prog} a programação, {job} a ruptura analysis,
{ct} and {obj} a content type and object (admin "view on site"), {sinc} a carteira sync run,
{lote} a pré-separação lote of the order, {alerta} an open COTADA alert, {ruptura} an open ruptura alert, {imp} a spreadsheet import,
{trab} a finished background job of the superuser.
"""

COLUNAS = ("anon", "sem", "est", "pcp", "exp", "com", "ges", "sup")

# ------------------------------------------------------------------ pages, reports, API, login
ROTAS = """
# método  endereço                                         anon sem  est  pcp  exp  com  ges  sup
GET       /                                                 lg   ok   ok   ok   ok   ok   ok   ok
GET       /entrar/                                          ok   ok   ok   ok   ok   ok   ok   ok
POST      /entrar/                                          ok   ok   ok   ok   ok   ok   ok   ok
POST      /sair/                                            ok   ok   ok   ok   ok   ok   ok   ok

# pages
GET       /estoque/                                         lg   403  ok   ok   ok   ok   ok   ok
GET       /estoque/produto/{cod}/                           lg   403  ok   ok   ok   ok   ok   ok
GET       /estoque/produto/{cod}/historico/                 lg   403  ok   ok   ok   ok   ok   ok
GET       /estoque/alertas/                                 lg   403  ok   ok   ok   ok   ok   ok
POST      /estoque/alertas/{ruptura}/reconhecer/            lg   403  ok   ok   ok   403  ok   ok
POST      /estoque/alertas/reconhecer-todos/                lg   403  ok   ok   ok   403  ok   ok
GET       /relatorios/saldo-estoque.xlsx                    lg   403  ok   ok   ok   ok   ok   ok
GET       /carteira/                                        lg   403  403  403  ok   ok   ok   ok
GET       /carteira/pedidos/                                lg   403  403  403  ok   ok   ok   ok
GET       /carteira/pedidos/{pedido}/                       lg   403  403  403  ok   ok   ok   ok
GET       /carteira/pedidos/{pedido}/historico/             lg   403  403  403  ok   ok   ok   ok
POST      /carteira/pedidos/{pedido}/simular/               lg   403  403  403  ok   ok   ok   ok
POST      /carteira/pedidos/{pedido}/lotes/                 lg   403  403  403  ok   403  ok   ok
POST      /carteira/pedidos/{pedido}/lotes/{lote}/cancelar/   lg   403  403  403  ok   403  ok   ok
POST      /carteira/pedidos/{pedido}/lotes/{lote}/confirmar/  lg   403  403  403  ok   403  ok   ok
POST      /carteira/pedidos/{pedido}/itens/{pre}/editar/    lg   403  403  403  ok   403  ok   ok
POST      /carteira/pedidos/{pedido}/itens/{pre}/remover/   lg   403  403  403  ok   403  ok   ok
POST      /carteira/pedidos/{pedido}/itens/{pre}/confirmar/ lg   403  403  403  ok   403  ok   ok
POST      /carteira/alertas/{alerta}/reconhecer/            lg   403  403  403  ok   403  ok   ok
GET       /producao/                                        lg   403  403  ok   403  ok   ok   ok
GET       /embarques/                                       lg   403  403  403  ok   403  ok   ok
# operations: the Operação page (what it shows: django-q2, reconciliations, carteira syncs) and
# the health check, open to anyone (load balancers); only the Operação users get its details
GET       /operacao/                                        lg   403  403  403  403  403  ok   ok
GET       /saude/                                           ok   ok   ok   ok   ok   ok   ok   ok
HEAD      /saude/                                           ok   ok   ok   ok   ok   ok   ok   ok
HEAD      /embarques/                                       lg   403  403  403  ok   403  ok   ok
POST      /embarques/                                       lg   403  403  403  ok   403  ok   ok

# spreadsheet imports (core.importacoes): each kind asks its own permission; {imp} is a movements import
GET       /importacoes/                                     lg   403  ok   ok   ok   403  ok   ok
GET       /importacoes/movimentacoes/                       lg   403  ok   403  403  403  ok   ok
POST      /importacoes/movimentacoes/                       lg   403  ok   403  403  403  ok   ok
GET       /importacoes/movimentacoes/modelo.xlsx            lg   403  ok   403  403  403  ok   ok
GET       /importacoes/producao/                            lg   403  403  ok   403  403  ok   ok
GET       /importacoes/producao/modelo.xlsx                 lg   403  403  ok   403  403  ok   ok
GET       /importacoes/cadastro/                            lg   403  403  ok   403  403  ok   ok
GET       /importacoes/faturamento/                         lg   403  403  403  ok   403  ok   ok
GET       /importacoes/{imp}/                               lg   403  ok   403  403  403  ok   ok
GET       /importacoes/{imp}/situacao                       lg   403  ok   403  403  403  ok   ok
POST      /importacoes/{imp}/confirmar                      lg   403  ok   403  403  403  ok   ok
POST      /importacoes/{imp}/descartar                      lg   403  ok   403  403  403  ok   ok
POST      /importacoes/{imp}/desfazer                       lg   403  ok   403  403  403  ok   ok

# background jobs (core.trabalhos): everyone lists their own; a job's page, situation and file are
# its owner's (the superuser here) or staff's with core.view_trabalho (Gestão)
GET       /trabalhos/                                       lg   ok   ok   ok   ok   ok   ok   ok
GET       /trabalhos/{trab}/                                lg   403  403  403  403  403  ok   ok
GET       /trabalhos/{trab}/situacao                        lg   403  403  403  403  403  ok   ok
GET       /trabalhos/{trab}/arquivo                         lg   403  403  403  403  403  ok   ok

# report downloads (one URL pattern, one permission set per report)
GET       /relatorios/pre-separacoes.xlsx                   lg   403  403  403  ok   ok   ok   ok
GET       /relatorios/separacoes.xlsx                       lg   403  403  403  ok   ok   ok   ok
GET       /relatorios/carteira.xlsx                         lg   403  403  403  ok   ok   ok   ok
GET       /relatorios/carteira-detalhada.xlsx               lg   403  403  403  ok   ok   ok   ok
GET       /relatorios/producao.xlsx                         lg   403  ok   ok   ok   ok   ok   ok

# API documentation
GET       /api/docs/                                        lg   403  ok   ok   ok   ok   ok   ok
HEAD      /api/docs/                                        lg   403  ok   ok   ok   ok   ok   ok
GET       /api/schema/                                      401  403  ok   ok   ok   ok   ok   ok
HEAD      /api/schema/                                      401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/schema/                                      401  403  ok   ok   ok   ok   ok   ok

# stock reads
POST      /api/estoque/tempo-real/consultar                 401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/estoque/tempo-real/consultar                 401  403  ok   ok   ok   ok   ok   ok
GET       /api/estoque/tempo-real/produto/{cod}             401  403  ok   ok   ok   ok   ok   ok
GET       /api/estoque/tempo-real/produto/{cod}/composicao  401  403  ok   ok   ok   ok   ok   ok
HEAD      /api/estoque/tempo-real/produto/{cod}/composicao  401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/estoque/tempo-real/produto/{cod}/composicao  401  403  ok   ok   ok   ok   ok   ok
GET       /api/estoque/tempo-real/saldo                     401  403  ok   ok   ok   ok   ok   ok
HEAD      /api/estoque/tempo-real/saldo                     401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/estoque/tempo-real/saldo                     401  403  ok   ok   ok   ok   ok   ok
HEAD      /api/estoque/tempo-real/produto/{cod}             401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/estoque/tempo-real/produto/{cod}             401  403  ok   ok   ok   ok   ok   ok
GET       /api/estoque/tempo-real/projecao/{cod}            401  403  ok   ok   ok   ok   ok   ok
HEAD      /api/estoque/tempo-real/projecao/{cod}            401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/estoque/tempo-real/projecao/{cod}            401  403  ok   ok   ok   ok   ok   ok
GET       /api/estoque/tempo-real/rupturas                  401  403  ok   ok   ok   ok   ok   ok
HEAD      /api/estoque/tempo-real/rupturas                  401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/estoque/tempo-real/rupturas                  401  403  ok   ok   ok   ok   ok   ok
GET       /api/estoque/tempo-real/estatisticas              401  403  ok   403  403  403  ok   ok
HEAD      /api/estoque/tempo-real/estatisticas              401  403  ok   403  403  403  ok   ok
OPTIONS   /api/estoque/tempo-real/estatisticas              401  403  ok   403  403  403  ok   ok
GET       /api/estoque/eventos?duracao=1                    401  403  ok   ok   ok   ok   ok   ok
HEAD      /api/estoque/eventos?duracao=1                    401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/estoque/eventos                              401  403  ok   ok   ok   ok   ok   ok
GET       /api/estoque/eventos/mudancas                     401  403  ok   ok   ok   ok   ok   ok
HEAD      /api/estoque/eventos/mudancas                     401  403  ok   ok   ok   ok   ok   ok
OPTIONS   /api/estoque/eventos/mudancas                     401  403  ok   ok   ok   ok   ok   ok

# recalculation / reconciliation of a product
POST      /api/estoque/tempo-real/recalcular/{cod}          401  403  403  403  403  403  ok   ok
OPTIONS   /api/estoque/tempo-real/recalcular/{cod}          401  403  ok   ok   ok   ok   ok   ok

# stock movements
POST      /api/estoque/movimentacoes                        401  403  ok   403  403  403  ok   ok
OPTIONS   /api/estoque/movimentacoes                        401  403  ok   403  403  403  ok   ok
GET       /api/estoque/movimentacoes/{mov}                  401  403  ok   403  403  403  ok   ok
HEAD      /api/estoque/movimentacoes/{mov}                  401  403  ok   403  403  403  ok   ok
OPTIONS   /api/estoque/movimentacoes/{mov}                  401  403  ok   403  403  403  ok   ok
PATCH     /api/estoque/movimentacoes/{mov}                  401  403  ok   403  403  403  ok   ok
POST      /api/estoque/movimentacoes/{mov}/cancelar         401  403  ok   403  403  403  ok   ok
OPTIONS   /api/estoque/movimentacoes/{mov}/cancelar         401  403  ok   403  403  403  ok   ok

# order assembly
GET       /api/carteira/pedidos/{pedido}/workspace          401  403  403  403  ok   ok   ok   ok
HEAD      /api/carteira/pedidos/{pedido}/workspace          401  403  403  403  ok   ok   ok   ok
OPTIONS   /api/carteira/pedidos/{pedido}/workspace          401  403  403  403  ok   ok   ok   ok
POST      /api/carteira/pre-separacoes                      401  403  403  403  ok   403  ok   ok
OPTIONS   /api/carteira/pre-separacoes                      401  403  403  403  ok   ok   ok   ok
GET       /api/carteira/pre-separacoes/{pre}                401  403  403  403  ok   ok   ok   ok
HEAD      /api/carteira/pre-separacoes/{pre}                401  403  403  403  ok   ok   ok   ok
OPTIONS   /api/carteira/pre-separacoes/{pre}                401  403  403  403  ok   ok   ok   ok
PATCH     /api/carteira/pre-separacoes/{pre}                401  403  403  403  ok   403  ok   ok
DELETE    /api/carteira/pre-separacoes/{pre}                401  403  403  403  ok   403  ok   ok
POST      /api/carteira/pre-separacoes/{pre}/confirmar      401  403  403  403  ok   403  ok   ok
OPTIONS   /api/carteira/pre-separacoes/{pre}/confirmar      401  403  403  403  ok   ok   ok   ok

# ruptura analysis (carteira.analisar_ruptura)
GET       /api/carteira/pedidos/{pedido}/ruptura            401  403  403  403  ok   ok   ok   ok
HEAD      /api/carteira/pedidos/{pedido}/ruptura            401  403  403  403  ok   ok   ok   ok
OPTIONS   /api/carteira/pedidos/{pedido}/ruptura            401  403  403  403  ok   ok   ok   ok
POST      /api/carteira/ruptura/analisar                    401  403  403  403  ok   ok   ok   ok
OPTIONS   /api/carteira/ruptura/analisar                    401  403  403  403  ok   ok   ok   ok
GET       /api/carteira/ruptura/stream/{job}                401  403  403  403  ok   ok   ok   ok
HEAD      /api/carteira/ruptura/stream/{job}                401  403  403  403  ok   ok   ok   ok
OPTIONS   /api/carteira/ruptura/stream/{job}                401  403  403  403  ok   ok   ok   ok
GET       /api/carteira/ruptura/analise/{job}               401  403  403  403  ok   ok   ok   ok
HEAD      /api/carteira/ruptura/analise/{job}               401  403  403  403  ok   ok   ok   ok
OPTIONS   /api/carteira/ruptura/analise/{job}               401  403  403  403  ok   ok   ok   ok

# production schedule
GET       /api/producao/programacoes                        401  403  403  ok   403  ok   ok   ok
HEAD      /api/producao/programacoes                        401  403  403  ok   403  ok   ok   ok
OPTIONS   /api/producao/programacoes                        401  403  403  ok   403  ok   ok   ok
POST      /api/producao/programacoes                        401  403  403  ok   403  403  ok   ok
GET       /api/producao/programacoes/{prog}                 401  403  403  ok   403  ok   ok   ok
HEAD      /api/producao/programacoes/{prog}                 401  403  403  ok   403  ok   ok   ok
OPTIONS   /api/producao/programacoes/{prog}                 401  403  403  ok   403  ok   ok   ok
PATCH     /api/producao/programacoes/{prog}                 401  403  403  ok   403  403  ok   ok
DELETE    /api/producao/programacoes/{prog}                 401  403  403  ok   403  403  ok   ok

# invoicing a lote (embarques.add_faturamentolote / change_faturamentolote)
POST      /api/embarques/faturamento                        401  403  403  403  ok   403  ok   ok
OPTIONS   /api/embarques/faturamento                        401  403  403  403  ok   403  ok   ok
POST      /api/embarques/faturamento/cancelar               401  403  403  403  ok   403  ok   ok
OPTIONS   /api/embarques/faturamento/cancelar               401  403  403  403  ok   403  ok   ok

# admin: the site's own pages
GET       /admin/                                           adm  ok   ok   ok   ok   ok   ok   ok
GET       /admin/login/                                     ok   ok   ok   ok   ok   ok   ok   ok
POST      /admin/login/                                     ok   ok   ok   ok   ok   ok   ok   ok
POST      /admin/logout/                                    ok   ok   ok   ok   ok   ok   ok   ok
GET       /admin/password_change/                           adm  ok   ok   ok   ok   ok   ok   ok
GET       /admin/password_change/done/                      adm  ok   ok   ok   ok   ok   ok   ok
GET       /admin/jsi18n/                                    adm  ok   ok   ok   ok   ok   ok   ok
GET       /admin/r/{ct}/{obj}/                              adm  404  404  404  404  404  404  404
GET       /admin/nao-existe/                                adm  404  404  404  404  404  404  404
GET       /admin/autocomplete/?app_label=embarques&model_name=embarqueitem&field_name=embarque  adm  403  403  403  ok   403  ok   ok
GET       /admin/auth/                                      adm  404  404  404  404  404  404  ok
GET       /admin/authtoken/                                 adm  404  404  404  404  404  404  ok
GET       /admin/django_q/                                  adm  404  404  404  404  404  ok   ok
GET       /admin/estoque/                                   adm  404  ok   ok   ok   ok   ok   ok
GET       /admin/core/                                      adm  404  404  404  404  404  ok   ok
GET       /admin/producao/                                  adm  404  404  ok   404  ok   ok   ok
GET       /admin/carteira/                                  adm  404  404  404  ok   ok   ok   ok
GET       /admin/embarques/                                 adm  404  404  404  ok   404  ok   ok

# admin: custom views
GET       /admin/auth/user/{usuario}/password/              adm  403  403  403  403  403  403  ok
POST      /admin/carteira/sincronizacaocarteira/sincronizar/  adm  403  403  403  403  403  ok   ok
GET       /admin/carteira/sincronizacaocarteira/planilha/   adm  403  403  403  403  403  ok   ok
GET       /admin/carteira/sincronizacaocarteira/{sinc}/confirmar/  adm  403  403  403  403  403  ok   ok
POST      /admin/carteira/sincronizacaocarteira/{sinc}/confirmar/  adm  403  403  403  403  403  ok   ok
POST      /admin/carteira/sincronizacaocarteira/{sinc}/aplicar/  adm  403  403  403  403  403  ok   ok
POST      /admin/estoque/reconciliacaoexecucao/reconstruir/  adm  403  403  403  403  403  ok   ok
POST      /admin/estoque/reconciliacaoexecucao/reconciliar/  adm  403  403  403  403  403  ok   ok
"""

# ------------------------------------------------------------------ admin screens of each model
# What each user may do in the admin, per registered model: v view, a add, c change, d delete
# ("-" nothing). The test turns each into the expected answers of that model's admin URLs:
# list, history, detail (GET) and its redirect: v or c; add (GET and POST): a; detail POST: c;
# delete (GET and POST without confirmation): d; export: v; the "delete selected" action: d. Read-only screens (derived tables, the
# sync log) are v even for the superuser: nobody edits them by hand.
ADMIN = """
# modelo                          sem  est   pcp   exp   com   ges   sup
auth.group                        -    -     -     -     -     -     vacd
auth.user                         -    -     -     -     -     -     vacd
authtoken.tokenproxy              -    -     -     -     -     -     vacd
django_q.schedule                 -    -     -     -     -     v     vacd
django_q.success                  -    -     -     -     -     v     vcd
django_q.failure                  -    -     -     -     -     v     vcd
django_q.ormq                     -    -     -     -     -     v     vcd
estoque.movimentacaoestoque       -    vac   -     -     -     vac   vacd
estoque.unificacaocodigos         -    v     v     v     v     vacd  vacd
estoque.cadastropalletizacao      -    v     vacd  v     v     vacd  vacd
estoque.estoquetemporeal          -    v     v     v     v     v     v
estoque.movimentacaoprevista      -    v     v     v     v     v     v
estoque.codigounificado           -    v     v     v     v     v     v
estoque.reconciliacaoexecucao     -    v     -     -     -     v     v
estoque.reparoestoque             -    v     -     -     -     v     v
estoque.cursorreconciliacao       -    -     -     -     -     v     v
estoque.lotefaturado              -    -     -     -     -     v     v
estoque.alertaruptura             -    v     v     v     v     v     v
estoque.estadoruptura             -    -     -     -     -     v     v
producao.programacaoproducao      -    -     vacd  -     v     vacd  vacd
carteira.carteiraprincipal        -    -     -     v     v     vacd  vacd
carteira.preseparacaoitem         -    -     -     vacd  v     vacd  vacd
carteira.separacao                -    -     -     vacd  v     vacd  vacd
carteira.pedido                   -    -     -     v     v     v     v
carteira.sincronizacaocarteira    -    -     -     -     -     v     v
carteira.alertaseparacaocotada    -    -     -     v     -     v     v
carteira.analiseruptura           -    -     -     -     -     v     v
carteira.analiserupturalote       -    -     -     -     -     v     v
embarques.embarque                -    -     -     vac   -     vac   vac
embarques.embarqueitem            -    -     -     vac   -     vac   vac
embarques.faturamentolote         -    -     -     vc    -     vc    vc
embarques.faturamentoitem         -    -     -     v     -     v     v
core.trabalho                     -    -     -     -     -     v     v
"""

# ------------------------------------------------------------------ admin actions besides "delete selected"
ACOES = """
# modelo:ação                                   sem  est  pcp  exp  com  ges  sup
estoque.movimentacaoestoque:cancelar            neg  ok   neg  neg  neg  ok   ok
estoque.movimentacaoestoque:reativar            neg  ok   neg  neg  neg  ok   ok
estoque.alertaruptura:reconhecer                neg  ok   ok   ok   neg  ok   ok
carteira.alertaseparacaocotada:reconhecer       neg  neg  neg  ok   neg  ok   ok
carteira.preseparacaoitem:confirmar             neg  neg  neg  ok   neg  ok   ok
embarques.embarque:marcar_embarcado             neg  neg  neg  ok   neg  ok   ok
embarques.embarque:cancelar_embarques           neg  neg  neg  ok   neg  ok   ok
embarques.embarqueitem:remover_lotes            neg  neg  neg  ok   neg  ok   ok
embarques.embarqueitem:registrar_nf             neg  neg  neg  ok   neg  ok   ok
embarques.faturamentolote:cancelar_nf           neg  neg  neg  ok   neg  ok   ok
django_q.success:resubmit_task                  neg  neg  neg  neg  neg  ok   ok
django_q.failure:resubmit_task                  neg  neg  neg  neg  neg  ok   ok
"""


def linhas(tabela: str) -> list[list[str]]:
    return [linha.split() for linha in tabela.strip().splitlines() if linha.strip() and not linha.startswith("#")]
