"""Carteira sync from Odoo (or a spreadsheet) with memória: see docs/sincronizacao_odoo.md.

cliente_odoo: the transport interface and the XML-RPC client (https only) · unidades: units
of measure, from a sale line's unit to the product's · planilha: xlsx/csv reader ·
registros: validation of the incoming lines · plano: memória, diff, plan and what needs
confirmation · hierarquia: the order in which a reduction takes quantity back from the
allocations (cancelling, never deleting) · trava: the lock taken before the fetch and the
snapshot time · servico: lock, read, plan, confirm, apply a simulation, run log (the entry
points) · aplicacao: the transaction that applies, waits or refuses, and how a run ends ·
configuracao: settings · agendamentos: the django-q2 schedule.
"""
