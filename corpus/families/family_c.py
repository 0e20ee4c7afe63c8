"""Family C templates: a second set of French issuers ("house style" C).

Fonts: Carlito / Caladea / Inconsolata (fonts-crosextra-carlito, fonts-crosextra-caladea, fonts-inconsolata),
OCR-B for machine-readable zones, Dancing Script for handwriting.  Issuers: POOL below.
Payslips are "bulletins clarifiés", RIBs carry the national table, ID documents have bilingual labels,
rent receipts are a managing agency's "avis d'échéance valant quittance", certificates are written as prose.
Each template sets ``x["fields"]`` to exactly what it prints (normalised as FORMAT.md says).
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import ids
import mrz
import tplkit as K
from data import CITIES, COUNTRY_FR, FOREIGN_NAMES, FEMALE_FOREIGN, STREETS, TODAY, Address
from draw import Doc, hexc
from ids import fmt_amount as A, fmt_date as DT

# ------------------------------------------------------------------------------------------ issuers / fonts
POOL = {
    "banks": [
        ("Banque Rhodanienne de Dépôts", "BRHDFRPP", "18215", "BRD"),
        ("Caisse Vosgienne de Crédit", "CVGCFR21", "12739", "CVC"),
        ("Banque Saint-Aubin", "BSTAFRPP", "15873", "BSA"),
        ("Néréis Banque", "NRSBFRP2", "16528", "NÉRÉIS"),
        ("Crédit Foncier du Béarn", "CFBNFRBB", "19407", "CFB"),
        ("Banque Sirius", "SIRUFRP1", "11468", "SIRIUS"),
    ],
    "energy": [
        ("Azuréa Électricité", "électricité", "AZ"), ("Gaz du Ponant", "gaz", "GP"),
        ("Volta Énergies", "électricité", "VE"), ("Calora Gaz", "gaz", "CG"),
    ],
    "schools": [
        ("Collège Les Quatre Vents", "collège"), ("Collège Georges Brassens", "collège"),
        ("Lycée Camille Claudel", "lycée"), ("Lycée polyvalent Marguerite Yourcenar", "lycée"),
        ("École primaire du Vieux Port", "école"), ("École élémentaire Jean de La Fontaine", "école"),
        ("Université de Haute-Vallée", "université"),
    ],
    "payroll_sw": ["PayFlex 4 - bulletin clarifié", "EasyPaye Cloud 2024.3"],
    "res_nats": ["TUN", "CIV", "MLI", "CMR", "VNM", "HTI", "IND", "COL"],
    "employer_kinds": ["Logistique", "Pâtisserie", "Charpente", "Laboratoire", "Carrosserie", "Résidence Seniors",
                       "Conseil", "Propreté", "Restaurant", "Librairie"],
    "forms": ["SASU", "EURL", "SCOP", "SNC"],
    # extra issuers of family C
    "agencies": [
        ("Cabinet Delorme & Associés", "Administrateur de biens"), ("Régie des Quais", "Gestion locative"),
        ("Gestimmo Sud-Ouest", "Syndic et gérance"), ("Agence Lamartine Immobilier", "Gestion - Transaction"),
        ("Foncière Vauclair Gestion", "Administration de biens"),
    ],
    "prefectures": ["Préfecture de l'Isère", "Préfecture de la Haute-Garonne", "Préfecture du Bas-Rhin",
                    "Préfecture de la Seine-Maritime", "Préfecture du Maine-et-Loire", "Préfecture des Bouches-du-Rhône"],
    "mutuelles": ["Mutuelle Horizon Santé", "Mutuelle des Trois Rivières", "Solidaris Prévoyance"],
}

FONTS = {
    "R": "Carlito-Regular.ttf", "B": "Carlito-Bold.ttf", "I": "Carlito-Italic.ttf",
    "S": "Caladea-Regular.ttf", "SB": "Caladea-Bold.ttf", "SI": "Caladea-Italic.ttf",
    "N": "Carlito-Regular.ttf", "NB": "Carlito-Bold.ttf",
    "M": "Inconsolata.otf", "MB": "Inconsolata.otf",
    "D": "Carlito-Regular.ttf", "DB": "Carlito-Bold.ttf", "DC": "Carlito-Regular.ttf",
    "DCB": "Carlito-Bold.ttf", "DS": "Caladea-Regular.ttf", "DSB": "Caladea-Bold.ttf",
    "MRZ": "OCRB.otf", "HW": "DancingScript-Regular.otf",
}

GREY = (0.94, 0.94, 0.94)
MID = (0.4, 0.4, 0.4)
WHITE = (1, 1, 1)


def AM(v) -> str:
    """1 234,56 € (plain spaces)."""
    return A(v, "fr_sp")


def LONG(d: date) -> str:
    return DT(d, "long")


def _addr(r: random.Random) -> Address:
    pc, city, _ = r.choice([c for i, c in enumerate(CITIES) if i % 2 == 1])
    return Address(f"{r.randint(1, 120)} {r.choice([s for i, s in enumerate(STREETS) if i % 2 == 1])}", pc, city)


def _civ(p, long: bool = False) -> str:
    if long:
        return "Monsieur" if p.sex == "M" else "Madame"
    return "M." if p.sex == "M" else "Mme"


def _pname(p, r: random.Random) -> str:
    """A person's name in one of the family's styles (the truth keeps what is printed)."""
    k = r.random()
    if k < 0.55:
        return f"{p.first} {p.surname}"
    if k < 0.85:
        return f"{p.surname} {p.first}"
    return f"{' '.join(p.given)} {p.surname}"


def _rate(s: str) -> str:
    return (f"{Decimal(s):.2f}".replace(".", ",") + " %") if s and Decimal(s) else ""


def _footer(d: Doc, txt: str, page: str = ""):
    d.hline(15, 195, 280, lw=0.3, col=MID)
    d.t(15, 284, txt, "R", 6.5, col=MID)
    if page:
        d.t(195, 284, page, "R", 6.5, "r", col=MID)


# ------------------------------------------------------------------------------------------ payslip
def payslip(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e = x["co"], x["emp"]
    prog = r.choice([0, 1])
    band = r.choice([hexc("274c77"), hexc("5b3e6b"), hexc("2f5d50"), hexc("6b4226")])
    start = date(x["y"], x["m"], 1)
    end = ids.last_day(x["y"], x["m"])
    per = f"Période : {LONG(start)} au {LONG(end)}"
    paid = f"Payé le {DT(x['pay_date']) if r.random() < 0.6 else LONG(x['pay_date'])}"
    ename = _pname(e, r)
    x["fields"]["employee_name"] = ename
    siret = ids.fmt_siret(co["siret"]) if r.random() < 0.7 else co["siret"]
    if prog == 0:
        d.rect(0, 8, 210, 26, fill=band, stroke=None)
        d.t(15, 17, co["name"], "B", 14, col=WHITE)
        d.t(15, 23, co["address"].one_line(), "R", 8, col=WHITE)
        d.t(15, 28, f"N° SIRET {siret}   ·   APE {co['naf']}", "R", 8, col=WHITE)
        d.t(195, 16, "BULLETIN DE SALAIRE", "B", 12, "r", col=WHITE)
        d.t(195, 22, per, "R", 8.5, "r", col=WHITE)
        d.t(195, 27.5, paid + " par virement", "R", 8.5, "r", col=WHITE)
        info = [("Matricule", f"M{r.randint(100, 9999)}"), ("N° de Sécurité sociale", ids.fmt_nir(e.nir)),
                ("Emploi", x["job"]), ("Statut", r.choice(["Non cadre", "Employé", "Agent de maîtrise"])),
                ("Niveau / Coefficient", x["coef"]), ("Date d'entrée", DT(x["hire"])), ("Convention", x["cc_short"])]
        yy = 43
        for k, v in info:
            d.t(15, yy, k, "R", 7.5, col=MID)
            d.t(52, yy, v, "R", 8)
            yy += 4.2
        d.t(122, 42, "Salarié(e)", "I", 7.5, col=MID)
        d.t(122, 47.5, f"{_civ(e, r.random() < 0.3)} {ename}", "B", 10)
        yy = 52.5
        for ln in e.address.lines():
            d.t(122, yy, ln, "R", 9)
            yy += 4.5
        y0 = 77
    else:
        d.t(15, 13, "Établissement", "I", 7.5, col=MID)
        d.rect(15, 15, 90, 30, stroke=MID, lw=0.4, r=1.5)
        d.t(18, 21, co["name"], "B", 11)
        yy = 26
        for ln in co["address"].lines():
            d.t(18, yy, ln, "R", 8.5)
            yy += 4
        d.t(18, yy, f"Siret : {siret}  -  Code NAF : {co['naf']}", "R", 8)
        d.t(112, 13, "Salarié(e)", "I", 7.5, col=MID)
        d.rect(110, 15, 85, 30, stroke=MID, lw=0.4, r=1.5)
        d.t(113, 21, ename, "B", 10.5)
        yy = 26
        for ln in e.address.lines():
            d.t(113, yy, ln, "R", 8.5)
            yy += 4
        d.rect(15, 49, 180, 8, fill=band, stroke=None)
        d.t(18, 54.6, "BULLETIN DE PAIE CLARIFIÉ", "B", 10, col=WHITE)
        d.t(192, 54.6, per, "R", 8.5, "r", col=WHITE)
        rows = [["Matricule", "N° Sécurité sociale", "Emploi", "Entrée le", "Convention collective"],
                [f"{r.randint(1, 99999):05d}", ids.fmt_nir(e.nir), x["job"], DT(x["hire"]), x["cc_short"]]]
        d.table(15, 59, [20, 38, 42, 22, 58], rows, sz=7.3, rh=4.6, head_f="I", head_fill=None, grid="h")
        d.t(195, 73, paid, "B", 8.5, "r")
        y0 = 77
    # rubric table
    L = x["lines"]
    gross = x["gross"]
    at_rate = r.choice(["1.12", "1.54", "2.21", "0.87"])
    fam_rate = r.choice(["3.45", "5.25"])
    other_rate = r.choice(["0.30", "0.64", "1.10"])
    at, fam, oth = (ids.D(gross * Decimal(v) / 100) for v in (at_rate, fam_rate, other_rate))
    tot_pat = x["total_pat"] + at + fam + oth
    B = lambda v: A(v, "bare") if v else ""  # noqa: E731
    hdr = ["Éléments de paie", "Base", "Taux", "Montant salarial", "Part employeur"] if prog == 0 else \
        ["Désignation", "Base", "Taux", "Part salarié", "Part employeur"]
    rows = [hdr,
            ["Salaire de base", f"{x['hours']}".replace(".", ","), f"{x['rate']}".replace(".", ","), B(gross), ""],
            ["SALAIRE BRUT", "", "", B(gross), ""],
            ["SANTÉ", "", "", "", ""],
            ["  Sécurité sociale - Maladie Maternité Invalidité Décès", B(L[0][1]), "", "", B(L[0][5])],
            ["  Complémentaire Incapacité Invalidité Décès", B(L[5][1]), _rate(L[5][2]), B(L[5][3]), B(L[5][5])],
            ["  Complémentaire santé", "", "", B(L[6][3]), B(L[6][5])],
            ["ACCIDENTS DU TRAVAIL - MALADIES PROFESSIONNELLES", B(gross), "", "", B(at)],
            ["RETRAITE", "", "", "", ""],
            ["  Sécurité sociale plafonnée", B(L[1][1]), _rate(L[1][2]), B(L[1][3]), B(L[1][5])],
            ["  Sécurité sociale déplafonnée", B(L[2][1]), _rate(L[2][2]), B(L[2][3]), B(L[2][5])],
            ["  Complémentaire Tranche 1", B(L[3][1]), _rate(L[3][2]), B(L[3][3]), B(L[3][5])],
            ["FAMILLE", B(gross), "", "", B(fam)],
            ["ASSURANCE CHÔMAGE", B(L[4][1]), "", "", B(L[4][5])],
            ["AUTRES CONTRIBUTIONS DUES PAR L'EMPLOYEUR", "", "", "", B(oth)],
            ["CSG-CRDS", "", "", "", ""],
            ["  CSG déductible de l'impôt sur le revenu", B(L[7][1]), _rate(L[7][2]), B(L[7][3]), ""],
            ["  CSG/CRDS non déductible de l'impôt sur le revenu", B(L[8][1]), _rate(L[8][2]), B(L[8][3]), ""],
            ["TOTAL DES COTISATIONS ET CONTRIBUTIONS", "", "", B(x["total_sal"]), B(tot_pat)]]
    bold = (2, 3, 7, 8, 12, 13, 14, 15, 18)
    y = d.table(15, y0, [84, 22, 16, 29, 29], rows, sz=7.4, rh=4.7, aligns="lrrrr",
                grid="frame_h" if prog == 0 else "h", head_fill=GREY, bold_rows=bold, head_f="B")
    y += 5
    d.t(15, y, "NET À PAYER AVANT IMPÔT SUR LE REVENU", "B", 8.8)
    d.t(195, y, A(x["net_before_tax"], "bare"), "B", 9, "r")
    y += 5
    d.t(19, y, "dont évolution de la rémunération liée à la suppression des cotisations salariales chômage et maladie",
        "I", 6.8, col=MID)
    d.t(195, y, A(ids.D(gross * Decimal("0.0315")), "bare"), "I", 7, "r", col=MID)
    y += 6
    d.t(15, y, "Impôt sur le revenu prélevé à la source", "R", 8.3)
    d.t(110, y, f"Base {A(x['net_taxable'], 'bare')}", "R", 7.8)
    d.t(150, y, f"Taux {str(x['pas_rate']).replace('.', ',')} %", "R", 7.8)
    d.t(195, y, A(-x["pas"], "bare") if x["pas"] else "0,00", "R", 8.3, "r")
    y += 7
    d.rect(15, y - 4.6, 180, 8.5, fill=GREY, stroke=band, lw=0.8)
    lbl = r.choice(["NET PAYÉ EN EUROS", "Net payé", "NET PAYÉ (virement)"])
    d.t(18, y + 1.2, lbl, "B", 10.5)
    d.t(192, y + 1.2, AM(x["net_pay"]), "B", 11.5, "r")
    y += 9
    for k, v in [("Montant net social", x["net_social"]), ("Net imposable", x["net_taxable"]),
                 ("Total versé par l'employeur", gross + tot_pat)]:
        d.t(15, y, k, "R", 8)
        d.t(195, y, A(v, "bare"), "R", 8, "r")
        y += 4.5
    y += 3
    cum_pas = ids.D(x["pas"] * x["m"])
    cum = [[f"Cumuls annuels {x['y']}", "Brut", "Net imposable", "Impôt prélevé", "Heures"],
           ["Depuis le 1er janvier", A(x["cum_gross"], "bare"), A(x["cum_taxable"], "bare"), A(cum_pas, "bare"),
            f"{float(x['hours']) * x['m']:.2f}".replace(".", ",")]]
    d.table(15, y, [50, 32, 32, 32, 34], cum, sz=7.3, rh=4.8, aligns="lrrrr", grid="all", head_fill=None, head_f="I")
    y += 13
    cp = x["leave"]
    d.t(15, y, f"Congés payés (jours) : acquis N-1 {A(cp[0], 'bare')} · acquis N {A(cp[1], 'bare')} · "
        f"pris {A(cp[2], 'bare')}", "R", 7.3)
    d.wrap(15, 265, 180, "Conservez ce bulletin sans limitation de durée. Le détail des cotisations et la rubrique "
           "« bulletin de paie » sont expliqués sur www.service-public.fr. Les montants sont exprimés en euros.",
           "I", 6.6)
    _footer(d, r.choice(POOL["payroll_sw"]), "1/2" if multipage else "")
    if multipage:
        d.new_page()
        d.t(15, 20, "Informations du mois", "B", 12, col=band)
        y = 30
        for title, txt in [
            ("Votre taux de prélèvement", "Le taux appliqué ce mois-ci est celui transmis par la DGFiP. Toute "
             "modification se fait depuis votre espace sur impots.gouv.fr, et non auprès du service paie."),
            ("Heures et absences", f"Durée mensuelle : {str(x['hours']).replace('.', ',')} heures. "
             "Aucune absence n'a été déclarée sur la période."),
            ("Mentions", K.LOREM_FR)]:
            d.t(15, y, title, "B", 9.5)
            y = d.wrap(15, y + 5, 180, txt, "R", 8.8) + 5
        _footer(d, r.choice(POOL["payroll_sw"]), "2/2")


# ------------------------------------------------------------------------------------------ tax notice
def tax_notice(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p1, p2 = x["p1"], x["p2"]
    yr = x["year"]
    blue = hexc("123a6d")
    d.t(15, 16, "DIRECTION GÉNÉRALE", "B", 8, col=blue)
    d.t(15, 19.6, "DES FINANCES PUBLIQUES", "B", 8, col=blue)
    for i, c in enumerate([(0.0, 0.0, 0.57), (0.85, 0.85, 0.85), (0.88, 0.1, 0.2)]):
        d.rect(15 + i * 12, 22, 12, 1.2, fill=c, stroke=None)
    d.t(15, 29, f"Service des impôts des particuliers de {x['sip_city']}", "R", 7.5)
    d.t(15, 32.6, "Accueil sur rendez-vous - impots.gouv.fr", "R", 7.5, col=MID)
    # references box, top right
    d.rect(112, 12, 83, 44, stroke=blue, lw=0.6, r=2)
    d.rect(112, 12, 83, 7, fill=blue, stroke=None, r=2)
    d.t(115, 17, "Vos références", "B", 9, col=WHITE)
    rows = [("N° fiscal déclarant 1", ids.fmt_tax_number(x["tn1"]))]
    if p2:
        rows.append(("N° fiscal déclarant 2", ids.fmt_tax_number(x["tn2"])))
    rows += [(r.choice(["Réf. de l'avis", "N° de l'avis d'impôt"]), ids.fmt_notice_reference(x["ref"])),
             ("Établi le", DT(x["recouvrement"] - timedelta(days=r.randint(5, 20)))),
             ("Identifiant FIP", f"{r.randint(10 ** 9, 10 ** 10 - 1)}")]
    yy = 24.5
    for k, v in rows:
        d.t(115, yy, k, "R", 7.6, col=MID)
        d.t(192, yy, v, "MB", 8.8, "r")
        yy += 5.6
    # addressee
    name1 = f"{p1.surname} {' '.join(p1.given).upper()}" if r.random() < 0.5 else f"{p1.surname} {p1.first}"
    x["fields"]["taxpayer_name"] = name1
    civ = "M" if p1.sex == "M" else "MME"
    y = 46
    d.t(15, y, f"{civ} {name1}", "R", 9.5)
    if p2:
        y += 4.8
        d.t(15, y, f"{'MME' if p2.sex == 'F' else 'M'} {p2.surname} {p2.first.upper()}", "R", 9.5)
    for ln in p1.address.lines():
        y += 4.8
        d.t(15, y, ln.upper(), "R", 9.5)
    # title
    d.t(105, 76, f"AVIS D'IMPÔT SUR LES REVENUS {yr + 1}", "SB", 14.5, "c", col=blue)
    d.t(105, 82.5, f"Impôt sur le revenu et prélèvements sociaux - revenus de l'année {yr}", "S", 9.5, "c")
    # key figures band
    y = 90
    w = 58
    boxes = [("Revenu fiscal de référence", A(x["rfr"], "int")),
             ("Nombre de parts", ids.fmt_shares(x["shares"], r.choice(["short", "fr2"]))),
             ("Impôt sur le revenu net", A(x["tax"], "int"))]
    for i, (k, v) in enumerate(boxes):
        bx = 15 + i * (w + 3)
        d.rect(bx, y, w, 19, fill=hexc("eef2f8"), stroke=None, r=2)
        d.t(bx + w / 2, y + 6, k, "R", 8.2, "c", col=blue)
        d.t(bx + w / 2, y + 14.5, v, "B", 13, "c")
    # household
    y = 118
    d.t(15, y, "Votre foyer fiscal", "B", 10.5, col=blue)
    d.hline(15, 195, y + 1.5, lw=0.4, col=blue)
    sit = "Mariés / pacsés" if p2 else r.choice(["Célibataire", "Divorcé(e) / séparé(e)", "Veuf / veuve"])
    fr = [["", "Déclarant 1", "Déclarant 2" if p2 else ""],
          ["Nom et prénom", f"{p1.surname} {p1.first}", f"{p2.surname} {p2.first}" if p2 else ""],
          ["Année de naissance", str(p1.birth.year), str(p2.birth.year) if p2 else ""],
          ["Numéro fiscal", ids.fmt_tax_number(x["tn1"]), ids.fmt_tax_number(x["tn2"]) if p2 else ""]]
    y = d.table(15, y + 4, [50, 65, 65], fr, sz=8.3, rh=5.4, grid="h", head_fill=None, head_f="I")
    d.t(15, y + 5, f"Situation : {sit}     Personnes à charge : {x['kids']}", "R", 8.5)
    # computation
    y += 14
    d.t(15, y, "Calcul de votre impôt", "B", 10.5, col=blue)
    d.hline(15, 195, y + 1.5, lw=0.4, col=blue)
    solde = x["tax"] - x["prelevement"]
    det = [["Revenus d'activité déclarés", A(x["gross_income"], "int")],
           ["Revenu net imposable", A(x["rfr"], "int")],
           ["Impôt brut (barème progressif)", A(x["tax"], "int")],
           ["Réductions et crédits d'impôt", A(0, "int")],
           ["Impôt net", A(x["tax"], "int")],
           ["Prélèvement à la source déjà effectué", A(-x["prelevement"], "int")],
           ["Somme restant à payer" if solde >= 0 else "Excédent qui vous sera restitué", A(abs(solde), "int")]]
    y = d.table(15, y + 4, [140, 40], [["", ""]] + det, sz=8.6, rh=5.8, aligns="lr", grid="h", head_f=None,
                head_fill=None, bold_rows=(7,))
    y += 7
    d.t(15, y, f"Prélevé le {LONG(x['payment_limit'])} sur votre compte si un solde reste dû.", "R", 8.3)
    y += 8
    d.wrap(15, y, 180, "Conservez cet avis : il justifie de vos revenus et de votre situation de famille auprès des "
           "organismes sociaux (caisses d'allocations familiales, bailleurs sociaux, établissements scolaires). "
           "Le revenu fiscal de référence figure en haut de cet avis.", "I", 7.8)
    _footer(d, f"Avis d'impôt {yr + 1} - revenus {yr}", "Page 1 / 2" if multipage else "Page 1 / 1")
    if multipage:
        d.new_page()
        d.t(15, 20, f"Les éléments de votre déclaration de revenus {yr}", "SB", 12, col=blue)
        sal = x["salaries"]
        rows = [["Rubrique", "Case", "Déclarant 1", "Déclarant 2"],
                ["Traitements et salaires", "1AJ / 1BJ", A(sal * 6 / 10 if p2 else sal, "int"),
                 A(sal * 4 / 10, "int") if p2 else "-"],
                ["Abattement forfaitaire 10 %", "", A(-(sal * 6 / 100 if p2 else sal / 10), "int"),
                 A(-sal * 4 / 100, "int") if p2 else "-"],
                ["Revenus fonciers nets", "4BA", A(r.randint(0, 2400), "int"), ""]]
        y = d.table(15, 28, [80, 25, 37.5, 37.5], rows, sz=8.5, rh=6, aligns="lcrr", grid="h", head_fill=GREY)
        d.t(15, y + 10, "Informations", "B", 10)
        d.wrap(15, y + 16, 180, K.LOREM_FR, "R", 8.5)
        _footer(d, f"Avis d'impôt {yr + 1} - revenus {yr}", "Page 2 / 2")


# ------------------------------------------------------------------------------------------ RIB
def bank_details(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    rib = x["rib"]
    col = r.choice([hexc("8a1538"), hexc("005f73"), hexc("3d405b"), hexc("6a994e")])
    bi = r.random() < 0.45
    L = (lambda fr, en: f"{fr} / {en}") if bi else (lambda fr, en: fr)  # noqa: E731
    top = 18
    d.rect(15, top, 180, 112, stroke=col, lw=0.8, r=3)
    d.rect(15, top, 180, 16, fill=col, stroke=None, r=3)
    d.rect(15, top + 10, 180, 6, fill=col, stroke=None)
    d.t(20, top + 10.5, x["bank"], "B", 14, col=WHITE)
    d.t(190, top + 7, "RIB", "B", 16, "r", col=WHITE)
    d.t(190, top + 12.5, "Relevé d'Identité Bancaire" + (" / Bank details" if bi else ""), "R", 8, "r", col=WHITE)
    y = top + 25
    holder = x["holder_str"]
    pre = ""
    if " OU " not in holder and r.random() < 0.4:
        pre = _civ(x["holder"]).upper() + " "
    d.t(20, y, L("Titulaire du compte", "Account holder"), "R", 8, col=MID)
    d.t(75, y, pre + holder, "B", 10.5)
    yy = y
    for ln in x["holder"].address.lines():
        yy += 4.5
        d.t(75, yy, ln, "R", 9)
    y = yy + 8
    d.t(20, y, L("Domiciliation", "Branch"), "R", 8, col=MID)
    d.t(75, y, f"{x['bank']} - {x['agency_name'].replace('Agence', 'Agence de')}", "R", 9)
    d.t(75, y + 4.5, f"{x['agency'].line1}, {x['agency'].postcode} {x['agency'].city}", "R", 9)
    y += 12
    t = [["Code banque", "Code guichet", "N° de compte", "Clé RIB"],
         [rib["bank"], rib["branch"], rib["account"], rib["key"]]]
    d.table(20, y, [32, 32, 70, 36], t, f="M", sz=11, rh=7, aligns="cccc", grid="all", head_f="I",
            head_fill=hexc("f2efe9"))
    y += 22
    d.t(20, y, L("IBAN", "International Bank Account Number") if bi else "IBAN", "R", 8, col=MID)
    d.rect(20, y + 2, 170, 9, stroke=col, lw=0.5)
    d.t(24, y + 8.4, ids.fmt_iban(rib["iban"]), "M", 13)
    y += 17
    d.t(20, y, L("BIC", "Bank Identifier Code (SWIFT)") if bi else "BIC (code SWIFT)", "R", 8, col=MID)
    d.t(20, y + 6, x["bic"], "M", 13)
    d.t(120, y, L("Devise", "Currency"), "R", 8, col=MID)
    d.t(120, y + 6, "EUR", "M", 12)
    d.t(160, y, "Édition", "R", 8, col=MID)
    d.t(160, y + 6, DT(x["edit_date"], "dot"), "R", 10)
    y = top + 120
    d.wrap(15, y, 180, "Ce relevé vous permet de communiquer vos coordonnées bancaires à vos employeurs, organismes "
           "sociaux, fournisseurs d'énergie ou bailleurs pour la mise en place de virements ou de prélèvements. "
           "Ne le transmettez qu'à des interlocuteurs de confiance.", "I", 7.8)
    y += 16
    d.rect(15, y, 180, 26, stroke=MID, lw=0.3, dash=(2, 2))
    d.t(18, y + 5, "Cadre réservé au destinataire du relevé", "I", 7.5, col=MID)
    _footer(d, f"{x['bank']} - société anonyme coopérative - RCS {x['agency'].city} - ORIAS {r.randint(10 ** 7, 10 ** 8 - 1)}")


# ------------------------------------------------------------------------------------------ ID documents
def _bl(d: Doc, x, y, fr, en, value, sz=6.4, f="B", lcol=(0.3, 0.3, 0.35)):
    """A bilingual label over its value."""
    d.t(x, y, f"{fr} / ", "R", 3.9, col=lcol)
    w = d.width(f"{fr} / ", "R", 3.9)
    d.t(x + w, y, en, "I", 3.9, col=lcol)
    d.t(x, y + 2.9, value, f, sz)


def _stripes(d: Doc, c1, c2, r: random.Random, tint):
    d.rect(0, 0, d.W, d.H, fill=c1, stroke=None)
    for i in range(-6, 16):
        x0 = i * 9
        d.poly([(x0, 0), (x0 + 4, 0), (x0 + 4 + d.H * 0.6, d.H), (x0 + d.H * 0.6, d.H)], fill=c2, alpha=0.35)
    d.guilloche(0, d.H * 0.25, d.W, d.H * 0.6, tint, r, n=14, lw=0.1, alpha=0.35)


def id_card(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    c1, c2, tint = hexc("eaf4f1"), hexc("cfe3f5"), hexc("5f8fa8")
    _stripes(d, c1, c2, r, tint)
    d.rect(0, 0, d.W, 9.5, fill=hexc("23395d"), stroke=None)
    d.t(4, 4.4, "RÉPUBLIQUE FRANÇAISE", "B", 6.2, col=WHITE)
    d.t(4, 7.8, "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD", "R", 4.6, col=WHITE)
    d.t(82, 6.4, "F", "B", 9, "r", col=WHITE)
    K.portrait(d, 60, 12, 22, 28, r, p.sex, bg=(0.9, 0.92, 0.93))
    _bl(d, 60, 43, "N° du document", "Document No", x["number"], f="MB", sz=6.6)
    _bl(d, 4, 13, "Nom", "Surname", p.surname, sz=7)
    _bl(d, 4, 20, "Prénoms", "Given names", ", ".join(p.given), sz=6.2)
    _bl(d, 4, 27, "Sexe", "Sex", p.sex)
    _bl(d, 18, 27, "Nationalité", "Nationality", "FRA")
    _bl(d, 36, 27, "Né(e) le", "Date of birth", DT(p.birth, "dot"))
    _bl(d, 4, 34, "Lieu de naissance", "Place of birth", p.birth_city.upper(), sz=5.8)
    _bl(d, 4, 41, "Date d'expiration", "Date of expiry", DT(x["expiry"], "dot"))
    _bl(d, 34, 41, "CAN", "Card access no.", x["can"], f="R", sz=5.5)
    d.t(4, 47.5, "Signature / Signature", "R", 3.6, col=(0.3, 0.3, 0.35))
    d.signature(24, 50, 22, r, col=(0.15, 0.15, 0.2), lw=0.4)
    d.new_page()
    _stripes(d, c2, c1, r, tint)
    _bl(d, 4, 5, "Adresse", "Address", f"{p.address.line1.upper()}", sz=5.4)
    d.t(4, 11, f"{p.address.postcode} {p.address.city.upper()}", "B", 5.4)
    _bl(d, 4, 15, "Délivrée le", "Date of issue", DT(x["issue"], "dot"), sz=5.4)
    _bl(d, 36, 15, "Autorité", "Authority", r.choice(POOL["prefectures"]).upper(), sz=4.2)
    for i in range(34):  # a barcode-like strip
        w = r.choice([0.3, 0.5, 0.8])
        d.rect(4 + i * 1.3, 22, w, 7, fill=(0.15, 0.15, 0.15), stroke=None)
    d.rect(0, 34, d.W, 20, fill=WHITE, stroke=None, alpha=0.9)
    lines = mrz.td1("ID", "FRA", x["number"], p.birth, p.sex, x["expiry"], "FRA", p.surname, p.given)
    K.mrz_block(d, 3.5, 40, lines, sz=8.4, lead=4.8, width=78.5)
    x["mrz"] = lines


PASS_COUNTRIES = {
    # code: (header FR / own, header EN, nationality word, background, ink, surnames, male, female, number style)
    "BEL": ("ROYAUME DE BELGIQUE", "KINGDOM OF BELGIUM", "BELGE / BELGIAN", "e3ebf5", "1d3557",
            ["PEETERS", "JANSSENS", "MAES", "DUBOIS", "LAMBERT"], ["Lucas", "Arthur", "Noah"],
            ["Emma", "Louise", "Olivia"], "LL6"),
    "ITA": ("REPUBBLICA ITALIANA", "ITALIAN REPUBLIC", "ITALIANA / ITALIAN", "e6f0e3", "2d5a27",
            ["ROSSI", "RUSSO", "FERRARI", "ESPOSITO", "BIANCHI"], ["Marco", "Giuseppe", "Luca"],
            ["Giulia", "Francesca", "Chiara"], "LL7"),
    "ESP": ("REINO DE ESPAÑA", "KINGDOM OF SPAIN", "ESPAÑOLA / SPANISH", "f4e6e6", "7a1f2b",
            ["GARCÍA", "FERNÁNDEZ", "LÓPEZ", "SÁNCHEZ", "MORENO"], ["Javier", "Pablo", "Diego"],
            ["Lucía", "Carmen", "Elena"], "LLL6"),
    "PRT": ("REPÚBLICA PORTUGUESA", "PORTUGUESE REPUBLIC", "PORTUGUESA / PORTUGUESE", "f3ecdd", "5c3d12",
            ["FERREIRA", "COSTA", "RODRIGUES", "MARTINS", "SOUSA"], ["João", "Tiago", "Rui"],
            ["Inês", "Beatriz", "Catarina"], "L6"),
    "CHE": ("CONFÉDÉRATION SUISSE", "SWISS CONFEDERATION", "SUISSE / SWISS", "f6e4e1", "9b1c1c",
            ["MEIER", "FAVRE", "ROCHAT", "GERBER", "BONVIN"], ["Nicolas", "Yannick", "Cédric"],
            ["Sophie", "Nadia", "Aline"], "L7"),
    "CAN": ("CANADA", "CANADA", "CANADIENNE / CANADIAN", "e4eef6", "16425b",
            ["TREMBLAY", "GAGNON", "BOUCHARD", "CÔTÉ", "GAUTHIER"], ["Étienne", "Mathieu", "Olivier"],
            ["Geneviève", "Marie-Ève", "Catherine"], "LL6"),
}
LET = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _numstyle(style: str, r: random.Random) -> str:
    out = ""
    for ch in style:
        if ch == "L":
            out += r.choice(LET)
        else:
            out += "".join(str(r.randint(0, 9)) for _ in range(int(ch)))
    return out


def passport(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    code = "FRA" if r.random() < 0.6 else r.choice(sorted(PASS_COUNTRIES))
    surname, given, number = p.surname, list(p.given), x["number"]
    if code == "FRA":
        h1, h2, natw, bg, ink = "RÉPUBLIQUE FRANÇAISE", "FRENCH REPUBLIC", "FRANÇAISE / FRENCH", "ece4ef", "4a2058"
        birth_place = p.birth_city.upper()
    else:
        h1, h2, natw, bg, ink, sns, ms, fs, st = PASS_COUNTRIES[code]
        surname = r.choice(sns)
        given = [r.choice(ms if p.sex == "M" else fs)]
        if r.random() < 0.4:
            g2 = r.choice(ms if p.sex == "M" else fs)
            if g2 not in given:
                given.append(g2)
        number = _numstyle(st, r)
        birth_place = r.choice(["BRUXELLES", "LIÈGE", "GENÈVE", "LAUSANNE", "MONTRÉAL", "QUÉBEC"]) \
            if code in ("BEL", "CHE", "CAN") else r.choice(["ROMA", "MILANO", "MADRID", "SEVILLA", "LISBOA", "PORTO"])
        x["fields"].update({"surname": surname, "given_names": " ".join(given), "document_number": number,
                            "nationality": code})
    ink = hexc(ink)
    d.rect(0, 0, d.W, d.H, fill=hexc(bg), stroke=None)
    d.guilloche(0, 10, d.W, 58, ink, r, n=18, lw=0.1, alpha=0.25)
    d.t(4, 6, h1, "B", 7.5, col=ink)
    d.t(4, 9.6, h2, "I", 5.5, col=ink)
    d.t(121, 6, "PASSEPORT / PASSPORT", "B", 7.5, "r", col=ink)
    ds = "fr_en" if code in ("FRA", "BEL", "CHE", "CAN") else "en"
    _bl(d, 38, 15, "Type", "Type", "P", sz=7)
    _bl(d, 50, 15, "Code du pays", "Country code", code, sz=7)
    _bl(d, 84, 15, "N° du passeport", "Passport No.", number, f="MB", sz=8)
    _bl(d, 38, 23, "Nom", "Surname", surname, sz=7.6)
    _bl(d, 38, 31, "Prénoms", "Given names", ", ".join(given), sz=7.2)
    _bl(d, 38, 39, "Nationalité", "Nationality", natw, sz=6.6)
    _bl(d, 84, 39, "Date de naissance", "Date of birth", DT(p.birth, ds), sz=6.8)
    _bl(d, 38, 47, "Sexe", "Sex", p.sex, sz=6.8)
    _bl(d, 50, 47, "Lieu de naissance", "Place of birth", birth_place, sz=6.6)
    _bl(d, 38, 55, "Date de délivrance", "Date of issue", DT(x["issue"], ds), sz=6.8)
    _bl(d, 84, 55, "Date d'expiration", "Date of expiry", DT(x["expiry"], ds), sz=6.8)
    auth = r.choice(POOL["prefectures"]).upper() if code == "FRA" else "AUTORITÉ CONSULAIRE / CONSULAR AUTHORITY"
    _bl(d, 38, 63, "Autorité", "Authority", auth, sz=5.5)
    K.portrait(d, 4, 15, 30, 39, r, p.sex, bg=(0.93, 0.93, 0.95))
    d.signature(6, 62, 24, r, col=(0.12, 0.12, 0.2), lw=0.4)
    d.rect(0, 69, d.W, 19, fill=WHITE, stroke=None, alpha=0.9)
    lines = mrz.td3("P", code, number, p.birth, p.sex, x["expiry"], code, surname, given)
    K.mrz_block(d, 4, 77, lines, sz=9.4, lead=5.8, width=117)
    x["mrz"] = lines


def residence_permit(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    c1, c2, tint = hexc("f7f0e3"), hexc("e9dcc3"), hexc("a07a3c")
    _stripes(d, c1, c2, r, tint)
    d.rect(0, 0, 3, d.H, fill=hexc("8c5a1e"), stroke=None)
    d.t(5.5, 5, "TITRE DE SÉJOUR / RESIDENCE PERMIT", "B", 5.8, col=hexc("5a3810"))
    d.t(5.5, 8.4, "RÉPUBLIQUE FRANÇAISE", "R", 4.6, col=hexc("5a3810"))
    d.t(82, 6, "FRA", "B", 7, "r", col=hexc("5a3810"))
    K.portrait(d, 5.5, 12, 21, 27, r, p.sex, bg=(0.92, 0.9, 0.87))
    _bl(d, 30, 13, "Nom", "Surname", p.surname, sz=6.8)
    _bl(d, 30, 19.5, "Prénoms", "Given names", ", ".join(p.given), sz=6.2)
    _bl(d, 30, 26, "Nationalité", "Nationality", p.nationality)
    _bl(d, 52, 26, "Sexe", "Sex", p.sex)
    _bl(d, 63, 26, "Né(e) le", "Born on", DT(p.birth, "dot"), sz=5.8)
    _bl(d, 30, 32.5, "Type de titre", "Type of permit", x["permit_kind"], sz=4.6)
    _bl(d, 30, 39, "N° du titre", "Permit No.", x["number"], f="MB", sz=6.6)
    _bl(d, 58, 39, "Fin de validité", "Expiry date", DT(x["expiry"], "dot"), sz=6.2)
    _bl(d, 5.5, 45.5, "Mention", "Remarks", x["permit_mention"], sz=4.8)
    d.signature(55, 50, 16, r, col=(0.1, 0.1, 0.15), lw=0.4)
    d.new_page()
    _stripes(d, c2, c1, r, tint)
    _bl(d, 4, 5, "Adresse", "Address", p.address.line1.upper(), sz=5.2)
    d.t(4, 10.8, f"{p.address.postcode} {p.address.city.upper()}", "B", 5.2)
    _bl(d, 4, 15, "Lieu de naissance", "Place of birth", f"{p.birth_city.upper()} ({COUNTRY_FR.get(p.nationality, p.nationality).upper()})", sz=5)
    _bl(d, 4, 22, "Délivré le", "Issued on", DT(x["issue"], "dot"), sz=5.2)
    _bl(d, 32, 22, "Par", "By", r.choice(POOL["prefectures"]).upper(), sz=4.2)
    d.rect(0, 34, d.W, 20, fill=WHITE, stroke=None, alpha=0.9)
    lines = mrz.td1("IR", "FRA", x["number"], p.birth, p.sex, x["expiry"], p.nationality, p.surname, p.given)
    K.mrz_block(d, 3.5, 40, lines, sz=8.4, lead=4.8, width=78.5)
    x["mrz"] = lines


# ------------------------------------------------------------------------------------------ rent receipt
def rent_receipt(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    L, T = x["landlord"], x["tenant"]
    ag, ag_kind = r.choice(POOL["agencies"])
    ag_addr = _addr(r)
    col = r.choice([hexc("1b4332"), hexc("3a0ca3"), hexc("7f4f24"), hexc("264653")])
    d.rect(15, 12, 4, 22, fill=col, stroke=None)
    d.t(23, 18, ag, "SB", 13, col=col)
    d.t(23, 23, ag_kind, "I", 8.5)
    d.t(23, 27.5, ag_addr.one_line(), "R", 8)
    d.t(23, 31.5, f"Carte professionnelle CPI {r.randint(1000, 9999)} {r.randint(2015, 2023)} 000 "
        f"{r.randint(100, 999)} {r.randint(100, 999)} - Tél. 0{r.randint(1, 5)} {r.randint(10, 99)} "
        f"{r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}", "R", 7, col=MID)
    tname = _pname(T, r)
    x["fields"]["tenant_name"] = tname
    y = 46
    d.t(118, y, f"{_civ(T, r.random() < 0.4)} {tname}", "B", 10)
    for ln in T.address.lines():
        y += 4.7
        d.t(118, y, ln, "R", 9.5)
    d.t(118, y + 9, f"{ag_addr.city}, le {LONG(x['issued'])}", "R", 9)
    title = r.choice(["AVIS D'ÉCHÉANCE VALANT QUITTANCE", "AVIS D'ÉCHÉANCE / QUITTANCE DE LOYER"])
    d.t(15, 84, title, "B", 14, col=col)
    d.hline(15, 195, 86.5, lw=0.8, col=col)
    lname = _pname(L, r)
    x["fields"]["landlord_name"] = lname
    lab = r.choice(["Propriétaire", "Bailleur"])
    y = 94
    info = [(lab, f"{_civ(L)} {lname}"), ("Locataire", tname), ("Adresse du bien loué", x["prop"].one_line()),
            ("Référence", f"Lot {r.randint(1, 80):03d} - compte locataire L{r.randint(10000, 99999)}")]
    for k, v in info:
        d.t(15, y, k, "R", 8.5, col=MID)
        d.t(58, y, v, "B" if k in (lab, "Locataire") else "R", 9.5)
        y += 5.5
    y += 3
    s, e = date(x["y"], x["m"], 1), ids.last_day(x["y"], x["m"])
    per = f"Du {DT(s, 'dot')} au {DT(e, 'dot')}"
    B = lambda v: A(v, "bare")  # noqa: E731
    prev = ids.D(0)
    rows = [["Période", "Libellé", "Débit", "Crédit"],
            ["", "Solde antérieur", "", B(prev)],
            [per, "Loyer principal", B(x["rent"]), ""],
            [per, "Provision sur charges", B(x["charges"]), ""]]
    if r.random() < 0.4:
        rows.append([per, "Taxe ordures ménagères (incluse)", "0,00", ""])
    rows.append([DT(x["paid_on"], "dot"), f"Votre règlement - {r.choice(['virement', 'prélèvement', 'chèque'])}",
                 "", B(x["total"])])
    rows.append(["", "Total", B(x["total"]), B(x["total"])])
    rows.append(["", "Solde", "", "0,00"])
    y = d.table(15, y, [50, 80, 25, 25], rows, sz=8.8, rh=6.4, aligns="llrr", grid="all",
                head_fill=hexc("eeeeea"), bold_rows=(len(rows) - 2, len(rows) - 1))
    y += 8
    txt = (f"Le présent avis vaut quittance pour la période {per.lower()}, le montant de {AM(x['total'])} ayant été "
           f"reçu pour le compte de {_civ(L)} {lname}, {lab.lower()}, par {ag}, son mandataire. "
           "Sous réserve d'encaissement et de tous droits et actions du bailleur.")
    y = d.wrap(15, y, 180, txt, "R", 9.5, lead=5) + 8
    d.t(120, y, f"Pour le {lab.lower()}, le gestionnaire", "I", 9)
    d.signature(128, y + 14, 30, r)
    d.wrap(15, 266, 180, "Quittance délivrée en application de l'article 21 de la loi n° 89-462 du 6 juillet 1989. "
           "En cas de paiement partiel, elle ne vaut que reçu. À conserver trois ans.", "I", 7.2)
    _footer(d, f"{ag} - {ag_addr.one_line()} - garantie financière et assurance RCP souscrites")


# ------------------------------------------------------------------------------------------ energy bill
def energy_bill(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    h = x["holder"]
    elec = x["energy"] == "électricité"
    col = hexc("e07a00") if elec else hexc("2a6f97")
    # logo: concentric arcs + name
    for i, rad in enumerate((7, 5, 3)):
        d.circle(22, 20, rad, fill=col if i % 2 == 0 else WHITE, stroke=None)
    d.t(32, 20, x["supplier"], "B", 15, col=col)
    d.t(32, 25, f"Votre fournisseur {'d' + chr(39) + 'électricité' if elec else 'de gaz naturel'}", "I", 8, col=MID)
    d.t(195, 16, "Facture", "B", 15, "r")
    issue = DT(x["issue"]) if r.random() < 0.5 else LONG(x["issue"])
    d.t(195, 22, f"du {issue}", "R", 9.5, "r")
    d.t(195, 27, f"N° {x['invoice_no']}", "R", 8.5, "r", col=MID)
    hn = _pname(h, r)
    x["fields"]["holder_name"] = hn
    # left: references
    y = 40
    refs = [("Titulaire du contrat", hn), ("Référence client", x["cust"]),
            ("N° de contrat", f"{x['short']}-{r.randint(100000, 999999)}"),
            ("PRM (point de référence mesure)" if elec else "PCE (point de comptage)", x["pdl"])]
    for k, v in refs:
        d.t(15, y, k, "R", 7.6, col=MID)
        d.t(62, y, v, "B" if k == "Référence client" else "R", 9)
        y += 5
    # right: mailing address window
    y = 42
    d.t(118, y, f"{_civ(h).upper()} {hn.upper()}", "R", 9.5)
    mail = h.address if r.random() < 0.75 else _addr(r)  # bills sometimes go to another mailing address
    for ln in mail.lines():
        y += 4.7
        d.t(118, y, ln.upper(), "R", 9.5)
    # summary
    y = 70
    d.t(15, y, "Votre facture en bref", "B", 12, col=col)
    y += 4
    cells = [("Consommation", AM(x["conso"]), f"{x['kwh']} kWh"), ("Abonnement", AM(x["abo"]), "2 mois"),
             ("Taxes et contributions", AM(x["taxes"]), "accise, CTA"), ("TVA", AM(x["tva"]), "5,5 % et 20 %")]
    w = 43.5
    for i, (k, v, sub) in enumerate(cells):
        bx = 15 + i * (w + 2)
        d.rect(bx, y, w, 20, fill=hexc("f5f5f2"), stroke=None, r=1.5)
        d.t(bx + 3, y + 5.5, k, "R", 8, col=MID)
        d.t(bx + 3, y + 12.5, v, "B", 11)
        d.t(bx + 3, y + 17.3, sub, "I", 7, col=MID)
    y += 23
    cells = [("Montant TTC", AM(x["ttc"])), ("Déjà réglé", AM(x["already"])), ("Reste à payer", AM(x["due"]))]
    w = 59
    for i, (k, v) in enumerate(cells):
        bx = 15 + i * (w + 1.5)
        last = i == 2
        d.rect(bx, y, w, 16, fill=col if last else hexc("f5f5f2"), stroke=None, r=1.5)
        d.t(bx + 3, y + 5.5, k, "B" if last else "R", 8.5, col=WHITE if last else MID)
        d.t(bx + w - 3, y + 12.5, v, "B", 12.5, "r", col=WHITE if last else (0, 0, 0))
    y += 22
    d.t(15, y, f"À régler au plus tard le {DT(x['due_date'])} - prélèvement automatique sur votre compte.", "R", 8.5)
    # supply address box
    y += 7
    d.rect(15, y, 85, 28, stroke=col, lw=0.5, r=1.5)
    d.t(18, y + 5.5, "Lieu de consommation", "B", 8.5, col=col)
    yy = y + 10.5
    for ln in h.address.lines():
        d.t(18, yy, ln, "R", 9)
        yy += 4.5
    d.rect(110, y, 85, 28, stroke=col, lw=0.5, r=1.5)
    d.t(113, y + 5.5, "Période facturée", "B", 8.5, col=col)
    d.t(113, y + 11, f"du {DT(x['period_start'])} au {DT(x['period_end'])}", "R", 9)
    i0 = r.randint(10000, 60000)
    d.t(113, y + 16, f"Index relevés : {i0} → {i0 + x['kwh']}", "R", 8.5)
    d.t(113, y + 21, f"Prix du kWh : {str(x['price']).replace('.', ',')} € HT", "R", 8.5)
    y += 36
    rows = [["Détail", "Quantité", "Prix unitaire HT", "Montant HT"],
            [f"Consommation {x['energy']}", f"{x['kwh']} kWh", str(x["price"]).replace(".", ","), A(x["conso"], "bare")],
            ["Abonnement", "2 mois", "", A(x["abo"], "bare")],
            ["Accise sur l'énergie et contribution tarifaire", "", "", A(x["taxes"], "bare")],
            ["Total HT", "", "", A(x["ht"], "bare")]]
    y = d.table(15, y, [90, 30, 30, 30], rows, sz=8.4, rh=5.6, aligns="lrrr", grid="h", head_fill=hexc("f5f5f2"),
                bold_rows=(4,))
    y += 8
    d.t(15, y, "Une question ? Votre espace client est disponible 24 h/24. Service clients : 09 "
        f"{r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} (appel non surtaxé).",
        "R", 8)
    _footer(d, f"{x['supplier']} - {x['sup_addr'].line1} - {x['sup_addr'].postcode} {x['sup_addr'].city} - "
            f"SA au capital de {r.randint(2, 60)} 000 000 €", "1/2" if multipage else "1/1")
    if multipage:
        d.new_page()
        d.t(15, 20, "Bon à savoir", "B", 12, col=col)
        y = d.wrap(15, 28, 180, "Le chèque énergie peut être utilisé pour régler cette facture. Les informations sur "
                   "les tarifs et la composition de votre offre sont disponibles dans votre espace client.", "R", 9) + 6
        d.t(15, y, "Historique de consommation (kWh)", "B", 9.5)
        base = y + 32
        for i in range(12):
            hgt = r.uniform(5, 26)
            d.rect(18 + i * 14, base - hgt, 9, hgt, fill=col, stroke=None, alpha=0.5)
            d.t(22.5 + i * 14, base + 4, ids.MONTHS[(x["issue"].month + i) % 12][:4], "R", 6.5, "c")
        d.wrap(15, base + 14, 180, K.LOREM_FR, "R", 8.5)
        _footer(d, f"{x['supplier']}", "2/2")


# ------------------------------------------------------------------------------------------ employer certificate
CT_LONG = {"CDI": "en contrat à durée indéterminée", "CDD": "en contrat à durée déterminée",
           "APPRENTISSAGE": "en contrat d'apprentissage", "INTERIM": "en contrat de mission d'intérim"}


def employer_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e, s = x["co"], x["emp"], x["signer"]
    d.t(105, 22, co["name"], "SB", 16, "c")
    d.t(105, 28, co["address"].one_line(), "S", 9, "c")
    d.t(105, 32.5, f"Tél. {co['phone']}", "S", 9, "c", col=MID)
    d.hline(60, 150, 36, lw=0.4)
    d.t(105, 62, r.choice(["ATTESTATION D'EMPLOI", "ATTESTATION DE L'EMPLOYEUR"]), "SB", 15, "c")
    ename = _pname(e, r)
    x["fields"]["employee_name"] = ename
    ne = "né" if e.sex == "M" else "née"
    emp_w = "employé" if e.sex == "M" else "employée"
    sg = "Je soussigné" if s.sex == "M" else "Je soussignée"
    ct = CT_LONG[x["ct"]]
    verb = r.choice(["certifie que", "certifie par la présente que"])
    siret_s = ids.fmt_siret(co["siret"])
    txt = (f"{sg}, {_civ(s, True)} {s.name_fs()}, agissant en qualité de {x['role'].lower()} de la société "
           f"{co['name']} (SIRET {siret_s}), {verb} {_civ(e, True)} {ename}, {ne} le {LONG(e.birth)}, "
           f"est {emp_w} dans notre entreprise depuis le {LONG(x['hire'])} {ct}")
    if x["end"]:
        txt += f" dont le terme est fixé au {LONG(x['end'])}"
    txt += f", en qualité de {x['job'].lower()}."
    y = d.wrap(22, 85, 166, txt, "S", 11.5, lead=6.2, justify=True) + 5
    txt2 = (f"{'Il' if e.sex == 'M' else 'Elle'} effectue un horaire hebdomadaire de {x['hours']} heures pour une "
            f"rémunération brute mensuelle de {AM(x['salary'])}. À la date de la présente attestation, "
            f"{'il' if e.sex == 'M' else 'elle'} n'est ni démissionnaire, ni en cours de procédure de licenciement.")
    y = d.wrap(22, y, 166, txt2, "S", 11.5, lead=6.2, justify=True) + 5
    y = d.wrap(22, y, 166, "Cette attestation est établie à la demande de l'intéressé(e) pour faire valoir ce que de "
               "droit.", "S", 11.5, lead=6.2) + 14
    d.t(118, y, f"Fait à {co['address'].city}, le {LONG(x['issued'])}", "S", 10.5)
    d.t(118, y + 6, f"{s.name_fs()}, {x['role']}", "SI", 9.5)
    d.signature(128, y + 22, 34, r)
    K.stamp(d, 72, y + 20, r, [co["name"][:30].upper(), co["address"].city.upper(), f"SIRET {siret_s}"],
            col=r.choice([(0.1, 0.3, 0.6), (0.45, 0.1, 0.45)]), shape="rect", angle=r.uniform(-6, 6), alpha=0.7)
    _footer(d, f"{co['name']} - SIRET {siret_s} - APE {co['naf']} - URSSAF {co['urssaf']}")


# ------------------------------------------------------------------------------------------ school certificate
def school_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    s, h = x["stu"], x["head"]
    col = hexc("2b2d42")
    d.rect(15, 14, 1.5, 24, fill=col, stroke=None)
    d.t(20, 19, x["school"], "SB", 13, col=col)
    d.t(20, 24.5, x["addr"].one_line(), "R", 9)
    d.t(20, 29, f"Code UAI {x['uai']} - Académie de {x['academie']}", "R", 8.5, col=MID)
    d.t(20, 33.5, f"Secrétariat : 0{r.randint(1, 5)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} "
        f"{r.randint(10, 99)}", "R", 8.5, col=MID)
    univ = x["kind"] == "université"
    d.t(105, 62, "ATTESTATION D'INSCRIPTION" if univ else r.choice(["ATTESTATION DE SCOLARITÉ", "Attestation de scolarité"]),
        "SB", 15, "c")
    role = {"école": "La directrice" if h.sex == "F" else "Le directeur",
            "collège": "La principale" if h.sex == "F" else "Le principal",
            "lycée": "La proviseure" if h.sex == "F" else "Le proviseur",
            "université": "La présidente" if h.sex == "F" else "Le président"}[x["kind"]]
    sname = _pname(s, r)
    x["fields"]["student_name"] = sname
    ne = "né" if s.sex == "M" else "née"
    who = ("l'étudiant" if s.sex == "M" else "l'étudiante") if univ else ("l'élève",)[0]
    ins = "inscrit" if s.sex == "M" else "inscrite"
    yr = f"{x['start']}-{x['start'] + 1}"
    txt = (f"{role} {'de l' + chr(39) if univ else 'du ' if x['school'].startswith(('Collège', 'Lycée')) else 'de l' + chr(39)}"
           f"{x['school'] if univ else x['school'][0].lower() + x['school'][1:]}, {h.name_fs()}, certifie que "
           f"{who} {sname}, {ne} le {LONG(s.birth)} à {s.birth_city}, est régulièrement {ins} "
           f"{'en ' + x['level'] if univ else 'en classe de ' + x['level']} au titre de l'année "
           f"{'universitaire' if univ else 'scolaire'} {yr}.")
    y = d.wrap(22, 85, 166, txt, "S", 11.5, lead=6.4, justify=True) + 6
    y = d.wrap(22, y, 166, f"Identifiant national élève (INE) : {x['ine']}. Régime : "
               f"{r.choice(['externe', 'demi-pensionnaire', 'interne'])}.", "S", 10.5, lead=6) + 5
    y = d.wrap(22, y, 166, "La présente attestation est délivrée pour servir et valoir ce que de droit.", "S", 11,
               lead=6) + 14
    d.t(118, y, f"À {x['addr'].city}, le {LONG(x['issued'])}", "S", 10.5)
    d.t(118, y + 6, role, "SI", 10)
    d.signature(126, y + 20, 30, r)
    K.stamp(d, 80, y + 18, r, [x["school"][:24].upper(), x["addr"].city.upper()], col=(0.2, 0.2, 0.55),
            shape="circle", angle=r.uniform(-10, 10), alpha=0.65)
    _footer(d, f"{x['school']} - {x['addr'].one_line()}")


# ------------------------------------------------------------------------------------------ sick leave
def sick_leave(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p, doc = x["pat"], x["doc"]
    col = hexc("1d6a72")
    d.t(15, 18, f"Docteur {doc.name_fs()}", "SB", 13, col=col)
    d.t(15, 23.5, r.choice(["Médecine générale", "Médecin généraliste - conventionné secteur 1",
                            "Médecine générale et du sport"]), "SI", 9.5)
    d.t(15, 28.5, doc.address.one_line(), "R", 8.5)
    d.t(15, 33, f"RPPS {x['rpps']}  ·  N° AM {x['am']}", "R", 8.5, col=MID)
    d.t(195, 18, f"Le {LONG(x['presc'])}", "R", 10, "r")
    d.t(105, 60, r.choice(["CERTIFICAT MÉDICAL D'ARRÊT DE TRAVAIL", "AVIS D'ARRÊT DE TRAVAIL"]), "SB", 14.5, "c")
    d.t(105, 66, "Volet destiné à l'employeur" if r.random() < 0.5 else "Exemplaire assuré(e)", "I", 9, "c", col=MID)
    pname = _pname(p, r)
    x["fields"]["patient_name"] = pname
    ne = "né" if p.sex == "M" else "née"
    sg = "Je soussigné" if doc.sex == "M" else "Je soussignée"
    init = x["initial"]
    txt = (f"{sg}, Docteur {doc.name_fs()}, certifie avoir examiné ce jour {_civ(p, True)} {pname}, {ne} le "
           f"{LONG(p.birth)}, immatriculé(e) à l'assurance maladie sous le numéro {ids.fmt_nir(p.nir)}, "
           f"demeurant {p.address.one_line()}.")
    y = d.wrap(22, 84, 166, txt, "S", 11.5, lead=6.3, justify=True) + 5
    kind = "un arrêt de travail initial" if init else "une prolongation d'arrêt de travail"
    txt2 = (f"Son état de santé justifie {kind} du {LONG(x['start'])} au {LONG(x['end'])} inclus"
            f"{'' if init else ', l' + chr(39) + 'arrêt initial ayant été prescrit par moi-même'}.")
    y = d.wrap(22, y, 166, txt2, "S", 11.5, lead=6.3, justify=True) + 5
    sort = {"interdites": "Sorties non autorisées.",
            "autorisées": "Sorties autorisées de 9 h à 11 h et de 14 h à 16 h, sauf soins ou examens médicaux.",
            "autorisées sans restriction d'horaire": "Sorties libres, sans restriction d'horaire (motif médical)."}
    y = d.wrap(22, y, 166, sort[x["sorties"]], "S", 11, lead=6) + 4
    y = d.wrap(22, y, 166, f"Employeur déclaré : {x['co']['name']}, {x['co']['address'].city}.", "S", 10.5,
               lead=6) + 4
    y = d.wrap(22, y, 166, "Certificat établi à la demande de l'intéressé(e) et remis en main propre pour servir et "
               "valoir ce que de droit.", "S", 11, lead=6) + 16
    d.t(120, y, "Signature et cachet du médecin", "I", 9)
    d.signature(128, y + 14, 30, r)
    K.stamp(d, 160, y + 14, r, [f"Dr {doc.surname}", "MÉDECINE GÉNÉRALE", doc.address.city.upper()],
            col=(0.15, 0.25, 0.55), shape="rect", angle=r.uniform(-5, 5), alpha=0.55)
    d.wrap(15, 262, 180, f"À adresser à votre employeur dans les 48 heures ; les volets destinés au service médical "
           f"sont à envoyer à la CPAM de {x['cpam_city']}. Tout arrêt non justifié peut entraîner la suspension des "
           "indemnités journalières.", "I", 7.5)
    _footer(d, f"Cabinet médical - {doc.address.one_line()}")


# ------------------------------------------------------------------------------------------ other
OTHER_KINDS = ["visa", "mutual_form", "bank_statement", "letter", "blank", "quote"]
IMAGE_ONLY_OTHER = {"visa"}
STATEMENT_OPS = ["CARTE X4521 SUPERMARCHE", "PRLV SEPA ASSURANCE HABITATION", "VIR SEPA SALAIRE", "CARTE X4521 PHARMACIE",
                 "PRLV SEPA TELEPHONIE MOBILE", "RETRAIT DAB", "VIR SEPA LOYER", "PRLV SEPA ENERGIE",
                 "CARTE X4521 CARBURANT", "VIR INSTANTANE RECU", "COTISATION CARTE", "PRLV SEPA MUTUELLE"]
QUOTE_ITEMS = ["Dépose ancien chauffe-eau", "Fourniture ballon 200 L", "Pose et raccordement", "Mise en service",
               "Peinture plafond (m²)", "Fourniture carrelage (m²)", "Pose carrelage (m²)", "Déplacement",
               "Remplacement serrure 3 points", "Évacuation des gravats"]


def other(d: Doc, x: dict, r: random.Random, cx=None, multipage: bool = False):
    kind = x["subtype"]
    f = cx.fake
    if kind == "mutual_form":
        name = r.choice(POOL["mutuelles"])
        pe = cx.person()
        col = hexc("0f766e")
        d.rect(0, 0, 210, 30, fill=col, stroke=None)
        d.t(15, 14, name, "B", 16, col=WHITE)
        d.t(15, 21, "Mutuelle régie par le livre II du Code de la mutualité", "I", 8, col=WHITE)
        d.t(195, 14, "BULLETIN D'ADHÉSION", "B", 12, "r", col=WHITE)
        d.t(195, 20, "Complémentaire santé individuelle", "R", 8.5, "r", col=WHITE)
        y = 42
        d.t(15, y, "1. L'adhérent(e) principal(e)", "B", 10.5, col=col)
        rows = [("Nom / prénom", f"{pe.surname} {' '.join(pe.given)}"), ("Date de naissance", DT(pe.birth)),
                ("N° de sécurité sociale", ids.fmt_nir(pe.nir)), ("Adresse", pe.address.one_line()),
                ("Téléphone", f"06 {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}")]
        y += 7
        for k, v in rows:
            d.t(18, y, k, "R", 8.5, col=MID)
            d.t(70, y, v, "R", 9.5)
            d.hline(70, 195, y + 1.2, lw=0.2, dash=(1, 1))
            y += 6.5
        y += 3
        d.t(15, y, "2. Bénéficiaires", "B", 10.5, col=col)
        ben = [["Nom", "Prénom", "Lien", "Date de naissance"]]
        for _ in range(r.randint(1, 3)):
            q = cx.person(min_age=1, max_age=60)
            ben.append([pe.surname, q.first, r.choice(["Conjoint(e)", "Enfant", "Enfant"]), DT(q.birth)])
        y = d.table(15, y + 3, [50, 45, 40, 45], ben, sz=8.5, rh=6, grid="all", head_fill=GREY) + 7
        d.t(15, y, "3. Formule choisie", "B", 10.5, col=col)
        y += 7
        pick = r.randint(0, 3)
        for i, fo in enumerate(["Essentielle", "Confort", "Confort +", "Sérénité"]):
            d.rect(18 + i * 45, y - 3.5, 4, 4, lw=0.4)
            if i == pick:
                K.tick(d, 18.5 + i * 45, y - 1.5)
            d.t(24 + i * 45, y, fo, "R", 9.5)
        y += 9
        d.t(15, y, "4. Mandat de prélèvement SEPA", "B", 10.5, col=col)
        rib = ids.make_rib(r, r.choice(POOL["banks"])[2])
        y += 7
        d.t(18, y, f"IBAN du débiteur : {ids.fmt_iban(rib['iban'])}", "M", 9.5)
        d.t(18, y + 6, f"Référence unique de mandat : MH{r.randint(10 ** 8, 10 ** 9)}   Paiement récurrent", "R", 8.5)
        y += 16
        d.wrap(15, y, 180, "En signant ce mandat, vous autorisez la mutuelle à envoyer des instructions à votre banque "
               "pour débiter votre compte des cotisations mensuelles. Vous bénéficiez d'un droit au remboursement "
               "dans les huit semaines suivant la date de débit.", "I", 8)
        d.t(15, y + 22, f"Fait à {pe.address.city}, le {DT(TODAY - timedelta(days=r.randint(3, 200)))}", "R", 9.5)
        d.t(130, y + 22, "Signature de l'adhérent(e)", "I", 9)
        d.signature(135, y + 36, 32, r)
    elif kind == "bank_statement":
        bank, bic, code, short = r.choice(POOL["banks"])
        pe = cx.person()
        rib = ids.make_rib(r, code)
        end = TODAY.replace(day=1) - timedelta(days=r.randint(1, 200))
        end = ids.last_day(end.year, end.month)
        start = end.replace(day=1)
        d.t(15, 18, bank, "B", 14)
        d.t(15, 23.5, "Relevé de compte", "R", 10)
        d.t(195, 18, f"Relevé n° {r.randint(1, 12)} / {end.year}", "R", 9, "r")
        d.t(195, 23.5, f"du {DT(start)} au {DT(end)}", "R", 9, "r")
        d.t(118, 40, f"{_civ(pe).upper()} {pe.name_fs().upper()}", "B", 10)
        yy = 40
        for ln in pe.address.lines():
            yy += 4.6
            d.t(118, yy, ln, "R", 9.5)
        d.t(15, 40, f"Compte de dépôt n° {rib['account']}", "R", 9)
        d.t(15, 45, f"IBAN {ids.fmt_iban(rib['iban'])}", "M", 9)
        d.t(15, 50, f"BIC {bic}", "M", 9)
        bal = ids.D(r.uniform(-200, 3500))
        rows = [["Date", "Libellé", "Valeur", "Débit", "Crédit"],
                [DT(start, "dot"), "SOLDE PRÉCÉDENT", "", "", A(bal, "bare")]]
        dd = start
        for _ in range(r.randint(10, 20)):
            dd = min(end, dd + timedelta(days=r.randint(0, 3)))
            op = r.choice(STATEMENT_OPS)
            amt = ids.D(r.uniform(5, 2400 if "SALAIRE" in op else 180))
            credit = op.startswith("VIR SEPA SALAIRE") or "RECU" in op
            bal += amt if credit else -amt
            rows.append([DT(dd, "dot"), op, DT(dd + timedelta(days=1), "dot"), "" if credit else A(amt, "bare"),
                         A(amt, "bare") if credit else ""])
        rows.append(["", f"SOLDE AU {DT(end, 'dot')}", "", A(-bal, "bare") if bal < 0 else "",
                     A(bal, "bare") if bal >= 0 else ""])
        d.table(15, 62, [22, 88, 22, 24, 24], rows, f="M", sz=8, rh=5.6, aligns="llcrr", grid="h",
                head_fill=GREY, bold_rows=(len(rows) - 1,))
        _footer(d, f"{bank} - BIC {bic} - Médiateur bancaire : voir conditions générales", "Page 1")
    elif kind == "letter":
        co = cx.company()
        pe = cx.person()
        d.t(105, 20, co["name"].upper(), "SB", 13, "c")
        d.t(105, 26, co["address"].one_line(), "S", 8.5, "c", col=MID)
        d.t(118, 48, f"{_civ(pe, True)} {pe.name_fs()}", "S", 10.5)
        for i, ln in enumerate(pe.address.lines()):
            d.t(118, 53 + i * 5, ln, "S", 10.5)
        dt = TODAY - timedelta(days=r.randint(1, 300))
        d.t(118, 80, f"{co['address'].city}, le {LONG(dt)}", "S", 10.5)
        d.t(15, 92, f"Réf. : {r.choice(['DOS', 'CLT', 'REF'])}-{r.randint(10000, 99999)}", "S", 9.5, col=MID)
        d.t(15, 98, "Objet : " + r.choice(["suite à notre entretien", "proposition commerciale",
                                           "changement de nos coordonnées", "rappel de votre rendez-vous"]), "SB", 10.5)
        y = d.wrap(15, 110, 180, f"{_civ(pe, True)},", "S", 11) + 3
        for _ in range(r.randint(3, 5)):
            y = d.wrap(15, y, 180, f.paragraph(nb_sentences=r.randint(3, 6)), "S", 11, lead=5.4, justify=True) + 3
        d.wrap(15, y + 2, 180, f"Nous vous prions de croire, {_civ(pe, True)}, à l'assurance de nos sentiments "
               "dévoués.", "S", 11)
        d.t(130, y + 16, f.name(), "S", 10.5)
        d.signature(132, y + 30, 34, r)
    elif kind == "quote":
        co = cx.company()
        pe = cx.person()
        d.t(15, 20, co["name"], "B", 13)
        d.t(15, 25, co["address"].one_line(), "R", 8.5)
        d.t(15, 29.5, f"Siret {co['siret']} - Assurance décennale n° {r.randint(10 ** 6, 10 ** 7)}", "R", 8.5)
        dt = TODAY - timedelta(days=r.randint(1, 300))
        d.rect(130, 38, 65, 16, fill=GREY, stroke=None)
        d.t(133, 44, f"DEVIS N° D{dt.year}{r.randint(1000, 9999)}", "B", 11)
        d.t(133, 50, f"Établi le {DT(dt, 'dot')} - validité 30 jours", "R", 8.5)
        d.t(15, 62, "Client :", "R", 9, col=MID)
        d.t(15, 67, f"{_civ(pe)} {pe.name_fs()}", "B", 10)
        d.t(15, 72, pe.address.one_line(), "R", 9)
        rows = [["Désignation des travaux", "Qté", "P.U. HT", "Total HT"]]
        tot = Decimal(0)
        for _ in range(r.randint(3, 7)):
            q, pu = r.randint(1, 12), ids.D(r.uniform(15, 600))
            tot += q * pu
            rows.append([r.choice(QUOTE_ITEMS), str(q), A(pu, "bare"), A(q * pu, "bare")])
        tva = ids.D(tot * Decimal("0.10"))
        rows += [["", "", "Total HT", A(tot, "bare")], ["", "", "TVA 10 %", A(tva, "bare")],
                 ["", "", "Net à payer TTC", AM(tot + tva)]]
        y = d.table(15, 84, [105, 15, 30, 30], rows, sz=9, rh=6.5, aligns="lrrr", grid="all", head_fill=GREY)
        d.t(15, y + 10, "Acompte de 30 % à la commande. Solde à la fin du chantier.", "R", 9)
        d.t(120, y + 20, "Bon pour accord, date et signature", "I", 9)
        d.rect(120, y + 23, 75, 25, lw=0.3)
    elif kind == "blank":
        if r.random() < 0.4:
            d.t(105, 287, f"- {r.randint(2, 6)} -", "R", 8, "c", col=(0.7, 0.7, 0.7))


def _visa_page(r: random.Random, dpi: int):
    """A photocopy of a passport page carrying a Schengen visa sticker (MRV-A), on A4."""
    import fonts
    import raster
    f = fonts.register("C")
    d = Doc(f, (210.0, 297.0))
    nat = r.choice(["DZA", "MAR", "SEN", "CHN", "IND", "TUR", "VNM", "COL", "CMR", "UKR"])
    sex = r.choice("MF")
    sns, gns = FOREIGN_NAMES[nat]
    cands = [g for g in gns if (g in FEMALE_FOREIGN) == (sex == "F")] or gns
    surname, given = r.choice(sns), [r.choice(cands)]
    birth = TODAY - timedelta(days=r.randint(20 * 365, 65 * 365))
    start = TODAY - timedelta(days=r.randint(10, 300))
    until = start + timedelta(days=r.choice([30, 90, 180, 365]))
    pnum = f"{r.choice(LET)}{r.choice(LET)}{r.randint(1000000, 9999999)}"
    vnum = f"{r.randint(10 ** 8, 10 ** 9 - 1)}"
    ox, oy = 42, 48  # passport page on the copier glass
    d.rect(ox - 4, oy - 4, 133, 96, fill=(0.97, 0.96, 0.93), stroke=(0.5, 0.5, 0.5), lw=0.4)
    d.guilloche(ox - 4, oy - 4, 133, 96, (0.6, 0.55, 0.7), r, n=16, lw=0.1, alpha=0.35)
    d.t(ox + 120, oy + 90, str(r.randint(6, 30)), "R", 7, "r", col=MID)
    # the sticker
    d.rect(ox, oy, 120, 82, fill=(0.93, 0.95, 0.98), stroke=(0.35, 0.4, 0.55), lw=0.5, r=2)
    d.guilloche(ox, oy, 120, 60, (0.45, 0.55, 0.75), r, n=20, lw=0.1, alpha=0.4)
    d.t(ox + 4, oy + 7, "VISA", "B", 13, col=hexc("203a72"))
    d.t(ox + 24, oy + 7, "ÉTATS SCHENGEN", "B", 8, col=hexc("203a72"))
    d.t(ox + 116, oy + 7, "FRA" + vnum, "MB", 10, "r", col=(0.7, 0.1, 0.1))
    K.portrait(d, ox + 3, oy + 12, 25, 32, r, sex, bg=(0.9, 0.92, 0.95))
    rows = [(ox + 31, 13, "VALABLE POUR", "VALID FOR", "ÉTATS SCHENGEN"),
            (ox + 31, 20, "DU", "FROM", DT(start, "dot")), (ox + 62, 20, "AU", "UNTIL", DT(until, "dot")),
            (ox + 31, 27, "TYPE DE VISA", "TYPE OF VISA", "C"),
            (ox + 62, 27, "NOMBRE D'ENTRÉES", "NUMBER OF ENTRIES", "MULT"),
            (ox + 31, 34, "DURÉE DU SÉJOUR", "DURATION OF STAY", f"{r.choice([30, 60, 90])} JOURS"),
            (ox + 62, 34, "DÉLIVRÉ À", "ISSUED IN", r.choice(["ALGER", "RABAT", "DAKAR", "PEKIN", "NEW DELHI", "ANKARA"])),
            (ox + 31, 41, "LE", "ON", DT(start - timedelta(days=r.randint(5, 40)), "dot")),
            (ox + 62, 41, "NUMÉRO DE PASSEPORT", "PASSPORT NUMBER", pnum),
            (ox + 31, 48, "NOM, PRÉNOM", "SURNAME, NAME", f"{surname}, {given[0].upper()}"),
            (ox + 31, 55, "REMARQUES", "REMARKS", r.choice(["TOURISME", "VISITE FAMILIALE", "AFFAIRES"]))]
    for xx, yy, fr, en, v in rows:
        _bl(d, xx, oy + yy, fr, en, v, sz=7)
    d.rect(ox, oy + 63, 120, 19, fill=WHITE, stroke=None, alpha=0.9)
    l1 = "V<FRA" + mrz.name_field(surname, given, 39)
    num = mrz.field(pnum, 9)
    b, e = mrz.yymmdd(birth), mrz.yymmdd(until)
    l2 = num + mrz.check_digit(num) + nat + b + mrz.check_digit(b) + sex + e + mrz.check_digit(e) + "<" * 16
    assert len(l1) == len(l2) == 44
    K.mrz_block(d, ox + 2, oy + 71, [l1, l2], sz=8.6, lead=5.4, width=116)
    d.t(15, 20, "Copie - page visa", "HW", 14, col=(0.1, 0.15, 0.5))
    return raster.rasterize(d.finish(), dpi)[0]


# ------------------------------------------------------------------------------------------ module API
PREFIX = "c-"
PRODUCER = "Edipage PDF Engine 5.0"
TEMPLATES = {"payslip": payslip, "tax_notice": tax_notice, "bank_details": bank_details, "id_card": id_card,
             "passport": passport, "residence_permit": residence_permit, "rent_receipt": rent_receipt,
             "energy_bill": energy_bill, "employer_certificate": employer_certificate,
             "school_certificate": school_certificate, "sick_leave": sick_leave, "other": other}
ID_TYPES = {"id_card", "passport", "residence_permit"}


def page_size(t: str, x: dict) -> tuple[float, float]:
    if t in ("id_card", "residence_permit"):
        return (85.6, 54.0)
    if t == "passport":
        return (125.0, 88.0)
    return (210.0, 297.0)


def pdf_title(t: str, x: dict) -> str:
    return {"payslip": "Bulletin de salaire", "energy_bill": "Votre facture", "tax_notice": "Avis d'impot",
            "bank_details": "RIB", "rent_receipt": "Avis d'echeance"}.get(t, "")


def pdf_author(t: str, x: dict, r: random.Random) -> str:
    if t == "payslip":
        return r.choice(["PayFlex", "EasyPaye"])
    if t == "energy_bill":
        return x.get("supplier", "")
    return ""


def overlay(d: Doc, it: dict, x: dict, r: random.Random) -> None:
    """Stamps and handwriting drawn over the (last) page, listed in the render's "overlays"."""
    ov = it.get("overlays") or []
    t = it["type"]
    if "stamp" in ov:
        if t in ("energy_bill", "rent_receipt") or (t == "other" and r.random() < 0.5):
            K.stamp(d, r.uniform(140, 170), r.uniform(245, 262), r, ["PAYÉ"], col=(0.75, 0.1, 0.12),
                    shape="rect", angle=r.uniform(-20, 20), alpha=0.6)
        elif t in ("payslip", "employer_certificate", "tax_notice", "bank_details", "other"):
            K.stamp(d, r.uniform(150, 172), r.uniform(248, 262), r,
                    [r.choice(["COPIE CONFORME", "REÇU LE", "DOSSIER TRAITÉ"]),
                     DT(TODAY - timedelta(days=r.randint(1, 60)), "dot")],
                    col=r.choice([(0.15, 0.25, 0.65), (0.35, 0.15, 0.5)]), shape="rect",
                    angle=r.uniform(-15, 15), alpha=0.6)
        else:
            K.stamp(d, r.uniform(40, 70), r.uniform(250, 262), r, ["REÇU", "ACCUEIL"], shape="circle",
                    col=(0.15, 0.25, 0.65), angle=r.uniform(-15, 15), alpha=0.55)
    if "handwriting" in ov:
        note = r.choice(["Vu le " + DT(TODAY - timedelta(days=r.randint(1, 90)), "dot"), "à classer", "dossier CAF",
                         "pour la mutuelle", "OK pour le dossier", "copie pour Mme Roux", "à rappeler",
                         "transmis au service"])
        top = t not in ("payslip", "other") and r.random() < 0.5
        K.handwriting(d, r.uniform(20, 100), r.uniform(8, 9.5) if top else r.uniform(274, 277), note, r,
                      sz=r.uniform(12, 16))
        if r.random() < 0.5:
            d.signature(r.uniform(25, 60), r.uniform(255, 262), r.uniform(22, 32), r, col=(0.1, 0.15, 0.55))


def render_options(it: dict, r: random.Random) -> dict:
    k = it["kind"]
    t = it["type"]
    o: dict = {}
    if k == "pdf_scan":
        o = {"dpi": r.choice([150, 200, 200, 240, 300]), "degradation": r.choice(["light"] * 4 + ["heavy"]),
             "quality": r.randint(70, 82)}
    elif k == "jpeg":
        photo = r.random() < 0.7
        o = {"photo": photo, "dpi": None if photo else r.choice([150, 200]), "photo_dpi": r.choice([130, 150, 170, 190]),
             "degradation": r.choice(["light", "light", "heavy"]), "quality": r.randint(72, 86),
             "color": r.random() < 0.7}
    elif k == "png":
        o = {"dpi": r.choice([150, 200, 300]), "degradation": r.choice(["none", "none", "light"])}
    elif k == "tiff":
        o = {"dpi": r.choice([150, 200, 300]), "degradation": "light", "bilevel": r.random() < 0.8}
    if k != "pdf_text":
        if r.random() < 0.08:
            o["quarter"] = r.choice([90, 180, 270])
        if t not in ID_TYPES and not it.get("multipage") and it.get("sub") not in IMAGE_ONLY_OTHER \
                and it.get("sub") != "blank" and r.random() < 0.2:
            o["overlays"] = r.choice([["stamp"], ["handwriting"], ["stamp", "handwriting"]])
    return o


def scanner_name(r: random.Random) -> str:
    return r.choice(["NumériScan 7", "OfficeCopy MFP 4020", "ScanBox Duplex"])


def compose_id(it: dict, pages, kind: str, dpi, r: random.Random):
    from PIL import Image

    import raster
    if kind == "jpeg" and not it.get("photo", True):  # a flatbed scan saved as JPEG: lay the card on A4
        f = dpi / 400.0
        pages = [p.resize((max(1, int(p.size[0] * f)), max(1, int(p.size[1] * f))), Image.LANCZOS) for p in pages]
        kind = "pdf_scan"
    if kind == "jpeg":
        if len(pages) == 1:
            im = pages[0].convert("RGBA")
            im.putalpha(raster.rounded_mask(im.size, 30))
            return im
        if r.random() < 0.3:  # only the front was photographed
            p = pages[0]
            m = raster.rounded_mask(p.size, int(p.size[0] * 0.045))
            im = p.convert("RGBA")
            im.putalpha(m)
            return im
        gap = 50
        w = sum(p.size[0] for p in pages) + gap
        h = max(p.size[1] for p in pages)
        canvas = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        xx = 0
        for p in pages:
            canvas.paste(p.convert("RGB"), (xx, 0), raster.rounded_mask(p.size, int(p.size[0] * 0.045)))
            xx += p.size[0] + gap
        return canvas
    page = raster.fit_on_a4(None, dpi)
    px = dpi / 25.4
    if len(pages) == 1:
        spots = [(42.5, r.uniform(30, 80))]
    elif r.random() < 0.6:
        y = r.uniform(25, 60)
        spots = [(12, y), (112, y)]
    else:
        spots = [(15, 30), (105, 110)]
    for p, (sx, sy) in zip(pages, spots):
        m = raster.rounded_mask(p.size, int(p.size[0] * 0.045))
        border = Image.new("RGB", (p.size[0] + 6, p.size[1] + 6), (120, 120, 120))
        page.paste(border, (int(sx * px) - 3, int(sy * px) - 3), raster.rounded_mask(border.size, int(p.size[0] * 0.045)))
        page.paste(p.convert("RGB"), (int(sx * px), int(sy * px)), m)
    return page


def image_other(sub: str, r: random.Random, nrng, dpi: int):
    if sub == "visa":
        return _visa_page(r, dpi)
    raise ValueError(sub)
