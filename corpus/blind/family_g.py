"""Family G templates (blind family: never read by whoever tunes the reading rules).

Fonts: Lato / Linux Libertine & Biolinum / Hack / Cabin (Debian fonts-lato, fonts-linuxlibertine, fonts-hack,
fonts-cabin); MRZ in OCR-B.  Issuers: POOL below (invented).  Each template draws onto a ``draw.Doc`` and sets
``x["fields"]`` to exactly what it prints (normalised as FORMAT.md says).
"""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import ids
import mrz
import tplkit as K
from data import COUNTRY_FR, FOREIGN_NAMES, FEMALE_FOREIGN, BIRTH_CITIES_ABROAD, TODAY
from draw import Doc, hexc
from ids import fmt_amount as A, fmt_date as DT

# ------------------------------------------------------------------------------------------ issuers & fonts
POOL = {
    "banks": [
        ("Crédit Mutualiste des Deux Rives", "CMDRFRP1", "15629", "CMDR"),
        ("Banque Hélvie", "HELVFRPP", "18370", "HELVIE"),
        ("Caisse Fédérale Ligérienne", "CFLGFR21", "12906", "CFL"),
        ("Azimut Banque en ligne", "AZMTFRP2", "16598", "AZIMUT"),
        ("Banque Rhodanienne de Dépôts", "BRHDFRPP", "13485", "BRD"),
    ],
    "energy": [
        ("Enerlis", "électricité", "EN"), ("Gaz des Trois Vallées", "gaz", "G3V"),
        ("Volta Citoyenne", "électricité", "VC"), ("Calorys Énergies", "gaz", "CAL"),
    ],
    "schools": [
        ("Collège Simone Veil", "collège"), ("Lycée polyvalent Marguerite Yourcenar", "lycée"),
        ("École primaire du Petit Prince", "école"), ("Université de Basse-Loire", "université"),
        ("Collège Les Quatre Vents", "collège"), ("Institution Sainte-Clotilde", "lycée"),
        ("Groupe scolaire Jacques Prévert", "école"),
    ],
    "payroll_sw": ["Sylae Paie 4.7", "RHapsodie Paie 2024.2"],
    "res_nats": ["TUN", "CIV", "MLI", "CMR", "VNM", "HTI", "IND", "COL"],
    "employer_kinds": ["Logistique", "Restauration", "Plomberie", "Boucherie", "Conseil", "Ambulances",
                       "Paysagisme", "Librairie", "Crèche", "Carrosserie"],
    "forms": ["SARL", "SAS", "EURL", "SASU", "SCOP"],
}

FONTS = {
    "R": "Lato-Regular.ttf", "B": "Lato-Bold.ttf", "I": "Lato-Italic.ttf",
    "S": "LinLibertine_R.otf", "SB": "LinLibertine_RB.otf", "SI": "LinLibertine_RI.otf",
    "N": "Cabin-Regular.otf", "NB": "Cabin-Bold.otf",
    "M": "Hack-Regular.ttf", "MB": "Hack-Bold.ttf",
    "D": "LinBiolinum_R.otf", "DB": "LinBiolinum_RB.otf", "DC": "Cabin-Medium.otf",
    "DCB": "Cabin-SemiBold.otf", "DS": "LinLibertine_DR.otf", "DSB": "LinLibertine_RZ.otf",
    "MRZ": "OCRB.otf", "HW": "Cabin-MediumItalic.otf",
}

INK = (0.12, 0.12, 0.12)
MID = (0.4, 0.4, 0.4)
LIGHT = (0.94, 0.95, 0.97)


def _civ(p) -> str:
    return "Monsieur" if p.sex == "M" else "Madame"


# ------------------------------------------------------------------------------------------ payslip
def payslip(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e = x["co"], x["emp"]
    prog = x.get("g_prog", 0)
    sw = POOL["payroll_sw"][prog]
    y0, m0 = x["y"], x["m"]
    start, end = ids.last_day(y0, m0).replace(day=1), ids.last_day(y0, m0)
    if prog == 0:
        st = "dot"
        acc = hexc(r.choice(["7b2d26", "20556b", "4a4a4a"]))
        d.t(14, 19, "BULLETIN DE SALAIRE", "NB", 15, col=acc)
        d.rect(14, 21.5, 62, 0.8, fill=acc, stroke=None)
        d.t(14, 28, f"Mois de paie : {ids.month_label(y0, m0)}", "N", 9.5)
        d.t(14, 33, f"Payé par virement le {DT(x['pay_date'], 'dot')}", "N", 8.5)
        # employer box (right)
        d.rect(112, 11, 84, 32, stroke=acc, lw=0.5)
        d.rect(112, 11, 84, 5, fill=acc, stroke=None)
        d.t(114, 14.8, "EMPLOYEUR", "NB", 7, col=(1, 1, 1))
        d.t(114, 21, co["name"], "NB", 9.5)
        yy = 25
        for ln in co["address"].lines():
            d.t(114, yy, ln, "N", 8)
            yy += 3.6
        d.t(114, yy, f"Siret {co['siret']}  -  APE {co['naf']}", "N", 8)
        # employee box (left)
        d.rect(14, 40, 90, 36, stroke=MID, lw=0.3)
        d.t(16, 45, "SALARIÉ(E)", "NB", 7, col=acc)
        info = [("Nom", e.surname), ("Prénom", e.first), ("N° Sécu", ids.fmt_nir(e.nir)),
                ("Matricule", f"S{r.randint(100, 9999)}"), ("Qualification", x["job"]),
                ("Entrée le", DT(x["hire"], "dot")), ("Coeff.", x["coef"])]
        yy = 50
        for k, v in info:
            d.t(16, yy, k, "N", 7.5, col=MID)
            d.t(38, yy, v, "NB" if k in ("Nom", "Prénom") else "N", 8)
            yy += 3.8
        # postal block
        d.t(118, 56, f"{e.civ()} {e.name_fs()}", "N", 9.5)
        yy = 61
        for ln in e.address.lines():
            d.t(118, yy, ln, "N", 9)
            yy += 4.2
        # table
        hdr = ["Code", "Libellé", "Base", "Taux", "À déduire", "À payer", "Charges pat."]
        W = [12, 62, 22, 14, 22, 22, 28]
        rows = [hdr, ["1000", "Salaire mensuel", f"{x['hours']}".replace(".", ","), f"{x['rate']}".replace(".", ","),
                      "", A(x["gross"], st), ""],
                ["", "TOTAL BRUT", "", "", "", A(x["gross"], st), ""]]
        code = 2000
        for lab, base, ts, ms, tp, mp in x["lines"]:
            code += 10
            rows.append([str(code), lab, A(base, st) if base else "", ts.replace(".", ",") if ts else "",
                         A(ms, st) if ms else "", "", A(mp, st) if mp else ""])
        rows.append(["", "Total retenues", "", "", A(x["total_sal"], st), "", A(x["total_pat"], st)])
        rows.append(["", f"Impôt sur le revenu (taux {str(x['pas_rate']).replace('.', ',')} %)",
                     A(x["net_taxable"], st), "", A(x["pas"], st), "", ""])
        y = d.table(14, 84, W, rows, f="N", head_f="NB", sz=7.2, rh=5, aligns="llrrrrr", grid="h",
                    head_fill=(0.88, 0.88, 0.88), bold_rows=(2,))
        y += 6
        summ = [["", "Salaire brut", "Net imposable", "Net avant impôt", "Impôt prélevé", "Net payé"],
                ["Mois", A(x["gross"], st), A(x["net_taxable"], st), A(x["net_before_tax"], st), A(x["pas"], st),
                 A(x["net_pay"], st)],
                [f"Cumul {y0}", A(x["cum_gross"], st), A(x["cum_taxable"], st), "", "", ""]]
        y = d.table(14, y, [22, 32, 32, 34, 30, 32], summ, f="N", head_f="NB", sz=8, rh=6, aligns="lrrrrr",
                    grid="all", head_fill=(0.9, 0.9, 0.9))
        d.rect(164, y - 12, 32, 6, stroke=INK, lw=1.0)
        y += 8
        d.t(14, y, f"Montant net social : {A(x['net_social'], st)} €", "N", 8)
        d.t(14, y + 4.5, f"Congés payés acquis : {A(x['leave'][0], st)} j  -  pris : {A(x['leave'][2], st)} j", "N", 8)
        d.t(14, y + 9, x["cc_short"], "N", 8)
    else:
        st = "bare"
        d.t(14, 17, co["name"], "DB", 13)
        d.t(14, 22.5, co["address"].one_line(), "D", 8.5)
        d.t(14, 27, f"N° Siret : {ids.fmt_siret(co['siret'])}    URSSAF n° {co['urssaf']}", "D", 8.5)
        d.t(196, 17, "Bulletin de salaire", "DB", 13, "r")
        d.t(196, 22.5, f"Période du {DT(start)} au {DT(end)}", "D", 9, "r")
        d.hline(14, 196, 31, lw=0.8)
        d.t(120, 42, f"{e.civ()} {e.name_fs()}", "DB", 10)
        yy = 47
        for ln in e.address.lines():
            d.t(120, yy, ln, "D", 9.5)
            yy += 4.5
        rows = [["Matricule", "Nom et prénom", "N° de Sécurité Sociale", "Date d'ancienneté"],
                [f"{r.randint(1, 4999):04d}", f"{e.surname} {e.first}", ids.fmt_nir(e.nir), DT(x["hire"])]]
        d.table(14, 66, [22, 58, 52, 36], rows, f="D", head_f="DB", sz=8, rh=6, aligns="llll", grid="all",
                head_fill=LIGHT)
        d.t(14, 84, f"Emploi : {x['job']}    Coefficient : {x['coef']}    {x['cc_short']}", "D", 8)
        d.table(14, 90, [70, 22, 16, 24, 16, 34], [["", "", "Salarié", "", "Employeur", ""]], f="D", head_f="DB",
                sz=7.5, rh=5, aligns="lrrrrr", grid="none", head_fill=None)
        hdr = ["Éléments", "Base", "Taux", "Montant", "Taux", "Montant"]
        rows = [hdr, ["Salaire de base mensuel", f"{x['hours']}".replace(".", ","), f"{x['rate']}".replace(".", ","),
                      A(x["gross"], st), "", ""],
                ["Salaire brut", "", "", A(x["gross"], st), "", ""]]
        for lab, base, ts, ms, tp, mp in x["lines"]:
            rows.append([lab, A(base, st) if base else "", ts.replace(".", ","), ("-" + A(ms, st)) if ms else "",
                         tp.replace(".", ","), A(mp, st) if mp else ""])
        rows.append(["Total cotisations", "", "", "-" + A(x["total_sal"], st), "", A(x["total_pat"], st)])
        y = d.table(14, 95, [70, 22, 16, 24, 16, 34], rows, f="D", head_f="DB", sz=7.4, rh=5, aligns="lrrrrr",
                    grid="frame_h", head_fill=LIGHT, bold_rows=(2,))
        y += 7
        lines = [("Net à payer avant impôt sur le revenu", A(x["net_before_tax"], st)),
                 (f"Impôt sur le revenu prélevé à la source (base {A(x['net_taxable'], st)}, "
                  f"taux {str(x['pas_rate']).replace('.', ',')} %)", "-" + A(x["pas"], st)),
                 ("Net imposable", A(x["net_taxable"], st)),
                 (f"Cumul brut {y0}", A(x["cum_gross"], st))]
        for k, v in lines:
            d.t(14, y, k, "D", 8.5)
            d.t(196, y, v, "D", 8.5, "r")
            y += 5
        y += 3
        d.rect(110, y, 86, 10, fill=(0.85, 0.88, 0.92), stroke=None)
        d.t(113, y + 6.8, "Net payé en euros", "DB", 10.5)
        d.t(193, y + 6.8, A(x["net_pay"], st), "DB", 12, "r")
        d.t(14, y + 6.8, f"Date de paiement : {DT(x['pay_date'])}", "D", 9)
    d.wrap(14, 272, 182, "Bulletin à conserver sans limitation de durée. Les informations relatives au prélèvement à la "
           "source figurent sur votre espace particulier impots.gouv.fr.", "I", 6.8)
    d.t(14, 287, sw, "R", 6, col=MID)
    if multipage:
        d.t(196, 287, "1 / 2", "R", 6.5, "r", col=MID)
        d.new_page()
        d.t(14, 20, "Notice explicative du bulletin", "NB" if prog == 0 else "DB", 12)
        y = 30
        for title, txt in [("Vos cotisations", "Les cotisations sociales financent la protection sociale : santé, "
                            "retraite, chômage. La part patronale est indiquée pour information."),
                           ("Votre net social", "Le montant net social est utilisé pour le calcul de certaines "
                            "prestations sociales (prime d'activité, RSA)."),
                           ("Données personnelles", K.LOREM_FR)]:
            d.t(14, y, title, "B", 9.5)
            y = d.wrap(14, y + 5, 182, txt, "R", 8.5) + 5
        d.t(196, 287, "2 / 2", "R", 6.5, "r", col=MID)


# ------------------------------------------------------------------------------------------ tax notice
def _rf_mark(d: Doc, x: float, y: float):
    d.rect(x, y, 14, 14, fill=hexc("123a78"), stroke=None, r=2)
    d.t(x + 7, y + 9.2, "RF", "DB", 10, "c", col=(1, 1, 1))
    d.rect(x, y + 15, 4.6, 1.2, fill=hexc("123a78"), stroke=None)
    d.rect(x + 4.7, y + 15, 4.6, 1.2, fill=(0.8, 0.8, 0.8), stroke=None)
    d.rect(x + 9.4, y + 15, 4.6, 1.2, fill=hexc("c8102e"), stroke=None)


def tax_notice(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p1, p2 = x["p1"], x["p2"]
    yr = x["year"]
    _rf_mark(d, 14, 10)
    d.t(32, 15, "Finances publiques", "DB", 11)
    d.t(32, 20, f"Service des impôts des particuliers de {x['sip_city']}", "D", 8)
    d.t(32, 24, "impots.gouv.fr  -  messagerie sécurisée", "D", 8, col=MID)
    # identifiers box top right
    d.rect(120, 9, 76, 27, fill=LIGHT, stroke=None, r=1.5)
    d.t(123, 15, "Identifiant de l'avis", "D", 7.5, col=MID)
    d.t(193, 15, ids.fmt_notice_reference(x["ref"]), "MB", 8.5, "r")
    d.t(123, 21, "Date d'établissement", "D", 7.5, col=MID)
    d.t(193, 21, DT(x["recouvrement"] - timedelta(days=r.randint(5, 25)), "dot"), "M", 8.5, "r")
    d.t(123, 27, "N° FIP", "D", 7.5, col=MID)
    d.t(193, 27, f"{r.randint(10 ** 9, 10 ** 10 - 1)}", "M", 8.5, "r")
    d.t(123, 33, "Page", "D", 7.5, col=MID)
    d.t(193, 33, "1/2" if multipage else "1/1", "M", 8.5, "r")
    # address window
    name1 = f"{p1.surname} {p1.first}"
    x["fields"]["taxpayer_name"] = name1
    addr = [f"{'M.' if p1.sex == 'M' else 'MME'} {name1.upper()}"]
    if p2:
        addr.append(f"OU {'M.' if p2.sex == 'M' else 'MME'} {p2.surname} {p2.first.upper()}")
    addr += [ln.upper() for ln in p1.address.lines()]
    yy = 50
    for ln in addr:
        d.t(118, yy, ln, "D", 9.5)
        yy += 4.8
    d.t(14, 50, "Avis d'impôt sur le revenu", "DB", 15)
    d.t(14, 57, f"établi en {yr + 1} au titre des revenus de {yr}", "D", 10.5)
    # declarants table
    rows = [["", "Déclarant 1", "Déclarant 2"],
            ["Nom", p1.surname, p2.surname if p2 else "-"],
            ["Prénom", p1.first, p2.first if p2 else "-"],
            ["Né(e) le", DT(p1.birth), DT(p2.birth) if p2 else "-"],
            ["N° fiscal", ids.fmt_tax_number(x["tn1"]), ids.fmt_tax_number(x["tn2"]) if p2 else "-"]]
    y = d.table(14, 84, [30, 45, 45], rows, f="D", head_f="DB", sz=8.5, rh=6, aligns="lll", grid="all",
                head_fill=LIGHT)
    sit = {"M": "Marié(e)", "P": "Pacsé(e)"}[r.choice("MP")] if p2 else r.choice(["Célibataire", "Divorcé(e)", "Veuf(ve)"])
    d.t(140, 90, "Situation du foyer", "DB", 9)
    d.t(140, 96, sit, "D", 9)
    d.t(140, 102, f"Personnes à charge : {x['kids']}", "D", 9)
    d.t(140, 108, f"Nombre de parts : {ids.fmt_shares(x['shares'], 'short')}", "DB", 9)
    y += 10
    d.rect(14, y, 182, 7, fill=hexc("123a78"), stroke=None)
    d.t(17, y + 5, "Éléments de calcul de votre impôt", "DB", 9.5, col=(1, 1, 1))
    y += 7
    solde = x["tax"] - x["prelevement"]
    det = [["Revenus d'activité déclarés", A(x["salaries"], "int")],
           ["Revenu brut global", A(x["gross_income"], "int")],
           ["Revenu net imposable", A(x["rfr"], "int")],
           ["Revenu fiscal de référence (RFR)", A(x["rfr"], "int")],
           ["Impôt brut avant réductions", A(x["tax"], "int")],
           ["Impôt net", A(x["tax"], "int")],
           ["Prélèvement à la source et acomptes", A(-x["prelevement"], "int")],
           ["Solde à payer" if solde >= 0 else "Somme à restituer", A(abs(solde), "int")]]
    for i, (k, v) in enumerate(det):
        if i % 2:
            d.rect(14, y, 182, 6.5, fill=(0.97, 0.97, 0.97), stroke=None)
        bold = "RFR" in k or i == len(det) - 1
        d.t(17, y + 4.6, k, "DB" if bold else "D", 9)
        d.t(193, y + 4.6, v, "DB" if bold else "D", 9.5, "r")
        y += 6.5
    y += 8
    d.t(14, y, f"Mise en recouvrement le {DT(x['recouvrement'], 'long')}. Date limite de paiement : "
        f"{DT(x['payment_limit'], 'long')}.", "D", 8.5)
    y += 8
    d.wrap(14, y, 182, "Conservez cet avis : il peut vous être demandé par les organismes sociaux ou votre bailleur. "
           "Votre revenu fiscal de référence sert au calcul de nombreuses aides et tarifs sociaux.", "DS", 9)
    if multipage:
        d.new_page()
        d.t(14, 20, "Détail des revenus déclarés", "DB", 12)
        rows = [["Catégorie", "Déclarant 1", "Déclarant 2", "Case"],
                ["Traitements et salaires", A(x["salaries"] * 6 / 10 if p2 else x["salaries"], "int"),
                 A(x["salaries"] * 4 / 10, "int") if p2 else "-", "1AJ / 1BJ"],
                ["Frais professionnels (10 %)", A(-x["salaries"] / 10 * (6 if p2 else 10) / 10, "int"),
                 A(-x["salaries"] / 100 * 4, "int") if p2 else "-", ""],
                ["Revenus fonciers nets", A(r.randint(0, 4000), "int"), "", "4BA"]]
        y = d.table(14, 28, [80, 35, 35, 32], rows, f="D", head_f="DB", sz=8.5, rh=6.5, aligns="lrrc", grid="h",
                    head_fill=LIGHT)
        d.t(14, y + 10, "Informations", "DB", 10)
        d.wrap(14, y + 16, 182, K.LOREM_FR, "D", 8.5)
        d.t(193, 287, "2/2", "M", 7, "r")


# ------------------------------------------------------------------------------------------ RIB
def _bank_mark(d: Doc, x0: float, y0: float, name: str, col):
    for i in range(3):
        d.rect(x0 + i * 3.4, y0 + 10 - (i + 1) * 3.2, 2.6, (i + 1) * 3.2, fill=col, stroke=None)
    d.t(x0 + 13, y0 + 8, name, "DB", 12.5, col=col)


def bank_details(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    rib = x["rib"]
    col = hexc(r.choice(["0d5c63", "8c2f39", "2f3e8c", "5b4636"]))
    h = x["holder"]
    if r.random() < 0.6:  # branch-issued RIB
        _bank_mark(d, 16, 14, x["bank"], col)
        d.t(194, 19, "Coordonnées bancaires (RIB)", "NB", 10, "r")
        d.t(194, 24, f"Document édité le {DT(x['edit_date'], 'long')}", "N", 8, "r", col=MID)
        d.rect(16, 32, 178, 88, stroke=col, lw=0.6, r=2)
        d.t(20, 40, "Intitulé du compte :", "N", 8.5, col=MID)
        d.t(55, 40, x["holder_str"], "NB", 10)
        yy = 45
        for ln in h.address.lines():
            d.t(55, yy, ln, "N", 8.5)
            yy += 4
        d.t(20, 62, "Établissement teneur du compte :", "N", 8.5, col=MID)
        d.t(72, 62, f"{x['bank']} - {x['agency_name']}", "N", 8.5)
        d.t(72, 66.5, f"{x['agency'].one_line()} - Tél. {x['agency_phone']}", "N", 8.5)
        t = [["Banque", "Guichet", "N° de compte", "Clé"], [rib["bank"], rib["branch"], rib["account"], rib["key"]]]
        d.table(20, 74, [30, 30, 55, 18], t, f="M", head_f="N", sz=9.5, rh=6.5, aligns="cccc", grid="all",
                head_fill=None)
        d.t(20, 98, "IBAN", "NB", 9)
        d.rect(40, 93, 120, 7.5, fill=LIGHT, stroke=None)
        d.t(43, 98.5, ids.fmt_iban(rib["iban"]), "M", 10.5)
        d.t(20, 110, "Code BIC", "NB", 9)
        d.rect(40, 105, 50, 7.5, fill=LIGHT, stroke=None)
        d.t(43, 110.5, x["bic"], "M", 10.5)
        d.wrap(16, 130, 178, "Remettez ce document à tout organisme qui doit effectuer un virement ou un prélèvement "
               "sur votre compte (employeur, caisse d'allocations, fournisseur d'énergie).", "I", 8)
        d.t(105, 286, f"{x['bank']} - établissement de crédit agréé - {ids.siren(r)} RCS {x['agency'].city}",
            "N", 6.5, "c", col=MID)
    else:  # online-banking export
        d.rect(0, 0, 210, 20, fill=col, stroke=None)
        d.t(16, 12.5, x["bank"], "B", 13, col=(1, 1, 1))
        d.t(194, 12.5, "Espace client", "R", 9, "r", col=(1, 1, 1))
        d.t(16, 34, "Vos coordonnées bancaires", "B", 14)
        d.t(16, 40, f"Compte de dépôt n° {rib['account']}", "R", 9, col=MID)
        rows = [("Titulaire", x["holder_str"]), ("Adresse du titulaire", h.address.one_line()),
                ("Banque", x["bank"]), ("Code établissement", rib["bank"]), ("Code guichet", rib["branch"]),
                ("Numéro de compte", rib["account"]), ("Clé RIB", rib["key"]),
                ("IBAN", ids.fmt_iban(rib["iban"]) if r.random() < 0.7 else rib["iban"]),
                ("BIC", x["bic"]), ("Domiciliation", f"{x['agency_name']}, {x['agency'].one_line()}")]
        y = 50
        for k, v in rows:
            d.hline(16, 194, y + 2.2, lw=0.2, col=(0.75, 0.75, 0.75))
            d.t(16, y, k, "R", 9, col=MID)
            d.t(72, y, v, "B" if k in ("Titulaire", "IBAN", "BIC") else "R", 9.5)
            y += 8
        d.t(16, y + 6, f"Édité le {DT(x['edit_date'])} à {r.randint(8, 21):02d}h{r.randint(0, 59):02d}", "R", 8,
            col=MID)
        d.wrap(16, y + 14, 178, "Ce document peut être communiqué à vos créanciers et débiteurs pour des virements ou "
               "prélèvements SEPA. Ne communiquez jamais vos identifiants de connexion.", "I", 8)


# ------------------------------------------------------------------------------------------ ID documents
def _line(d: Doc, x: float, y: float, label: str, value: str, vx: float, lsz=3.9, vsz=6.4, f="DB", col=None):
    d.t(x, y, label, "I", lsz, col=col or (0.3, 0.32, 0.4))
    d.t(vx, y, value, f, vsz)


def id_card(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    band = hexc("2b4c7e")
    d.rect(0, 0, d.W, d.H, fill=hexc("eaeff6"), stroke=None)
    d.guilloche(0, 10, d.W, d.H - 10, hexc("b3a2c8"), r, n=16, lw=0.1, alpha=0.5)
    d.rect(0, 0, d.W, 9.5, fill=band, stroke=None)
    d.t(3, 4.3, "RÉPUBLIQUE FRANÇAISE", "DB", 6.2, col=(1, 1, 1))
    d.t(3, 7.9, "Carte nationale d'identité / Identity card", "D", 4.8, col=(1, 1, 1))
    d.t(82.5, 6.5, "FRA", "DB", 7, "r", col=(1, 1, 1))
    K.portrait(d, 61.5, 12, 21, 27, r, p.sex, bg=(0.9, 0.9, 0.88))
    vx = 28
    _line(d, 3, 14, "Nom / Surname", p.surname, vx)
    _line(d, 3, 19, "Prénoms / Given names", ", ".join(p.given), vx, vsz=5.6 if len(", ".join(p.given)) > 18 else 6.4)
    _line(d, 3, 24, "Sexe / Sex", p.sex, vx)
    _line(d, 3, 29, "Nationalité / Nationality", "Française", vx)
    _line(d, 3, 34, "Né(e) le / Date of birth", DT(p.birth, "dot"), vx)
    _line(d, 3, 39, "À / Place of birth", p.birth_city, vx, vsz=5.6)
    _line(d, 3, 44, "N° / Document No", x["number"], vx, f="MB")
    _line(d, 3, 49, "Valable jusqu'au / Expiry", DT(x["expiry"], "dot"), vx)
    d.t(63, 44, x["can"], "M", 4.5)
    d.signature(61, 50, 18, r, col=(0.1, 0.1, 0.1), lw=0.35)
    d.new_page()
    d.rect(0, 0, d.W, d.H, fill=hexc("f2ecf4"), stroke=None)
    d.guilloche(0, 0, d.W, 30, hexc("a8b8d6"), r, n=12, lw=0.1, alpha=0.5)
    _line(d, 4, 6, "Domicile / Address", "", 30)
    d.t(4, 10, p.address.line1, "DB", 5.6)
    d.t(4, 14, f"{p.address.postcode} {p.address.city}", "DB", 5.6)
    _line(d, 4, 20, "Délivrée le / Issued on", DT(x["issue"], "dot"), 30, vsz=5.6)
    _line(d, 4, 25, "Par / Authority", x["prefecture"], 30, vsz=5.2)
    d.rect(0, 33, d.W, 21, fill=(0.99, 0.99, 0.99), stroke=None, alpha=0.9)
    lines = mrz.td1("ID", "FRA", x["number"], p.birth, p.sex, x["expiry"], "FRA", p.surname, p.given)
    K.mrz_block(d, 4, 40.5, lines, sz=8.4, lead=4.5, width=78)
    x["mrz"] = lines


def passport(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    d.rect(0, 0, d.W, d.H, fill=hexc("f0ebe1"), stroke=None)
    d.guilloche(0, 0, d.W, 70, hexc("c7a98a"), r, n=26, lw=0.1, alpha=0.45)
    d.t(4, 6.5, "RÉPUBLIQUE FRANÇAISE", "DB", 8, col=hexc("5a2a1e"))
    d.t(121, 6.5, "PASSEPORT / PASSPORT", "DB", 8, "r", col=hexc("5a2a1e"))
    K.portrait(d, 4, 11, 31, 41, r, p.sex, bg=(0.88, 0.88, 0.86))
    lab = (0.38, 0.25, 0.2)

    def fld(x0, y0, label, value, f="DB", sz=7.4):
        d.t(x0, y0, label, "I", 4.3, col=lab)
        d.t(x0, y0 + 3.3, value, f, sz)

    fld(40, 13, "Type", "P")
    fld(52, 13, "Code du pays / Country code", "FRA")
    fld(88, 13, "N° du passeport / Passport No.", x["number"], f="MB")
    fld(40, 21, "1. Nom / Surname", p.surname)
    fld(40, 29, "2. Prénoms / Given names", ", ".join(p.given))
    fld(40, 37, "3. Nationalité / Nationality", "Française")
    fld(84, 37, "4. Date de naissance / Date of birth", DT(p.birth, "fr_en"))
    fld(40, 45, "5. Sexe / Sex", p.sex)
    fld(60, 45, "6. Lieu de naissance / Place of birth", p.birth_city)
    fld(40, 53, "7. Date de délivrance / Date of issue", DT(x["issue"], "fr_en"))
    fld(84, 53, "8. Date d'expiration / Date of expiry", DT(x["expiry"], "fr_en"))
    fld(40, 61, "9. Autorité / Authority", x["prefecture"], sz=6.6)
    d.signature(6, 62, 22, r, col=(0.1, 0.1, 0.1), lw=0.4)
    d.rect(0, 70, d.W, 18, fill=(1, 1, 1), stroke=None, alpha=0.88)
    lines = mrz.td3("P", "FRA", x["number"], p.birth, p.sex, x["expiry"], "FRA", p.surname, p.given)
    K.mrz_block(d, 4, 77.5, lines, sz=9.4, lead=5.4, width=117)
    x["mrz"] = lines


def residence_permit(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    band = hexc("2f5d3a")
    d.rect(0, 0, d.W, d.H, fill=hexc("eef3e6"), stroke=None)
    d.guilloche(0, 9, d.W, d.H - 9, hexc("9cc0a0"), r, n=18, lw=0.1, alpha=0.5)
    d.rect(0, 0, d.W, 9, fill=band, stroke=None)
    d.t(3, 4, "RÉPUBLIQUE FRANÇAISE", "DB", 5.8, col=(1, 1, 1))
    d.t(3, 7.5, "TITRE DE SÉJOUR / RESIDENCE PERMIT", "DB", 5.2, col=(1, 1, 1))
    K.portrait(d, 62, 11.5, 20.5, 26.5, r, p.sex, bg=(0.92, 0.92, 0.9))
    vx = 27
    _line(d, 3, 13.5, "Nom / Surname", p.surname, vx)
    _line(d, 3, 18.5, "Prénoms / Given names", " ".join(p.given), vx)
    _line(d, 3, 23.5, "Sexe / Sex", p.sex, vx)
    _line(d, 3, 28.5, "Nationalité / Nationality", p.nationality, vx)
    _line(d, 3, 33.5, "Né(e) le / Date of birth", DT(p.birth), vx)
    _line(d, 3, 38.5, "N° / Document No", x["number"], vx, f="MB")
    _line(d, 3, 43.5, "Valide jusqu'au / Valid until", DT(x["expiry"]), vx)
    d.t(3, 49, x["permit_kind"], "DB", 4.4, col=band)
    d.t(3, 52, x["permit_mention"], "D", 4.4)
    d.signature(63, 48, 16, r, col=(0.1, 0.1, 0.1), lw=0.35)
    d.new_page()
    d.rect(0, 0, d.W, d.H, fill=hexc("f5f1e3"), stroke=None)
    _line(d, 4, 6, "Adresse / Address", "", 30)
    d.t(4, 10, p.address.line1, "DB", 5.6)
    d.t(4, 14, f"{p.address.postcode} {p.address.city}", "DB", 5.6)
    _line(d, 4, 20, "Lieu de naissance", f"{p.birth_city} ({COUNTRY_FR.get(p.nationality, p.nationality)})", 30, vsz=5.4)
    _line(d, 4, 25, "Délivré le / Issued", DT(x["issue"]), 30, vsz=5.4)
    _line(d, 4, 30, "Autorité", x["prefecture"], 30, vsz=5.2)
    d.rect(0, 33.5, d.W, 20.5, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td1("IR", "FRA", x["number"], p.birth, p.sex, x["expiry"], p.nationality, p.surname, p.given)
    K.mrz_block(d, 4, 40.5, lines, sz=8.4, lead=4.5, width=78)
    x["mrz"] = lines


# ------------------------------------------------------------------------------------------ rent receipt
def rent_receipt(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    L, T = x["landlord"], x["tenant"]
    start, end = ids.last_day(x["y"], x["m"]).replace(day=1), ids.last_day(x["y"], x["m"])
    month = ids.month_label(x["y"], x["m"], cap=False)
    if r.random() < 0.62:  # managing agency
        ag = r.choice(["Cabinet Delorme Gestion", "Régie du Vieux Port", "Immo Sillon Gestion", "Agence des Halles",
                       "Habitat & Patrimoine Conseil"])
        col = hexc(r.choice(["274c77", "6b4226", "3c6e47"]))
        d.rect(14, 12, 4, 18, fill=col, stroke=None)
        d.t(21, 17, ag, "SB", 13, col=col)
        ad = x["landlord_addr"]
        d.t(21, 22, f"Administrateur de biens - {ad.one_line()}", "S", 8.5)
        d.t(21, 26.5, f"Carte professionnelle CPI {r.randint(1000, 9999)} {r.randint(2016, 2023)} 000 "
            f"{r.randint(100, 999)} {r.randint(100, 999)}", "S", 8)
        d.t(120, 46, f"{T.civ()} {T.name_fs()}", "SB", 10.5)
        yy = 51
        for ln in T.address.lines():
            d.t(120, yy, ln, "S", 10)
            yy += 4.6
        d.t(14, 78, "QUITTANCE DE LOYER", "SB", 15)
        d.t(14, 84.5, f"Terme de {month}", "S", 11)
        info = [("Propriétaire (mandant)", L.name_fs()), ("Locataire", T.name_fs()),
                ("Lot loué", x["prop"].one_line()), ("Référence locataire", f"{r.randint(10, 99)}-{r.randint(1000, 9999)}")]
        y = 96
        for k, v in info:
            d.t(14, y, k, "S", 9.5, col=MID)
            d.t(62, y, v, "SB" if k != "Lot loué" else "S", 10)
            y += 6
        rows = [["Désignation", "Période", "Montant"],
                ["Loyer principal", f"{DT(start)} - {DT(end)}", A(x["rent"], "dot") + " €"],
                ["Provisions sur charges", f"{DT(start)} - {DT(end)}", A(x["charges"], "dot") + " €"],
                ["Total quittancé", "", A(x["total"], "dot") + " €"],
                [f"Règlement reçu le {DT(x['paid_on'])}", "", "-" + A(x["total"], "dot") + " €"],
                ["Solde", "", "0,00 €"]]
        y = d.table(14, y + 4, [80, 55, 47], rows, f="S", head_f="SB", sz=9.5, rh=7, aligns="lcr", grid="h",
                    head_fill=(0.93, 0.93, 0.93), bold_rows=(3,))
        y += 10
        d.wrap(14, y, 182, f"Pour le compte de {L.name_fs()}, nous vous donnons quittance des sommes ci-dessus "
               f"sous réserve d'encaissement. Fait le {DT(x['issued'], 'long')}.", "S", 10)
        K.stamp(d, 150, y + 30, r, [ag[:26].upper(), "ACQUITTÉ"], col=col, shape="rect", angle=r.uniform(-6, 6),
                alpha=0.7)
        d.wrap(14, 272, 182, "Quittance délivrée en application de l'article 21 de la loi du 6 juillet 1989. "
               "Le paiement de la présente n'emporte pas présomption de paiement des termes antérieurs.", "SI", 7.5)
    else:  # private landlord, letter style
        d.t(14, 20, L.name_fs(), "B", 11)
        yy = 25
        for ln in x["landlord_addr"].lines():
            d.t(14, yy, ln, "R", 9.5)
            yy += 4.5
        d.t(196, 44, f"{x['landlord_addr'].city}, le {DT(x['issued'], 'long')}", "R", 10, "r")
        d.t(105, 64, f"Quittance de loyer - {month}", "B", 14, "c")
        txt = (f"Reçu de {T.civ()} {T.name_fs()}, locataire du logement situé {x['prop'].one_line()}, la somme de "
               f"{A(x['total'], 'fr')} en paiement du loyer et des charges du mois de {month}, "
               f"réglée le {DT(x['paid_on'], 'long')}.")
        y = d.wrap(20, 82, 170, txt, "R", 10.5, lead=5.6) + 6
        for k, v in [("Loyer nu", x["rent"]), ("Charges", x["charges"]), ("Total versé", x["total"])]:
            d.t(40, y, k, "B" if k.startswith("Total") else "R", 10.5)
            d.t(140, y, A(v, "fr"), "B" if k.startswith("Total") else "R", 10.5, "r")
            d.hline(40, 140, y + 1.5, lw=0.2, dash=(1, 1.5))
            y += 7
        y += 6
        d.wrap(20, y, 170, "Cette quittance vaut reçu pour le mois indiqué et ne libère pas le locataire des sommes "
               "restant éventuellement dues pour les mois précédents.", "I", 9)
        d.t(130, y + 22, "Le bailleur,", "R", 10)
        d.t(130, y + 27, L.name_fs(), "R", 10)
        d.signature(135, y + 42, 32, r)


# ------------------------------------------------------------------------------------------ energy bill
def _energy_mark(d: Doc, x0: float, y0: float, name: str, col):
    d.circle(x0 + 6, y0 + 6, 6, fill=col, stroke=None)
    d.poly([(x0 + 1.5, y0 + 7), (x0 + 4, y0 + 4), (x0 + 6, y0 + 7.5), (x0 + 8, y0 + 4), (x0 + 10.5, y0 + 7)],
           stroke=(1, 1, 1), lw=1.2, close=False)
    d.t(x0 + 15, y0 + 8.5, name, "NB", 15, col=col)


def energy_bill(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    h = x["holder"]
    elec = x["energy"] == "électricité"
    col = hexc("c45a00") if elec else hexc("1d6f8a")
    _energy_mark(d, 14, 10, x["supplier"], col)
    d.t(29, 25, "Votre fournisseur d'électricité" if elec else "Votre fournisseur de gaz naturel", "N", 8, col=MID)
    d.t(196, 15, f"Facture n° {x['invoice_no']}", "NB", 10, "r")
    d.t(196, 20.5, f"Date de facture : {DT(x['issue'], r.choice(['long', 'dot']))}", "N", 9, "r")
    d.t(196, 25.5, f"Page 1/{2 if multipage else 1}", "N", 8, "r", col=MID)
    # client info column
    d.rect(14, 34, 78, 44, fill=(0.96, 0.95, 0.93), stroke=None)
    d.t(17, 40, "Espace client", "NB", 9, col=col)
    rows = [("N° client", x["cust"]), ("N° de contrat", f"{r.randint(100000, 999999)}-{r.randint(10, 99)}"),
            ("PRM" if elec else "PCE", x["pdl"]), ("Offre", r.choice(["Base", "Heures creuses", "Fixe 2 ans"]))]
    yy = 46
    for k, v in rows:
        d.t(17, yy, k, "N", 8.5, col=MID)
        d.t(45, yy, v, "NB" if k == "N° client" else "N", 8.5)
        yy += 5
    d.t(17, yy + 1, f"Service client : 09 {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} "
        f"{r.randint(10, 99)}", "N", 8)
    # holder (window)
    d.t(112, 46, f"{h.civ()} {h.name_fs()}", "N", 10)
    yy = 51
    for ln in h.address.lines():
        d.t(112, yy, ln, "N", 9.5)
        yy += 4.6
    # amount strip
    lab = r.choice(["Montant à régler", "Reste à payer", "Total à payer"])
    d.rect(14, 86, 182, 16, fill=col, stroke=None, r=1.5)
    d.t(18, 96.5, lab, "NB", 12, col=(1, 1, 1))
    due_s = A(x["due"], "fr") if r.random() < 0.6 else A(x["due"], "eur")
    d.t(192, 97, due_s, "NB", 16, "r", col=(1, 1, 1))
    d.t(14, 108, f"Sera prélevé le {DT(x['due_date'])} sur le compte se terminant par {r.randint(10, 99)}", "N", 8.5)
    y = 118
    d.t(14, y, "Lieu de consommation", "NB", 9)
    d.t(60, y, h.address.one_line(), "N", 9)
    d.t(14, y + 5.5, f"Relevé du {DT(x['period_start'])} au {DT(x['period_end'])}", "N", 8.5)
    y += 12
    rows = [["Détail", "Quantité", "Prix unitaire", "Montant HT", "TVA"],
            ["Abonnement", "2 mois", "", A(x["abo"], "bare"), "5,5 %"],
            [f"Consommation {x['energy']}", f"{x['kwh']} kWh", f"{x['price']}".replace(".", ","), A(x["conso"], "bare"),
             "20 %"],
            ["Accise et contributions", "", "", A(x["taxes"], "bare"), "20 %"],
            ["Total HT", "", "", A(x["ht"], "bare"), ""],
            ["Montant TVA", "", "", A(x["tva"], "bare"), ""],
            ["Montant de la facture TTC", "", "", A(x["ttc"], "bare"), ""]]
    if x["already"]:
        rows.append(["Échéances déjà réglées", "", "", "-" + A(x["already"], "bare"), ""])
    rows.append([lab, "", "", A(x["due"], "bare"), ""])
    y = d.table(14, y, [80, 25, 27, 30, 20], rows, f="N", head_f="NB", sz=8.5, rh=6, aligns="lrrrr", grid="frame_h",
                head_fill=(0.93, 0.93, 0.93), bold_rows=(len(rows) - 1,))
    y += 10
    d.t(14, y, "Historique de consommation (kWh)", "NB", 8.5)
    for i in range(6):
        hh = r.uniform(6, 22)
        d.rect(18 + i * 20, y + 28 - hh, 12, hh, fill=col, stroke=None, alpha=0.4)
        d.t(24 + i * 20, y + 32, f"{r.randint(80, 700)}", "N", 6.5, "c")
    sa = x["sup_addr"]
    d.wrap(14, 270, 182, f"{x['supplier']} - {sa.line1} - {sa.postcode} {sa.city} - SAS au capital de "
           f"{r.randint(2, 60)} {r.randint(100, 999)} 000 € - Médiateur national de l'énergie : "
           f"energie-mediateur.fr", "N", 7, col=MID)
    if multipage:
        d.new_page()
        d.t(14, 20, "Comprendre votre facture", "NB", 12, col=col)
        y = d.wrap(14, 30, 182, K.LOREM_FR, "N", 8.5) + 6
        d.t(14, y, "Vos démarches", "NB", 10)
        d.wrap(14, y + 6, 182, "Déménagement, changement de compte bancaire, relevé de compteur : rendez-vous sur votre "
               "espace client ou appelez notre service client du lundi au samedi.", "N", 8.5)
        d.t(196, 287, "Page 2/2", "N", 8, "r", col=MID)


# ------------------------------------------------------------------------------------------ employer certificate
CT_LONG = {"CDI": "contrat à durée indéterminée (CDI)", "CDD": "contrat à durée déterminée (CDD)",
           "APPRENTISSAGE": "contrat d'apprentissage", "INTERIM": "contrat de travail temporaire (intérim)"}
CT_SHORT = {"CDI": "CDI", "CDD": "CDD", "APPRENTISSAGE": "Contrat d'apprentissage", "INTERIM": "Mission d'intérim"}


def employer_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e, s = x["co"], x["emp"], x["signer"]
    if r.random() < 0.5:  # letter on letterhead
        d.t(196, 20, co["name"], "DB", 13, "r")
        yy = 25
        for ln in co["address"].lines() + [f"Tél. {co['phone']}"]:
            d.t(196, yy, ln, "D", 8.5, "r")
            yy += 4.2
        d.t(14, 60, "ATTESTATION D'EMPLOI", "DB", 15)
        d.hline(14, 80, 62.5, lw=0.8)
        elle = "Il" if e.sex == "M" else "Elle"
        hd = DT(x["hire"], r.choice(["long", "num"]))
        txt = (f"Nous soussignés, société {co['name']}, représentée par {s.civ()} {s.name_fs()} en qualité de "
               f"{x['role'].lower()}, certifions que {e.civ()} {e.name_fs()}, né{'e' if e.sex == 'F' else ''} le "
               f"{DT(e.birth)}, fait partie de notre personnel depuis le {hd}. {elle} occupe le poste de "
               f"{x['job'].lower()} dans le cadre d'un {CT_LONG[x['ct']]}")
        txt += f" dont le terme est fixé au {DT(x['end'])}." if x["end"] else "."
        txt += (f" {elle} n'est ni en préavis de démission ni en procédure de licenciement à ce jour. Rémunération "
                f"brute mensuelle : {A(x['salary'], 'fr')} pour {x['hours']} heures hebdomadaires.")
        y = d.wrap(14, 78, 182, txt, "D", 10.5, lead=5.8, justify=True) + 6
        y = d.wrap(14, y, 182, "Attestation établie à la demande de l'intéressé(e) pour faire valoir ses droits.",
                   "D", 10.5) + 12
        d.t(120, y, f"À {co['address'].city}, le {DT(x['issued'], 'long')}", "D", 10)
        d.t(120, y + 6, f"{s.name_fs()}, {x['role']}", "DS", 9.5)
        d.signature(124, y + 20, 34, r)
        K.stamp(d, 80, y + 20, r, [co["name"][:26].upper(), co["address"].city.upper()], col=(0.2, 0.2, 0.55),
                shape="circle", angle=0, alpha=0.7)
        d.hline(14, 196, 278, lw=0.3, col=MID)
        d.t(105, 283, f"{co['name']} - SIRET {ids.fmt_siret(co['siret'])} - NAF {co['naf']}", "D", 7.5, "c", col=MID)
    else:  # form
        d.rect(14, 12, 182, 14, fill=hexc("31424f"), stroke=None)
        d.t(105, 21.5, "ATTESTATION DE L'EMPLOYEUR", "NB", 13, "c", col=(1, 1, 1))
        d.t(105, 32, "à remettre au salarié - justificatif d'activité salariée", "N", 8.5, "c", col=MID)

        def section(y, title, rows):
            d.t(14, y, title, "NB", 10)
            y += 3
            for k, v in rows:
                d.rect(14, y, 182, 8, stroke=(0.6, 0.6, 0.6), lw=0.25)
                d.t(17, y + 5.4, k, "N", 8.5, col=MID)
                d.t(78, y + 5.6, v, "M", 9.5)
                y += 8
            return y + 8

        y = section(44, "L'employeur", [("Raison sociale", co["name"]), ("N° SIRET", co["siret"]),
                                         ("Adresse", co["address"].one_line()), ("Code NAF", co["naf"])])
        rows = [("Nom", e.surname), ("Prénom", e.first), ("Date de naissance", DT(e.birth)),
                ("Emploi occupé", x["job"]), ("Date d'entrée", DT(x["hire"])), ("Nature du contrat", CT_SHORT[x["ct"]])]
        if x["end"]:
            rows.append(("Fin de contrat prévue", DT(x["end"])))
        rows.append(("Durée hebdomadaire", f"{x['hours']} h"))
        y = section(y, "Le salarié", rows)
        d.t(14, y, f"Fait à {co['address'].city} le {DT(x['issued'])}", "N", 9.5)
        d.t(120, y, f"Signature et cachet : {s.name_fs()}", "N", 9)
        d.signature(125, y + 16, 30, r)
        K.stamp(d, 160, y + 20, r, [co["name"][:24].upper(), f"SIRET {co['siret']}"], col=(0.55, 0.1, 0.15),
                shape="rect", angle=r.uniform(-5, 5), alpha=0.65)


# ------------------------------------------------------------------------------------------ school certificate
def school_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    s, h = x["stu"], x["head"]
    col = hexc(r.choice(["1b4d89", "7a3b69", "2d6a4f"]))
    sy = f"{x['start']}/{x['start'] + 1}" if r.random() < 0.6 else f"{x['start']}-{x['start'] + 1}"
    d.t(105, 20, x["school"], "SB", 15, "c", col=col)
    ad = x["addr"]
    d.t(105, 26, f"{ad.line1} - {ad.postcode} {ad.city}", "S", 9, "c")
    d.t(105, 30.5, f"RNE {x['uai']} - Académie de {x['academie']}", "S", 8.5, "c", col=MID)
    d.hline(40, 170, 34, lw=0.5, col=col)
    title = "CERTIFICAT D'INSCRIPTION" if x["kind"] == "université" else "ATTESTATION DE SCOLARITÉ"
    d.t(105, 56, title, "SB", 16, "c")
    d.t(105, 63, f"Année scolaire {sy}", "S", 11, "c")
    role = {"école": "La direction de l'école", "collège": "Le chef d'établissement",
            "lycée": "Le proviseur", "université": "Le service de la scolarité"}[x["kind"]]
    y = d.wrap(24, 80, 162, f"{role} atteste que l'élève désigné(e) ci-dessous est inscrit(e) et suit "
               f"régulièrement les cours dans notre établissement.", "S", 11, lead=6) + 6
    rows = [("Nom", s.surname), ("Prénom(s)", " ".join(s.given)), ("Date de naissance", DT(s.birth, "long")),
            ("Lieu de naissance", s.birth_city), ("Niveau / classe", x["level"]),
            ("Régime", r.choice(["Externe", "Demi-pensionnaire", "Interne"]))]
    if x["kind"] == "université":
        rows[-1] = ("N° étudiant", f"{r.randint(20000000, 29999999)}")
        rows.append(("INE", x["ine"]))
    for k, v in rows:
        d.t(34, y, k, "S", 11, col=MID)
        d.t(82, y, v, "SB", 11)
        y += 7
    x["fields"]["student_name"] = f"{' '.join(s.given)} {s.surname}"
    y += 6
    d.t(24, y, f"Le présent certificat est valable pour l'année {sy}.", "S", 10.5)
    d.t(120, y + 18, f"{ad.city}, le {DT(x['issued'], 'dot')}", "S", 10.5)
    d.t(120, y + 24, f"{h.name_fs()}", "SI", 10)
    d.signature(124, y + 38, 30, r)
    K.stamp(d, 80, y + 36, r, [x["school"][:24].upper(), ad.city.upper()], col=col, shape="circle", angle=0,
            alpha=0.65)
    d.t(105, 285, "Document délivré pour servir et valoir ce que de droit - toute falsification est passible de "
        "poursuites.", "SI", 7.5, "c", col=MID)


# ------------------------------------------------------------------------------------------ sick leave
def _checkbox(d: Doc, x0: float, y0: float, on: bool):
    d.rect(x0, y0 - 2.8, 3.2, 3.2, lw=0.35)
    if on:
        d.line(x0 + 0.5, y0 - 2.3, x0 + 2.7, y0 - 0.1, lw=0.5)
        d.line(x0 + 2.7, y0 - 2.3, x0 + 0.5, y0 - 0.1, lw=0.5)


def sick_leave(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p, doc = x["pat"], x["doc"]
    teal = hexc("006d77")
    d.t(14, 17, "Assurance Maladie", "B", 11, col=teal)
    d.t(14, 22, "Arrêt de travail - exemplaire destiné à l'employeur", "R", 9)
    d.t(196, 17, "Modèle S3116", "R", 8, "r", col=MID)
    d.t(196, 22, f"N° de l'arrêt : {r.randint(10 ** 11, 10 ** 12 - 1)}", "M", 8, "r")
    d.hline(14, 196, 26, lw=1.0, col=teal)
    # two columns
    d.rect(14, 32, 88, 52, stroke=teal, lw=0.4)
    d.rect(108, 32, 88, 52, stroke=teal, lw=0.4)
    d.t(17, 38, "Identification de l'assuré(e)", "B", 9, col=teal)
    d.t(17, 45, "Nom et prénom", "R", 7.5, col=MID)
    d.t(17, 50, p.name_fs(), "B", 10)
    d.t(17, 57, "Numéro de sécurité sociale", "R", 7.5, col=MID)
    d.t(17, 62.5, ids.fmt_nir(p.nir, "key"), "MB", 10)
    d.t(17, 69, "Date de naissance", "R", 7.5, col=MID)
    d.t(17, 74, DT(p.birth, "dot"), "R", 9.5)
    d.wrap(17, 80, 82, p.address.one_line(), "R", 7.5)
    d.t(111, 38, "Employeur", "B", 9, col=teal)
    d.t(111, 45, x["co"]["name"], "R", 9.5)
    d.wrap(111, 50, 82, x["co"]["address"].one_line(), "R", 8.5)
    d.t(111, 62, f"Profession : {r.choice(['salarié(e)', 'employé(e)', 'agent'])}", "R", 8.5)
    # prescription
    d.rect(14, 90, 182, 66, stroke=teal, lw=0.4)
    d.t(17, 96, "Prescription", "B", 9, col=teal)
    _checkbox(d, 17, 103, x["initial"])
    d.t(22, 103, "Arrêt initial", "R", 9)
    _checkbox(d, 60, 103, not x["initial"])
    d.t(65, 103, "Prolongation", "R", 9)
    fmt = r.choice(["dot", "long", "num"])
    y = d.wrap(17, 113, 176, f"Arrêt de travail du {DT(x['start'], fmt)} au {DT(x['end'], fmt)} inclus.", "B", 11)
    d.t(17, y + 3, f"Reprise du travail prévue le {DT(x['end'] + timedelta(days=1), fmt)}", "R", 9)
    d.t(17, y + 10, f"Sorties : {x['sorties']}", "R", 9)
    if x["sorties"].startswith("autorisées") and "sans" not in x["sorties"]:
        d.t(17, y + 15.5, "Heures de sortie autorisées : de 10 h à 12 h et de 16 h à 18 h", "R", 8.5)
    d.t(17, y + 22, f"Date de la prescription : {DT(x['presc'], 'dot')}", "R", 9)
    # doctor
    d.rect(14, 162, 182, 34, stroke=teal, lw=0.4)
    d.t(17, 168, "Médecin prescripteur", "B", 9, col=teal)
    d.t(17, 175, f"Docteur {doc.name_fs()}", "R", 10)
    d.t(17, 181, f"RPPS {x['rpps']}  -  AM {x['am']}", "M", 8.5)
    d.t(17, 187, doc.address.one_line(), "R", 8.5)
    d.signature(150, 188, 30, r)
    d.wrap(14, 262, 182, "Exemplaire à transmettre à votre employeur sans délai. Vous devez respecter les heures de "
           f"sortie autorisées. Caisse primaire d'assurance maladie de {x['cpam_city']}.", "I", 7.5)


# ------------------------------------------------------------------------------------------ other
OTHER_KINDS = ["bank_statement", "insurance", "loan_table", "visa", "quote", "benefits_letter", "blank", "noise"]
IMAGE_ONLY_OTHER = {"noise", "visa"}
WORKS = ["Dépose ancien chauffe-eau", "Fourniture chauffe-eau 200 L", "Raccordement hydraulique", "Main d'oeuvre",
         "Peinture plafond (m²)", "Pose parquet flottant (m²)", "Évacuation gravats", "Remplacement tableau électrique",
         "Fourniture carrelage (m²)", "Déplacement et diagnostic"]
OPS = ["PRLV SEPA ENERLIS", "CB CARREFOUR MARKET", "VIR SEPA EMPLOYEUR SALAIRE", "CB PHARMACIE", "RETRAIT DAB",
       "PRLV SEPA MUTUELLE", "CB BOULANGERIE", "VIR INSTANTANE LOYER", "CB SNCF", "PRLV SEPA TELEPHONE",
       "COTISATION CARTE", "CHEQUE N°", "CB STATION SERVICE", "VIR CAF ALLOCATIONS"]


def other(d: Doc, x: dict, r: random.Random, cx=None, multipage: bool = False):
    kind = x["subtype"]
    f = cx.fake
    pe = cx.person()
    if kind == "bank_statement":
        bank, bic, code, _ = cx.choice(POOL["banks"])
        col = hexc("2f3e8c")
        _bank_mark(d, 14, 12, bank, col)
        d.t(196, 18, "RELEVÉ DE COMPTE", "B", 12, "r")
        end = TODAY - timedelta(days=r.randint(5, 200))
        beg = end - timedelta(days=30)
        d.t(196, 23, f"du {DT(beg)} au {DT(end)}", "R", 9, "r")
        d.t(120, 40, f"{pe.civ()} {pe.name_fs().upper()}", "B", 10)
        for i, ln in enumerate(pe.address.lines()):
            d.t(120, 45 + i * 4.5, ln, "R", 9.5)
        rib = ids.make_rib(r, code)
        d.t(14, 40, "Compte courant", "B", 9)
        d.t(14, 45, f"IBAN {ids.fmt_iban(rib['iban'])}", "M", 8.5)
        d.t(14, 50, f"BIC {bic}", "M", 8.5)
        bal = ids.D(r.uniform(-300, 3500))
        rows = [["Date", "Libellé", "Débit", "Crédit"], [DT(beg), "SOLDE PRÉCÉDENT", "", A(bal, "bare")]]
        dt = beg
        for _ in range(r.randint(10, 22)):
            dt += timedelta(days=r.randint(0, 3))
            op = r.choice(OPS)
            v = ids.D(r.uniform(3, 180)) if "SALAIRE" not in op else ids.D(r.uniform(1500, 2800))
            cr = op.startswith("VIR SEPA EMP") or op.startswith("VIR CAF")
            bal += v if cr else -v
            rows.append([DT(dt)[:5], op + (f" {r.randint(1000000, 9999999)}" if op.endswith("N°") else ""),
                         "" if cr else A(v, "bare"), A(v, "bare") if cr else ""])
        rows.append(["", "NOUVEAU SOLDE", "" if bal >= 0 else A(-bal, "bare"), A(bal, "bare") if bal >= 0 else ""])
        d.table(14, 62, [20, 110, 26, 26], rows, f="R", head_f="B", sz=8, rh=5.2, aligns="llrr", grid="h",
                head_fill=(0.9, 0.9, 0.95))
        d.t(105, 287, f"{bank} - page 1", "R", 7, "c", col=MID)
    elif kind == "insurance":
        ins = r.choice(["Mutuelle d'Assurance du Bocage", "Assurances Cap Horizon", "La Prévoyance Rurale"])
        d.t(14, 20, ins, "SB", 14, col=hexc("7a1f3d"))
        d.t(14, 25, "Société d'assurance mutuelle - entreprise régie par le Code des assurances", "S", 8)
        d.t(105, 55, "ATTESTATION D'ASSURANCE", "SB", 15, "c")
        d.t(105, 62, "Multirisque habitation - responsabilité civile locative", "S", 11, "c")
        s0 = TODAY - timedelta(days=r.randint(10, 300))
        txt = (f"{ins} atteste que {pe.civ()} {pe.name_fs()}, demeurant {pe.address.one_line()}, est titulaire du "
               f"contrat n° {r.randint(10 ** 7, 10 ** 8)} garantissant les risques locatifs (incendie, dégâts des "
               f"eaux, explosion) pour le logement situé à l'adresse ci-dessus, pour la période du {DT(s0)} au "
               f"{DT(s0 + timedelta(days=364))} inclus, sous réserve du paiement des cotisations.")
        y = d.wrap(20, 80, 170, txt, "S", 11, lead=6, justify=True) + 6
        rows = [["Garantie", "Plafond"], ["Responsabilité civile", A(r.choice([1500000, 4500000]), "int")],
                ["Dégâts des eaux", A(r.choice([30000, 60000]), "int")], ["Franchise", A(r.choice([150, 230]), "int")]]
        y = d.table(20, y, [110, 60], rows, f="S", head_f="SB", sz=10, rh=7, aligns="lr", grid="all")
        d.t(120, y + 16, f"Fait le {DT(TODAY - timedelta(days=r.randint(1, 30)), 'long')}", "S", 10.5)
        d.t(120, y + 22, "Le service gestion", "SI", 10)
    elif kind == "loan_table":
        bank = cx.choice(POOL["banks"])[0]
        d.t(14, 18, bank, "B", 12)
        d.t(14, 26, "Tableau d'amortissement - prêt personnel", "B", 11)
        cap = ids.D(r.choice([5000, 8000, 12000, 15000, 20000]))
        n = r.choice([24, 36, 48, 60])
        rate = Decimal(r.choice(["0.0045", "0.0052", "0.0061"]))
        mens = ids.D(cap * rate / (1 - (1 + rate) ** -n))
        d.t(14, 33, f"Capital emprunté : {A(cap, 'fr')}  -  Durée : {n} mois  -  Taux mensuel : "
            f"{str(rate * 100).replace('.', ',')} %  -  Emprunteur : {pe.name_fs()}", "R", 8)
        rows = [["N°", "Échéance", "Mensualité", "Intérêts", "Assurance", "Capital amorti", "Capital restant"]]
        dt = TODAY.replace(day=5) - timedelta(days=r.randint(100, 500))
        rest = cap
        for i in range(1, min(n, 40) + 1):
            it_ = ids.D(rest * rate)
            am = mens - it_
            rest -= am
            dd = (dt.replace(day=1) + timedelta(days=32 * i)).replace(day=5)
            rows.append([str(i), DT(dd), A(mens, "bare"), A(it_, "bare"), "4,50", A(am, "bare"), A(max(rest, 0), "bare")])
        d.table(14, 40, [10, 26, 28, 26, 24, 32, 34], rows, f="M", head_f="B", sz=7.2, rh=5.6, aligns="rcrrrrr",
                grid="all")
    elif kind == "quote":
        co = cx.company()
        d.t(14, 20, co["name"], "NB", 13)
        for i, ln in enumerate(co["address"].lines() + [f"SIRET {co['siret']}"]):
            d.t(14, 25 + i * 4.2, ln, "N", 8.5)
        d.t(196, 20, "DEVIS", "NB", 18, "r")
        dt = TODAY - timedelta(days=r.randint(1, 200))
        d.t(196, 27, f"n° D-{dt.year}-{r.randint(10, 999):03d} du {DT(dt, 'dot')}", "N", 9, "r")
        d.t(196, 32, f"Valable jusqu'au {DT(dt + timedelta(days=30), 'dot')}", "N", 9, "r")
        d.t(120, 52, f"{pe.civ()} {pe.name_fs()}", "NB", 10)
        for i, ln in enumerate(pe.address.lines()):
            d.t(120, 57 + i * 4.6, ln, "N", 9.5)
        rows = [["Description", "Qté", "P.U. HT", "Total HT"]]
        tot = Decimal(0)
        for _ in range(r.randint(3, 7)):
            q, pu = r.randint(1, 12), ids.D(r.uniform(15, 600))
            tot += q * pu
            rows.append([r.choice(WORKS), str(q), A(pu, "bare"), A(q * pu, "bare")])
        tva = ids.D(tot * Decimal("0.10"))
        rows += [["", "", "Total HT", A(tot, "bare")], ["", "", "TVA 10 %", A(tva, "bare")],
                 ["", "", "Total TTC", A(tot + tva, "fr")]]
        y = d.table(14, 85, [100, 16, 32, 34], rows, f="N", head_f="NB", sz=9, rh=6.5, aligns="lrrr", grid="h")
        d.t(14, y + 12, "Bon pour accord (date et signature précédées de la mention « lu et approuvé ») :", "N", 9)
        d.t(14, y + 18, "Acompte de 30 % à la commande, solde à la fin des travaux.", "N", 8.5)
    elif kind == "benefits_letter":
        d.rect(14, 12, 44, 14, fill=hexc("0069b4"), stroke=None, r=2)
        d.t(36, 21, "Allocations familiales", "B", 7.5, "c", col=(1, 1, 1))
        d.t(196, 18, f"Caisse de {cx.choice(cx.cities)[1]}", "R", 9, "r")
        d.t(120, 42, f"{pe.civ()} {pe.name_fs()}", "B", 10)
        for i, ln in enumerate(pe.address.lines()):
            d.t(120, 47 + i * 4.6, ln, "R", 9.5)
        d.t(14, 42, f"N° allocataire : {r.randint(1000000, 9999999)}", "R", 9)
        d.t(105, 75, "ATTESTATION DE PAIEMENT", "B", 14, "c")
        rows = [["Mois", "Prestation", "Montant versé"]]
        m0 = TODAY.replace(day=1)
        for i in range(r.randint(3, 6)):
            mm = (m0 - timedelta(days=28 * (i + 1))).replace(day=5)
            for pr in r.sample(["Allocations familiales", "Aide personnalisée au logement", "Prime d'activité",
                                "Complément familial"], 2):
                rows.append([ids.month_label(mm.year, mm.month), pr, A(ids.D(r.uniform(60, 420)), "fr")])
        y = d.table(14, 85, [50, 90, 42], rows, f="R", head_f="B", sz=9, rh=6.5, aligns="llr", grid="all")
        d.wrap(14, y + 10, 182, "Cette attestation est établie à la demande de l'allocataire. Les montants indiqués "
               "sont ceux effectivement versés sur le compte bancaire déclaré.", "I", 9)
    elif kind == "blank":
        if r.random() < 0.5:
            d.t(196, 290, f"- {r.randint(2, 6)} -", "S", 8, "r", col=(0.6, 0.6, 0.6))
        else:
            d.t(105, 150, "Verso vierge", "SI", 8, "c", col=(0.75, 0.75, 0.75))


# ------------------------------------------------------------------------------------------ module API
PREFIX = "g-"
PRODUCER = "Editique Iris 5"
TEMPLATES = {"payslip": payslip, "tax_notice": tax_notice, "bank_details": bank_details, "id_card": id_card,
             "passport": passport, "residence_permit": residence_permit, "rent_receipt": rent_receipt,
             "energy_bill": energy_bill, "employer_certificate": employer_certificate,
             "school_certificate": school_certificate, "sick_leave": sick_leave, "other": other}


def page_size(t: str, x: dict) -> tuple[float, float]:
    if t in ("id_card", "residence_permit"):
        return (85.6, 54.0)
    if t == "passport":
        return (125.0, 88.0)
    return (210.0, 297.0)


def pdf_title(t: str, x: dict) -> str:
    return {"payslip": "Bulletin de salaire", "energy_bill": "Votre facture", "bank_details": "RIB"}.get(t, "")


def pdf_author(t: str, x: dict, r: random.Random) -> str:
    if t == "payslip":  # the payroll program decides the layout too
        x["g_prog"] = 0 if r.random() < 0.55 else 1
        return ["Sylae", "RHapsodie"][x["g_prog"]]
    if t == "energy_bill":
        return "Editique Iris"
    return ""


HW_NOTES = ["Reçu le 12/11", "vu", "dossier complet ?", "à scanner", "copie", "OK", "pièce n° 4", "cf. mail"]
STAMPS = [["REÇU"], ["COPIE"], ["PIÈCE JOINTE"], ["ENREGISTRÉ", "LE SERVICE"], ["CONFORME", "À L'ORIGINAL"]]


def overlay(d: Doc, it: dict, x: dict, r: random.Random) -> None:
    ovs = it.get("overlays") or []
    card = it["type"] in ("id_card", "residence_permit", "passport")
    for ov in ovs:
        if ov == "stamp":
            if card:
                d.t(d.W * 0.45, d.H * 0.35, "COPIE CONFORME", "NB", 7, "c", col=(0.7, 0.1, 0.15),
                    angle=r.uniform(-20, 20), alpha=0.75)
            else:
                lines = r.choice(STAMPS) + [DT(TODAY - timedelta(days=r.randint(0, 40)), "dot")]
                K.stamp(d, r.uniform(60, 160), r.uniform(60, 220), r, lines, alpha=0.6)
        else:
            if card:
                K.handwriting(d, d.W * 0.2, d.H * 0.5, r.choice(["copie certifiée", "conforme"]), r, sz=7)
            else:
                K.handwriting(d, r.uniform(20, 120), r.uniform(40, 250), r.choice(HW_NOTES), r, sz=r.uniform(12, 18))
                if r.random() < 0.5:
                    d.signature(r.uniform(30, 150), r.uniform(60, 250), 28, r, col=(0.1, 0.15, 0.55))


def render_options(it: dict, r: random.Random) -> dict:
    k = it["kind"]
    if k == "pdf_scan":
        o = {"dpi": r.choice([150, 200, 200, 240, 300]), "degradation": r.choice(["light"] * 3 + ["heavy"]),
             "quality": r.randint(60, 85)}
    elif k == "jpeg":
        photo = r.random() < 0.75
        o = {"photo": photo, "dpi": None if photo else r.choice([150, 200, 300]),
             "photo_dpi": r.choice([120, 140, 150, 170, 190]), "degradation": r.choice(["light", "light", "heavy"]),
             "quality": r.randint(62, 88), "color": r.random() < 0.8}
    elif k == "png":
        o = {"dpi": r.choice([150, 200, 300]), "degradation": r.choice(["none", "light"])}
    elif k == "tiff":
        o = {"dpi": r.choice([200, 300]), "degradation": "light", "bilevel": r.random() < 0.7}
    else:
        return {}
    if r.random() < 0.08:
        o["quarter"] = r.choice([90, 180, 270])
    if r.random() < 0.15 and it.get("sub") not in IMAGE_ONLY_OTHER:
        o["overlays"] = [r.choice(["stamp", "stamp", "handwriting"])]
    return o


def scanner_name(r: random.Random) -> str:
    return r.choice(["MFP Konix 4020 Scan", "CapturaDesk 7", "Scanner réseau accueil"])


def compose_id(it: dict, pages, kind: str, dpi, r: random.Random):
    from PIL import Image, ImageDraw

    import raster
    if kind == "jpeg":
        if len(pages) == 1:  # passport data page held in the booklet
            p = pages[0].convert("RGB")
            bw = int(p.size[0] * 0.04)
            im = Image.new("RGB", (p.size[0] + 2 * bw, p.size[1] + 2 * bw), (88, 24, 32))
            im.paste(p, (bw, bw))
            return im
        if r.random() < 0.3:  # front only
            im = pages[0].convert("RGBA")
            im.putalpha(raster.rounded_mask(im.size, int(im.size[0] * 0.045)))
            return im
        gap = 50
        side = r.random() < 0.5
        w = sum(p.size[0] for p in pages) + gap if side else max(p.size[0] for p in pages)
        h = max(p.size[1] for p in pages) if side else sum(p.size[1] for p in pages) + gap
        canvas = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        off = 0
        for p in pages:
            m = raster.rounded_mask(p.size, int(p.size[0] * 0.045))
            canvas.paste(p.convert("RGB"), (off, 0) if side else (0, off), m)
            off += (p.size[0] if side else p.size[1]) + gap
        return canvas
    page = raster.fit_on_a4(None, dpi)
    px = dpi / 25.4
    dr = ImageDraw.Draw(page)
    pw_mm = pages[0].size[0] / px
    side = len(pages) == 2 and r.random() < 0.5
    x0 = r.uniform(12, 16) if side else r.uniform(18, 210 - pw_mm - 18)
    y0 = r.uniform(14, 60)
    for p in pages:
        m = raster.rounded_mask(p.size, int(p.size[0] * 0.04))
        X, Y = int(x0 * px), int(y0 * px)
        page.paste(p.convert("RGB"), (X, Y), m)
        dr.rounded_rectangle([X - 1, Y - 1, X + p.size[0], Y + p.size[1]], radius=int(p.size[0] * 0.04),
                             outline=(120, 120, 120), width=max(1, int(px * 0.25)))
        if side:
            x0 += pw_mm + 8
        else:
            y0 += p.size[1] / px + 12
    return page


def _visa_page(r: random.Random, dpi: int):
    import fonts
    import raster
    fm = fonts.register("G")
    d = Doc(fm, (125.0, 88.0))
    nat = r.choice(["IND", "CHN", "COL", "VNM", "TUR", "BRA", "USA", "UKR"])
    sn_l, gn_l = FOREIGN_NAMES[nat]
    sex = r.choice("MF")
    cands = [g for g in gn_l if (g in FEMALE_FOREIGN) == (sex == "F")] or gn_l
    sn, gn = r.choice(sn_l), r.choice(cands)
    birth = TODAY - timedelta(days=r.randint(20 * 365, 60 * 365))
    start = TODAY - timedelta(days=r.randint(5, 200))
    long_stay = r.random() < 0.5
    endv = start + timedelta(days=364 if long_stay else 89)
    num = f"{r.randint(10000000, 99999999)}"
    ppn = f"{r.choice('KLMNPRSTUZ')}{r.randint(1000000, 9999999)}"
    d.rect(0, 0, d.W, d.H, fill=(0.97, 0.96, 0.93), stroke=None)
    d.rect(3, 3, d.W - 6, d.H - 6, fill=hexc("e3ecf4"), stroke=None, r=2)
    d.guilloche(3, 3, d.W - 6, 60, hexc("9bb0cc"), r, n=20, lw=0.1, alpha=0.5)
    d.t(7, 10, "VISA", "DB", 12, col=hexc("203d6b"))
    d.t(30, 10, "FRANCE / SCHENGEN", "DB", 7, col=hexc("203d6b"))
    d.t(118, 10, f"N° {num}", "MB", 8, "r", col=(0.6, 0.1, 0.1))
    K.portrait(d, 7, 14, 22, 29, r, sex)

    def fld(x0, y0, lab, val, sz=6.8):
        d.t(x0, y0, lab, "I", 4.2, col=(0.25, 0.3, 0.45))
        d.t(x0, y0 + 3.2, val, "DB", sz)

    fld(34, 16, "Valable pour / Valid for", "ÉTATS SCHENGEN" if not long_stay else "FRANCE")
    fld(78, 16, "Du / From", DT(start, "dot"))
    fld(100, 16, "Au / Until", DT(endv, "dot"))
    fld(34, 24, "Type de visa", "D" if long_stay else "C")
    fld(58, 24, "Nombre d'entrées", "MULT")
    fld(86, 24, "Durée de séjour", f"{365 if long_stay else 90} jours")
    fld(34, 32, "Délivré à / Issued in", r.choice(["NEW DELHI", "BOGOTA", "HANOI", "ISTANBUL", "KYIV", "PEKIN"]))
    fld(86, 32, "Le / On", DT(start - timedelta(days=r.randint(5, 40)), "dot"))
    fld(34, 40, "N° du passeport", ppn)
    fld(34, 48, "Nom, prénom / Name", f"{sn}, {gn}")
    fld(7, 56, "Remarques", "VLS-TS " + r.choice(["ÉTUDIANT", "SALARIÉ", "VISITEUR"]) if long_stay else "TOURISME")
    l1 = "V<FRA" + mrz.name_field(sn, gn.split(), 39)
    n9 = mrz.field(ppn, 9)
    b, e = mrz.yymmdd(birth), mrz.yymmdd(endv)
    l2 = n9 + mrz.check_digit(n9) + nat + b + mrz.check_digit(b) + sex + e + mrz.check_digit(e) + "<" * 16
    d.rect(3, 68, d.W - 6, 16, fill=(1, 1, 1), stroke=None, alpha=0.9)
    K.mrz_block(d, 5, 74.5, [l1, l2], sz=9.2, lead=5.4, width=115)
    return raster.rasterize(d.finish(), dpi)[0]


def image_other(sub: str, r: random.Random, nrng, dpi: int):
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    import raster
    if sub == "visa":
        v = _visa_page(r, dpi)
        if r.random() < 0.5:  # photocopy of the visa page on A4
            return raster.fit_on_a4(None, dpi, [(v, r.uniform(20, 60), r.uniform(20, 120))])
        bw = int(v.size[0] * 0.05)
        im = Image.new("RGB", (v.size[0] + 2 * bw, v.size[1] + 2 * bw), (30, 40, 70))
        im.paste(v, (bw, bw))
        return im
    # a photo taken by mistake: floor / sofa / sleeve, nothing to read
    w, h = int(150 / 25.4 * dpi), int(200 / 25.4 * dpi)
    base = nrng.random((6, 5, 3)) * 160 + 40
    img = Image.fromarray(base.astype("uint8"), "RGB").resize((w, h), Image.BICUBIC)
    dr = ImageDraw.Draw(img)
    for _ in range(int(nrng.integers(2, 6))):
        cx, cy = int(nrng.integers(0, w)), int(nrng.integers(0, h))
        rr = int(nrng.integers(w // 10, w // 3))
        dr.ellipse([cx - rr, cy - rr, cx + rr, cy + rr], fill=tuple(int(c) for c in nrng.integers(20, 220, 3)))
    a = np.asarray(img, dtype=np.float32) + nrng.normal(0, 12, (h, w, 1))
    return Image.fromarray(np.clip(a, 0, 255).astype("uint8"), "RGB").filter(ImageFilter.GaussianBlur(6))
