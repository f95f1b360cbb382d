"""Carteira sync from Odoo (or a spreadsheet) with memória: see docs/sincronizacao_odoo.md.

cliente_odoo: the transport interface and the XML-RPC client · planilha: xlsx/csv reader ·
registros: validation of the incoming lines · hierarquia: the order in which a reduction
takes quantity back from the allocations · servico: memória, diff, apply, replace, run log ·
agendamentos: the django-q2 schedule.
"""
