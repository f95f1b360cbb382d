"""The carteira_pedido view (carteira.models.Pedido) as each migration created it.

Kept apart from the migrations so a later one can drop the view and put back the
version it replaced when reversed.
"""

# 0002: one row per separação lote; status = the least advanced status of its lines.
PEDIDO_VIEW_0002 = """
CREATE VIEW carteira_pedido AS
SELECT
    s.separacao_lote_id AS separacao_lote_id,
    MIN(s.num_pedido) AS num_pedido,
    CASE MIN(CASE s.status WHEN 'ABERTO' THEN 1 WHEN 'COTADO' THEN 2 WHEN 'EMBARCADO' THEN 3
                           WHEN 'FATURADO' THEN 4 WHEN 'NF no CD' THEN 5 ELSE 1 END)
        WHEN 1 THEN 'ABERTO' WHEN 2 THEN 'COTADO' WHEN 3 THEN 'EMBARCADO'
        WHEN 4 THEN 'FATURADO' ELSE 'NF no CD' END AS status,
    MIN(s.expedicao) AS expedicao,
    MIN(s.agendamento) AS agendamento,
    MAX(s.protocolo) AS protocolo,
    MAX(s.numero_nf) AS numero_nf,
    COUNT(*) AS qtd_itens,
    SUM(s.valor_saldo) AS valor_saldo_total,
    SUM(s.peso) AS peso_total,
    SUM(s.pallet) AS pallet_total
FROM carteira_separacao s
GROUP BY s.separacao_lote_id
"""

# 0005: lines cancelled by a carteira sync (cancelado_em set) do not decide the status nor
# count in the items and totals; a lote whose every line is cancelled is CANCELADO.
PEDIDO_VIEW_0005 = """
CREATE VIEW carteira_pedido AS
SELECT
    s.separacao_lote_id AS separacao_lote_id,
    MIN(s.num_pedido) AS num_pedido,
    CASE MIN(CASE WHEN s.cancelado_em IS NOT NULL THEN 9
                  WHEN s.status = 'ABERTO' THEN 1 WHEN s.status = 'COTADO' THEN 2
                  WHEN s.status = 'EMBARCADO' THEN 3 WHEN s.status = 'FATURADO' THEN 4
                  WHEN s.status = 'NF no CD' THEN 5 ELSE 1 END)
        WHEN 1 THEN 'ABERTO' WHEN 2 THEN 'COTADO' WHEN 3 THEN 'EMBARCADO'
        WHEN 4 THEN 'FATURADO' WHEN 5 THEN 'NF no CD' ELSE 'CANCELADO' END AS status,
    MIN(s.expedicao) AS expedicao,
    MIN(s.agendamento) AS agendamento,
    MAX(s.protocolo) AS protocolo,
    MAX(s.numero_nf) AS numero_nf,
    SUM(CASE WHEN s.cancelado_em IS NULL THEN 1 ELSE 0 END) AS qtd_itens,
    SUM(CASE WHEN s.cancelado_em IS NULL THEN 0 ELSE 1 END) AS qtd_itens_cancelados,
    COALESCE(SUM(CASE WHEN s.cancelado_em IS NULL THEN s.valor_saldo END), 0) AS valor_saldo_total,
    COALESCE(SUM(CASE WHEN s.cancelado_em IS NULL THEN s.peso END), 0) AS peso_total,
    COALESCE(SUM(CASE WHEN s.cancelado_em IS NULL THEN s.pallet END), 0) AS pallet_total
FROM carteira_separacao s
GROUP BY s.separacao_lote_id
"""
