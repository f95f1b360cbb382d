"""Deterministic demo data at the users' volumes times an escala (manage.py gerar_dados_demo).

Escala 1 is the users' own numbers (seeds/000, "600 produtos"): 600 products, ~20 unification
pairs (a chain A->B->C and non-numeric codes among them), one year of stock movements at ~500
a day, an open carteira of ~300 orders, 50 active pré-separações and 50 active separação lotes
of ~15 items, invoiced lotes on embarques, four weeks of production. Every volume scales
linearly. Same escala + semente on the same day = the same rows.

An app of its own, last in INSTALLED_APPS: it writes every domain app's tables, so it imports
them all, and no app imports it. The entry point is demo.gerador.gerar(); vocabulario holds
the names and volumes, the geracao* modules the rows of each owner's tables (pure Python),
gravacao the database side (COPY/executemany, then the rebuild of the derived tables).
"""
