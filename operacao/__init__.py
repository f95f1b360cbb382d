"""The Operação page: what runs in the background and how it went (reconciliation, carteira
sync, django-q2 queues, clusters and tasks), for the Gestão role. It reads estoque, carteira and
django-q2 and nobody imports it (docs/arquitetura.md, seção 4)."""
