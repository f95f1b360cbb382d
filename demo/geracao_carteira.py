"""The open carteira (CarteiraPrincipal) and what is allocated from it: separação lotes, active and
invoiced (Separacao), and pré-separações (PreSeparacaoItem)."""

from datetime import timedelta
from decimal import Decimal
from itertools import accumulate

from demo.geracao import Lote, amostra_ponderada, escalado
from demo.vocabulario import (
    ATIVO,
    BAIRROS,
    CENTAVO,
    CICLO_FATURADOS,
    CICLO_STATUS,
    CIDADES,
    CLIENTES,
    FATURADO,
    GRAMA,
    LOTES_FATURADOS,
    NF_NO_CD,
    NOMES_CLIENTE,
    OBS_PEDIDO,
    PEDIDOS,
    PRE_SEPARACOES,
    RUAS,
    SEPARACOES,
    SINC_PENDENTE,
    SUFIXOS,
    TIPOS_CLIENTE,
    USUARIOS,
    VENDEDORES,
)

COLUNAS_CARTEIRA = (
    "num_pedido",
    "pedido_cliente",
    "data_pedido",
    "status_pedido",
    "cnpj_cpf",
    "raz_social",
    "raz_social_red",
    "municipio",
    "estado",
    "vendedor",
    "equipe_vendas",
    "cnpj_endereco_ent",
    "empresa_endereco_ent",
    "cep_endereco_ent",
    "nome_cidade",
    "cod_uf",
    "bairro_endereco_ent",
    "rua_endereco_ent",
    "endereco_ent",
    "telefone_endereco_ent",
    "cod_produto",
    "nome_produto",
    "qtd_produto_pedido",
    "qtd_saldo_produto_pedido",
    "qtd_cancelada_produto_pedido",
    "preco_produto_pedido",
    "data_entrega_pedido",
    "observ_ped_1",
    "ativo",
    "origem",
    "odoo_line_id",
    "criado_em",
    "atualizado_em",
)
COLUNAS_PRE_SEPARACAO = (
    "num_pedido",
    "cod_produto",
    "qtd_selecionada_usuario",
    "data_expedicao_editada",
    "data_agendamento_editada",
    "protocolo_editado",
    "observacoes_usuario",
    "status",
    "tipo_envio",
    "criado_em",
    "criado_por",
)
COLUNAS_SEPARACAO = (
    "separacao_lote_id",
    "num_pedido",
    "cod_produto",
    "qtd_saldo",
    "valor_saldo",
    "peso",
    "pallet",
    "expedicao",
    "agendamento",
    "protocolo",
    "tipo_envio",
    "status",
    "numero_nf",
    "sincronizado_nf",
    "criado_em",
)


def cnpj(rng) -> str:
    """A formatted CNPJ with valid check digits (matriz 0001)."""
    numeros = [rng.randrange(10) for _ in range(8)] + [0, 0, 0, 1]
    for pesos in ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)):
        resto = sum(n * p for n, p in zip(numeros, pesos)) % 11
        numeros.append(0 if resto < 2 else 11 - resto)
    s = "".join(map(str, numeros))
    return f"{s[:2]}.{s[2:5]}.{s[5:8]}/{s[8:12]}-{s[12:]}"


def carteira(demo):
    """(row count, stream of order lines); the stream fills demo.lotes and demo.pre_separacoes."""
    rng = demo.rng("carteira")
    escala = demo.escala
    clientes = [_cliente(rng) for _ in range(escalado(CLIENTES, escala, 5))]
    cum_clientes = list(accumulate(rng.paretovariate(1.5) for _ in clientes))
    n_pedidos = escalado(PEDIDOS, escala, 8)
    n_linhas = [rng.randint(2, 7) if rng.random() < 0.4 else rng.randint(8, 30) for _ in range(n_pedidos)]
    elegiveis = [i for i, n in enumerate(n_linhas) if n >= 8]
    faturados = set(rng.sample(elegiveis, min(len(elegiveis), escalado(LOTES_FATURADOS, escala, 2))))
    separados = set(rng.sample(elegiveis, min(len(elegiveis), escalado(SEPARACOES, escala, 2))))
    sem_separacao = [i for i in elegiveis if i not in separados]  # all their lines still open
    pre_separados = set(rng.sample(sem_separacao, min(len(sem_separacao), escalado(PRE_SEPARACOES, escala, 2))))
    ativos = [u for u in demo.unidades if u.ativo]
    n_linhas = [min(n, len(ativos)) for n in n_linhas]

    def linhas():
        cum = list(accumulate(u.peso_demanda for u in ativos))
        odoo_id, largura = 250000, max(5, len(str(n_pedidos)))
        for i in range(n_pedidos):
            cliente = rng.choices(clientes, cum_weights=cum_clientes)[0]
            num_pedido = f"VCD{demo.hoje.year % 100:02d}{i + 1:0{largura}d}"
            itens = _linhas_pedido(rng, amostra_ponderada(rng, ativos, cum, n_linhas[i]))
            if i in faturados:
                _lote(demo, rng, num_pedido, cliente[1], itens, faturado=True)
            if i in separados:
                _lote(demo, rng, num_pedido, cliente[1], itens, faturado=False)
            if i in pre_separados:
                _pre_separacao(demo, rng, num_pedido, itens)
            data_pedido = demo.dia(rng, -45, 0)
            entrega = data_pedido + timedelta(days=rng.randint(5, 30))
            manual = rng.random() < 0.05
            cabecalho = (
                num_pedido,
                f"PC{rng.randint(10000, 999999)}" if rng.random() < 0.6 else "",
                data_pedido,
                "Pedido de venda",
                *cliente,
            )
            criado = demo.instante(data_pedido, rng.randrange(8 * 3600, 18 * 3600))
            obs = rng.choice(OBS_PEDIDO)
            for cod, u, saldo, faturado, cancelado, _ in itens:
                odoo_id += rng.randint(1, 9)
                yield (
                    *cabecalho,
                    cod,
                    u.nome,
                    saldo + faturado + cancelado,
                    saldo,
                    cancelado,
                    u.preco,
                    entrega,
                    obs,
                    True,
                    "MANUAL" if manual else "ODOO",
                    None if manual else odoo_id,
                    criado,
                    criado,
                )

    return sum(n_linhas), linhas()


def _cliente(rng) -> tuple:
    """cnpj_cpf .. telefone_endereco_ent, in COLUNAS_CARTEIRA order."""
    tipo, tipo_red = rng.choice(TIPOS_CLIENTE)
    nome, sufixo = rng.choice(NOMES_CLIENTE), rng.choice(SUFIXOS)
    municipio, uf, cep, ddd, _ = rng.choices(CIDADES, cum_weights=list(accumulate(c[4] for c in CIDADES)))[0]
    vendedor, equipe = rng.choice(VENDEDORES)
    documento, razao = cnpj(rng), f"{tipo} {nome} {sufixo}"
    return (
        documento,
        razao,
        f"{tipo_red} {nome}",
        municipio,
        uf,
        vendedor,
        equipe,
        documento,
        razao,
        f"{cep:02d}{rng.randrange(1000):03d}-{rng.randrange(1000):03d}",
        municipio,
        uf,
        rng.choice(BAIRROS),
        rng.choice(RUAS),
        str(rng.randint(10, 4999)),
        f"({ddd}) {rng.randint(2000, 5999)}-{rng.randrange(10000):04d}",
    )


def _linhas_pedido(rng, produtos) -> list[list]:
    """[cod, produto, saldo, faturado, cancelado, saldo ainda não alocado] per line."""
    linhas = []
    for u in produtos:
        saldo = max(1, int(u.lote_tipico * rng.lognormvariate(0, 0.6)))
        cancelado = rng.randint(1, max(1, saldo // 4)) if rng.random() < 0.04 else 0
        cod = u.paralelo if u.paralelo and rng.random() < 0.3 else u.cod
        linhas.append([cod, u, saldo, 0, cancelado, saldo])
    return linhas


def _alocar(rng, linhas):
    """Allocate ~15 lines from what is still unallocated: ([(cod, produto, qtd)], tipo_envio)."""
    abertas = [linha for linha in linhas if linha[5] > 0]
    k = min(len(abertas), rng.randint(8, 22))
    parcial = rng.random() < 0.3
    itens = []
    for linha in [abertas[j] for j in sorted(rng.sample(range(len(abertas)), k))]:
        qtd = max(1, int(linha[5] * rng.uniform(0.3, 0.8))) if parcial else linha[5]
        linha[5] -= qtd
        itens.append((linha[0], linha[1], qtd))
    return itens, "parcial" if parcial else "total"


def _faturado(demo, rng, linhas):
    """An invoiced lote's (itens, situacao, status, expedicao): invoiced earlier, so the line's
    qtd_produto_pedido includes it, its saldo does not."""
    itens = []
    for j in sorted(rng.sample(range(len(linhas)), min(len(linhas), rng.randint(8, 22)))):
        qtd = max(1, int(linhas[j][1].lote_tipico * rng.lognormvariate(0, 0.5)))
        linhas[j][3] += qtd
        itens.append((linhas[j][0], linhas[j][1], qtd))
    situacao = CICLO_FATURADOS[demo.lotes_por_tipo[True] % len(CICLO_FATURADOS)]
    status = {FATURADO: "FATURADO", NF_NO_CD: "NF no CD", SINC_PENDENTE: "EMBARCADO"}[situacao]
    expedicao = demo.dia(rng, -3, -1) if situacao == SINC_PENDENTE else demo.dia(rng, -30, -1)
    return itens, situacao, status, expedicao


def _lote(demo, rng, num_pedido, cliente, linhas, faturado):
    if faturado:
        itens, situacao, status, expedicao = _faturado(demo, rng, linhas)
        tipo_envio = "total"
    else:
        itens, tipo_envio = _alocar(rng, linhas)
        if not itens:
            return
        situacao = ATIVO
        status = CICLO_STATUS[demo.lotes_por_tipo[False] % len(CICLO_STATUS)]
        expedicao = demo.dia(rng, -2, 1) if status == "EMBARCADO" else demo.dia(rng, -2, 20)
    criado = min(expedicao, demo.hoje) - timedelta(days=rng.randint(1, 5))
    agendamento = expedicao + timedelta(days=rng.randint(0, 3)) if rng.random() < 0.4 else None
    lote = Lote(
        lote_id=f"LOTE_{criado:%Y%m%d}_{len(demo.lotes) + 1:06d}",
        num_pedido=num_pedido,
        cliente=cliente,
        situacao=situacao,
        status=status,
        expedicao=expedicao,
        criado_em=demo.instante(criado, rng.randrange(8 * 3600, 18 * 3600)),
        tipo_envio=tipo_envio,
        itens=itens,
        agendamento=agendamento,
        protocolo=f"AG{rng.randint(100000, 999999)}" if agendamento else "",
    )
    demo.lotes.append(lote)
    demo.lotes_por_tipo[faturado] += 1
    if situacao == ATIVO:
        for _, u, qtd in itens:
            u.saida_d7 += qtd if expedicao <= demo.hoje + timedelta(days=7) else 0
        if rng.random() < 0.25:  # it came from a pré-separação (kept, status ENVIADO_SEPARACAO)
            for cod, _, qtd in itens:
                demo.pre_separacoes.append(
                    (
                        num_pedido,
                        cod,
                        qtd,
                        expedicao,
                        agendamento,
                        lote.protocolo,
                        "",
                        "ENVIADO_SEPARACAO",
                        tipo_envio,
                        lote.criado_em,
                        rng.choice(USUARIOS),
                    )
                )


def _pre_separacao(demo, rng, num_pedido, linhas):
    itens, tipo_envio = _alocar(rng, linhas)
    if not itens:
        return
    status = "RECOMPOSTO" if rng.random() < 0.25 else "CRIADO"
    expedicao = demo.dia(rng, -2, 20)
    agendamento = expedicao + timedelta(days=rng.randint(0, 3)) if rng.random() < 0.4 else None
    protocolo = f"AG{rng.randint(100000, 999999)}" if agendamento else ""
    obs = rng.choice(("", "", "", "AGUARDANDO CONFIRMAÇÃO DO CLIENTE", "CLIENTE PEDIU ANTECIPAÇÃO", "COMPLETAR CARGA"))
    criado = demo.instante(demo.dia(rng, -5, -1), rng.randrange(8 * 3600, 18 * 3600))
    por = rng.choice(USUARIOS)
    for cod, u, qtd in itens:
        demo.pre_separacoes.append(
            (num_pedido, cod, qtd, expedicao, agendamento, protocolo, obs, status, tipo_envio, criado, por)
        )
        u.saida_d7 += qtd if expedicao <= demo.hoje + timedelta(days=7) else 0


def separacoes(demo):
    """Separação rows of every lote; FATURADO and NF no CD ones already carry their NF."""
    for lote in demo.lotes:
        faturado = lote.situacao in (FATURADO, NF_NO_CD)
        for cod, u, qtd in lote.itens:
            valor, peso = (u.preco * qtd).quantize(CENTAVO), (u.peso * qtd).quantize(GRAMA)
            pallets = (Decimal(qtd) / u.palletizacao).quantize(GRAMA)
            yield (
                lote.lote_id,
                lote.num_pedido,
                cod,
                qtd,
                valor,
                peso,
                pallets,
                lote.expedicao,
                lote.agendamento,
                lote.protocolo,
                lote.tipo_envio,
                lote.status,
                lote.numero_nf if faturado else "",
                faturado,
                lote.criado_em,
            )
