from django.db import migrations

# One row per separação lote. Status = the least advanced status of its lines.
PEDIDO_VIEW = """
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


class Migration(migrations.Migration):
    dependencies = [("carteira", "0001_initial")]

    operations = [
        migrations.RunSQL(PEDIDO_VIEW, "DROP VIEW IF EXISTS carteira_pedido"),
    ]
