"""Family D templates: another set of French issuers' house styles.

Fonts: GNU FreeFont (FreeSans, FreeSerif, FreeMono) and the Go fonts; MRZ in OCR-B.
Issuers: POOL below (all invented).  Dates mostly "01.11.2024" and "1 nov. 2024", amounts "1.234,56 €".
Each template sets ``x["fields"]`` to exactly what it prints (normalised as FORMAT.md says).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import ids
import mrz
import tplkit as K
from data import COUNTRY_FR, FOREIGN_NAMES, TODAY
from draw import Doc, hexc
from ids import fmt_amount as A

# ------------------------------------------------------------------------------------------ pool / fonts
POOL = {
    "banks": [
        ("Nuvéo Banque", "NUVBFRP2", "18470", "NUVEO"),
        ("Kelvin Bank", "KLVNFRPP", "16195", "KELVIN"),
        ("Caisse Mutualiste du Vercors", "CMVCFR21", "15937", "CMV"),
        ("Banque Coopérative des Deux Rives", "BCDRFRPP", "14807", "BCDR"),
        ("Mutuelle Bancaire de l'Estuaire", "MBESFR2N", "13255", "MBE"),
    ],
    "energy": [
        ("Eaux du Val d'Azur", "eau", "EVA"), ("Gazelia Énergies", "gaz", "GZ"),
        ("Hydralis Services", "eau", "HY"), ("Régie Gaz des Coteaux", "gaz", "RGC"),
    ],
    "schools": [
        ("Lycée Germaine Tillion", "lycée"), ("Lycée polyvalent Olympe de Gouges", "lycée"),
        ("Lycée des métiers Jean Prouvé", "lycée"), ("Lycée Marguerite Perey", "lycée"),
        ("Université Paul-Émile Victor", "université"), ("Institut universitaire Marie Marvingt", "université"),
    ],
    "payroll_sw": ["SalairePlus Édition 2024", "Paye'Net Cloud 5", "Gestor RH - module paie"],
    "res_nats": ["TUN", "CIV", "MLI", "CMR", "VNM", "HTI", "IND", "COL"],
    "employer_kinds": ["Logistique", "Traiteur", "Plomberie", "Crèche", "Librairie", "Paysagiste", "Fromagerie",
                       "Ambulances", "Architecture", "Carrosserie"],
    "forms": ["SASU", "EURL", "SCOP", "SNC", "SAS"],
}
ONLINE_BANKS = {"Nuvéo Banque", "Kelvin Bank"}

FONTS = {
    "R": "FreeSans.ttf", "B": "FreeSansBold.ttf", "I": "FreeSansOblique.ttf",
    "S": "FreeSerif.ttf", "SB": "FreeSerifBold.ttf", "SI": "FreeSerifItalic.ttf",
    "N": "Go-Regular.ttf", "NB": "Go-Bold.ttf",
    "M": "FreeMono.ttf", "MB": "FreeMonoBold.ttf",
    "D": "Go-Medium.ttf", "DB": "FreeSansBoldOblique.ttf", "DC": "Go-Mono.ttf",
    "DCB": "Go-Mono-Bold.ttf", "DS": "FreeSerifBoldItalic.ttf", "DSB": "Go-Italic.ttf",
    "MRZ": "OCRB.otf", "HW": None,
}

LBL = (0.38, 0.4, 0.45)
LINEC = (0.55, 0.58, 0.62)
PALE = (0.95, 0.96, 0.97)
MOIS_ABR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def DT(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def DA(d: date) -> str:
    return f"{d.day} {MOIS_ABR[d.month - 1]} {d.year}"


def EUR(x) -> str:
    return A(x, "dot") + " €"


def NUM(x) -> str:
    return A(x, "dot")


def fit(d: Doc, s: str, f: str, sz: float, w: float) -> float:
    wd = d.width(s, f, sz)
    return sz if wd <= w else sz * w / wd


def cell(d: Doc, x, y, w, h, label, value, f="B", sz=9.0, lsz=5.8, fill=None, stroke=LINEC, rad=0.0,
         lcol=LBL, vcol=(0, 0, 0)):
    """A boxed cell: small label on top, value below."""
    d.rect(x, y, w, h, fill=fill, stroke=stroke, lw=0.35, r=rad)
    d.t(x + 1.6, y + lsz * 0.42 + 1.2, label, "R", lsz, col=lcol)
    if value:
        d.t(x + 1.6, y + h - 2.0, value, f, fit(d, value, f, sz, w - 3.2), col=vcol)


def amount_words_free(r: random.Random) -> str:
    return r.choice(["Virement", "Virement SEPA", "Virement bancaire"])


# ------------------------------------------------------------------------------------------ payslip
RUBRIC = {"Sécurité sociale maladie": "Santé - Maladie, maternité, invalidité",
          "Vieillesse plafonnée": "Retraite - Sécurité sociale plafonnée",
          "Vieillesse déplafonnée": "Retraite - Sécurité sociale déplafonnée",
          "Complémentaire Tranche 1": "Retraite complémentaire T1 (Agirc-Arrco)",
          "Assurance chômage": "Assurance chômage",
          "Prévoyance": "Prévoyance non cadre",
          "Complémentaire santé": "Mutuelle - complémentaire santé",
          "CSG déductible": "CSG déductible de l'impôt sur le revenu",
          "CSG/CRDS non déductible": "CSG/CRDS non déductible de l'impôt"}


def payslip(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e = x["co"], x["emp"]
    prog = r.random() < 0.5
    col = r.choice([hexc("7a2e3a"), hexc("2d5d7b"), hexc("4a4a4a")]) if prog else r.choice([hexc("1d6b57"), hexc("5b4b8a")])
    sw = r.choice(["SalairePlus Édition 2024", "Paye'Net Cloud 5", "Gestor RH - module paie"])
    start = date(x["y"], x["m"], 1)
    end = ids.last_day(x["y"], x["m"])
    # head
    d.rect(15, 10, 180, 13, fill=col, stroke=None)
    d.t(18, 19, "BULLETIN DE SALAIRE" if prog else "BULLETIN DE PAIE", "NB", 14, col=(1, 1, 1))
    per = f"Mois : {ids.MONTHS[x['m'] - 1]} {x['y']}" if prog else f"Période : {x['m']:02d}/{x['y']}"
    d.t(192, 18.5, per, "NB", 11, "r", col=(1, 1, 1))
    d.t(195, 27, sw, "I", 6.5, "r", col=LBL)
    name_lbl = "Raison sociale" if prog else "Société"
    emp_lbl = "Nom et prénom" if prog else "Collaborateur"
    nir_lbl = "N° S.S." if prog else "Matricule Sécurité sociale"
    siret = ids.fmt_siret(co["siret"]) if r.random() < 0.6 else co["siret"]
    nir = ids.fmt_nir(e.nir) if r.random() < 0.6 else ids.fmt_nir(e.nir, "key")
    ename = f"{e.surname} {e.first}"
    x["fields"]["employee_name"] = ename
    h = 10.5
    y = 30
    cell(d, 15, y, 80, h, name_lbl, co["name"], sz=10)
    cell(d, 95, y, 45, h, "N° SIRET", siret, f="R")
    cell(d, 140, y, 22, h, "Code APE", co["naf"], f="R")
    cell(d, 162, y, 33, h, "N° URSSAF", co["urssaf"], f="R", sz=8)
    y += h
    cell(d, 15, y, 180, h, "Adresse de l'établissement", co["address"].one_line(), f="R", sz=8.5)
    y += h + 4
    cell(d, 15, y, 70, h, emp_lbl, ename, sz=10)
    cell(d, 85, y, 50, h, nir_lbl, nir, f="R")
    cell(d, 135, y, 22, h, "Matricule", f"{r.randint(1, 9999):04d}", f="R")
    cell(d, 157, y, 38, h, "Entrée le", DT(x["hire"]), f="R")
    y += h
    cell(d, 15, y, 120, h, "Adresse du salarié", e.address.one_line(), f="R", sz=8.5)
    cell(d, 135, y, 60, h, "Emploi", x["job"], f="R", sz=8.5)
    y += h
    cell(d, 15, y, 70, h, "Période de paie", f"du {DT(start)} au {DT(end)}", f="R")
    cell(d, 85, y, 40, h, "Date de paiement", DT(x["pay_date"]), f="B")
    cell(d, 125, y, 70, h, "Convention collective", x["cc_short"], f="R", sz=8)
    y += h + 5
    # rubric table
    W = [80, 27, 21, 26, 26]
    rows = [["Libellé", "Nombre ou base", "Taux", "À déduire", "À payer"],
            ["Salaire de base", "151,67 h", f"{x['rate']}".replace(".", ","), "", NUM(x["gross"])]]
    rows.append(["Salaire brut", "", "", "", NUM(x["gross"])])
    bold = [2]
    for lab, base, ts, ms, tp, mp in x["lines"]:
        if not ms and ts in ("0", ""):
            continue
        rows.append([RUBRIC.get(lab, lab), NUM(base) if base else "", ts.replace(".", ",") if ts else "",
                     NUM(ms) if ms else "", ""])
    rows.append(["Total des retenues salariales", "", "", NUM(x["total_sal"]), ""])
    bold.append(len(rows) - 1)
    rows.append(["Net à payer avant impôt sur le revenu", "", "", "", NUM(x["net_before_tax"])])
    bold.append(len(rows) - 1)
    rows.append(["Impôt sur le revenu prélevé à la source", NUM(x["net_taxable"]),
                 str(x["pas_rate"]).replace(".", ",") + " %", NUM(x["pas"]), ""])
    y = d.table(15, y, W, rows, f="R", sz=7.6, rh=5.3, aligns="lrrrr", grid="all", head_f="B",
                head_fill=(0.9, 0.92, 0.95) if prog else (0.88, 0.94, 0.9), bold_rows=tuple(bold), lw=0.2)
    y += 6
    # net box + distractors
    d.rect(115, y, 80, 16, fill=None, stroke=col, lw=1.2, r=0)
    d.t(118, y + 5, "NET À PAYER", "NB", 9, col=col)
    d.t(192, y + 12.5, EUR(x["net_pay"]), "NB", 14, "r")
    d.t(15, y + 4, f"Net imposable : {NUM(x['net_taxable'])} €", "R", 8)
    d.t(15, y + 9, f"Montant net social : {NUM(x['net_social'])} €", "R", 8)
    d.t(15, y + 14, f"Charges patronales du mois : {NUM(x['total_pat'])} €", "R", 8)
    y += 22
    d.t(195, y, f"Date de paiement : {DT(x['pay_date'])} - {amount_words_free(r)}", "R", 8, "r")
    y += 6
    cw = 45
    for i, (lab, val) in enumerate([(f"Cumul brut {x['y']}", NUM(x["cum_gross"])),
                                    (f"Cumul net imposable {x['y']}", NUM(x["cum_taxable"])),
                                    ("Congés acquis (jours)", NUM(x["leave"][1])),
                                    ("Congés pris (jours)", NUM(x["leave"][2]))]):
        cell(d, 15 + i * cw, y, cw, 10, lab, val, f="R", sz=8.5, fill=(0.97, 0.97, 0.97))
    d.wrap(15, 272, 180, "Bulletin à conserver sans limitation de durée. Pour en savoir plus sur la lecture de votre "
           "bulletin : rubrique « bulletin de paie » du site service-public.fr.", "I", 6.8)
    d.t(195, 286, "1 / 2" if multipage else "1 / 1", "R", 6.5, "r", col=LBL)
    if multipage:
        d.new_page()
        d.rect(15, 10, 180, 9, fill=col, stroke=None)
        d.t(18, 16.5, "DÉTAIL DES CONTRIBUTIONS EMPLOYEUR", "NB", 10, col=(1, 1, 1))
        rows = [["Libellé", "Base", "Taux patronal", "Part employeur"]]
        for lab, base, ts, ms, tp, mp in x["lines"]:
            rows.append([RUBRIC.get(lab, lab), NUM(base) if base else "", tp.replace(".", ",") if tp else "",
                         NUM(mp) if mp else ""])
        rows.append(["Total contributions employeur", "", "", NUM(x["total_pat"])])
        y = d.table(15, 26, [95, 30, 25, 30], rows, sz=8, rh=5.5, aligns="lrrr", grid="h", head_fill=PALE,
                    bold_rows=(len(rows) - 1,))
        d.wrap(15, y + 10, 180, "Le taux du prélèvement à la source est communiqué par l'administration fiscale. "
               "Vos droits à la formation sont consultables sur moncompteformation.gouv.fr.", "R", 8.5)
        d.t(195, 286, "2 / 2", "R", 6.5, "r", col=LBL)


# ------------------------------------------------------------------------------------------ tax notice
def _rf_block(d: Doc, x0, y0):
    d.t(x0, y0, "RÉPUBLIQUE", "SB", 8.5)
    d.t(x0, y0 + 3.8, "FRANÇAISE", "SB", 8.5)
    d.rect(x0, y0 + 5.5, 8, 1.1, fill=(0.0, 0.0, 0.57), stroke=None)
    d.rect(x0 + 8, y0 + 5.5, 8, 1.1, fill=(0.85, 0.85, 0.85), stroke=None)
    d.rect(x0 + 16, y0 + 5.5, 8, 1.1, fill=(0.88, 0.1, 0.2), stroke=None)
    d.t(x0, y0 + 9.5, "Liberté Égalité Fraternité", "SI", 6.5)
    d.t(x0, y0 + 15, "FINANCES PUBLIQUES", "B", 9)


def tax_notice(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p1, p2 = x["p1"], x["p2"]
    yr = x["year"]
    asd = r.random() < 0.5
    _rf_block(d, 15, 14)
    d.rect(95, 10, 100, 24, fill=(0.93, 0.95, 0.98), stroke=None, r=2)
    if asd:
        d.t(145, 17, "AVIS DE SITUATION DÉCLARATIVE", "B", 11.5, "c")
        d.t(145, 22.5, f"À L'IMPÔT SUR LE REVENU {yr + 1}", "B", 10.5, "c")
        d.t(145, 28.5, f"Revenus de l'année {yr}", "R", 9, "c")
    else:
        d.t(145, 18, f"AVIS D'IMPÔT SUR LE REVENU {yr + 1}", "B", 11.5, "c")
        d.t(145, 25, f"établi au titre des revenus {yr}", "R", 9, "c")
    etab = date(yr + 1, r.choice([7, 8]), r.randint(1, 28))
    d.t(15, 40, f"Référence de l'avis : {ids.fmt_notice_reference(x['ref'])}", "B", 9.5)
    d.t(15, 45, f"Date d'établissement : {DT(etab)}", "R", 8.5)
    d.t(15, 50, f"Centre des finances publiques de {x['sip_city']}", "R", 8.5)
    # address window
    yy = 44
    d.t(112, yy, f"{'M.' if p1.sex == 'M' else 'MME'} {p1.surname} {p1.given[0].upper()}", "R", 9.5)
    if p2:
        yy += 4.8
        d.t(112, yy, f"{'M.' if p2.sex == 'M' else 'MME'} {p2.surname} {p2.given[0].upper()}", "R", 9.5)
    for ln in p1.address.lines():
        yy += 4.8
        d.t(112, yy, ln.upper(), "R", 9.5)
    x["fields"]["taxpayer_name"] = f"{p1.surname} {p1.given[0]}"
    # identification table
    y = 72
    d.t(15, y, "Identification du foyer fiscal", "B", 10)
    y += 3
    hdr = ["", "Déclarant 1", "Déclarant 2"] if p2 else ["", "Déclarant"]
    rows = [hdr, ["Nom", p1.surname] + ([p2.surname] if p2 else []),
            ["Prénom(s)", p1.given[0]] + ([p2.given[0]] if p2 else []),
            ["Numéro fiscal", ids.fmt_tax_number(x["tn1"])] + ([ids.fmt_tax_number(x["tn2"])] if p2 else []),
            ["Date de naissance", DT(p1.birth)] + ([DT(p2.birth)] if p2 else [])]
    W = [45, 55, 55] if p2 else [45, 60]
    y = d.table(15, y, W, rows, sz=8.5, rh=6, aligns="lll"[:len(W)], grid="all", head_fill=(0.93, 0.95, 0.98),
                lw=0.2)
    y += 8
    # key figures: label on top, value below
    sit = "Marié(e)/pacsé(e)" if p2 else r.choice(["Célibataire", "Divorcé(e)", "Veuf(ve)"])
    shares = ids.fmt_shares(x["shares"], r.choice(["fr2", "short"]))
    rfr_s = A(x["rfr"], "int")
    impot = A(x["tax"], "int")
    boxes = [("Situation de famille", sit), ("Nb de parts", shares), ("RFR", rfr_s),
             ("Revenu brut global", A(x["gross_income"], "int")), ("Impôt net", impot)]
    bw = 36
    for i, (lab, val) in enumerate(boxes):
        cell(d, 15 + i * bw, y, bw, 13, lab, val, f="B", sz=10.5, lsz=6.5, rad=1.5,
             fill=(0.985, 0.985, 0.99))
    y += 20
    d.t(15, y, f"Personnes à charge : {x['kids']}", "R", 8.5)
    y += 8
    d.t(15, y, "Calcul de l'impôt", "B", 10)
    y += 3
    solde = x["tax"] - x["prelevement"]
    rows = [["Rubrique", "Montant"],
            ["Salaires et assimilés déclarés", A(x["salaries"], "dot").split(",")[0] + " €"],
            ["Abattement 10 %", "- " + A(x["salaries"] - x["rfr"], "dot").split(",")[0] + " €"],
            ["Revenu imposable", A(x["rfr"], "dot").split(",")[0] + " €"],
            ["Impôt brut selon le barème", A(x["tax"], "dot").split(",")[0] + " €"],
            ["Prélèvements à la source déjà effectués", A(x["prelevement"], "dot").split(",")[0] + " €"],
            ["Solde à payer" if solde >= 0 else "Somme à restituer", A(abs(solde), "dot").split(",")[0] + " €"]]
    y = d.table(15, y, [130, 50], rows, sz=8.5, rh=6, aligns="lr", grid="frame_h", head_fill=(0.93, 0.95, 0.98),
                bold_rows=(6,), lw=0.2)
    y += 8
    txt = ("Ce document peut être présenté comme justificatif de vos revenus et de votre situation déclarative "
           "auprès des organismes qui vous le demandent (CAF, bailleur, établissement de crédit). "
           if asd else "Le solde sera prélevé selon les modalités indiquées dans votre espace particulier. ")
    d.wrap(15, y, 180, txt + "Vos démarches : impots.gouv.fr, rubrique « Espace particulier ».", "R", 8)
    d.t(195, 287, "Page 1/2" if multipage else "Page 1/1", "R", 7, "r", col=LBL)
    if multipage:
        d.new_page()
        d.t(15, 20, f"Revenus déclarés en {yr + 1} - année {yr}", "B", 11)
        rows = [["Catégorie", "Déclarant 1", "Déclarant 2"],
                ["Traitements, salaires (1AJ / 1BJ)", NUM(x["salaries"] * 6 / 10 if p2 else x["salaries"]),
                 NUM(x["salaries"] * 4 / 10) if p2 else "-"],
                ["Revenus fonciers nets", NUM(r.randint(0, 2500)), "-"],
                ["Pensions alimentaires versées", "-", "-"]]
        y = d.table(15, 26, [100, 40, 40], rows, sz=8.5, rh=6, aligns="lrr", grid="h", head_fill=PALE)
        d.wrap(15, y + 10, 180, K.LOREM_FR, "R", 8)
        d.t(195, 287, "Page 2/2", "R", 7, "r", col=LBL)


# ------------------------------------------------------------------------------------------ RIB
def _bank_logo(d: Doc, x0, y0, name, col, online):
    if online:
        d.rect(x0, y0, 10, 10, fill=col, stroke=None, r=5)
        d.rect(x0 + 3, y0 + 3, 4, 4, fill=(1, 1, 1), stroke=None, r=2)
    else:
        d.circle(x0 + 4, y0 + 5, 4, fill=col, stroke=None)
        d.circle(x0 + 9, y0 + 5, 4, fill=col, stroke=None, alpha=0.6)


def bank_details(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    rib = x["rib"]
    online = x["bank"] in ONLINE_BANKS
    hlabel = r.choice(["Titulaire", "Titulaire", "Bénéficiaire"])
    holder = x["holder_str"]
    if " OU " not in holder and r.random() < 0.35:
        holder_p = f"{x['holder'].civ()} {holder}"
    else:
        holder_p = holder
    if online:
        col = hexc("ff5a5f") if x["bank"].startswith("Nuv") else hexc("222c52")
        d.rect(12, 10, 186, 24, fill=col, stroke=None, r=5)
        d.t(20, 25, x["bank"], "D", 18, col=(1, 1, 1))
        d.t(190, 25, "Banque 100 % en ligne", "R", 8.5, "r", col=(1, 1, 1))
        d.t(15, 50, "Vos coordonnées bancaires", "B", 17)
        d.t(15, 57, f"Document généré le {DA(x['edit_date'])} depuis votre espace client", "R", 8.5, col=LBL)
        y = 66
        d.rect(15, y, 180, 24, fill=(0.96, 0.96, 0.98), stroke=None, r=4)
        d.t(21, y + 7, hlabel, "R", 8, col=LBL)
        d.t(21, y + 14, holder_p, "B", 12)
        d.t(21, y + 20, x["holder"].address.one_line(), "R", 8.5, col=LBL)
        y += 30
        d.rect(15, y, 180, 42, fill=(0.96, 0.96, 0.98), stroke=None, r=4)
        d.t(21, y + 7, "IBAN", "R", 8, col=LBL)
        d.t(21, y + 17, ids.fmt_iban(rib["iban"]), "DCB", 16.5)
        d.t(21, y + 27, "BIC / SWIFT", "R", 8, col=LBL)
        d.t(21, y + 35, x["bic"], "DCB", 14)
        y += 48
        d.rect(15, y, 180, 24, fill=(0.96, 0.96, 0.98), stroke=None, r=4)
        d.t(21, y + 7, "Banque", "R", 8, col=LBL)
        d.t(21, y + 13, x["bank"], "B", 10)
        d.t(21, y + 19, f"{x['agency'].line1}, {x['agency'].postcode} {x['agency'].city}", "R", 8.5)
        y += 32
        d.wrap(15, y, 180, "Transmettez ces coordonnées à votre employeur, à votre caisse d'allocations ou à tout "
               "organisme qui doit vous verser de l'argent. Ne les communiquez jamais avec vos codes d'accès.",
               "R", 8.5, col=LBL)
        d.t(105, 285, f"{x['bank']} - établissement de crédit agréé - {x['agency'].city}", "R", 6.5, "c",
            col=LBL)
        return
    col = r.choice([hexc("00695c"), hexc("8c1d40"), hexc("1f4e9c")])
    copies = r.choice([1, 1, 2])
    y0 = 14
    for k in range(copies):
        y = y0
        _bank_logo(d, 15, y, x["bank"], col, False)
        d.t(30, y + 5, x["bank"], "SB", 12, col=col)
        d.t(30, y + 10, f"Caisse locale de {x['agency'].city} - {x['agency'].line1}", "R", 8)
        d.t(195, y + 5, "RIB", "SB", 16, "r", col=col)
        d.t(195, y + 10, "Relevé d'identité bancaire", "SI", 9, "r")
        y += 18
        d.t(15, y, hlabel, "R", 7.5, col=LBL)
        d.t(15, y + 5, holder_p, "B", 10.5)
        yy = y + 10
        for ln in x["holder"].address.lines():
            d.t(15, yy, ln, "R", 8.5)
            yy += 4.2
        d.t(125, y, "Domiciliation", "R", 7.5, col=LBL)
        d.t(125, y + 5, f"{x['bank'].split()[0]} {x['agency'].city.upper()}", "B", 9)
        d.t(125, y + 9.5, f"Tél. {x['agency_phone']}", "R", 8.5)
        y = max(yy, y + 14) + 3
        d.rect(15, y, 180, 5.5, fill=col, stroke=None)
        d.t(17, y + 4, "Identifiant national de compte bancaire - RIB", "B", 8, col=(1, 1, 1))
        y += 5.5
        t = [["Banque", "Guichet", "N° de compte", "Clé", "Devise"],
             [rib["bank"], rib["branch"], rib["account"], rib["key"], "EUR"]]
        y = d.table(15, y, [32, 32, 70, 20, 26], t, f="MB", sz=10, rh=6.5, aligns="ccccc", grid="all",
                    head_f="R", head_fill=None)
        y += 3
        d.rect(15, y, 180, 5.5, fill=col, stroke=None)
        d.t(17, y + 4, "Identifiant international de compte bancaire", "B", 8, col=(1, 1, 1))
        y += 5.5
        d.rect(15, y, 180, 13, stroke=(0.3, 0.3, 0.3), lw=0.25)
        d.t(17, y + 4.5, "IBAN", "R", 7, col=LBL)
        d.t(17, y + 10.5, ids.fmt_iban(rib["iban"]), "MB", 11)
        d.line(140, y, 140, y + 13, lw=0.25)
        d.t(142, y + 4.5, "Code BIC", "R", 7, col=LBL)
        d.t(142, y + 10.5, x["bic"], "MB", 11)
        y += 19
        d.wrap(15, y, 180, "Ce relevé d'identité est à remettre à tout organisme ou créancier amené à effectuer des "
               "prélèvements ou des virements sur votre compte.", "SI", 7.5)
        if copies == 2 and k == 0:
            d.hline(15, 195, y + 9, dash=(1, 1.5), lw=0.5, col=(0.4, 0.4, 0.4))
        y0 = y + 16
    d.t(105, 287, f"{x['bank']} - société coopérative de banque à capital variable", "R", 6.5, "c", col=LBL)


# ------------------------------------------------------------------------------------------ ID documents
def _lab(d: Doc, x0, y0, label, value, sz=6.4, lsz=3.6, f="B", lcol=(0.3, 0.35, 0.3), vcol=(0.05, 0.05, 0.1)):
    d.t(x0, y0, label, "R", lsz, col=lcol)
    d.t(x0, y0 + sz * 0.42 + 0.4, value, f, sz, col=vcol)


def id_card(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    bg1, bg2 = hexc("eef1e4"), hexc("e3eef0")
    d.rect(0, 0, d.W, d.H, fill=bg1, stroke=None)
    d.poly([(0, d.H), (d.W * 0.45, 0), (d.W, 0), (d.W, d.H)], fill=bg2, alpha=0.7)
    d.guilloche(0, 0, d.W, d.H, hexc("4f8a7c"), r, n=18, lw=0.1, alpha=0.35)
    d.rect(0, 0, d.W, 8.5, fill=hexc("20505a"), stroke=None, alpha=0.9)
    d.t(3, 4, "RÉPUBLIQUE FRANÇAISE", "B", 5.6, col=(1, 1, 1))
    d.t(3, 7.2, "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD", "R", 3.8, col=(1, 1, 1))
    d.t(82.5, 5.8, "FRA", "NB", 7, "r", col=(1, 1, 1))
    K.portrait(d, 60, 11, 22, 29, r, p.sex, bg=(0.9, 0.92, 0.88))
    _lab(d, 3.5, 12, "Nom / Surname", p.surname, sz=7)
    _lab(d, 3.5, 19, "Prénoms / Given names", ", ".join(p.given), sz=6)
    _lab(d, 3.5, 26, "Sexe / Sex", p.sex)
    _lab(d, 17, 26, "Nationalité / Nationality", "FRA")
    _lab(d, 3.5, 33, "Date de naissance / Date of birth", DT(p.birth))
    _lab(d, 34, 33, "Lieu de naissance / Place of birth", p.birth_city.upper(), sz=5.4)
    _lab(d, 3.5, 40, "N° du document / Document No", x["number"], f="DCB", sz=6.8)
    _lab(d, 34, 40, "Date d'expiration / Expiry date", DT(x["expiry"]))
    d.t(61, 44, x["can"], "DC", 5)
    d.signature(62, 50, 16, r, col=(0.1, 0.1, 0.15), lw=0.35)
    d.t(3.5, 51, "Signature du titulaire / Holder's signature", "R", 3.2, col=(0.3, 0.35, 0.3))
    d.new_page()
    d.rect(0, 0, d.W, d.H, fill=bg2, stroke=None)
    d.guilloche(0, 0, d.W, d.H * 0.6, hexc("4f8a7c"), r, n=14, lw=0.1, alpha=0.35)
    _lab(d, 4, 5, "Adresse / Address", p.address.line1.upper(), sz=5.4)
    d.t(4, 11.5, f"{p.address.postcode} {p.address.city.upper()}", "B", 5.4)
    _lab(d, 4, 16, "Date de délivrance / Date of issue", DT(x["issue"]), sz=5.4)
    _lab(d, 44, 16, "Autorité / Authority", x["prefecture"].upper(), sz=4.2)
    K.portrait(d, 68, 3, 13, 17, r, p.sex, gray=True, bg=(0.92, 0.95, 0.94))
    d.rect(0, 32, d.W, 22, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td1("ID", "FRA", x["number"], p.birth, p.sex, x["expiry"], "FRA", p.surname, p.given)
    K.mrz_block(d, 4, 39.5, lines, sz=8.4, lead=4.7, width=78)
    x["mrz"] = lines


FOREIGN_PASS = {
    "ITA": ("REPUBBLICA ITALIANA", "PASSAPORTO / PASSPORT", "ITALIANA", ("Cognome / Surname", "Nome / Given names"),
            ["ROSSI", "BIANCHI", "ESPOSITO", "RICCI", "MARINO"],
            {"F": ["Giulia", "Francesca", "Chiara", "Anna Maria"], "M": ["Marco", "Luca", "Giuseppe", "Matteo"]},
            "Roma", "MINISTRO AFFARI ESTERI"),
    "ESP": ("REINO DE ESPAÑA", "PASAPORTE / PASSPORT", "ESPAÑOLA", ("Apellidos / Surname", "Nombre / Given names"),
            ["GARCÍA", "FERNÁNDEZ", "MARTÍN", "SÁNCHEZ", "NAVARRO"],
            {"F": ["Lucía", "Carmen", "María José", "Elena"], "M": ["Javier", "Pablo", "José Luis", "Álvaro"]},
            "Sevilla", "DGP MADRID"),
    "PRT": ("REPÚBLICA PORTUGUESA", "PASSAPORTE / PASSPORT", "PORTUGUESA", ("Apelido / Surname", "Nome / Given names"),
            ["SANTOS", "FERREIRA", "COSTA", "RODRIGUES", "SOUSA"],
            {"F": ["Inês", "Beatriz", "Ana Rita", "Mariana"], "M": ["João", "Tiago", "Rui", "Duarte"]},
            "Braga", "SEF PORTUGAL"),
    "MAR": ("ROYAUME DU MAROC", "PASSEPORT / PASSPORT", "MAROCAINE", ("Nom / Surname", "Prénoms / Given names"),
            FOREIGN_NAMES["MAR"][0], {"F": ["Fatima Zahra", "Salma", "Khadija"], "M": ["Youssef", "Karim", "Mehdi"]},
            "Casablanca", "DGSN RABAT"),
    "TUN": ("RÉPUBLIQUE TUNISIENNE", "PASSEPORT / PASSPORT", "TUNISIENNE", ("Nom / Surname", "Prénom / Given name"),
            FOREIGN_NAMES["TUN"][0], {"F": ["Ines", "Amira", "Sarra"], "M": ["Ahmed", "Walid", "Skander"]},
            "Sfax", "MINISTÈRE DE L'INTÉRIEUR"),
    "SEN": ("RÉPUBLIQUE DU SÉNÉGAL", "PASSEPORT / PASSPORT", "SÉNÉGALAISE", ("Nom / Surname", "Prénoms / Given names"),
            FOREIGN_NAMES["SEN"][0], {"F": ["Aminata", "Awa", "Khady"], "M": ["Mamadou", "Cheikh", "Ousmane"]},
            "Dakar", "DAF DAKAR"),
}
PASS_COL = {"FRA": ("f2e9ee", "7c2447"), "ITA": ("eaf0e6", "2f5d34"), "ESP": ("f4ece0", "8a3b12"),
            "PRT": ("f3e6e6", "7d1d1d"), "MAR": ("f6ede2", "6b3a1b"), "TUN": ("f1e8ea", "8e1b2c"),
            "SEN": ("eaf1e6", "2a6131")}


def passport(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    nat = "FRA" if r.random() < 0.55 else r.choice(list(FOREIGN_PASS))
    if nat == "FRA":
        state, title, nat_word = "RÉPUBLIQUE FRANÇAISE", "PASSEPORT / PASSPORT", "FRANÇAISE"
        lab_sn, lab_gn = "Nom / Surname", "Prénoms / Given names"
        place, auth = p.birth_city.upper(), x["prefecture"].upper()
        surname, given, number = p.surname, p.given, x["number"]
    else:
        state, title, nat_word, (lab_sn, lab_gn), sns, gns, place, auth = FOREIGN_PASS[nat]
        surname = r.choice(sns)
        given = [r.choice(gns[p.sex])]
        L = "ABCDEFGHJKLMNPRSTUVWXYZ"
        number = {"ITA": lambda: f"{r.choice(L)}{r.choice(L)}{r.randint(1000000, 9999999)}",
                  "ESP": lambda: f"{r.choice(L)}{r.choice(L)}{r.choice(L)}{r.randint(100000, 999999)}",
                  "PRT": lambda: f"{r.choice('CNP')}{r.randint(100000, 999999)}",
                  }.get(nat, lambda: f"{r.choice(L)}{r.choice(L)}{r.randint(1000000, 9999999)}")()
        place = place.upper()
        x["fields"].update({"surname": surname, "given_names": " ".join(given), "document_number": number,
                            "nationality": nat})
    bg, fg = (hexc(c) for c in PASS_COL[nat])
    fgc = fg
    d.rect(0, 0, d.W, d.H, fill=bg, stroke=None)
    d.guilloche(0, 8, d.W, d.H * 0.7, fgc, r, n=26, lw=0.1, alpha=0.25)
    d.rect(0, 0, d.W, 9, fill=fgc, stroke=None, alpha=0.85)
    d.t(4, 6.2, state, "B", 8, col=(1, 1, 1))
    d.t(121, 6.2, title, "R", 7, "r", col=(1, 1, 1))
    K.portrait(d, 4, 13, 32, 41, r, p.sex, bg=(0.9, 0.9, 0.9))
    birth = ids.fmt_date(p.birth, "fr_en") if nat == "FRA" else DT(p.birth)
    exp = ids.fmt_date(x["expiry"], "fr_en") if nat == "FRA" else DT(x["expiry"])
    iss = ids.fmt_date(x["issue"], "fr_en") if nat == "FRA" else DT(x["issue"])
    lc = (0.35, 0.3, 0.35)
    _lab(d, 40, 13, "Type", "P", sz=7, lsz=4, lcol=lc)
    _lab(d, 52, 13, "Code / Code", nat, sz=7, lsz=4, lcol=lc)
    _lab(d, 80, 13, "N° de passeport / Passport No", number, f="DCB", sz=8, lsz=4, lcol=lc)
    _lab(d, 40, 21, lab_sn, surname, sz=8, lsz=4, lcol=lc)
    _lab(d, 40, 29, lab_gn, ", ".join(given), sz=7.5, lsz=4, lcol=lc)
    _lab(d, 40, 37, "Nationalité / Nationality", nat_word, sz=7, lsz=4, lcol=lc)
    _lab(d, 88, 37, "Date de naissance / Date of birth", birth, sz=7, lsz=4, lcol=lc)
    _lab(d, 40, 45, "Sexe / Sex", p.sex, sz=7, lsz=4, lcol=lc)
    _lab(d, 58, 45, "Lieu de naissance / Place of birth", place, sz=7, lsz=4, lcol=lc)
    _lab(d, 40, 53, "Date de délivrance / Date of issue", iss, sz=7, lsz=4, lcol=lc)
    _lab(d, 88, 53, "Date d'expiration / Date of expiry", exp, sz=7, lsz=4, lcol=lc)
    _lab(d, 40, 61, "Autorité / Authority", auth, sz=6.2, lsz=4, lcol=lc)
    d.signature(8, 63, 22, r, col=(0.1, 0.1, 0.1), lw=0.4)
    d.rect(0, 70, d.W, 18, fill=(1, 1, 1), stroke=None, alpha=0.88)
    lines = mrz.td3("P", nat, number, p.birth, p.sex, x["expiry"], nat, surname, given)
    K.mrz_block(d, 4, 77.5, lines, sz=9.4, lead=5.5, width=117)
    x["mrz"] = lines


def residence_permit(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    old = r.random() < 0.45
    nat_word = COUNTRY_FR[p.nationality]
    if old:
        d.rect(0, 0, d.W, d.H, fill=hexc("f4f0e4"), stroke=None)
        d.guilloche(0, 0, d.W, d.H, hexc("b08a5a"), r, n=16, lw=0.1, alpha=0.35)
        d.rect(0, 0, d.W, 10, fill=hexc("1d2f6b"), stroke=None)
        d.t(42.8, 4.3, "RÉPUBLIQUE FRANÇAISE", "SB", 6, "c", col=(1, 1, 1))
        d.t(42.8, 8.3, "CARTE DE SÉJOUR TEMPORAIRE", "B", 6.4, "c", col=(1, 1, 1))
        K.portrait(d, 3, 12.5, 21, 27, r, p.sex, bg=(0.88, 0.88, 0.86))
        lc = (0.35, 0.3, 0.2)
        _lab(d, 27, 13, "NOM", p.surname, sz=6.8, lcol=lc)
        _lab(d, 27, 19.5, "Prénom(s)", " ".join(p.given), sz=6.2, lcol=lc)
        _lab(d, 27, 26, "Né(e) le", DT(p.birth), sz=6, lcol=lc)
        _lab(d, 49, 26, "à", p.birth_city, sz=6, lcol=lc)
        _lab(d, 69, 26, "Sexe", p.sex, sz=6, lcol=lc)
        _lab(d, 27, 32.5, "Nationalité", nat_word, sz=6, lcol=lc)
        _lab(d, 55, 32.5, "Titre n°", x["number"], f="DCB", sz=6.2, lcol=lc)
        _lab(d, 27, 39, "Valable du", DT(x["issue"]), sz=6, lcol=lc)
        _lab(d, 55, 39, "au", DT(x["expiry"]), sz=6, lcol=lc)
        _lab(d, 27, 45.5, "Mention", x["permit_mention"], sz=5, lcol=lc)
        d.signature(4, 49, 16, r, col=(0.1, 0.1, 0.1), lw=0.35)
        code = "IT"
    else:
        d.rect(0, 0, d.W, d.H, fill=hexc("ece8f4"), stroke=None)
        d.poly([(0, 0), (d.W * 0.6, 0), (0, d.H * 0.8)], fill=hexc("dcd3ee"), alpha=0.8)
        d.guilloche(0, 0, d.W, d.H, hexc("6a5a9c"), r, n=20, lw=0.1, alpha=0.35)
        d.t(3, 5, "RÉPUBLIQUE FRANÇAISE", "B", 6, col=hexc("3a2d6b"))
        d.t(3, 8.6, "TITRE DE SÉJOUR / RESIDENCE PERMIT", "R", 4.6, col=hexc("3a2d6b"))
        d.t(82.5, 5.2, "F", "NB", 8, "r", col=hexc("3a2d6b"))
        K.portrait(d, 61, 12, 21.5, 28, r, p.sex, bg=(0.9, 0.9, 0.93))
        lc = (0.3, 0.28, 0.42)
        _lab(d, 3.5, 12.5, "Nom / Surname", p.surname, sz=6.8, lcol=lc)
        _lab(d, 3.5, 19.5, "Prénoms / Given names", ", ".join(p.given), sz=6, lcol=lc)
        _lab(d, 3.5, 26.5, "Sexe / Sex", p.sex, lcol=lc)
        _lab(d, 17, 26.5, "Nationalité / Nationality", p.nationality, lcol=lc)
        _lab(d, 38, 26.5, "Né(e) le / Date of birth", DT(p.birth), lcol=lc)
        _lab(d, 3.5, 33.5, "Type de titre / Permit type", x["permit_kind"], sz=4.6, lcol=lc)
        _lab(d, 3.5, 40.5, "N° du titre / Permit No", x["number"], f="DCB", sz=6.4, lcol=lc)
        _lab(d, 34, 40.5, "Fin de validité / Expiry", DT(x["expiry"]), lcol=lc)
        _lab(d, 3.5, 47.5, "Remarques / Remarks", x["permit_mention"], sz=4.6, lcol=lc)
        d.signature(63, 49, 15, r, col=(0.1, 0.1, 0.1), lw=0.35)
        code = "IR"
    d.new_page()
    d.rect(0, 0, d.W, d.H, fill=hexc("f4f0e4") if old else hexc("ece8f4"), stroke=None)
    d.guilloche(0, 0, d.W, d.H * 0.6, hexc("b08a5a") if old else hexc("6a5a9c"), r, n=12, lw=0.1, alpha=0.3)
    _lab(d, 4, 5, "Adresse", p.address.line1.upper(), sz=5.3)
    d.t(4, 11.5, f"{p.address.postcode} {p.address.city.upper()}", "B", 5.3)
    _lab(d, 4, 16, "Délivré le", DT(x["issue"]), sz=5.3)
    _lab(d, 30, 16, "par", x["prefecture"].upper(), sz=4.3)
    d.rect(0, 32, d.W, 22, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td1(code, "FRA", x["number"], p.birth, p.sex, x["expiry"], p.nationality, p.surname, p.given)
    K.mrz_block(d, 4, 39.5, lines, sz=8.4, lead=4.7, width=78)
    x["mrz"] = lines


# ------------------------------------------------------------------------------------------ rent receipt
def rent_receipt(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    L, T = x["landlord"], x["tenant"]
    start, end = date(x["y"], x["m"], 1), ids.last_day(x["y"], x["m"])
    table = r.random() < 0.4
    lciv = "Madame" if L.sex == "F" else "Monsieur"
    tciv = "Madame" if T.sex == "F" else "Monsieur"
    # landlord letterhead (serif, centred) and a small tenant block
    d.t(105, 22, f"{L.name_fs()}", "SB", 12, "c")
    d.t(105, 27.5, x["landlord_addr"].one_line(), "S", 9, "c")
    d.hline(60, 150, 31, lw=0.4)
    d.t(105, 50, "Quittance de loyer", "DS", 20, "c")
    d.t(105, 58, f"{ids.MONTHS[x['m'] - 1]} {x['y']}", "SI", 12, "c")
    y = 75
    if not table:
        txt = (f"Je soussigné(e) {lciv} {L.name_fs()}, propriétaire du logement situé {x['prop'].one_line()}, "
               f"déclare avoir reçu de {tciv} {T.name_fs()} la somme de {EUR(x['total'])} au titre du paiement du "
               f"loyer ({EUR(x['rent'])}) et des charges ({EUR(x['charges'])}) pour la période du {DT(start)} au "
               f"{DT(end)}, et lui en donne quittance, sous réserve de tous mes droits.")
        y = d.wrap(20, y, 170, txt, "S", 12, lead=7, justify=True) + 8
    else:
        txt = (f"Je soussigné(e) {lciv} {L.name_fs()}, propriétaire du logement situé {x['prop'].one_line()}, "
               f"déclare avoir reçu de {tciv} {T.name_fs()} la somme de {EUR(x['total'])} pour la période du "
               f"{DT(start)} au {DT(end)}, se décomposant comme suit :")
        y = d.wrap(20, y, 170, txt, "S", 12, lead=7, justify=True) + 4
        y = d.table(40, y, [80, 40], [["Loyer", EUR(x["rent"])], ["Charges", EUR(x["charges"])]], f="S", sz=11,
                    rh=7.5, head_f=None, aligns="lr", grid="all", lw=0.3) + 8
        y = d.wrap(20, y, 170, "Je lui en donne quittance, sous réserve de tous mes droits.", "S", 12, lead=7) + 8
    d.t(20, y, f"Paiement reçu le {DT(x['paid_on'])}.", "S", 11)
    y += 18
    d.t(120, y, f"À {x['landlord_addr'].city}, le {DA(x['issued'])}", "S", 11)
    d.t(120, y + 7, "Le bailleur", "SI", 10)
    d.signature(125, y + 22, 32, r)
    d.wrap(20, 262, 170, "Le paiement de la présente n'emporte pas présomption de paiement des termes antérieurs. "
           "Cette quittance ou ce reçu annule tous les reçus qui auraient pu être donnés pour acompte versé sur le "
           "présent terme.", "SI", 8.5)


# ------------------------------------------------------------------------------------------ energy bill
def energy_bill(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    h = x["holder"]
    water = x["energy"] == "eau"
    col = hexc("0b7fab") if water else hexc("c2571a")
    # drop / flame logo
    if water:
        d.poly([(21, 10), (16, 19), (16.5, 22), (21, 25), (25.5, 22), (26, 19)], fill=col)
    else:
        d.poly([(21, 10), (16, 20), (18, 25), (24, 25), (26, 20), (23, 16)], fill=col)
    d.t(30, 19, x["supplier"], "NB", 15, col=col)
    d.t(30, 24, "Service de l'eau potable et de l'assainissement" if water else "Fourniture de gaz naturel", "R",
        7.5, col=LBL)
    d.t(195, 17, f"Facture du {DT(x['issue'])}", "B", 13, "r")
    d.t(195, 23, f"Facture n° {x['invoice_no']}", "R", 8.5, "r")
    # mailing address
    yy = 36
    d.t(120, yy, f"{h.civ()} {h.name_fs()}", "B", 10)
    for ln in h.address.lines():
        yy += 4.6
        d.t(120, yy, ln, "R", 9.5)
    cust_lbl = r.choice(["N° de contrat", "Compte client"])
    addr_lbl = r.choice(["Adresse de livraison", "Point de livraison"])
    # left column: Vos informations
    y0 = 62
    d.rect(15, y0, 72, 120, fill=(0.95, 0.97, 0.98) if water else (0.99, 0.96, 0.93), stroke=None)
    d.t(19, y0 + 8, "Vos informations", "NB", 11, col=col)
    y = y0 + 16

    def info(lab, val_lines, bold=False):
        nonlocal y
        d.t(19, y, lab, "R", 7.5, col=LBL)
        for v in val_lines:
            y += 4.8
            d.t(19, y, v, "B" if bold else "R", 9)
        y += 7

    info("Titulaire", [h.name_fs()], True)
    info(cust_lbl, [x["cust"]], True)
    info(addr_lbl, h.address.lines())
    info("N° de compteur" if water else "N° PCE", [x["pdl"]])
    info("Mode de règlement", [r.choice(["Prélèvement mensuel", "TIP / chèque", "Prélèvement à échéance"])])
    info("Service clients", [f"09 {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}"])
    # right column: amounts
    xr = 95
    d.t(xr, y0 + 8, "Votre facture", "NB", 11, col=col)
    d.t(xr, y0 + 14, f"Période du {DT(x['period_start'])} au {DT(x['period_end'])}", "R", 8.5)
    if water:
        vol = max(6, x["kwh"] // 12)
        pu = (x["conso"] / vol).quantize(ids.Decimal("0.0001"))
        conso_lbl = f"Consommation : {vol} m³ x {str(pu).replace('.', ',')} €"
        tax_lbl = "Redevances (agence de l'eau, modernisation)"
        abo_lbl = "Part fixe (abonnement)"
    else:
        conso_lbl = f"Consommation : {x['kwh']} kWh x {str(x['price']).replace('.', ',')} €"
        tax_lbl = "Accise sur le gaz naturel et CTA"
        abo_lbl = "Abonnement"
    lines = [(abo_lbl, x["abo"]), (conso_lbl, x["conso"]), (tax_lbl, x["taxes"]), ("Total HT", x["ht"]),
             ("TVA", x["tva"]), ("Total TTC", x["ttc"])]
    if x["already"]:
        lines.append(("Acomptes déjà versés", -x["already"]))
    y = y0 + 22
    for lab, v in lines:
        bold = lab.startswith("Total")
        d.t(xr, y, lab, "B" if bold else "R", 8.5)
        d.t(195, y, EUR(v), "B" if bold else "R", 8.5, "r")
        d.hline(xr, 195, y + 1.8, lw=0.15, col=LINEC)
        y += 6.5
    y += 4
    due_lbl = r.choice(["Montant à régler", "Total à payer"])
    d.rect(xr, y, 100, 20, fill=col, stroke=None, r=3)
    d.t(xr + 4, y + 8, due_lbl, "NB", 11, col=(1, 1, 1))
    d.t(191, y + 15, EUR(x["due"]), "NB", 16, "r", col=(1, 1, 1))
    y += 27
    d.t(xr, y, f"À régler avant le {DT(x['due_date'])}", "R", 8.5)
    d.t(xr, y + 5, f"Prochaine facture vers le {DA(x['issue'] + timedelta(days=r.choice([60, 90, 180])))}", "R", 8.5)
    # footer
    d.wrap(15, 262, 180, "En cas de difficulté de paiement, contactez notre service clients : des solutions "
           "d'échelonnement peuvent vous être proposées. Médiation : après réclamation écrite restée sans réponse "
           "sous deux mois, vous pouvez saisir le médiateur.", "R", 7.5, col=LBL)
    d.t(105, 280, f"{x['supplier']} - {x['sup_addr'].line1} - {x['sup_addr'].postcode} {x['sup_addr'].city}", "R",
        7, "c", col=LBL)
    if multipage:
        d.new_page()
        d.t(15, 20, "Historique de vos consommations", "NB", 12, col=col)
        rows = [["Relevé", "Index", "Consommation"]]
        idx = r.randint(1000, 9000)
        for i in range(6):
            dd = x["issue"] - timedelta(days=60 * (6 - i))
            c = r.randint(10, 60) if water else r.randint(150, 900)
            idx += c
            rows.append([DT(dd), str(idx), f"{c} {'m³' if water else 'kWh'}"])
        y = d.table(15, 28, [60, 50, 50], rows, sz=9, rh=6.5, aligns="lrr", grid="h", head_fill=PALE)
        d.wrap(15, y + 12, 180, K.LOREM_FR, "R", 8)


# ------------------------------------------------------------------------------------------ employer certificate
CT_WORDS = {"CDI": "contrat à durée indéterminée", "CDD": "contrat à durée déterminée",
            "APPRENTISSAGE": "contrat d'apprentissage", "INTERIM": "contrat de travail temporaire (intérim)"}


def _dotted(d: Doc, x0, y, label, value, xv=72, xend=195, vf="MB", sz=10):
    d.t(x0, y, label, "R", 9)
    lw = d.width(label, "R", 9)
    d.line(x0 + lw + 1.5, y + 0.7, xend, y + 0.7, lw=0.35, dash=(0.3, 1.3), col=(0.35, 0.35, 0.35))
    if value:
        xv = max(xv, x0 + lw + 3)
        d.t(xv, y - 0.4, value, vf, fit(d, value, vf, sz, xend - xv))


def employer_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e, s = x["co"], x["emp"], x["signer"]
    col = r.choice([hexc("2c3e50"), hexc("6d3b14"), hexc("0f5e4a")])
    d.t(15, 18, co["name"], "NB", 13, col=col)
    d.t(15, 23, f"{co['address'].one_line()} - Tél. {co['phone']}", "R", 8)
    d.rect(15, 32, 180, 14, fill=col, stroke=None)
    d.t(105, 41.5, "ATTESTATION D'EMPLOI", "NB", 15, "c", col=(1, 1, 1))
    d.t(105, 52, "(à remettre au salarié - à joindre à toute demande de prestation)", "I", 8, "c")
    y = 64
    d.t(15, y, "1. Identification de l'employeur", "B", 10, col=col)
    y += 8
    _dotted(d, 15, y, "Raison sociale", co["name"])
    y += 7.5
    _dotted(d, 15, y, "N° SIRET", ids.fmt_siret(co["siret"]) if r.random() < 0.6 else co["siret"])
    y += 7.5
    _dotted(d, 15, y, "Code NAF / APE", co["naf"])
    y += 7.5
    _dotted(d, 15, y, "Adresse", co["address"].one_line())
    y += 12
    d.t(15, y, "2. Identification du salarié", "B", 10, col=col)
    y += 8
    _dotted(d, 15, y, "Nom", e.surname)
    y += 7.5
    _dotted(d, 15, y, "Prénom(s)", e.first)
    x["fields"]["employee_name"] = f"{e.first} {e.surname}"
    y += 7.5
    _dotted(d, 15, y, "Date de naissance", DT(e.birth))
    y += 7.5
    _dotted(d, 15, y, "Adresse", e.address.one_line())
    y += 12
    d.t(15, y, "3. Emploi", "B", 10, col=col)
    y += 8
    _dotted(d, 15, y, "Emploi occupé", x["job"])
    y += 7.5
    _dotted(d, 15, y, "Date d'embauche", DT(x["hire"]))
    y += 7.5
    _dotted(d, 15, y, "Nature du contrat", CT_WORDS[x["ct"]])
    y += 7.5
    _dotted(d, 15, y, "Date de fin prévue", DT(x["end"]) if x["end"] else "sans objet")
    y += 7.5
    _dotted(d, 15, y, "Durée hebdomadaire", f"{x['hours']} heures")
    y += 7.5
    _dotted(d, 15, y, "Salaire brut mensuel", EUR(x["salary"]))
    y += 14
    d.wrap(15, y, 180, "Je certifie l'exactitude des renseignements ci-dessus. Toute fausse déclaration expose son "
           "auteur aux sanctions prévues par le code pénal.", "I", 9)
    y += 16
    _dotted(d, 15, y, "Nom et qualité du signataire", f"{s.name_fs()}, {x['role']}", xv=75)
    y += 7.5
    issued = max(x["issued"], x["hire"] + timedelta(days=12))
    _dotted(d, 15, y, "Fait à", f"{co['address'].city}, le {DA(issued)}", xv=75)
    y += 10
    d.t(120, y + 2, "Signature et cachet", "I", 8.5)
    d.signature(125, y + 18, 32, r)
    K.stamp(d, 80, y + 16, r, [co["name"][:30].upper(), f"SIRET {co['siret']}"], col=col, shape="rect",
            angle=r.uniform(-6, 6), alpha=0.7)


# ------------------------------------------------------------------------------------------ school certificate
def school_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    s, h = x["stu"], x["head"]
    uni = x["kind"] == "université"
    col = hexc("23395d") if uni else hexc("5b2a5e")
    d.rect(15, 12, 3, 26, fill=col, stroke=None)
    d.t(22, 18, x["school"], "SB", 13, col=col)
    d.t(22, 23.5, x["addr"].one_line(), "S", 9)
    d.t(22, 28, f"Académie de {x['academie']} - Code établissement {x['uai']}", "S", 8.5)
    d.t(22, 32.5, f"Secrétariat : 0{r.randint(1, 5)} {r.randint(10, 99)} {r.randint(10, 99)} "
        f"{r.randint(10, 99)} {r.randint(10, 99)}", "S", 8.5)
    year = f"{x['start']}-{x['start'] + 1}"
    d.t(105, 62, "Certificat de scolarité", "DS", 21, "c")
    d.t(105, 70, f"Année {'universitaire' if uni else 'scolaire'} {year}", "S", 11, "c")
    civ = h.civ()
    if uni:
        role = "directeur des études" if h.sex == "M" else "directrice des études"
        w = "l'étudiant(e)"
        lvl = f"est régulièrement inscrit(e) en {x['level']} pour l'année universitaire {year}"
    else:
        role = "proviseur" if h.sex == "M" else "proviseure"
        w = "l'élève"
        lvl = f"est inscrit(e) en classe de {x['level']} pour l'année scolaire {year}"
    txt = (f"Je soussigné(e), {civ} {h.name_fs()}, {role} de l'établissement {x['school']}, certifie que {w} "
           f"{s.first} {s.surname}, né(e) le {DT(s.birth)} à {s.birth_city}, {lvl}.")
    x["fields"]["student_name"] = f"{s.first} {s.surname}"
    y = d.wrap(22, 90, 166, txt, "S", 12.5, lead=7.5, justify=True) + 6
    d.t(22, y, f"Identifiant national élève (INE) : {x['ine']}", "S", 10.5)
    y += 10
    d.wrap(22, y, 166, "Le présent certificat est délivré à la demande de l'intéressé(e) pour faire valoir ce que "
           "de droit.", "S", 12, lead=7)
    y += 26
    d.t(120, y, f"{x['addr'].city}, le {DA(x['issued'])}", "S", 11)
    d.t(120, y + 7, f"{h.name_fs()}", "S", 11)
    d.t(120, y + 12.5, role.capitalize(), "SI", 10)
    d.signature(125, y + 28, 30, r)
    K.stamp(d, 85, y + 26, r, [x["school"][:26].upper(), x["addr"].city.upper()], col=col, shape="circle",
            angle=r.uniform(-10, 10), alpha=0.65)


# ------------------------------------------------------------------------------------------ sick leave
def sick_leave(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p, doc = x["pat"], x["doc"]
    pink = hexc("fbe7dc")
    ink = hexc("a23b2a")
    d.rect(0, 0, d.W, d.H, fill=pink, stroke=None)
    d.t(15, 16, "Assurance Maladie", "NB", 11, col=ink)
    d.t(15, 21, "Sécurité sociale", "R", 8, col=ink)
    d.t(195, 15, "cerfa n° 10170", "R", 8, "r", col=ink)
    d.t(195, 20, "Avis à l'employeur - volet 3", "I", 8, "r", col=ink)
    d.t(105, 34, "Avis d'arrêt de travail", "DS", 18, "c", col=ink)
    chk = ("☒", "☐") if x["initial"] else ("☐", "☒")
    d.t(105, 42, f"{chk[0]} Arrêt initial      {chk[1]} Prolongation", "S", 10, "c")
    y = 50

    def fieldset(title, hgt):
        nonlocal y
        d.rect(15, y, 180, hgt, fill=(1, 1, 1), stroke=ink, lw=0.6)
        w = d.width(title, "B", 8) + 4
        d.rect(19, y - 2.5, w, 5, fill=pink, stroke=None)
        d.t(21, y + 1.2, title, "B", 8, col=ink)
        top = y
        y += hgt + 7
        return top

    t = fieldset("L'ASSURÉ(E)", 34)
    pname = f"{p.surname} {p.first}"
    x["fields"]["patient_name"] = pname
    cell(d, 19, t + 4, 95, 11, "Nom et prénom", pname, sz=11, stroke=None)
    cell(d, 115, t + 4, 76, 11, "Numéro de sécurité sociale", ids.fmt_nir(p.nir), f="DCB", sz=11, stroke=None)
    cell(d, 19, t + 18, 125, 11, "Adresse", p.address.one_line(), f="R", sz=9.5, stroke=None)
    cell(d, 145, t + 18, 46, 11, "Né(e) le", DT(p.birth), f="R", sz=9.5, stroke=None)
    t = fieldset("ARRÊT", 36)
    d.rect(19, t + 5, 172, 12, fill=(0.99, 0.95, 0.93), stroke=None)
    d.t(22, t + 13, f"Arrêt de travail du {DT(x['start'])} au {DT(x['end'])} inclus", "B", 12)
    d.t(22, t + 24, f"Sorties : {x['sorties']}", "R", 9)
    d.t(22, t + 30, f"Durée : {(x['end'] - x['start']).days + 1} jours calendaires", "R", 9)
    t = fieldset("EMPLOYEUR", 20)
    d.t(22, t + 8, x["co"]["name"], "B", 9.5)
    d.t(22, t + 14, x["co"]["address"].one_line(), "R", 8.5)
    t = fieldset("MÉDECIN PRESCRIPTEUR", 36)
    cell(d, 19, t + 4, 85, 11, "Nom", f"Dr {doc.first} {doc.surname}", sz=10, stroke=None)
    cell(d, 105, t + 4, 86, 11, "Identifiant RPPS", x["rpps"], f="R", sz=10, stroke=None)
    cell(d, 19, t + 17, 85, 11, "Adresse du cabinet", doc.address.one_line(), f="R", sz=8.5, stroke=None)
    cell(d, 105, t + 17, 40, 11, "Date de prescription", DA(x["presc"]), f="R", sz=9.5, stroke=None)
    d.t(150, t + 22, "Signature", "I", 7.5, col=LBL)
    d.signature(152, t + 31, 28, r)
    d.wrap(15, 262, 180, "Volet à envoyer à votre employeur sous 48 heures. Les volets 1 et 2 sont adressés à votre "
           f"caisse primaire (CPAM de {x['cpam_city']}) ; en cas d'envoi tardif, vos indemnités journalières "
           "peuvent être réduites.", "I", 7.5, col=ink)


# ------------------------------------------------------------------------------------------ other
OTHER_KINDS = ["visa", "caf", "club", "phone", "blank", "insurance"]
IMAGE_ONLY_OTHER = {"visa"}
SPORTS = ["Handball Club", "Union Sportive Athlétisme", "Judo Club", "Cercle d'Escrime", "Football Club",
          "Aviron Club", "Tennis Club"]


def other(d: Doc, x: dict, r: random.Random, cx=None, multipage: bool = False):
    kind = x["subtype"]
    f = cx.fake
    if kind == "caf":
        pe = cx.person()
        city = cx.choice(cx.cities)[1]
        d.rect(15, 12, 14, 14, fill=hexc("0067a5"), stroke=None, r=3)
        d.t(22, 21.5, "caf", "NB", 9, "c", col=(1, 1, 1))
        d.t(33, 18, f"Caisse d'allocations familiales de {city}", "B", 11)
        d.t(33, 23, f"Service allocataires - {cx.address().one_line()}", "R", 8)
        d.t(120, 42, f"{pe.civ()} {pe.name_fs()}", "B", 10)
        for i, ln in enumerate(pe.address.lines()):
            d.t(120, 47 + i * 4.8, ln, "R", 9.5)
        num = f"{r.randint(1000000, 9999999)}"
        issued = TODAY - timedelta(days=r.randint(5, 200))
        d.t(15, 46, f"N° allocataire : {num}", "B", 9.5)
        d.t(15, 51, f"Le {DT(issued)}", "R", 9)
        d.t(105, 78, "ATTESTATION DE PAIEMENT", "NB", 15, "c")
        y = d.wrap(15, 90, 180, f"La caisse d'allocations familiales atteste que {pe.civ()} {pe.name_fs()}, allocataire "
                   f"n° {num}, a perçu les prestations suivantes :", "R", 10, lead=5.5) + 4
        rows = [["Mois", "Prestation", "Montant versé", "Date de versement"]]
        for k in range(r.randint(3, 6)):
            m0 = issued.year * 12 + issued.month - 2 - k
            yy, mth = m0 // 12, m0 % 12 + 1
            for prest in r.sample(["Aide personnalisée au logement", "Prime d'activité", "Allocations familiales",
                                   "Complément familial"], r.randint(1, 2)):
                rows.append([f"{ids.MONTHS[mth - 1]} {yy}", prest, EUR(ids.D(r.uniform(40, 650))),
                             DT(date(yy, mth, 5))])
        y = d.table(15, y, [35, 75, 35, 35], rows, sz=8.5, rh=6, aligns="llrr", grid="h", head_fill=PALE)
        d.wrap(15, y + 10, 180, "Cette attestation est établie pour servir et valoir ce que de droit. Elle ne préjuge "
               "pas des droits futurs de l'allocataire.", "I", 9)
        d.t(120, y + 30, "Le directeur", "I", 9)
    elif kind == "club":
        pe = cx.person(min_age=8, max_age=40)
        club = f"{r.choice(SPORTS)} {cx.choice(cx.cities)[1]}"
        pres = cx.person(min_age=35, max_age=70)
        d.circle(28, 24, 10, fill=hexc("e3a21a"), stroke=None)
        d.t(28, 26, club.split()[0][:3].upper(), "NB", 9, "c", col=(1, 1, 1))
        d.t(42, 22, club, "SB", 13)
        d.t(42, 27.5, f"Association loi 1901 - affiliée à la fédération - {cx.address().one_line()}", "S", 8)
        season = r.choice([2024, 2025])
        d.t(105, 62, "Certificat d'adhésion", "DS", 20, "c")
        d.t(105, 70, f"Saison sportive {season}-{season + 1}", "S", 11, "c")
        txt = (f"Je soussigné(e), {pres.civ()} {pres.name_fs()}, président(e) du club {club}, certifie que "
               f"{pe.first} {pe.surname}, né(e) le {DT(pe.birth)}, est licencié(e) au sein de notre association "
               f"pour la saison {season}-{season + 1} sous le numéro de licence {r.randint(100000, 999999)}, et "
               f"qu'il ou elle s'est acquitté(e) de sa cotisation annuelle d'un montant de "
               f"{EUR(ids.D(r.choice([95, 120, 160, 210, 245])))}.")
        y = d.wrap(22, 90, 166, txt, "S", 12.5, lead=7.5, justify=True) + 8
        d.wrap(22, y, 166, "Attestation délivrée pour servir auprès du comité d'entreprise ou de la mutuelle.",
               "S", 11)
        d.t(120, y + 24, f"Le {DA(TODAY - timedelta(days=r.randint(1, 300)))}, le président", "S", 11)
        d.signature(125, y + 40, 30, r)
    elif kind == "phone":
        pe = cx.person()
        op = r.choice(["Telvia Mobile", "Onda Télécom"])
        issued = TODAY - timedelta(days=r.randint(5, 300))
        col = hexc("6a1b9a") if op.startswith("T") else hexc("00838f")
        d.rect(15, 12, 180, 16, fill=col, stroke=None, r=3)
        d.t(20, 23, op, "NB", 15, col=(1, 1, 1))
        d.t(190, 22.5, f"Facture du {DT(issued)}", "B", 11, "r", col=(1, 1, 1))
        d.t(120, 42, f"{pe.civ()} {pe.name_fs()}", "B", 10)
        for i, ln in enumerate(pe.address.lines()):
            d.t(120, 47 + i * 4.8, ln, "R", 9.5)
        d.t(15, 42, f"N° client : {r.randint(10000000, 99999999)}", "R", 9)
        d.t(15, 47, f"Ligne : 06 {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}",
            "R", 9)
        d.t(15, 52, f"Facture n° {r.randint(100000000, 999999999)}", "R", 9)
        forfait = ids.D(r.choice([9.99, 15.99, 19.99, 24.99, 39.99]))
        box = ids.D(r.choice([0, 29.99, 34.99, 42.99]))
        extra = ids.D(r.uniform(0, 12))
        rows = [["Détail", "Montant TTC"], ["Forfait mobile 100 Go", EUR(forfait)]]
        if box:
            rows.append(["Box fibre + TV", EUR(box)])
        rows += [["Communications hors forfait", EUR(extra)], ["Total à payer", EUR(forfait + box + extra)]]
        y = d.table(15, 70, [140, 40], rows, sz=9.5, rh=7, aligns="lr", grid="h", head_fill=PALE,
                    bold_rows=(len(rows) - 1,))
        d.t(15, y + 10, f"Prélevé le {DT(issued + timedelta(days=10))} sur votre compte.", "R", 9)
        d.wrap(15, y + 20, 180, "Dont TVA 20 %. Retrouvez le détail de vos communications dans votre espace client.",
               "R", 8.5, col=LBL)
    elif kind == "insurance":
        pe = cx.person()
        ins = r.choice(["Mutuelle Assurances du Bocage", "Alcyon Assurances"])
        start = TODAY - timedelta(days=r.randint(30, 600))
        d.t(15, 20, ins, "SB", 14, col=hexc("1b5e20"))
        d.t(15, 25.5, cx.address().one_line(), "S", 8.5)
        d.t(105, 55, "ATTESTATION D'ASSURANCE HABITATION", "NB", 14, "c")
        txt = (f"{ins} atteste que {pe.civ()} {pe.name_fs()} est titulaire du contrat multirisque habitation "
               f"n° MRH{r.randint(1000000, 9999999)} garantissant le logement situé {pe.address.one_line()}, en "
               f"qualité de locataire, pour la période du {DT(start)} au {DT(ids.add_years(start, 1))}. "
               "La garantie responsabilité civile et les risques locatifs (incendie, dégâts des eaux, explosion) "
               "sont acquis.")
        y = d.wrap(20, 72, 170, txt, "S", 11.5, lead=6.5, justify=True) + 8
        d.t(20, y, f"Cotisation annuelle : {EUR(ids.D(r.uniform(120, 420)))}", "S", 11)
        d.t(120, y + 20, f"Fait le {DA(TODAY - timedelta(days=r.randint(1, 60)))}", "S", 11)
    elif kind == "blank":
        if r.random() < 0.5:
            d.rect(140, 270, 55, 15, stroke=(0.8, 0.8, 0.8), lw=0.3)
            d.t(142, 274, "Cadre réservé à l'administration", "I", 6, col=(0.7, 0.7, 0.7))


def _visa_doc(r: random.Random) -> bytes:
    import fonts
    fr = fonts.register("D")
    d = Doc(fr, (125.0, 88.0))
    d.rect(0, 0, d.W, d.H, fill=hexc("f1eef6"), stroke=None)
    d.guilloche(0, 0, d.W, d.H, hexc("a48fc0"), r, n=20, lw=0.1, alpha=0.35)
    d.rect(3, 3, 119, 82, fill=hexc("e6f0ea"), stroke=hexc("8fa89a"), lw=0.3, r=1.5)
    d.guilloche(3, 3, 119, 55, hexc("6f9c86"), r, n=22, lw=0.1, alpha=0.4)
    nat = r.choice(["TUN", "MAR", "SEN", "CMR", "IND", "COL", "VNM"])
    sn, gn = FOREIGN_NAMES[nat]
    sur, giv = r.choice(sn), r.choice(gn)
    sex = "F" if giv in {"Ines", "Amira", "Salma", "Fatima Zahra", "Aminata", "Awa", "Larissa", "Brigitte", "Priya",
                         "Ananya", "Kavya", "Valentina", "María José", "Thi Lan", "Thu Trang"} else "M"
    birth = TODAY - timedelta(days=r.randint(20 * 365, 60 * 365))
    start = TODAY - timedelta(days=r.randint(10, 400))
    end = start + timedelta(days=r.choice([30, 90, 180, 365]))
    num = f"{r.randint(0, 999999999):09d}"
    pp = f"{r.choice('ABCDEFGHJK')}{r.choice('ABCDEFGHJK')}{r.randint(1000000, 9999999)}"
    K.portrait(d, 6, 14, 24, 31, r, sex, bg=(0.9, 0.93, 0.9))
    d.t(34, 9, "VISA", "NB", 9)
    d.t(120, 9, f"FRA {num}", "DCB", 8, "r", col=hexc("a3161a"))
    items = [(34, 15, "VALABLE POUR / VALID FOR", "ÉTATS SCHENGEN"),
             (34, 22, "DU / FROM", DT(start)), (64, 22, "AU / UNTIL", DT(end)),
             (92, 22, "TYPE DE VISA", "C"),
             (34, 29, "NOMBRE D'ENTRÉES", "MULT"), (64, 29, "DURÉE DE SÉJOUR", f"{r.choice([15, 30, 90])} JOURS"),
             (34, 36, "DÉLIVRÉ À / ISSUED IN", r.choice(["TUNIS", "DAKAR", "RABAT", "ABIDJAN", "NEW DELHI"])),
             (80, 36, "LE / ON", DT(start - timedelta(days=r.randint(5, 40)))),
             (34, 43, "NUMÉRO DU PASSEPORT", pp),
             (34, 50, "NOM, PRÉNOM / SURNAME, NAME", f"{sur}, {giv}"),
             (34, 57, "REMARQUES", r.choice(["VISITE FAMILIALE", "TOURISME", "AFFAIRES", "ÉTUDES - CONCOURS"]))]
    for xx, yy, lab, val in items:
        _lab(d, xx, yy, lab, val, sz=6.4, lsz=3.6)
    nf = mrz.name_field(sur, [giv], 31)
    l1 = "V<" + "FRA" + nf
    b, e = mrz.yymmdd(birth), mrz.yymmdd(end)
    docn = mrz.field(num, 9)
    l2 = docn + mrz.check_digit(docn) + nat + b + mrz.check_digit(b) + sex + e + mrz.check_digit(e) + "<" * 8
    assert len(l1) == 36 and len(l2) == 36
    d.rect(3, 66, 119, 19, fill=(1, 1, 1), stroke=None, alpha=0.85)
    K.mrz_block(d, 6, 73, [l1, l2], sz=9.6, lead=5.6, width=113)
    return d.finish()


def image_other(sub: str, r: random.Random, nrng, dpi: int):
    import raster
    pdf = _visa_doc(r)
    im = raster.rasterize(pdf, max(dpi, 200))[0].convert("RGB")
    if r.random() < 0.5:  # photocopied on a sheet
        page = raster.fit_on_a4(None, max(dpi, 200))
        px = max(dpi, 200) / 25.4
        page.paste(im, (int(40 * px), int(30 * px)))
        return page
    return im


# ------------------------------------------------------------------------------------------ module API
PREFIX = "d-"
PRODUCER = "DocuSphère Export 4.0"
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
    return {"payslip": "Bulletin de salaire", "energy_bill": "Votre facture", "tax_notice": "Avis",
            "bank_details": "Coordonnées bancaires", "rent_receipt": "Quittance"}.get(t, "Document")


def pdf_author(t: str, x: dict, r: random.Random) -> str:
    if t == "payslip":
        return r.choice(["SalairePlus", "Paye'Net"])
    if t == "energy_bill":
        return x.get("supplier", "")
    return ""


def overlay(d: Doc, it: dict, x: dict, r: random.Random) -> None:
    ov = it.get("overlays") or []
    if not ov or d.W < 200:
        return
    when = TODAY - timedelta(days=r.randint(1, 120))
    if "stamp" in ov:
        lines = r.choice([["REÇU LE", DT(when)], ["COPIE CONFORME"], ["ENREGISTRÉ", f"N° {r.randint(1000, 99999)}"],
                          ["PIÈCE JUSTIFICATIVE", DT(when), "SERVICE ACCUEIL"], ["VU"]])
        K.stamp(d, r.uniform(70, 175), r.uniform(60, 255), r, lines, alpha=r.uniform(0.55, 0.8))
    if "handwriting" in ov:
        txt = r.choice([f"reçu le {when.strftime('%d/%m')}", "copie", f"dossier n° {r.randint(100, 9999)}",
                        "vu - OK", f"à traiter avant le {(when + timedelta(days=15)).strftime('%d/%m')}", "payé",
                        "pour info"])
        K.handwriting(d, r.uniform(20, 120), r.uniform(8, 12) if r.random() < 0.6 else r.uniform(120, 240), txt, r,
                      sz=r.uniform(12, 16))
        if r.random() < 0.4:
            K.tick(d, r.uniform(150, 185), r.uniform(40, 120))


def render_options(it: dict, r: random.Random) -> dict:
    k, t = it["kind"], it["type"]
    out: dict = {}
    if k == "pdf_scan":
        dpis = [200, 240, 300] if t in ID_TYPES else [150, 150, 200, 240, 300]
        out = {"dpi": r.choice(dpis), "degradation": r.choice(["light"] * 3 + ["heavy"]),
               "quality": r.randint(68, 84)}
    elif k == "jpeg":
        photo = t in ID_TYPES or r.random() < 0.9
        out = {"photo": photo, "dpi": None if photo else r.choice([150, 200]),
               "photo_dpi": r.choice([120, 140, 150, 170, 190]), "degradation": r.choice(["light", "heavy"]),
               "quality": r.randint(70, 88), "color": r.random() < 0.8}
    elif k == "png":
        out = {"dpi": r.choice([150, 200, 300]) if t not in ID_TYPES else r.choice([200, 300]),
               "degradation": r.choice(["none", "none", "light"])}
    elif k == "tiff":
        out = {"dpi": r.choice([150, 200, 300]), "degradation": "light", "bilevel": r.random() < 0.7}
    if k != "pdf_text":
        if r.random() < 0.08:
            out["quarter"] = r.choice([90, 180, 270])
        if t not in ID_TYPES and it.get("sub") not in ("blank", "visa") and r.random() < 0.14:
            out["overlays"] = r.choice([["stamp"], ["handwriting"], ["stamp", "handwriting"]])
    return out


def scanner_name(r: random.Random) -> str:
    return r.choice(["MFP Scan Station 7", "Copieur multifonction - numérisation", "ScanSnap iX"])


def compose_id(it: dict, pages, kind: str, dpi, r: random.Random):
    from PIL import Image

    import raster
    if kind == "jpeg":
        if len(pages) == 1:
            im = pages[0].convert("RGBA")
            im.putalpha(raster.rounded_mask(im.size, 25))
            return im
        gap = 50
        side = r.random() < 0.5
        if side:
            w = sum(p.size[0] for p in pages) + gap
            h = max(p.size[1] for p in pages)
        else:
            w = max(p.size[0] for p in pages)
            h = sum(p.size[1] for p in pages) + gap
        canvas = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        off = 0
        for p in pages:
            m = raster.rounded_mask(p.size, int(p.size[0] * 0.045))
            canvas.paste(p.convert("RGB"), (off, 0) if side else (0, off), m)
            off += (p.size[0] if side else p.size[1]) + gap
        return canvas
    page = raster.fit_on_a4(None, dpi)
    px = dpi / 25.4
    if len(pages) == 1:
        pos = [(42.5, 40.0)]
    else:
        pos = [(12.0, 30.0), (112.0, 30.0)] if r.random() < 0.6 else [(62.0, 30.0), (62.0, 95.0)]
    for p, (xm, ym) in zip(pages, pos):
        m = raster.rounded_mask(p.size, int(p.size[0] * 0.045))
        page.paste(p.convert("RGB"), (int(xm * px), int(ym * px)), m)
    return page
