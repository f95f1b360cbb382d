"""The product catalog (CadastroPalletizacao) and the code unification pairs (UnificacaoCodigos)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from demo.geracao import Produto
from demo.vocabulario import BASES, CENTAVO, EMBALAGENS, GRAMA, MARCAS, PREFIXOS, SUFIXOS_CODIGO, TIPOS_PAR

COLUNAS_CADASTRO = (
    "cod_produto",
    "nome_produto",
    "palletizacao",
    "peso_bruto",
    "categoria",
    "subcategoria",
    "linha_producao",
    "ativo",
)
COLUNAS_UNIFICACAO = ("codigo_origem", "codigo_destino", "ativo", "observacao", "criado_em")


def preparar_produtos(demo):
    """Fill demo.unidades (one per product) and demo.aliases/demo.pares (its other codes)."""
    rng = demo.rng("produtos")
    combinacoes = [(b, e, m) for b in BASES for e in EMBALAGENS[b[3]] for m in MARCAS]
    rng.shuffle(combinacoes)
    n = demo.n_produtos - demo.n_pares
    especificacoes = [combinacoes[i % len(combinacoes)] for i in range(n)]
    codigos = _codigos_produto(rng, [PREFIXOS[base[1]] for base, _, _ in especificacoes])
    for i, ((nome, categoria, sub, _, preco_kg), (rotulo, peso, pallet, linha), marca) in enumerate(especificacoes):
        peso_un = (Decimal(peso) * Decimal(rng.uniform(0.97, 1.03))).quantize(GRAMA)
        peso_un = min(Decimal("20"), max(Decimal("0.2"), peso_un))
        palletizacao = max(80, min(2000, int(pallet * rng.uniform(0.85, 1.15)) // 8 * 8))
        ativo = rng.random() > 0.02
        demo.unidades.append(
            Produto(
                indice=i,
                cod=codigos[i],
                nome=f"{nome} {rotulo}" + ("" if marca == MARCAS[0] else f" - {marca}"),
                categoria=categoria,
                subcategoria=sub,
                linha=linha,
                palletizacao=palletizacao,
                peso=peso_un,
                preco=(Decimal(preco_kg) * peso_un * Decimal(rng.uniform(0.85, 1.2))).quantize(CENTAVO),
                peso_demanda=rng.lognormvariate(0, 1.1) * (1 if ativo else 0.05),
                lote_tipico=max(1, int(palletizacao * rng.uniform(0.03, 0.4))),
                ativo=ativo,
            )
        )
    _unificar(demo, rng)


def _codigos_produto(rng, prefixos) -> list[str]:
    """Distinct numeric codes like 4310152: category prefix + random digits."""
    codigos = [""] * len(prefixos)
    por_prefixo = {}
    for i, prefixo in enumerate(prefixos):
        por_prefixo.setdefault(prefixo, []).append(i)
    for prefixo, indices in sorted(por_prefixo.items()):
        largura = 5 if len(indices) <= 60000 else 6
        for i, numero in zip(indices, rng.sample(range(10 ** (largura - 1), 10**largura), len(indices))):
            codigos[i] = f"{prefixo}{numero}"
    return codigos


def _unificar(demo, rng):
    """Alias codes: old codes replaced on a date (legado, a chain A->B->C among them, one pair
    deactivated) and codes in use beside the main one (paralelo, some non-numeric)."""
    tipos = [TIPOS_PAR[i % len(TIPOS_PAR)] for i in range(demo.n_pares) if i % len(TIPOS_PAR) != 1]
    alvos = rng.sample([u for u in demo.unidades if u.ativo], len(tipos))
    numeros = iter(rng.sample(range(2_000_000), 2 * len(tipos)))

    def numerico():  # 3xxxxxx (sorts before the main code: the principal) or 9xxxxxx
        v = next(numeros)
        return str(3_000_000 + v if v < 1_000_000 else 8_000_000 + v)

    hoje = demo.hoje
    for tipo, u in zip(tipos, alvos):
        if tipo == "cadeia":
            a, b = numerico(), f"{u.cod}-A"
            u.legados = [
                (a, hoje - timedelta(days=rng.randint(200, 330))),
                (b, hoje - timedelta(days=rng.randint(40, 180))),
            ]
            _par(demo, a, b, True, "CÓDIGO ANTIGO SUBSTITUÍDO", u.legados[0][1])
            _par(demo, b, u.cod, True, "CÓDIGO ANTIGO SUBSTITUÍDO", u.legados[1][1])
        elif tipo in ("legado", "inativo"):
            x = numerico()
            u.legados = [(x, hoje - timedelta(days=rng.randint(30, 330)))]
            obs = "CÓDIGO ANTIGO SUBSTITUÍDO" if tipo == "legado" else "UNIFICAÇÃO DESFEITA PELO CADASTRO"
            _par(demo, x, u.cod, tipo == "legado", obs, u.legados[0][1])
        else:
            u.paralelo = f"{u.cod}-{rng.choice(SUFIXOS_CODIGO)}" if tipo == "paralelo_txt" else numerico()
            dia = hoje - timedelta(days=rng.randint(10, 300))
            _par(demo, u.paralelo, u.cod, True, "MESMO PRODUTO EM OUTRO CÓDIGO (EMBALAGEM/CLIENTE)", dia)
        for codigo, ativo in [(c, False) for c, _ in u.legados] + ([(u.paralelo, True)] if u.paralelo else []):
            demo.aliases.append(replace(u, cod=codigo, ativo=ativo, legados=[], paralelo=None))


def _par(demo, origem, destino, ativo, observacao, dia):
    demo.pares.append((origem, destino, ativo, observacao, demo.instante(dia, 10 * 3600)))


def cadastro(demo):
    """Catalog rows of every code (products and their aliases), in code order."""
    for p in sorted(demo.unidades + demo.aliases, key=lambda p: p.cod):
        yield (p.cod, p.nome, p.palletizacao, p.peso, p.categoria, p.subcategoria, p.linha, p.ativo)
