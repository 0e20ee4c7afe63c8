"""Family E: administrative "grid forms" (public sector, associations, social landlords, savings banks).

House style: values sit in table cells under a header row of capitalised (often abbreviated) labels,
or in two-column label/value tables with thin rules.  Dates mostly ISO / short, amounts "EUR 1234.56",
"1234,56 EUR", "1 234.56".  ID documents are more often foreign (EU identity cards, passports of many
countries with multilingual labels).  Fonts: URW base35 (Nimbus, URW Gothic, C059, P052), OCR-B, Z003.
Issuers: POOL below (all invented).
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import ids
import mrz
import tplkit as K
from data import TODAY
from draw import Doc, hexc
from ids import D
from ids import fmt_date as DT

FONTS = {
    "R": "NimbusSans-Regular.otf", "B": "NimbusSans-Bold.otf", "I": "NimbusSans-Italic.otf",
    "S": "NimbusRoman-Regular.otf", "SB": "NimbusRoman-Bold.otf", "SI": "NimbusRoman-Italic.otf",
    "N": "NimbusSansNarrow-Regular.otf", "NB": "NimbusSansNarrow-Bold.otf",
    "M": "NimbusMonoPS-Regular.otf", "MB": "NimbusMonoPS-Bold.otf",
    "D": "URWGothic-Book.otf", "DB": "URWGothic-Demi.otf", "DC": "C059-Roman.otf",
    "DCB": "C059-Bold.otf", "DS": "P052-Roman.otf", "DSB": "P052-Bold.otf",
    "MRZ": "OCRB.otf", "HW": "Z003-MediumItalic.otf",
}

POOL = {
    "banks": [
        ("Épargne Mutuelle du Haut-Rhône", "EMHRFRPP", "13957", "EMHR"),
        ("Caisse Fraternelle d'Épargne du Nord", "CFENFR21", "18206", "CFEN"),
        ("Banque d'Épargne Cévenole", "BECVFRP1", "12468", "BEC"),
        ("Livret & Prévoyance Atlantique", "LPATFR2N", "15549", "LPA"),
        ("Caisse d'Économie Solidaire Alpes-Jura", "CESJFRPP", "11873", "CESAJ"),
    ],
    "energy": [
        ("Volterre Électricité", "électricité", "VE"), ("Ampère & Cie Énergies", "électricité", "AC"),
        ("Courant Clair", "électricité", "CC"),
    ],
    "schools": [
        ("Université Rhône-Vercors", "université"), ("Université du Littoral Armoricain", "université"),
        ("Université Saône-Doubs", "université"), ("IUT Pays de Vilaine", "université"),
        ("Université Garonne-Lauragais", "université"),
        ("École Supérieure d'Ingénieurs du Val-de-Loire", "université"),
    ],
    "payroll_sw": ["GRH-Public v4.1 — édition du traitement", "AssoPaie 2024.3"],
    "res_nats": ["TUN", "DZA", "MAR", "SEN", "MLI", "CIV", "CMR", "VNM", "HTI", "COL", "IND"],
    "employer_kinds": ["Association d'aide à domicile", "Centre social", "EHPAD", "Syndicat intercommunal",
                       "Régie des eaux", "Office de tourisme", "Foyer d'hébergement", "Maison des jeunes",
                       "Centre de santé", "Crèche associative"],
    "forms": ["SCIC", "SEM", "GIP", "EPIC", "SCOP"],
}

SOCIAL_LANDLORDS = [("Vallonia Habitat OPH", "VH"), ("Logirive Habitat SA d'HLM", "LH"), ("Le Toit Solidaire ESH", "TS"),
                    ("Foyers du Plateau OPH", "FP"), ("Résidences du Ponant SA HLM", "RP")]
PREFECTURES = ["Préfecture de l'Isère", "Préfecture du Finistère", "Préfecture du Bas-Rhin",
               "Préfecture de la Haute-Garonne", "Préfecture de la Marne", "Préfecture de la Somme"]
UNIV_LEVELS = ["Licence 1 — Sciences de la vie", "Licence 2 — Langues étrangères appliquées", "Licence 3 — Géographie",
               "Master 1 — Génie civil", "Master 2 — Droit social", "BUT 1 — Génie biologique",
               "BUT 2 — Techniques de commercialisation", "Licence professionnelle — Métiers du BTP"]

GREY = (0.93, 0.93, 0.93)
RULE = (0.3, 0.3, 0.3)
DARK = (0.22, 0.22, 0.22)
LAB = (0.2, 0.2, 0.28)
ID_TYPES = {"id_card", "passport", "residence_permit"}


# ------------------------------------------------------------------------------------------ formats
def _grp(e: str, sep: str) -> str:
    g = []
    while len(e) > 3:
        g.insert(0, e[-3:])
        e = e[:-3]
    g.insert(0, e)
    return sep.join(g)


def AM(v, st: str = "bare") -> str:
    """Amounts of family E: eur_pre 'EUR 1234.56', eur_post '1234,56 EUR', spdot '1 234.56',
    eur '1 234,56 EUR', bare '1 234,56', dot '1.234,56', int '32 457 €', inteur '32 457 EUR'."""
    v = D(v)
    neg = v < 0
    a = abs(v)
    ent, dec = f"{a:.2f}".split(".")
    if st == "eur_pre":
        return f"EUR {'-' if neg else ''}{ent}.{dec}"
    if st == "eur_post":
        s = f"{ent},{dec} EUR"
    elif st == "spdot":
        s = f"{_grp(ent, ' ')}.{dec}"
    elif st == "eur":
        s = f"{_grp(ent, ' ')},{dec} EUR"
    elif st == "dot":
        s = f"{_grp(ent, '.')},{dec}"
    elif st in ("int", "inteur"):
        s = _grp(str(int(a.quantize(Decimal("1"), rounding=ROUND_HALF_UP))), " ") + (" €" if st == "int" else " EUR")
    else:
        s = f"{_grp(ent, ' ')},{dec}"
    return ("-" if neg else "") + s


def DE(d: date, st: str = "iso") -> str:
    if st == "iso":
        return d.isoformat()
    if st == "short":
        return d.strftime("%d/%m/%y")
    return DT(d, st)


# ------------------------------------------------------------------------------------------ grid helpers
def fit(d: Doc, x, y, s, f="R", sz=8.5, maxw=50.0, al="l", col=(0, 0, 0), minsz=5.5):
    while sz > minsz and d.width(s, f, sz) > maxw:
        sz -= 0.25
    return d.t(x, y, s, f, sz, al, col=col)


def cell_val(d: Doc, x, ytop, w, h, val, f="B", sz=8.5, al="l"):
    """A value inside a cell: one line if it fits (possibly a little smaller), else two lines."""
    lines = val if isinstance(val, list) else [val]
    if len(lines) == 1 and d.width(lines[0], f, sz) > w - 2.4:
        if d.width(lines[0], f, sz * 0.88) <= w - 2.4:
            sz *= 0.88
        else:
            sz *= 0.88
            words, cur, out = lines[0].split(), [], []
            for wd in words:
                if cur and d.width(" ".join(cur + [wd]), f, sz) > w - 2.4:
                    out.append(" ".join(cur))
                    cur = [wd]
                else:
                    cur.append(wd)
            out.append(" ".join(cur))
            lines = out
    lead = sz * 0.42
    yb = ytop + (h - len(lines) * lead) / 2 + lead * 0.8
    for ln in lines:
        if al == "c":
            fit(d, x + w / 2, yb, ln, f, sz, w - 2, "c")
        elif al == "r":
            fit(d, x + w - 1.2, yb, ln, f, sz, w - 2, "r")
        else:
            fit(d, x + 1.2, yb, ln, f, sz, w - 2.4)
        yb += lead


def grid(d: Doc, x, y, cells, lh=4.2, vh=7.0, lsz=5.9, vf="B", vsz=8.5, fill=GREY, lw=0.2, al="l", lf="NB"):
    """Header row of capitalised labels, values in the cell below.  cells: (label, value, width)."""
    xx = x
    for lab, val, w in cells:
        d.rect(xx, y, w, lh, fill=fill, stroke=RULE, lw=lw)
        d.rect(xx, y + lh, w, vh, stroke=RULE, lw=lw)
        fit(d, xx + 1, y + lh - 1.2, lab, lf, lsz, w - 1.8, col=LAB)
        if val:
            cell_val(d, xx, y + lh, w, vh, val, vf, vsz, al)
        xx += w
    return y + lh + vh


def kv(d: Doc, x, y, rows, wl, wv, lsz=6.6, vf="R", vsz=8.8, rh=5.8, lf="NB"):
    """Two-column label/value table with thin rules."""
    y0 = y
    d.hline(x, x + wl + wv, y, lw=0.15, col=RULE)
    for row in rows:
        lab, val = row[0], row[1]
        f = row[2] if len(row) > 2 else vf
        d.t(x + 1, y + rh - 1.8, lab, lf, lsz, col=LAB)
        fit(d, x + wl + 1.5, y + rh - 1.7, val, f, vsz, wv - 2.5)
        y += rh
        d.hline(x, x + wl + wv, y, lw=0.15, col=RULE)
    d.line(x + wl, y0, x + wl, y, lw=0.15, col=RULE)
    return y


def section(d: Doc, x, y, w, title, col=(0.18, 0.2, 0.3)):
    d.rect(x, y, w, 5.2, fill=col, stroke=None)
    d.t(x + 1.5, y + 3.8, title, "NB", 8, col=(1, 1, 1))
    return y + 5.2


def emblem(d: Doc, x, y, lines, col=(0.18, 0.2, 0.3), sz=6.8):
    """A plain institutional header: a framed square with a stylised 'RF' and stacked capitals."""
    d.rect(x, y, 10, 10, stroke=col, lw=0.8)
    d.t(x + 5, y + 6.6, "RF", "DB", 8, "c", col=col)
    yy = y + 3
    for ln in lines:
        d.t(x + 13, yy, ln, "NB", sz, col=col)
        yy += sz * 0.42
    return yy


def boxmark(d: Doc, x, y, checked: bool, sz=3.0):
    d.rect(x, y - sz + 0.4, sz, sz, lw=0.3)
    if checked:
        d.t(x + sz / 2, y - 0.2, "X", "B", sz * 2.6, "c")


def phone(r: random.Random) -> str:
    return f"0{r.randint(1, 5)}.{r.randint(10, 99)}.{r.randint(10, 99)}.{r.randint(10, 99)}.{r.randint(10, 99)}"


# ------------------------------------------------------------------------------------------ payslip
ELEM_E = {"Sécurité sociale maladie": "Maladie maternité invalidité", "Vieillesse plafonnée": "Ass. vieillesse plafonnée",
          "Vieillesse déplafonnée": "Ass. vieillesse déplafonnée", "Complémentaire Tranche 1": "Retraite complémentaire T1",
          "Assurance chômage": "Contribution chômage", "Prévoyance": "Prévoyance collective",
          "Complémentaire santé": "Mutuelle santé obligatoire", "CSG déductible": "C.S.G. déductible",
          "CSG/CRDS non déductible": "C.S.G. + C.R.D.S. non déductibles"}


def payslip(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e = x["co"], x["emp"]
    public = r.random() < 0.5
    st_tab = r.choice(["bare", "spdot", "spdot"])
    st_box = r.choice(["eur_pre", "eur_post", "spdot", "eur"])
    col = r.choice([hexc("2b3a55"), hexc("3d3d3d"), hexc("5a2a2a")])
    y, m = x["y"], x["m"]
    start, end = date(y, m, 1), ids.last_day(y, m)
    # issuer
    d.t(12, 16, co["name"], "DB", 11.5)
    yy = 21
    for ln in co["address"].lines():
        d.t(12, yy, ln, "R", 8)
        yy += 3.8
    d.t(12, yy, f"Code APE {co['naf']}  —  N° URSSAF {co['urssaf']}", "N", 7.5, col=DARK)
    title = "BULLETIN DE SALAIRE" if not public else r.choice(["BULLETIN DE SALAIRE", "TRAITEMENT — BULLETIN MENSUEL"])
    d.rect(128, 11, 70, 15, stroke=col, lw=0.9)
    d.t(163, 17.5, title, "B", 10 if len(title) < 22 else 8.6, "c", col=col)
    d.t(163, 22.5, f"Mois de paie : {m:02d}/{y}", "R", 8.5, "c")
    # header grid
    if r.random() < 0.5:
        ename = f"{e.surname} {' '.join(e.given[:1])}"
    else:
        ename = e.name_fs()
    x["fields"]["employee_name"] = ename
    sir = ids.fmt_siret(co["siret"], r.choice(["groups", "raw"]))
    nir_s = ids.fmt_nir(e.nir, r.choice(["groups", "key", "raw"]))
    yg = 36
    yg = grid(d, 12, yg, [("EMPLOYEUR", co["name"], 50), ("SIRET", sir, 33),
                          ("AGENT" if public else "SALARIÉ", ename, 42),
                          ("N° SÉCURITÉ SOCIALE", nir_s, 39), ("PÉRIODE", f"{m:02d}/{y}", 22)], vh=9)
    hire_st = r.choice(["iso", "short"])
    pay_st = r.choice(["iso", "iso", "short"])
    yg = grid(d, 12, yg, [("MATRICULE", f"{r.randint(100, 99999):06d}", 24),
                          ("GRADE / EMPLOI" if public else "EMPLOI", x["job"], 56),
                          ("INDICE MAJ." if public else "COEF.", str(r.randint(340, 520)) if public else x["coef"], 22),
                          ("DATE ENTRÉE", DE(x["hire"], hire_st), 30),
                          ("VERSÉ LE", DE(x["pay_date"], pay_st), 32), ("TEMPS", "100 %", 22)],
              vh=6.5, vf="R")
    # addressee
    d.t(120, yg + 8, f"{e.civ().upper()} {e.name_fs().upper()}", "B", 9.5)
    ya = yg + 12.5
    for ln in e.address.lines():
        d.t(120, ya, ln.upper(), "R", 8.8)
        ya += 4.3
    d.t(12, yg + 8, f"Période du {DE(start, 'dot')} au {DE(end, 'dot')}", "R", 8.5)
    d.t(12, yg + 12.5, r.choice([x["cc_short"], "Hors convention — statut public" if public else x["cc_short"]]), "N", 7.5,
        col=DARK)
    d.t(12, yg + 17, f"Date d'entrée dans l'établissement : {DE(x['hire'], hire_st)}", "N", 7.5, col=DARK)
    # amounts table
    yt = max(ya, yg + 20) + 5
    hours = f"{x['hours']}".replace(".", ",")
    rows = [["Éléments de paie", "Base", "Taux", "Gains", "Retenues"]]
    g = x["gross"]
    if r.random() < 0.5:
        part = D(g * Decimal("0.9"))
        rate = (part / x["hours"]).quantize(Decimal("0.0001"))
        rows.append(["Traitement de base indiciaire" if public else "Salaire de base", hours,
                     f"{rate}".replace(".", ","), AM(part, st_tab), ""])
        rows.append([r.choice(["Indemnité de résidence", "Prime de sujétion", "Prime d'ancienneté"]), "", "",
                     AM(g - part, st_tab), ""])
    else:
        rows.append(["Traitement de base indiciaire" if public else "Salaire de base", hours,
                     f"{x['rate']}".replace(".", ","), AM(g, st_tab), ""])
    rows.append(["TOTAL BRUT", "", "", AM(g, st_tab), ""])
    for lab, base, ts, ms, tp, mp in x["lines"]:
        if not ms:
            continue
        rows.append([ELEM_E.get(lab, lab), AM(base, st_tab) if base else "", ts.replace(".", ",") if ts else "", "",
                     AM(ms, st_tab)])
    rows.append(["TOTAL DES RETENUES", "", "", "", AM(x["total_sal"], st_tab)])
    yt = d.table(12, yt, [78, 27, 19, 31, 31], rows, f="R", sz=7.6, rh=5.0, aligns="lrrrr", grid="all",
                 head_f="NB", head_fill=GREY, lw=0.15, bold_rows=(len(rows) - 1, [i for i, rw in enumerate(rows)
                                                                                    if rw[0] == "TOTAL BRUT"][0]))
    yt += 4
    pas_rate = str(x["pas_rate"]).replace(".", ",") + " %"
    yt = grid(d, 12, yt, [("SALAIRE BRUT", AM(g, "eur"), 38), ("NET AVANT IMPÔT", AM(x["net_before_tax"], "eur"), 38),
                          ("NET IMPOSABLE", AM(x["net_taxable"], "eur"), 38), ("TAUX PAS", pas_rate, 30),
                          ("IMPÔT PRÉLEVÉ À LA SOURCE", AM(x["pas"], "eur"), 42)], vh=6.5, vf="R", al="r")
    yt += 5
    d.t(12, yt + 4, "Montant net social", "R", 8.5)
    d.t(80, yt + 4, AM(x["net_social"], st_box), "R", 8.5, "r")
    d.rect(120, yt - 1, 78, 11, stroke=col, lw=1.0, fill=GREY)
    d.t(123, yt + 6.3, "NET À PAYER", "B", 11)
    d.t(195, yt + 6.3, AM(x["net_pay"], st_box), "B", 12, "r")
    yt += 16
    d.t(12, yt, f"Versé le {DE(x['pay_date'], pay_st)} par virement — montant : {AM(x['net_pay'], 'eur')} "
        f"(opération du {DE(x['pay_date'], 'dot')})", "R", 8)
    yt += 7
    cum = grid(d, 12, yt, [(f"CUMULS {y}", "", 30), ("BRUT", AM(x["cum_gross"], st_tab), 36),
                           ("NET IMPOSABLE", AM(x["cum_taxable"], st_tab), 36),
                           ("CONGÉS ACQUIS", AM(x["leave"][0], "bare"), 28), ("CONGÉS PRIS", AM(x["leave"][2], "bare"), 28),
                           ("HEURES", AM(x["hours"] * m, "bare"), 28)], vh=6, vf="R", al="r")
    d.wrap(12, max(cum + 10, 262), 186, "À conserver sans limitation de durée. Les informations relatives aux "
           "cotisations et à l'impôt prélevé à la source sont détaillées ci-dessus ; pour tout renseignement, "
           "adressez-vous au service gestionnaire du personnel.", "I", 6.8)
    d.t(12, 287, r.choice(POOL["payroll_sw"]), "N", 6.5, col=(0.45, 0.45, 0.45))
    d.t(198, 287, "Feuillet 1/2" if multipage else "Feuillet 1/1", "N", 6.5, "r", col=(0.45, 0.45, 0.45))
    if multipage:
        d.new_page()
        section(d, 12, 15, 186, "ANNEXE — DÉTAIL DES CONTRIBUTIONS EMPLOYEUR")
        rows = [["Contribution", "Base", "Taux", "Montant"]]
        for lab, base, ts, ms, tp, mp in x["lines"]:
            if mp:
                rows.append([ELEM_E.get(lab, lab), AM(base, st_tab) if base else "", tp.replace(".", ","), AM(mp, st_tab)])
        rows.append(["TOTAL CONTRIBUTIONS EMPLOYEUR", "", "", AM(x["total_pat"], st_tab)])
        yy = d.table(12, 24, [90, 34, 24, 38], rows, sz=7.8, rh=5.2, aligns="lrrr", grid="all", head_f="NB",
                     lw=0.15, bold_rows=(len(rows) - 1,))
        d.wrap(12, yy + 10, 186, K.LOREM_FR, "R", 8)
        d.t(198, 287, "Feuillet 2/2", "N", 6.5, "r", col=(0.45, 0.45, 0.45))


# ------------------------------------------------------------------------------------------ tax notice
def tax_notice(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p1, p2 = x["p1"], x["p2"]
    yr = r.choice([2021, 2022, 2023, 2023, 2024])
    x["year"] = yr
    dept = p1.address.postcode[:2]
    ref = ids.notice_reference(r, yr + 1, dept)
    x["fields"]["notice_reference"] = ref
    x["fields"]["income_year"] = str(yr)
    name1 = f"{p1.surname} {p1.given[0]}"
    x["fields"]["taxpayer_name"] = name1
    asdir = yr == 2024 and r.random() < 0.5
    emblem(d, 12, 10, ["DIRECTION GÉNÉRALE", "DES FINANCES PUBLIQUES"], sz=7)
    d.t(198, 13, f"SIP {x['sip_city'].upper()}", "NB", 8, "r")
    d.t(198, 17, f"Centre des finances publiques de {x['sip_city']}", "N", 7.5, "r")
    d.t(198, 21, f"Tél. {phone(r)} — messagerie sécurisée", "N", 7.5, "r")
    # heading by year
    if yr == 2021:
        d.t(12, 34, "AVIS D'IMPOSITION 2022", "DB", 15)
        d.t(12, 40, "IMPÔT SUR LE REVENU ET PRÉLÈVEMENTS SOCIAUX — REVENUS 2021", "B", 9.5)
    elif asdir:
        d.t(12, 34, "AVIS DE SITUATION DÉCLARATIVE", "DB", 14)
        d.t(12, 40, f"À L'IMPÔT SUR LE REVENU {yr + 1} — Revenus de l'année {yr}", "B", 9.5)
    else:
        d.t(12, 34, f"Avis d'impôt {yr + 1} sur les revenus de {yr}", "DB", 15)
        d.t(12, 40, "Impôt sur le revenu — prélèvements sociaux", "R", 9.5)
    # address window
    ya = 52
    lines = [f"{p1.surname} {p1.given[0]}".upper()]
    if p2:
        lines.append(f"{p2.surname} {p2.given[0]}".upper())
    lines += [ln.upper() for ln in p1.address.lines()]
    for ln in lines:
        d.t(118, ya, ln, "R", 9.5)
        ya += 4.8
    tn1, tn2 = ids.fmt_tax_number(x["tn1"]), ids.fmt_tax_number(x["tn2"]) if p2 else ""
    refs = ids.fmt_notice_reference(ref)
    fip = f"{r.randint(10 ** 9, 10 ** 10 - 1)}"
    etab = date(yr + 1, r.choice([7, 8]), r.randint(1, 28))
    y = 50
    if yr in (2021, 2022):
        # references as a vertical label/value table on the left
        d.t(12, y, "VOS RÉFÉRENCES", "NB", 8.5)
        y = kv(d, 12, y + 2, [("N° FISCAL", tn1, "B"), ("RÉFÉRENCE AVIS", refs, "B"), ("N° FIP", fip),
                              ("DATE D'ÉTABLISSEMENT", DE(etab, "short"))], 36, 58)
        y += 6
        cells_w = [42, 46, 46]
        y = grid(d, 12, y, [("", "", 42), ("DÉCLARANT 1", "", 46), ("DÉCLARANT 2", "", 46)], vh=0.01)
        for lab, v1, v2 in [("NOM", p1.surname, p2.surname if p2 else "—"),
                            ("PRÉNOM(S)", p1.given[0], p2.given[0] if p2 else "—"),
                            ("N° FISCAL", tn1, tn2 or "—"), ("DATE NAISS.", DE(p1.birth, "short"),
                                                             DE(p2.birth, "short") if p2 else "—")]:
            xx = 12
            for i, v in enumerate([lab, v1, v2]):
                d.rect(xx, y, cells_w[i], 5.6, stroke=RULE, lw=0.15, fill=GREY if i == 0 else None)
                fit(d, xx + 1.2, y + 4, v, "NB" if i == 0 else "R", 6.5 if i == 0 else 8.2, cells_w[i] - 2)
                xx += cells_w[i]
            y += 5.6
    else:
        y = 74 if len(lines) > 4 else 70
        y = grid(d, 12, y, [("N° FISCAL DÉCL. 1", tn1, 40), ("N° FISCAL DÉCL. 2", tn2 or "—", 40),
                            ("RÉFÉRENCE AVIS", refs, 40), ("N° FIP", fip, 32), ("ÉTABLI LE", DE(etab, "iso"), 34)], vh=7)
        y += 4
        y = grid(d, 12, y, [("NOM DU DÉCLARANT 1", p1.surname, 62), ("PRÉNOM(S)", p1.given[0], 50),
                            ("DATE NAISS.", DE(p1.birth, "iso"), 32), ("SITUATION", "Marié(e)/Pacsé(e)" if p2 else
                                                                       r.choice(["Célibataire", "Divorcé(e)"]), 42)],
                 vh=7, vf="R")
    y = max(y, ya) + 8
    sh = ids.fmt_shares(x["shares"], r.choice(["fr2", "short"]))
    rfr = AM(x["rfr"], r.choice(["int", "int"]))
    section(d, 12, y, 186, "ÉLÉMENTS DE VOTRE SITUATION" if not asdir else "SITUATION DÉCLARÉE")
    y += 7
    y = grid(d, 12, y, [("REVENU FISCAL DE RÉFÉRENCE", rfr, 56), ("NOMBRE DE PARTS", sh, 36),
                        ("PERS. À CHARGE", str(x["kids"]), 30), ("REVENU BRUT GLOBAL", AM(x["gross_income"], "int"), 64)],
             vh=8, vsz=10, al="c")
    y += 8
    tax, pre = x["tax"], x["prelevement"]
    section(d, 12, y, 186, "CALCUL DE L'IMPÔT")
    y += 6
    rows = [["Désignation", f"Revenus {yr}"], ["Salaires et assimilés déclarés", AM(x["salaries"], "int")],
            ["Déduction forfaitaire 10 %", AM(-x["salaries"] / 10, "int")],
            ["Revenu net imposable", AM(x["rfr"], "int")],
            ["Impôt brut (barème progressif)", AM(tax, "int")], ["Impôt net", AM(tax, "int")],
            ["Prélèvements à la source déjà effectués", AM(-pre, "int")],
            ["SOLDE À PAYER" if tax >= pre else "SOMME À VOUS RESTITUER", AM(abs(tax - pre), "int")]]
    if asdir:
        rows = rows[:4] + [["Impôt sur le revenu net (à titre indicatif)", AM(tax, "int")]]
    y = d.table(12, y, [140, 46], rows, sz=8.3, rh=5.6, aligns="lr", grid="all", head_f="NB", lw=0.15,
                bold_rows=(len(rows) - 1,))
    y += 6
    y = kv(d, 12, y, [("MISE EN RECOUVREMENT", DE(x["recouvrement"].replace(year=yr + 1), "iso")),
                      ("DATE LIMITE DE PAIEMENT", DE(x["payment_limit"].replace(year=yr + 1), "short"))], 50, 50)
    d.wrap(12, y + 8, 186, ("Ce document peut vous être demandé par un organisme pour justifier de vos revenus : "
                            "communiquez-le tel quel. Le revenu fiscal de référence et le nombre de parts y figurent."),
           "I", 7.5)
    d.t(198, 289, "Page 1/2" if multipage else "Page 1/1", "N", 7, "r")
    if multipage:
        d.new_page()
        section(d, 12, 15, 186, f"DÉTAIL DES REVENUS DÉCLARÉS EN {yr + 1}")
        rows = [["Case", "Libellé", "Décl. 1", "Décl. 2"],
                ["1AJ/1BJ", "Traitements et salaires", AM(x["salaries"] * 6 / 10 if p2 else x["salaries"], "int"),
                 AM(x["salaries"] * 4 / 10, "int") if p2 else "—"],
                ["2TR", "Intérêts et produits de placement", AM(r.randint(0, 700), "int"), "—"],
                ["7UF", "Dons aux œuvres", AM(r.randint(0, 400), "int"), "—"]]
        yy = d.table(12, 24, [24, 92, 35, 35], rows, sz=8.3, rh=6, aligns="llrr", grid="all", head_f="NB", lw=0.15)
        d.wrap(12, yy + 10, 186, K.LOREM_FR, "R", 8.3)
        d.t(198, 289, "Page 2/2", "N", 7, "r")


# ------------------------------------------------------------------------------------------ bank details
def bank_details(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    rib, h = x["rib"], x["holder"]
    col = r.choice([hexc("8a1c2b"), hexc("1d4e6b"), hexc("36512f")])
    d.rect(12, 12, 186, 16, fill=col, stroke=None)
    d.t(16, 20.5, x["bank"], "DB", 12.5, col=(1, 1, 1))
    d.t(16, 25, "Caisse d'épargne et de prévoyance — établissement de crédit coopératif", "N", 7, col=(1, 1, 1))
    d.t(105, 40, "COORDONNÉES BANCAIRES", "B", 13, "c")
    d.t(105, 45, r.choice(["Relevé d'identité bancaire — compte de dépôt", "Identifiant national et international du compte"]),
        "N", 8, "c", col=DARK)
    hs = x["holder_str"]
    if " OU " not in hs and r.random() < 0.5:
        shown = f"{'M.' if h.sex == 'M' else 'MME'} {hs}"
    else:
        shown = hs
    y = 52
    y = kv(d, 12, y, [("INTITULÉ DU COMPTE", shown, "B"), ("ADRESSE DU TITULAIRE", h.address.one_line()),
                      ("DOMICILIATION", f"{x['agency_name'].upper()} — {x['agency'].one_line()}"),
                      ("TÉLÉPHONE AGENCE", x["agency_phone"]), ("DEVISE", "EUR")], 45, 141, vsz=9)
    y += 7
    y = grid(d, 12, y, [("ÉTABLISSEMENT", rib["bank"], 40), ("GUICHET", rib["branch"], 40),
                        ("N° COMPTE", rib["account"], 70), ("CLÉ", rib["key"], 36)], vf="MB", vsz=10.5, vh=8, al="c")
    y += 4
    ib = rib["iban"] if r.random() < 0.35 else ids.fmt_iban(rib["iban"])
    y = grid(d, 12, y, [("IBAN", ib, 136), ("BIC", x["bic"], 50)], vf="MB", vsz=10.5, vh=8, al="c")
    y += 6
    d.t(12, y, f"Édité le {DE(x['edit_date'], r.choice(['iso', 'short']))} — code agence {x['short']}"
        f"{r.randint(100, 999)}", "N", 7.5, col=DARK)
    y += 8
    d.wrap(12, y, 186, "Remettez ce document à tout organisme qui doit verser des sommes sur votre compte ou y prélever "
           "des échéances (salaire, prestations sociales, loyer, énergie). Vérifiez l'exactitude des références.",
           "I", 7.5)
    if r.random() < 0.4:
        d.line(12, y + 14, 198, y + 14, dash=(2, 2), lw=0.3, col=(0.5, 0.5, 0.5))
        y += 22
        d.t(12, y, "VOTRE IBAN EN UN COUP D'ŒIL", "NB", 8)
        d.t(12, y + 6, ids.fmt_iban(rib["iban"]), "M", 10)
        d.t(150, y + 6, x["bic"], "M", 10)
    d.t(105, 288, f"{x['bank']} — société coopérative à capital variable — agrément ACPR", "N", 6.5, "c",
        col=(0.45, 0.45, 0.45))


# ------------------------------------------------------------------------------------------ identity documents
NAT_E = {  # surnames, male given, female given, birth city, local nationality word
    "DEU": (["MÜLLER", "SCHMIDT", "WAGNER", "BECKER", "HOFFMANN"], ["Lukas", "Jonas", "Matthias", "Felix"],
            ["Anna-Lena", "Katharina", "Sophie", "Miriam"], "KÖLN", "DEUTSCH"),
    "BEL": (["PEETERS", "JANSSENS", "MAES", "DUBOIS", "LAMBERT"], ["Thibault", "Wouter", "Arnaud", "Pieter"],
            ["Elke", "Manon", "Lotte", "Charlotte"], "LIÈGE", "BELGE"),
    "ITA": (["ROSSI", "RUSSO", "BIANCHI", "ROMANO", "COLOMBO"], ["Giuseppe", "Lorenzo", "Matteo", "Davide"],
            ["Giulia", "Francesca", "Chiara", "Martina"], "TORINO", "ITALIANA"),
    "ESP": (["GARCÍA LÓPEZ", "FERNÁNDEZ RUIZ", "MARTÍN SANZ", "SÁNCHEZ GIL", "PÉREZ MORENO"],
            ["José Manuel", "Javier", "Alejandro", "Sergio"], ["María del Carmen", "Lucía", "Paula", "Nerea"],
            "ZARAGOZA", "ESPAÑOLA"),
    "PRT": (["SILVA COSTA", "FERREIRA", "RODRIGUES", "ALMEIDA", "CARVALHO"], ["João", "Tiago", "Rui Miguel", "Nuno"],
            ["Inês", "Beatriz", "Ana Rita", "Joana"], "BRAGA", "PORTUGUESA"),
    "ROU": (["POPESCU", "IONESCU", "POPA", "STAN", "DUMITRU"], ["Andrei", "Mihai", "Ionuţ", "Radu"],
            ["Ioana", "Elena", "Andreea", "Bianca"], "CLUJ-NAPOCA", "ROMÂNĂ"),
    "MAR": (["ALAOUI", "BENJELLOUN", "CHRAIBI", "IDRISSI", "FASSI FIHRI"], ["Hamza", "Omar", "Anas", "Ilyas"],
            ["Khadija", "Imane", "Sara", "Hajar"], "FÈS", "MAROCAINE"),
    "DZA": (["BELKACEM", "BOUZID", "KACI", "LARBI", "MANSOURI"], ["Bilal", "Nassim", "Yacine", "Riad"],
            ["Lynda", "Meriem", "Sabrina", "Kenza"], "TIZI OUZOU", "ALGÉRIENNE"),
    "TUN": (["BEN AMOR", "HAMMAMI", "KHELIFI", "MEJRI", "SASSI"], ["Aymen", "Hatem", "Mehdi", "Oussama"],
            ["Rim", "Sonia", "Yosra", "Nour"], "SOUSSE", "TUNISIENNE"),
    "SEN": (["BA", "DIALLO", "FAYE", "MBAYE", "SOW"], ["Abdoulaye", "Ibrahima", "Modou", "Cheikh Tidiane"],
            ["Fatou", "Khady", "Mariama", "Ndeye Astou"], "THIÈS", "SÉNÉGALAISE"),
}
COUNTRY_HEAD = {
    "DEU": ("BUNDESREPUBLIK DEUTSCHLAND", "REISEPASS / PASSPORT / PASSEPORT", "PERSONALAUSWEIS / IDENTITY CARD / CARTE D'IDENTITÉ"),
    "BEL": ("ROYAUME DE BELGIQUE · KONINKRIJK BELGIË", "PASSEPORT / PASPOORT / PASSPORT",
            "CARTE D'IDENTITÉ · IDENTITEITSKAART · IDENTITY CARD"),
    "ITA": ("REPUBBLICA ITALIANA", "PASSAPORTO / PASSPORT / PASSEPORT", "CARTA D'IDENTITÀ / IDENTITY CARD"),
    "ESP": ("REINO DE ESPAÑA", "PASAPORTE / PASSPORT / PASSEPORT", "DOCUMENTO NACIONAL DE IDENTIDAD"),
    "PRT": ("REPÚBLICA PORTUGUESA", "PASSAPORTE / PASSPORT / PASSEPORT", "CARTÃO DE CIDADÃO / CITIZEN CARD"),
    "ROU": ("ROMÂNIA", "PAŞAPORT / PASSPORT / PASSEPORT", "CARTE DE IDENTITATE / IDENTITY CARD / CARTE D'IDENTITÉ"),
    "MAR": ("ROYAUME DU MAROC", "PASSEPORT / PASSPORT", ""),
    "DZA": ("RÉPUBLIQUE ALGÉRIENNE DÉMOCRATIQUE ET POPULAIRE", "PASSEPORT / PASSPORT", ""),
    "TUN": ("RÉPUBLIQUE TUNISIENNE", "PASSEPORT / PASSPORT", ""),
    "SEN": ("RÉPUBLIQUE DU SÉNÉGAL", "PASSEPORT / PASSPORT", ""),
    "FRA": ("RÉPUBLIQUE FRANÇAISE", "PASSEPORT / PASSPORT / PASAPORTE", ""),
}
# local words for: surname, given names, nationality, birth date, sex, place of birth, issue, expiry, number, authority
LOCAL = {
    "DEU": ["Name", "Vornamen", "Staatsangehörigkeit", "Geburtstag", "Geschlecht", "Geburtsort", "Ausstellungsdatum",
            "Gültig bis", "Pass-Nr.", "Behörde"],
    "ITA": ["Cognome", "Nome", "Cittadinanza", "Data di nascita", "Sesso", "Luogo di nascita", "Data di rilascio",
            "Scadenza", "Passaporto N.", "Autorità"],
    "ESP": ["Apellidos", "Nombre", "Nacionalidad", "Fecha de nacimiento", "Sexo", "Lugar de nacimiento",
            "Fecha de expedición", "Fecha de caducidad", "Nº pasaporte", "Autoridad"],
    "PRT": ["Apelido", "Nome próprio", "Nacionalidade", "Data de nascimento", "Sexo", "Local de nascimento",
            "Data de emissão", "Válido até", "Passaporte Nº", "Autoridade"],
    "ROU": ["Nume", "Prenume", "Cetăţenie", "Data naşterii", "Sex", "Locul naşterii", "Data eliberării",
            "Data expirării", "Nr. paşaport", "Autoritate"],
    "BEL": ["Naam", "Voornamen", "Nationaliteit", "Geboortedatum", "Geslacht", "Geboorteplaats", "Afgiftedatum",
            "Vervaldatum", "Paspoort nr.", "Autoriteit"],
}
FR_L = ["Nom", "Prénoms", "Nationalité", "Date de naissance", "Sexe", "Lieu de naissance", "Date de délivrance",
        "Date d'expiration", "N° du passeport", "Autorité"]
EN_L = ["Surname", "Given names", "Nationality", "Date of birth", "Sex", "Place of birth", "Date of issue",
        "Date of expiry", "Passport No.", "Authority"]
ES_L = ["Apellidos", "Nombres", "Nacionalidad", "Fecha de nacimiento", "Sexo", "Lugar de nacimiento",
        "Fecha de expedición", "Fecha de caducidad", "Nº de pasaporte", "Autoridad"]


def _labels(nat: str, i: int) -> str:
    if nat in LOCAL:
        return f"{LOCAL[nat][i]} / {EN_L[i]} / {FR_L[i]}"
    if nat == "FRA":
        return f"{FR_L[i]} / {EN_L[i]} / {ES_L[i]}"
    return f"{FR_L[i]} / {EN_L[i]}"


def _alnum(r, n, al="CFGHJKLMNPRTVWXYZ0123456789"):
    return "".join(r.choice(al) for _ in range(n))


def _foreign_number(r: random.Random, nat: str, kind: str) -> str:
    L = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if nat == "DEU":
        return r.choice("CFGHJK") + _alnum(r, 8)
    if nat == "ITA":
        return (r.choice(["YA", "YB", "YC"]) + f"{r.randint(0, 9999999):07d}") if kind == "P" else \
            f"CA{r.randint(0, 99999):05d}{r.choice(L)}{r.choice(L)}"
    if nat == "ESP":
        return f"{r.choice(['PA', 'AA', 'XD'])}{r.choice(L)}{r.randint(0, 999999):06d}"
    if nat == "PRT":
        return f"{r.choice(['C', 'P'])}{r.choice(L)}{r.randint(0, 999999):06d}"
    if nat == "ROU":
        return f"{r.choice(['RX', 'KS', 'XB'])}{r.randint(0, 999999):06d}" if kind != "P" else f"{r.randint(0, 99999999):08d}"
    if nat == "BEL":
        return f"{r.choice(['EM', 'EP', 'EN'])}{r.randint(0, 999999):06d}" if kind == "P" else f"{r.randint(0, 999999999):09d}"
    if nat == "MAR":
        return f"{r.choice(L)}{r.choice(L)}{r.randint(0, 9999999):07d}"
    if nat == "DZA":
        return f"{r.randint(0, 999999999):09d}"
    if nat == "TUN":
        return f"{r.choice('MNZ')}{r.randint(0, 9999999):07d}"
    return f"A{r.randint(0, 99999999):08d}"  # SEN


def _foreignize(x: dict, r: random.Random, nat: str, kind: str):
    """Replace the document holder by a national of `nat` (names, number, nationality)."""
    p = x["p"]
    sns, gm, gf, city, word = NAT_E[nat]
    pool = gm if p.sex == "M" else gf
    given = [r.choice(pool)]
    if r.random() < 0.35:
        g2 = r.choice(pool)
        if g2 != given[0]:
            given.append(g2)
    p.surname, p.given, p.birth_city, p.nationality = r.choice(sns), given, city, nat
    x["number"] = _foreign_number(r, nat, kind)
    f = x["fields"]
    f["surname"], f["given_names"], f["nationality"] = p.surname, " ".join(given), nat
    f["document_number"] = x["number"]
    return word


def _idlbl(d, x, y, label, value, sz=6.4, lsz=3.9, f="B", w=None):
    d.t(x, y, label, "N", lsz, col=LAB)
    if w:
        fit(d, x, y + 2.9, value, f, sz, w, minsz=4.2)
    else:
        d.t(x, y + 2.9, value, f, sz)


def id_card(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    if r.random() < 0.5:
        return _cni_2021(d, x, r)
    nat = r.choice(["BEL", "ITA", "ESP", "PRT", "DEU", "ROU"])
    return _eu_card(d, x, r, nat)


def _cni_2021(d: Doc, x: dict, r: random.Random):
    p = x["p"]
    ds = r.choice(["space", "dot"])
    bg1, bg2 = hexc("e6ecf5"), hexc("f4e9ee")
    d.rect(0, 0, d.W, d.H, fill=bg1, stroke=None)
    d.guilloche(0, 20, d.W, 34, hexc("b07a95"), r, n=16, lw=0.1, alpha=0.35)
    d.rect(0, 0, d.W, 10.5, fill=hexc("243a73"), stroke=None)
    d.t(3, 4.4, "RÉPUBLIQUE FRANÇAISE", "DB", 6, col=(1, 1, 1))
    d.t(3, 8.4, "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD", "N", 5, col=(1, 1, 1))
    d.rect(75, 1.5, 8, 7.5, fill=hexc("f2c200"), stroke=None)
    d.t(79, 6.8, "FR", "DB", 5.5, "c", col=hexc("243a73"))
    K.portrait(d, 58, 13, 24, 30, r, p.sex, bg=(0.9, 0.9, 0.92))
    _idlbl(d, 3, 14, "NOM / SURNAME", p.surname, w=53)
    _idlbl(d, 3, 21, "PRÉNOMS / GIVEN NAMES", ", ".join(p.given), sz=6, w=53)
    _idlbl(d, 3, 28, "SEXE / SEX", p.sex)
    _idlbl(d, 17, 28, "NATIONALITÉ / NATIONALITY", "FRA")
    _idlbl(d, 3, 35, "DATE DE NAISS. / DATE OF BIRTH", DT(p.birth, ds))
    _idlbl(d, 31, 35, "LIEU DE NAISS. / PLACE OF BIRTH", p.birth_city.upper(), sz=5.2, w=25)
    _idlbl(d, 3, 42, "N° DU DOCUMENT / DOCUMENT No", x["number"], f="MB", sz=6.8)
    _idlbl(d, 35, 42, "DATE D'EXPIR. / EXPIRY DATE", DT(x["expiry"], ds))
    d.t(62, 49, x["can"], "M", 5.5)
    d.signature(8, 51, 16, r, col=(0.1, 0.1, 0.1), lw=0.35)
    d.new_page()
    d.rect(0, 0, d.W, d.H, fill=bg2, stroke=None)
    d.guilloche(0, 0, d.W, 30, hexc("7d95b5"), r, n=14, lw=0.1, alpha=0.35)
    _idlbl(d, 3, 4, "ADRESSE / ADDRESS", p.address.line1.upper(), sz=5.4, w=56)
    d.t(3, 10, f"{p.address.postcode} {p.address.city.upper()}", "B", 5.4)
    _idlbl(d, 3, 14, "DATE DE DÉLIVRANCE / DATE OF ISSUE", DT(x["issue"], ds), sz=5.4)
    _idlbl(d, 3, 21, "AUTORITÉ / AUTHORITY", r.choice(PREFECTURES).upper(), sz=4.8, w=56)
    K.portrait(d, 66, 5, 14, 18, r, p.sex, gray=True, bg=(0.95, 0.95, 0.95))
    d.rect(0, 33, d.W, 21, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td1("ID", "FRA", x["number"], p.birth, p.sex, x["expiry"], "FRA", p.surname, p.given)
    K.mrz_block(d, 3.5, 39.5, lines, sz=8.6, lead=4.6, width=78.5)
    x["mrz"] = lines


EU_CARD_COL = {"BEL": ("f1ece0", "8a6d2c"), "ITA": ("e5efe9", "2d6b4b"), "ESP": ("f3e6e0", "8e3b23"),
               "PRT": ("e7eaf3", "34467d"), "DEU": ("eef0e2", "4d5a22"), "ROU": ("f2efe0", "2c4f8a")}
CARD_LBL = {
    "BEL": ["NOM / NAAM / NAME", "PRÉNOMS / VOORNAMEN", "SEXE / GESLACHT", "NATIONALITÉ", "DATE DE NAISSANCE",
            "N° DE CARTE / KAARTNR", "VALABLE JUSQU'AU / GELDIG TOT"],
    "ITA": ["COGNOME / SURNAME", "NOME / NAME", "SESSO / SEX", "CITTADINANZA / NATIONALITY",
            "DATA DI NASCITA / DATE OF BIRTH", "N. DOCUMENTO", "SCADENZA / EXPIRY"],
    "ESP": ["APELLIDOS", "NOMBRE", "SEXO", "NACIONALIDAD", "FECHA DE NACIMIENTO", "NÚM. SOPORTE", "VALIDEZ"],
    "PRT": ["APELIDO(S) / SURNAME", "NOME(S) / GIVEN NAMES", "SEXO / SEX", "NACIONALIDADE", "DATA DE NASCIMENTO",
            "N.º DOCUMENTO", "DATA DE VALIDADE"],
    "DEU": ["NAME / SURNAME / NOM", "VORNAMEN / GIVEN NAMES / PRÉNOMS", "GESCHLECHT / SEX", "STAATSANGEHÖRIGKEIT",
            "GEBURTSTAG / DATE OF BIRTH", "AUSWEIS-NR.", "GÜLTIG BIS / DATE OF EXPIRY"],
    "ROU": ["NUME / NOM / SURNAME", "PRENUME / PRÉNOM / GIVEN NAME", "SEX / SEXE", "CETĂŢENIE / NATIONALITÉ",
            "DATA NAŞTERII / DATE OF BIRTH", "NR. DOCUMENT", "VALABILITATE / EXPIRY"],
}
CARD_CODE = {"BEL": "ID", "ITA": "CI", "ESP": "ID", "PRT": "I", "DEU": "ID", "ROU": "ID"}


def _eu_card(d: Doc, x: dict, r: random.Random, nat: str):
    word = _foreignize(x, r, nat, "ID")
    p = x["p"]
    bg, fg = (hexc(c) for c in EU_CARD_COL[nat])
    ds = "dot" if nat in ("DEU", "ROU", "BEL") else r.choice(["space", "dot"])
    L = CARD_LBL[nat]
    d.rect(0, 0, d.W, d.H, fill=bg, stroke=None)
    d.guilloche(0, 0, d.W, d.H, fg, r, n=18, lw=0.1, alpha=0.25)
    d.rect(2.5, 2.5, 8, 6, fill=hexc("1f3f99"), stroke=None)
    d.t(6.5, 6.9, nat[:2] if nat != "DEU" else "D", "B", 5, "c", col=(1, 0.85, 0))
    fit(d, 13, 5, COUNTRY_HEAD[nat][0], "B", 5.6, 70, col=fg, minsz=4)
    fit(d, 13, 8.5, COUNTRY_HEAD[nat][2], "N", 4.8, 70, col=fg, minsz=3.8)
    K.portrait(d, 3, 12, 22, 29, r, p.sex, bg=(0.92, 0.92, 0.9))
    _idlbl(d, 28, 13, L[0], p.surname, w=55)
    _idlbl(d, 28, 20, L[1], " ".join(p.given), sz=6, w=55)
    _idlbl(d, 28, 27, L[2], p.sex if nat != "DEU" else {"F": "F", "M": "M"}[p.sex])
    _idlbl(d, 46, 27, L[3], word if r.random() < 0.5 else nat)
    _idlbl(d, 28, 34, L[4], DT(p.birth, ds))
    _idlbl(d, 58, 34, L[6], DT(x["expiry"], ds))
    _idlbl(d, 28, 41, L[5], x["number"], f="MB", sz=6.6)
    d.signature(5, 48.5, 15, r, col=(0.1, 0.1, 0.1), lw=0.35)
    d.new_page()
    d.rect(0, 0, d.W, d.H, fill=bg, stroke=None)
    d.guilloche(0, 0, d.W, 32, fg, r, n=12, lw=0.1, alpha=0.25)
    _idlbl(d, 3, 4, "DOMICILE / ADDRESS", f"{p.address.line1}, {p.address.city}".upper(), sz=5, w=78)
    _idlbl(d, 3, 11, "LIEU DE NAISSANCE / PLACE OF BIRTH", p.birth_city, sz=5.4)
    _idlbl(d, 3, 18, "DÉLIVRÉE LE / ISSUED", DT(x["issue"], ds), sz=5.4)
    _idlbl(d, 40, 18, "AUTORITÉ / AUTHORITY", {"BEL": "COMMUNE DE LIÈGE", "ITA": "COMUNE DI TORINO", "ESP": "DGP ZARAGOZA",
                                             "PRT": "IRN BRAGA", "DEU": "STADT KÖLN", "ROU": "SPCLEP CLUJ"}[nat], sz=5, w=42)
    d.rect(0, 33, d.W, 21, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td1(CARD_CODE[nat], nat, x["number"], p.birth, p.sex, x["expiry"], nat, p.surname, p.given)
    K.mrz_block(d, 3.5, 39.5, lines, sz=8.6, lead=4.6, width=78.5)
    x["mrz"] = lines


PASS_COL = {"DEU": "6b1f24", "BEL": "6e1d2f", "ITA": "7a1830", "ESP": "6d1b1b", "PRT": "6f1d2b", "ROU": "2c3566",
            "MAR": "5b1a1a", "DZA": "1f4d2e", "TUN": "7a1c1c", "SEN": "2b4f2b", "FRA": "4a2550"}


def passport(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    if r.random() < 0.78:
        nat = r.choice(["DEU", "BEL", "ITA", "ESP", "PRT", "ROU", "MAR", "DZA", "TUN", "SEN"])
        word = _foreignize(x, r, nat, "P")
    else:
        nat, word = "FRA", "FRANÇAISE"
    p = x["p"]
    fg = hexc(PASS_COL[nat])
    ds = "dot" if nat in ("DEU", "ROU") else r.choice(["space", "dot"])
    # upper page of the open booklet (observations)
    d.rect(0, 0, d.W, d.H, fill=hexc("f4f0e6"), stroke=None)
    d.guilloche(0, 0, d.W, d.H, fg, r, n=26, lw=0.1, alpha=0.18)
    d.t(d.W / 2, 12, "OBSERVATIONS / ENDORSEMENTS", "NB", 6.5, "c", col=fg)
    d.t(d.W / 2, 80, f"{r.randint(2, 4)}", "N", 6, "c", col=fg)
    d.new_page()
    d.rect(0, 0, d.W, d.H, fill=hexc("f1efe9"), stroke=None)
    d.guilloche(0, 0, d.W, 66, fg, r, n=28, lw=0.1, alpha=0.3)
    fit(d, 4, 6, COUNTRY_HEAD[nat][0], "B", 7, 80, col=fg, minsz=4.5)
    d.t(121, 6, COUNTRY_HEAD[nat][1], "N", 5.6, "r", col=fg)
    K.portrait(d, 4, 10, 30, 39, r, p.sex, bg=(0.9, 0.9, 0.9))
    ls, vs = 3.8, 6.6
    _idlbl(d, 38, 10, "Type / Type", "P", sz=vs, lsz=ls)
    _idlbl(d, 54, 10, "Code / Code", nat, sz=vs, lsz=ls)
    _idlbl(d, 80, 10, _labels(nat, 8), x["number"], f="MB", sz=vs + 0.4, lsz=ls, w=40)
    _idlbl(d, 38, 17, _labels(nat, 0), p.surname, sz=vs + 0.4, lsz=ls, w=82)
    _idlbl(d, 38, 24, _labels(nat, 1), r.choice([", ", " "]).join(p.given), sz=vs, lsz=ls, w=82)
    _idlbl(d, 38, 31, _labels(nat, 2), word, sz=vs, lsz=ls, w=46)
    _idlbl(d, 86, 31, _labels(nat, 4), p.sex, sz=vs, lsz=ls)
    _idlbl(d, 38, 38, _labels(nat, 3), DT(p.birth, ds), sz=vs, lsz=ls)
    _idlbl(d, 86, 38, _labels(nat, 5), p.birth_city.upper(), sz=vs - 0.8, lsz=ls, w=36)
    _idlbl(d, 38, 45, _labels(nat, 6), DT(x["issue"], ds), sz=vs, lsz=ls)
    _idlbl(d, 86, 45, _labels(nat, 7), DT(x["expiry"], ds), sz=vs, lsz=ls)
    auth = {"FRA": r.choice(PREFECTURES), "DEU": "STADT KÖLN", "ITA": "MINISTRO AFFARI ESTERI", "ESP": "DGP",
            "PRT": "SEF", "ROU": "DGP", "BEL": "SPF AFFAIRES ÉTRANGÈRES", "MAR": "CONSULAT GÉNÉRAL LYON",
            "DZA": "CONSULAT D'ALGÉRIE", "TUN": "CONSULAT DE TUNISIE", "SEN": "DAF DAKAR"}[nat]
    _idlbl(d, 38, 52, _labels(nat, 9), auth, sz=vs - 1, lsz=ls, w=82)
    d.signature(8, 58, 20, r, col=(0.1, 0.1, 0.1), lw=0.35)
    d.rect(0, 66, d.W, 22, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td3("P", nat, x["number"], p.birth, p.sex, x["expiry"], nat, p.surname, p.given)
    K.mrz_block(d, 4.5, 74, lines, sz=9.6, lead=5.8, width=116)
    x["mrz"] = lines


def residence_permit(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    ds = r.choice(["space", "dot"])
    kind = r.choice(["RÉSIDENT", "RÉSIDENT", "CARTE DE SÉJOUR TEMPORAIRE", "CARTE DE SÉJOUR PLURIANNUELLE",
                     "RÉSIDENT LONGUE DURÉE - UE"])
    bg = hexc(r.choice(["eef3e4", "e9eef6", "f5eee0"]))
    d.rect(0, 0, d.W, d.H, fill=bg, stroke=None)
    d.guilloche(0, 0, d.W, d.H, hexc("8a9a6b"), r, n=20, lw=0.1, alpha=0.3)
    d.rect(0, 0, d.W, 3, fill=hexc("243a73"), stroke=None)
    d.t(3, 7, "TITRE DE SÉJOUR", "DB", 7.5, col=hexc("243a73"))
    d.t(3, 10.5, "RÉPUBLIQUE FRANÇAISE · RESIDENCE PERMIT", "N", 4.6, col=hexc("243a73"))
    fit(d, 83, 7, kind, "NB", 5.6, 40, "r", col=hexc("7a1c1c"), minsz=4)
    K.portrait(d, 59, 13, 23, 29, r, p.sex, bg=(0.93, 0.93, 0.93))
    _idlbl(d, 3, 14, "NOM / SURNAME", p.surname, w=54)
    _idlbl(d, 3, 21, "PRÉNOM(S) / GIVEN NAMES", ", ".join(p.given), sz=6, w=54)
    _idlbl(d, 3, 28, "SEXE", p.sex)
    natv = p.nationality if r.random() < 0.6 else p.nationality + " (" + {
        "TUN": "TUNISIE", "DZA": "ALGÉRIE", "MAR": "MAROC", "SEN": "SÉNÉGAL", "MLI": "MALI",
        "CIV": "CÔTE D'IVOIRE", "CMR": "CAMEROUN", "VNM": "VIÊT NAM", "HTI": "HAÏTI", "COL": "COLOMBIE",
        "IND": "INDE"}.get(p.nationality, p.nationality) + ")"
    _idlbl(d, 13, 28, "NATIONALITÉ", natv, w=44)
    _idlbl(d, 3, 35, "NÉ(E) LE", DT(p.birth, ds))
    _idlbl(d, 28, 35, "FIN DE VALIDITÉ", DT(x["expiry"], ds))
    _idlbl(d, 3, 42, "N° DU TITRE", x["number"], f="MB", sz=6.8)
    _idlbl(d, 33, 42, "CATÉGORIE", x["permit_mention"], sz=4.6, w=25)
    d.signature(62, 50, 15, r, col=(0.1, 0.1, 0.1), lw=0.35)
    d.new_page()
    d.rect(0, 0, d.W, d.H, fill=bg, stroke=None)
    d.guilloche(0, 0, d.W, 32, hexc("8a9a6b"), r, n=12, lw=0.1, alpha=0.3)
    _idlbl(d, 3, 4, "ADRESSE", f"{p.address.line1}, {p.address.postcode} {p.address.city}".upper(), sz=5, w=79)
    _idlbl(d, 3, 11, "LIEU DE NAISSANCE", p.birth_city.upper(), sz=5.2)
    _idlbl(d, 40, 11, "DÉLIVRÉ LE", DT(x["issue"], ds), sz=5.2)
    _idlbl(d, 3, 18, "AUTORITÉ", r.choice(PREFECTURES).upper(), sz=4.8, w=50)
    _idlbl(d, 3, 25, "OBSERVATIONS", "AUTORISE SON TITULAIRE À TRAVAILLER" if "ÉTUD" not in x["permit_mention"]
           else "AUTORISE À TRAVAILLER À TITRE ACCESSOIRE", sz=4.4, w=79)
    d.rect(0, 33, d.W, 21, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td1("IR", "FRA", x["number"], p.birth, p.sex, x["expiry"], p.nationality, p.surname, p.given)
    K.mrz_block(d, 3.5, 39.5, lines, sz=8.6, lead=4.6, width=78.5)
    x["mrz"] = lines


# ------------------------------------------------------------------------------------------ rent receipt
def rent_receipt(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    T = x["tenant"]
    lname, short = r.choice(SOCIAL_LANDLORDS)
    x["fields"]["landlord_name"] = lname
    col = r.choice([hexc("0d5c63"), hexc("5b3a8c"), hexc("9a4a16")])
    y, m = x["y"], x["m"]
    tot = x["total"]
    st = r.choice(["eur", "bare", "dot"] + (["eur_post", "eur_post"] if tot < 1000 else []))
    d.rect(12, 12, 14, 14, fill=col, stroke=None)
    d.t(19, 21.5, short, "DB", 10, "c", col=(1, 1, 1))
    d.t(30, 17, lname, "DB", 11.5, col=col)
    la = x["landlord_addr"]
    d.t(30, 21.5, f"{la.line1} — {la.postcode} {la.city}", "N", 8)
    d.t(30, 25.5, f"Agence de proximité : {phone(r)} — du lundi au vendredi", "N", 8)
    title = r.choice(["AVIS D'ÉCHÉANCE", "AVIS D'ÉCHÉANCE VALANT QUITTANCE"])
    d.t(198, 36, title, "B", 12, "r")
    d.t(198, 41, f"Échéance de {ids.month_label(y, m, cap=False)}", "R", 9, "r")
    tl = r.choice(["Locataire", "Occupant"])
    T_name = T.name_fs() if r.random() < 0.5 else f"{T.surname} {T.given[0]}"
    x["fields"]["tenant_name"] = T_name
    emis = date(y, m, 1) - timedelta(days=r.randint(3, 12))
    yg = 50
    yg = grid(d, 12, yg, [("RÉF. LOCATAIRE", f"{r.randint(100000, 999999)}/{r.randint(1, 99):02d}", 36),
                          ("N° LOGEMENT", f"{r.randint(1, 999):03d}.{r.randint(1, 99):02d}.{r.randint(1, 999):03d}", 34),
                          ("TYPE", r.choice(["T1", "T2", "T3", "T4", "T5"]), 16),
                          ("ÉMIS LE", DE(emis, r.choice(["iso", "short"])), 30)], vh=6.5, vf="R")
    d.t(132, 56, f"{'M.' if T.sex == 'M' else 'Mme'} {T_name}", "B", 9.5)
    ya = 60.5
    for ln in T.address.lines():
        d.t(132, ya, ln, "R", 9)
        ya += 4.3
    yk = max(yg, ya) + 6
    yk = kv(d, 12, yk, [(tl.upper(), T_name, "B"),
                        (r.choice(["LOGEMENT", "ADRESSE DU BIEN"]), x["prop"].one_line()),
                        ("BAILLEUR", lname),
                        ("PÉRIODE", f"du {DE(date(y, m, 1), 'dot')} au {DE(ids.last_day(y, m), 'dot')}")], 42, 144)
    yk += 8
    per = r.choice([f"{m:02d}/{y}", f"{m:02d}/{str(y)[2:]}"])
    rent_l = r.choice(["Loyer", "Loyer principal"])
    ch_l = r.choice(["Charges récupérables", "Provisions sur charges", "Provisions charges locatives"])
    rows = [["Période", "Désignation", "Montant"], [per, rent_l, AM(x["rent"], st)], [per, ch_l, AM(x["charges"], st)]]
    if r.random() < 0.5:
        rows.append([per, "Supplément de loyer de solidarité", AM(0, st)])
    tot_l = r.choice(["Total quittancé", "Montant de l'échéance"])
    rows.append(["", tot_l.upper(), AM(tot, st)])
    yk = d.table(12, yk, [32, 112, 42], rows, f="R", sz=9, rh=6.5, aligns="llr", grid="all", head_f="NB",
                 head_fill=GREY, lw=0.15, bold_rows=(len(rows) - 1,))
    yk += 6
    if r.random() < 0.45:
        apl = D(r.uniform(60, float(min(tot, Decimal(400))) * 0.8))
        yk = kv(d, 12, yk, [("AIDE AU LOGEMENT VERSÉE AU BAILLEUR", AM(-apl, st)),
                            ("RESTE À VOTRE CHARGE", AM(tot - apl, st), "B"),
                            ("SOLDE ANTÉRIEUR", AM(0, st))], 72, 50)
    else:
        yk = kv(d, 12, yk, [("SOLDE ANTÉRIEUR", AM(0, st)), ("PRÉLÈVEMENT PRÉVU LE", DE(x["paid_on"], "short"))], 72, 50)
    yk += 8
    d.wrap(12, yk, 186, "Le présent avis vaut quittance pour les sommes indiquées, sous réserve d'encaissement. "
           "En cas de difficulté de paiement, contactez votre chargé(e) de clientèle sans attendre.", "I", 7.8)
    d.line(12, 262, 198, 262, dash=(2, 2), lw=0.3, col=(0.5, 0.5, 0.5))
    d.t(12, 268, "TALON À JOINDRE À VOTRE RÈGLEMENT", "NB", 7.5)
    d.t(12, 273, f"{T_name} — échéance {m:02d}/{y} — montant {AM(tot, st)}", "N", 8)
    d.t(198, 273, f"{short}-{r.randint(10000, 99999)}", "M", 8, "r")


# ------------------------------------------------------------------------------------------ energy bill
def energy_bill(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    h = x["holder"]
    col = r.choice([hexc("c2410c"), hexc("0f766e"), hexc("1e40af")])
    st = r.choice(["eur_pre", "eur_post", "spdot", "eur"])
    d.rect(12, 12, 5, 16, fill=col, stroke=None)
    d.t(20, 19, x["supplier"], "DB", 13, col=col)
    d.t(20, 24.5, "Électricité — contrat résidentiel", "N", 8, col=DARK)
    d.t(198, 18, "FACTURE D'ÉLECTRICITÉ", "B", 11, "r")
    d.t(198, 23, r.choice(["Facture de régularisation", "Facture de consommation", "Facture bimestrielle"]), "N", 8, "r")
    cl = r.choice(["IDENTIFIANT CLIENT", "N° DE CLIENT"])
    iss = x["issue"]
    yg = grid(d, 12, 34, [("DATE D'ÉMISSION", DE(iss, "iso"), 34), ("N° FACTURE", x["invoice_no"], 38),
                          (cl, x["cust"], 38), ("PDL / PRM", x["pdl"], 42), ("PAGE", "1/2" if multipage else "1/1", 34)],
              vh=7, vf="R")
    d.t(118, yg + 9, f"{h.civ()} {h.name_fs()}", "B", 9.5)
    ya = yg + 13.5
    for ln in h.address.lines():
        d.t(118, ya, ln, "R", 9)
        ya += 4.3
    ys = kv(d, 12, yg + 5, [("TITULAIRE", h.name_fs(), "B"), ("ADRESSE DU SITE", h.address.one_line()),
                            ("OFFRE", r.choice(["Tarif Repère", "Base 6 kVA", "Heures creuses 9 kVA", "Éco fixe 2 ans"])),
                            ("COMPTEUR", f"n° {r.randint(10 ** 11, 10 ** 12 - 1)}")], 30, 68, vsz=8)
    y = max(ys, ya) + 8
    ps, pe = x["period_start"], x["period_end"]
    section(d, 12, y, 186, "RÉCAPITULATIF", col=col)
    y += 6
    y = grid(d, 12, y, [("PÉRIODE DE CONSOMMATION", f"{DE(ps, 'short')} – {DE(pe, 'short')}", 50),
                        ("CONSOMMATION (kWh)", f"{x['kwh']}", 34), ("MONTANT HT", AM(x["ht"], st), 34),
                        ("TVA", AM(x["tva"], st), 30), ("MONTANT TTC", AM(x["ttc"], st), 38)], vh=7.5, vf="R", al="r")
    y += 5
    rows = [["Détail", "Quantité", "Prix unitaire", "Montant HT"],
            ["Abonnement", f"{(pe - ps).days} j", "", AM(x["abo"], st)],
            ["Consommation", f"{x['kwh']} kWh", f"{x['price']}".replace(".", ",") + " €/kWh", AM(x["conso"], st)],
            ["Accise sur l'électricité + CTA", "", "", AM(x["taxes"], st)],
            ["TVA (5,5 % et 20 %)", "", "", AM(x["tva"], st)]]
    y = d.table(12, y, [86, 30, 36, 34], rows, sz=8, rh=5.4, aligns="lrrr", grid="all", head_f="NB", lw=0.15)
    y += 6
    already = x["already"]
    lbl_due = r.choice(["Montant à payer", "Solde à régler"])
    rows = [("TOTAL TTC DE LA FACTURE", AM(x["ttc"], st))]
    if already:
        rows.append(("ÉCHÉANCES DÉJÀ PRÉLEVÉES", AM(-already, st)))
    y = kv(d, 100, y, rows, 56, 42, vsz=9)
    d.rect(100, y + 2, 98, 11, stroke=col, lw=1.0)
    d.t(103, y + 9.3, lbl_due, "B", 10.5)
    d.t(196, y + 9.3, AM(x["due"], st), "B", 12, "r", col=col)
    d.t(12, y + 4, f"À régler avant le {DE(x['due_date'], 'short')}", "R", 8.5)
    d.t(12, y + 9, "par prélèvement automatique", "R", 8.5)
    y += 22
    d.t(12, y, "Consommation des 6 dernières périodes (kWh)", "NB", 7.5)
    yy = y + 3
    rows = [["Période"] + [f"P-{i}" for i in range(6, 0, -1)],
            ["kWh"] + [str(r.randint(150, 1500)) for _ in range(6)]]
    d.table(12, yy, [20] + [20] * 6, rows, sz=7, rh=4.6, aligns="l" + "r" * 6, grid="all", head_f="NB", lw=0.15)
    # payment coupon
    d.line(12, 252, 198, 252, dash=(2, 2), lw=0.3, col=(0.5, 0.5, 0.5))
    d.t(12, 258, "TALON DE PAIEMENT — à joindre en cas de règlement par chèque", "NB", 7.5)
    kv(d, 12, 261, [(cl, x["cust"]), ("FACTURE DU", DE(iss, "dot")), (lbl_due.upper(), AM(x["due"], "eur"), "B")],
       40, 60, vsz=8.5, rh=5.2)
    d.t(198, 268, f"{x['supplier']}", "B", 8, "r")
    d.t(198, 272, f"{x['sup_addr'].line1} — {x['sup_addr'].postcode} {x['sup_addr'].city}", "N", 7.5, "r")
    d.t(198, 286, f"{r.randint(10 ** 15, 10 ** 16 - 1)} {r.randint(100, 999)} {r.randint(10, 99)}", "M", 8, "r")
    if multipage:
        d.new_page()
        section(d, 12, 15, 186, "INFORMATIONS RÉGLEMENTAIRES", col=col)
        y = d.wrap(12, 28, 186, K.LOREM_FR, "R", 8.3) + 6
        kv(d, 12, y, [("SERVICE CLIENT", phone(r)), ("DÉPANNAGE (GRD)", phone(r)),
                      ("MÉDIATEUR DE L'ÉNERGIE", "www.energie-mediateur.fr")], 45, 80)
        d.t(198, 289, "2/2", "N", 7, "r")


# ------------------------------------------------------------------------------------------ employer certificate
CT_E = {"CDI": ["CDI", "Contrat à durée indéterminée"], "CDD": ["CDD", "Contrat à durée déterminée"],
        "APPRENTISSAGE": ["Apprentissage", "Contrat d'apprentissage"], "INTERIM": ["Intérim", "Mission d'intérim"]}


def employer_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e, s = x["co"], x["emp"], x["signer"]
    col = r.choice([hexc("2b3a55"), hexc("374151"), hexc("4a3b2b")])
    d.t(12, 17, co["name"], "DB", 11.5, col=col)
    d.t(12, 21.5, co["address"].one_line(), "N", 8)
    d.t(105, 36, r.choice(["ATTESTATION D'EMPLOI", "ATTESTATION DE L'EMPLOYEUR"]), "B", 14, "c")
    d.t(105, 41.5, "(salarié en poste à la date de signature)", "N", 8.5, "c", col=DARK)
    y = 50
    y = section(d, 12, y, 186, "1. EMPLOYEUR", col=col) + 1
    sir = ids.fmt_siret(co["siret"], r.choice(["groups", "raw"]))
    y = grid(d, 12, y, [("RAISON SOCIALE", co["name"], 82), ("SIRET ÉTAB.", sir, 44), ("CODE NAF", co["naf"], 26),
                        ("TÉL.", co["phone"], 34)], vh=7)
    y = grid(d, 12, y, [("ADRESSE DE L'ÉTABLISSEMENT", co["address"].one_line(), 186)], vh=6.5, vf="R")
    y += 5
    y = section(d, 12, y, 186, "2. SALARIÉ(E)", col=col) + 1
    ename = f"{' '.join(e.given)} {e.surname}"
    x["fields"]["employee_name"] = ename
    y = grid(d, 12, y, [("NOM", e.surname, 52), ("PRÉNOM(S)", " ".join(e.given), 56),
                        ("DATE NAISS.", DE(e.birth, "short"), 32), ("N° SÉCU", ids.fmt_nir(e.nir), 46)], vh=7)
    y = grid(d, 12, y, [("ADRESSE", e.address.one_line(), 186)], vh=6.5, vf="R")
    y += 5
    y = section(d, 12, y, 186, "3. EMPLOI", col=col) + 1
    ct_s = r.choice(CT_E[x["ct"]])
    cells = [("EMPLOI OCCUPÉ", x["job"], 56), ("DATE D'ENTRÉE", DE(x["hire"], r.choice(["iso", "short"])), 32),
             ("NATURE DU CONTRAT", ct_s, 46), ("DURÉE HEBDO.", f"{x['hours']} h", 22)]
    cells.append(("FIN PRÉVUE", DE(x["end"], "iso") if x["end"] else "—", 30))
    y = grid(d, 12, y, cells, vh=7.5)
    y += 3
    d.t(12, y + 4, f"Nature du contrat : {ct_s}", "R", 8.5)
    d.t(110, y + 4, f"Rémunération brute mensuelle : {AM(x['salary'], 'eur_pre')}", "R", 8.5)
    y += 12
    y = section(d, 12, y, 186, "4. CERTIFICATION", col=col) + 6
    txt = (f"Je soussigné(e) {s.name_fs()}, {x['role'].lower()}, certifie l'exactitude des renseignements ci-dessus "
           f"et atteste que l'intéressé(e) fait partie des effectifs de l'établissement depuis le "
           f"{DE(x['hire'], 'dot')}, sans interruption à ce jour.")
    y = d.wrap(12, y, 186, txt, "R", 9.5, lead=4.8) + 6
    y = kv(d, 12, y, [("FAIT À", co["address"].city), ("LE", DE(x["issued"], "iso")),
                      ("SIGNATAIRE", f"{s.name_fs()} — {x['role']}")], 30, 90)
    d.signature(150, y - 4, 32, r)
    K.stamp(d, 160, y + 12, r, [co["name"][:30].upper(), f"SIRET {co['siret']}"], col=(0.2, 0.3, 0.6), shape="rect",
            angle=r.uniform(-6, 6), alpha=0.75)
    d.wrap(12, 280, 186, "Toute fausse déclaration expose son auteur aux sanctions prévues par les articles 441-1 et "
           "441-7 du code pénal.", "I", 7)


# ------------------------------------------------------------------------------------------ school certificate
def school_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    s, h = x["stu"], x["head"]
    col = r.choice([hexc("0b3d6b"), hexc("6b0b3d"), hexc("2f4f2f")])
    d.rect(12, 12, 186, 20, fill=col, stroke=None)
    d.t(16, 21, x["school"], "DB", 12.5, col=(1, 1, 1))
    d.t(16, 27, "Direction des études et de la vie étudiante — Service de la scolarité", "N", 8, col=(1, 1, 1))
    d.t(198, 38, f"{x['addr'].line1} — {x['addr'].postcode} {x['addr'].city}", "N", 7.5, "r", col=DARK)
    d.t(105, 50, r.choice(["ATTESTATION D'INSCRIPTION", "CERTIFICAT D'INSCRIPTION"]), "B", 15, "c")
    sy = f"{x['start']}-{x['start'] + 1}"
    d.t(105, 57, f"Année universitaire {sy}", "R", 10.5, "c")
    x["fields"]["student_name"] = f"{' '.join(s.given)} {s.surname}"
    y = 66
    y = grid(d, 12, y, [("N° ÉTUDIANT", f"{r.randint(20000000, 29999999)}", 32), ("INE", x["ine"], 36),
                        ("NOM", s.surname, 46), ("PRÉNOM(S)", " ".join(s.given), 44),
                        ("DATE NAISS.", DE(s.birth, r.choice(["dot", "space"])), 28)], vh=7.5)
    y = grid(d, 12, y, [("LIEU DE NAISSANCE", s.birth_city, 60), ("ADRESSE", s.address.one_line(), 126)], vh=7, vf="R")
    y += 6
    level = r.choice(UNIV_LEVELS)
    y = grid(d, 12, y, [("ANNÉE UNIV.", sy, 30), ("FORMATION / DIPLÔME", level, 90),
                        ("RÉGIME", r.choice(["Formation initiale", "Alternance", "Formation continue"]), 36),
                        ("STATUT", "Inscrit(e)", 30)], vh=7.5)
    y += 10
    txt = (f"Le directeur des études certifie que l'étudiant(e) désigné(e) ci-dessus est régulièrement inscrit(e) "
           f"au titre de l'année universitaire {sy} et s'est acquitté(e) des droits d'inscription "
           f"({AM(r.choice([178, 254, 380, 601]), 'eur_post')}).")
    y = d.wrap(12, y, 186, txt, "S", 10.5, lead=5.2) + 6
    y = kv(d, 12, y, [("DATE D'INSCRIPTION", DE(x["issued"] - timedelta(days=r.randint(10, 60)), "iso")),
                      ("DÉLIVRÉE LE", DE(x["issued"], "iso")), ("CVEC", f"{x['addr'].city[:3].upper()}"
                                                                     f"{r.randint(100000, 999999)}")], 40, 60)
    d.t(130, y + 8, f"Pour le président, par délégation", "I", 8.5)
    d.t(130, y + 13, h.name_fs(), "R", 9)
    d.signature(135, y + 26, 30, r)
    K.stamp(d, 110, y + 24, r, ["SCOLARITÉ", x["school"][:24].upper(), x["addr"].city.upper()],
            col=(0.15, 0.25, 0.6), shape="circle", angle=r.uniform(-10, 10), alpha=0.65)
    d.wrap(12, 280, 186, "Document délivré à l'étudiant(e) pour servir et valoir ce que de droit. "
           "Toute falsification est passible de poursuites.", "I", 7)


# ------------------------------------------------------------------------------------------ sick leave
def sick_leave(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p, doc = x["pat"], x["doc"]
    col = hexc("14532d") if r.random() < 0.5 else hexc("1e3a8a")
    d.t(12, 16, "CAISSE PRIMAIRE D'ASSURANCE MALADIE", "NB", 9, col=col)
    d.t(12, 20.5, f"CPAM de {x['cpam_city']}", "N", 8.5, col=col)
    d.t(198, 16, "S 3116 e", "NB", 8, "r")
    d.t(198, 20.5, "Volet n° 3 — employeur", "N", 8, "r")
    d.t(105, 33, "AVIS D'INTERRUPTION DE TRAVAIL", "B", 14, "c")
    d.t(105, 38.5, "à transmettre à l'employeur sous 48 heures", "N", 8.5, "c", col=DARK)
    y = 46
    y = section(d, 12, y, 186, "ASSURÉ(E)", col=col) + 1
    x["fields"]["patient_name"] = f"{p.given[0]} {p.surname}"
    y = grid(d, 12, y, [("NOM", p.surname, 50), ("PRÉNOM", p.given[0], 40),
                        ("N° D'IMMATRICULATION", ids.fmt_nir(p.nir, r.choice(["groups", "raw", "key"])), 56),
                        ("DATE NAISS.", DE(p.birth, "iso"), 40)], vh=7.5)
    y = grid(d, 12, y, [("ADRESSE", p.address.one_line(), 136), ("ORGANISME", f"CPAM {x['cpam_city']}", 50)],
             vh=6.5, vf="R")
    y += 5
    y = section(d, 12, y, 186, "ARRÊT DE TRAVAIL", col=col) + 1
    ds = r.choice(["space", "dot"])
    days = (x["end"] - x["start"]).days + 1
    y = grid(d, 12, y, [("NATURE", "Initial" if x["initial"] else "Prolongation", 40), ("DU", DE(x["start"], ds), 44),
                        ("AU (INCLUS)", DE(x["end"], ds), 44), ("NB DE JOURS", str(days), 28),
                        ("PRESCRIT LE", DE(x["presc"], "iso"), 30)], vh=8, vsz=9.5)
    y += 4
    boxmark(d, 14, y + 3, x["sorties"] == "interdites")
    d.t(18.5, y + 3, "Sorties interdites", "R", 8.5)
    boxmark(d, 60, y + 3, x["sorties"] != "interdites")
    d.t(64.5, y + 3, "Sorties autorisées", "R", 8.5)
    boxmark(d, 110, y + 3, False)
    d.t(114.5, y + 3, "Accident du travail / maladie professionnelle", "R", 8.5)
    y += 10
    y = section(d, 12, y, 186, "EMPLOYEUR", col=col) + 1
    y = grid(d, 12, y, [("RAISON SOCIALE", x["co"]["name"], 80),
                        ("ADRESSE", x["co"]["address"].one_line(), 106)], vh=7, vf="R")
    y += 5
    y = section(d, 12, y, 186, "PRESCRIPTEUR", col=col) + 1
    y = grid(d, 12, y, [("MÉDECIN", f"Dr {doc.name_fs()}", 56), ("N° RPPS", x["rpps"], 40), ("N° AM", x["am"], 36),
                        ("ADRESSE", doc.address.one_line(), 54)], vh=7, vf="R")
    d.t(130, y + 10, "Cachet et signature du praticien", "I", 8)
    d.signature(140, y + 22, 30, r)
    d.wrap(12, 268, 186, "Les volets 1 et 2 sont adressés au service médical de votre caisse. Ce volet est destiné à "
           "votre employeur : il ne comporte aucune indication d'ordre médical.", "I", 7.5)


# ------------------------------------------------------------------------------------------ other pages
OTHER_KINDS = ["stats_table", "visa", "recepisse", "receipt", "newspaper", "hebergement"]
IMAGE_ONLY_OTHER = {"visa"}
SHOP_E = ["LAIT UHT 1/2 ECR", "PAIN DE MIE COMPLET", "CAROTTES 1KG", "SPAGHETTI 500G", "COMTE 18 MOIS", "POULET ROTI",
          "CREME FRAICHE 20CL", "BANANES", "SUCRE EN POUDRE", "HUILE TOURNESOL", "CAFE CAPSULES X10", "LESSIVE 2L",
          "EAU GAZEUSE 1L", "BISCUITS SABLES", "POMMES DE TERRE 2,5KG", "SALADE BATAVIA", "THON NATUREL"]


def other(d: Doc, x: dict, r: random.Random, cx=None, multipage: bool = False):
    kind = x["subtype"]
    f = cx.fake
    if kind == "stats_table":
        _stats_table(d, r)
    elif kind == "recepisse":
        _recepisse(d, r, cx)
    elif kind == "receipt":
        d.t(d.W / 2, 9, r.choice(["HYPER PRIMEUR DES HALLES", "SUPER U-TOPIA", "ÉPICERIE CARREFOUR DES VIGNES"]),
            "MB", 8.5, "c")
        d.t(d.W / 2, 13, cx.address().one_line()[:42], "M", 6.2, "c")
        d.t(d.W / 2, 16.5, f"SIRET {ids.siret(r)}  TEL {phone(r)}", "M", 6.2, "c")
        y = 23
        tot = Decimal(0)
        for _ in range(r.randint(7, 20)):
            q = r.choice([1, 1, 1, 2, 3])
            pr = D(r.uniform(0.6, 14))
            tot += pr * q
            d.t(4, y, r.choice(SHOP_E), "M", 7)
            d.t(d.W - 4, y, f"{q} x {AM(pr, 'spdot')}" if q > 1 else AM(pr, "spdot"), "M", 7, "r")
            y += 3.6
        d.hline(4, d.W - 4, y, dash=(1, 1))
        d.t(4, y + 5, f"TOTAL  {r.randint(8, 40)} ARTICLES", "MB", 8)
        d.t(d.W - 4, y + 5, AM(tot, "eur_pre"), "MB", 8.5, "r")
        d.t(4, y + 10, "CARTE BANCAIRE SANS CONTACT", "M", 7)
        d.t(4, y + 14, f"TVA 5.5%  {AM(tot * Decimal('0.052'), 'spdot')}", "M", 7)
        dt = TODAY - timedelta(days=r.randint(1, 300))
        d.t(4, y + 20, f"{DE(dt, 'short')}  {r.randint(8, 20):02d}:{r.randint(0, 59):02d}  TPE {r.randint(1, 9)}"
            f"  TICKET {r.randint(1000, 9999)}", "M", 6.8)
        d.t(d.W / 2, y + 26, "A BIENTOT !", "M", 7, "c")
    elif kind == "newspaper":
        d.t(105, 20, r.choice(["LE RÉPUBLICAIN DES VALLÉES", "LA VOIX DU CANTON", "LE PETIT JOURNAL DU PONANT"]),
            "DSB", 23, "c")
        d.hline(10, 200, 24, lw=1.0)
        d.t(15, 29, f"{DT(TODAY - timedelta(days=r.randint(1, 300)), 'long')} · Édition du matin · "
            f"N° {r.randint(1000, 29999)} · 1,70 €", "DC", 8)
        d.hline(10, 200, 31, lw=0.3)
        d.wrap(15, 42, 180, f.sentence(nb_words=8).rstrip(".").upper(), "DSB", 16, lead=7)
        for ci in range(2):
            xx = 15 + ci * 92
            y = 62
            while y < 278:
                if r.random() < 0.25:
                    d.t(xx, y, f.sentence(nb_words=5).rstrip("."), "DSB", 10)
                    y += 5
                y = d.wrap(xx, y, 87, f.paragraph(nb_sentences=5), "DC", 8.6, lead=3.9, justify=True) + 2.5
    elif kind == "hebergement":
        _hebergement(d, r, cx)


def _stats_table(d: Doc, r: random.Random):
    tno = r.randint(2, 40)
    d.t(12, 16, f"Table A-{tno}. Employment status of the civilian population by age, sex and county, "
        f"{r.choice(['2019', '2021', '2023'])}", "B", 9)
    d.t(12, 20.5, "[Numbers in thousands. Not seasonally adjusted. Source: Current Population Survey, "
        "public-use microdata]", "I", 7.5)
    years = list(range(2012, 2024))
    hdr = ["FIPS", "County"] + [str(yv)[2:] for yv in years]
    counties = ["Adams", "Baker", "Benton", "Clark", "Columbia", "Douglas", "Franklin", "Grant", "Harney", "Jackson",
                "Lake", "Lincoln", "Marion", "Morrow", "Polk", "Sherman", "Union", "Wallowa", "Wasco", "Yamhill"]
    rows = [hdr]
    for c in r.sample(counties, 16):
        rows.append([f"{r.randint(41001, 41071):05d}", c] + [f"{r.randint(1000, 99999)}" for _ in years])
    y = d.table(12, 26, [13, 22] + [12.5] * len(years), rows, f="M", sz=6.6, rh=4.4, aligns="ll" + "r" * len(years),
                grid="h", head_f="MB", head_fill=None, lw=0.1)
    y += 6
    d.t(12, y, "Record layout (fixed width, 44 columns) and sample records:", "B", 7.5)
    y += 5
    d.t(12, y, "0000000001111111111222222222233333333334444", "M", 8.3)
    d.t(12, y + 4, "1234567890123456789012345678901234567890123", "M", 8.3)
    y += 10
    for _ in range(r.randint(5, 8)):
        s = "".join(str(r.randint(0, 9)) for _ in range(30)) + "<" * r.randint(0, 6)
        s = (s + "".join(str(r.randint(0, 9)) for _ in range(44)))[:44]
        d.t(12, y, s, "M", 8.3)
        y += 4.3
    y += 4
    rows = [["Characteristic", "Total", "Men", "Women", "Rate (%)", "Std. err."]]
    for lab in ["16 to 19 years", "20 to 24 years", "25 to 54 years", "55 to 64 years", "65 years and over",
                "White", "Black or African American", "Asian", "Hispanic or Latino ethnicity"]:
        tot = r.randint(1000, 90000)
        men = r.randint(tot // 3, tot // 2 + tot // 5)
        rows.append([lab, f"{tot:,}", f"{men:,}", f"{tot - men:,}", f"{r.uniform(2, 70):.1f}", f"{r.uniform(0.1, 2):.2f}"])
    y = d.table(12, y, [64, 24, 24, 24, 22, 22], rows, f="R", sz=7.5, rh=5, aligns="lrrrrr", grid="h", head_f="B",
                head_fill=GREY, lw=0.1)
    d.wrap(12, y + 6, 186, "NOTE: Estimates for the above race groups will not sum to totals because data are not "
           "presented for all races. Dash indicates no data or data that do not meet publication criteria. "
           "Revised population controls were introduced with January data.", "R", 7)
    d.t(105, 289, f"Page {r.randint(12, 240)}", "R", 7, "c")


def _recepisse(d: Doc, r: random.Random, cx):
    nat = r.choice(["TUN", "DZA", "MAR", "SEN", "MLI", "CIV", "CMR", "COL"])
    p = cx.person(nationality=nat)
    pref = r.choice(PREFECTURES)
    d.rect(10, 10, 190, 140, stroke=(0.2, 0.2, 0.2), lw=0.6)
    d.t(15, 18, "RÉPUBLIQUE FRANÇAISE", "B", 9)
    d.t(15, 22.5, pref.upper(), "R", 8.5)
    d.t(15, 26.5, "Direction des migrations et de l'intégration", "R", 8)
    d.t(195, 18, f"N° {r.randint(10 ** 9, 10 ** 10 - 1)}", "MB", 9, "r")
    d.t(105, 38, "RÉCÉPISSÉ DE DEMANDE DE TITRE DE SÉJOUR", "B", 12, "c")
    d.t(105, 43.5, r.choice(["Première demande", "Demande de renouvellement", "Changement de statut"]), "R", 9, "c")
    K.portrait(d, 160, 50, 30, 38, r, p.sex, gray=True, bg=(0.92, 0.92, 0.92))
    y = 54
    frm = r.choice(["num", "long"])
    start = TODAY - timedelta(days=r.randint(5, 200))
    for lab, val in [("Nom", p.surname), ("Prénom(s)", " ".join(p.given)), ("Né(e) le", f"{DT(p.birth, frm)} à {p.birth_city}"),
                     ("Nationalité", nat), ("Adresse", p.address.one_line()),
                     ("Titre sollicité", r.choice(["Carte de séjour temporaire", "Carte de résident"])),
                     ("Valable du", f"{DT(start)} au {DT(start + timedelta(days=r.choice([90, 120, 180])))}")]:
        d.t(15, y, lab + " :", "R", 9)
        d.t(50, y, val, "B", 9)
        y += 6.5
    work = r.random() < 0.6
    d.wrap(15, y + 3, 140, ("Le présent récépissé " + ("autorise" if work else "n'autorise pas") +
                            " son titulaire à travailler. Il ne constitue pas un titre de séjour et doit être présenté "
                            "avec le passeport en cours de validité."), "I", 8.5)
    d.t(120, 135, f"Fait le {DT(start)}, pour le préfet,", "R", 8.5)
    d.signature(135, 145, 28, r)
    K.stamp(d, 60, 128, r, [pref.upper()[:28], "SERVICE DES ÉTRANGERS"], col=(0.2, 0.3, 0.65), shape="rect",
            angle=r.uniform(-8, 8), alpha=0.7)


def _hebergement(d: Doc, r: random.Random, cx):
    host, guest = cx.person(min_age=30), cx.person()
    hw = r.random() < 0.6
    f, sz = ("HW", 14) if hw else ("S", 11)
    col = (0.1, 0.12, 0.45) if hw else (0, 0, 0)
    d.t(105, 30, "Attestation d'hébergement", f, sz + 4, "c", col=col)
    start = TODAY - timedelta(days=r.randint(60, 1500))
    txt = (f"Je soussigné{'e' if host.sex == 'F' else ''} {host.name_fs()}, né{'e' if host.sex == 'F' else ''} le "
           f"{DT(host.birth)} à {host.birth_city}, demeurant {host.address.one_line()}, atteste sur l'honneur héberger "
           f"à mon domicile {guest.civ()} {guest.name_fs()} depuis le {DT(start)}, à titre gratuit. "
           f"Je joins à la présente une copie de ma pièce d'identité et un justificatif de domicile.")
    y = d.wrap(20, 55, 170, txt, f, sz, lead=sz * 0.62, col=col) + 10
    d.wrap(20, y, 170, "Fait pour servir et valoir ce que de droit.", f, sz, col=col)
    d.t(120, y + 20, f"À {host.address.city}, le {DT(TODAY - timedelta(days=r.randint(1, 60)))}", f, sz - 1, col=col)
    d.signature(130, y + 38, 32, r, col=col)


# ------------------------------------------------------------------------------------------ visa (image only)
def _visa_pdf(r: random.Random) -> bytes:
    import fonts
    fr = fonts.register("E")
    d = Doc(fr, (125.0, 88.0), producer=PRODUCER)
    nat = r.choice(["MAR", "DZA", "TUN", "SEN"])
    sns, gm, gf, city, word = NAT_E[nat]
    sex = r.choice("MF")
    surname, given = r.choice(sns), [r.choice(gm if sex == "M" else gf)]
    birth = date(r.randint(1960, 2004), r.randint(1, 12), r.randint(1, 28))
    start = TODAY - timedelta(days=r.randint(5, 300))
    until = start + timedelta(days=r.choice([30, 90, 180, 365]))
    pnum = _foreign_number(r, nat, "P")
    vnum = f"FRA{r.randint(10 ** 8, 10 ** 9 - 1)}"
    d.rect(0, 0, d.W, d.H, fill=hexc("f2efe4"), stroke=None)
    d.guilloche(0, 0, d.W, d.H, hexc("9a8a5a"), r, n=24, lw=0.1, alpha=0.2)
    d.t(d.W - 4, 6, f"VISAS {r.randint(10, 30)}", "N", 5.5, "r", col=(0.5, 0.45, 0.3))
    # the sticker
    x0, y0, w, h = 5.0, 9.0, 115.0, 76.0
    d.rect(x0, y0, w, h, fill=hexc("e8eef7"), stroke=(0.5, 0.55, 0.65), lw=0.3)
    d.guilloche(x0, y0, w, h * 0.7, hexc("6f86b0"), r, n=22, lw=0.1, alpha=0.35)
    d.t(x0 + 3, y0 + 6, "VISA", "DB", 11, col=hexc("243a73"))
    d.t(x0 + 24, y0 + 6, "FRANCE", "B", 7, col=hexc("243a73"))
    rows = [("VALABLE POUR / VALID FOR", "ÉTATS SCHENGEN"), ("DU / FROM", DT(start, "dot")),
            ("AU / UNTIL", DT(until, "dot")), ("TYPE DE VISA", "C"), ("NOMBRE D'ENTRÉES", r.choice(["1", "2", "MULT"])),
            ("DURÉE DE SÉJOUR", f"{r.choice([15, 30, 90])} JOURS"), ("DÉLIVRÉ À", r.choice(["RABAT", "ALGER", "TUNIS", "DAKAR"])),
            ("LE / ON", DT(start - timedelta(days=r.randint(3, 20)), "dot")),
            ("NUMÉRO DE PASSEPORT", pnum), ("NOM, PRÉNOM", f"{surname}, {given[0].upper()}"),
            ("REMARQUES", r.choice(["TOURISME", "VISITE FAMILIALE", "AFFAIRES"]))]
    yy = y0 + 11
    for i, (lab, val) in enumerate(rows):
        xx = x0 + 3 if i % 2 == 0 else x0 + 58
        d.t(xx, yy, lab, "N", 3.6, col=LAB)
        d.t(xx, yy + 3, val, "B", 6)
        if i % 2 == 1:
            yy += 7.2
    K.portrait(d, x0 + 92, y0 + 3, 19, 24, r, sex, gray=True)
    d.t(x0 + w - 3, y0 + 53, vnum, "MB", 6.5, "r")
    l1 = "V<" + "FRA" + mrz.name_field(surname, given, 39)
    num = mrz.field(pnum, 9)
    b, e = mrz.yymmdd(birth), mrz.yymmdd(until)
    l2 = num + mrz.check_digit(num) + nat + b + mrz.check_digit(b) + sex + e + mrz.check_digit(e) + "<" * 16
    d.rect(x0, y0 + 56, w, 20, fill=(1, 1, 1), stroke=None, alpha=0.85)
    K.mrz_block(d, x0 + 2, y0 + 64, [l1, l2], sz=9.2, lead=5.6, width=w - 4)
    return d.finish()


def image_other(sub: str, r: random.Random, nrng, dpi: int):
    import raster
    pg = raster.rasterize(_visa_pdf(r), dpi)[0]
    page = raster.fit_on_a4(None, dpi)
    px = dpi / 25.4
    x0, y0 = int(r.uniform(20, 60) * px), int(r.uniform(20, 120) * px)
    page.paste(pg, (x0, y0))
    return page


# ------------------------------------------------------------------------------------------ module API
PREFIX = "e-"
PRODUCER = "FormGrid Editions 4.0"
TEMPLATES = {"payslip": payslip, "tax_notice": tax_notice, "bank_details": bank_details, "id_card": id_card,
             "passport": passport, "residence_permit": residence_permit, "rent_receipt": rent_receipt,
             "energy_bill": energy_bill, "employer_certificate": employer_certificate,
             "school_certificate": school_certificate, "sick_leave": sick_leave, "other": other}


def page_size(t: str, x: dict) -> tuple[float, float]:
    if t in ("id_card", "residence_permit"):
        return (85.6, 54.0)
    if t == "passport":
        return (125.0, 88.0)
    if t == "other" and x.get("subtype") == "receipt":
        return (78.0, 160.0)
    return (210.0, 297.0)


def pdf_title(t: str, x: dict) -> str:
    return {"payslip": "Bulletin de salaire", "energy_bill": "Facture d'électricité", "tax_notice": "Avis IR",
            "rent_receipt": "Avis d'échéance", "bank_details": "Coordonnées bancaires"}.get(t, "")


def pdf_author(t: str, x: dict, r: random.Random) -> str:
    return {"payslip": "GRH-Public", "rent_receipt": "Gestion locative HLM"}.get(t, "")


OVERLAY_NOTES = ["Copie conforme", "Reçu le 14/11", "Pièce n° 3", "vu — OK", "à classer", "Dossier 2281734",
                 "transmis CAF", "original vu"]


def overlay(d: Doc, it: dict, x: dict, r: random.Random) -> None:
    ov = it.get("overlays") or []
    W, H = d.W, d.H
    if "stamp" in ov:
        dt = TODAY - timedelta(days=r.randint(1, 60))
        K.stamp(d, W * r.uniform(0.35, 0.7), H * r.uniform(0.3, 0.75), r,
                [r.choice(["REÇU LE", "ARRIVÉ LE", "ENREGISTRÉ LE"]), DT(dt, "dot"),
                 r.choice(["SERVICE ACCUEIL", "GUICHET UNIQUE", "PÔLE PRESTATIONS"])],
                shape=r.choice(["rect", "circle"]), alpha=0.6)
    if "handwriting" in ov:
        K.handwriting(d, W * r.uniform(0.5, 0.7), H * r.uniform(0.06, 0.12), r.choice(OVERLAY_NOTES), r, sz=13)
        if r.random() < 0.5:
            K.tick(d, W * r.uniform(0.1, 0.3), H * r.uniform(0.3, 0.6))


def render_options(it: dict, r: random.Random) -> dict:
    k, t = it["kind"], it["type"]
    o: dict = {}
    if k == "pdf_scan":
        o = {"dpi": r.choice([150, 150, 150, 200, 300]), "degradation": r.choice(["light", "light", "light", "heavy", "heavy"]),
             "quality": r.randint(55, 80)}
    elif k == "jpeg":
        photo = t in ID_TYPES or r.random() < 0.6
        o = {"photo": photo, "dpi": None if photo else r.choice([150, 200]), "photo_dpi": r.choice([130, 150, 170]),
             "degradation": r.choice(["light", "light", "heavy"]), "quality": r.randint(60, 85),
             "color": r.random() < 0.7}
    elif k == "png":
        o = {"dpi": r.choice([150, 200, 300]), "degradation": r.choice(["none", "light", "light"])}
    elif k == "tiff":
        o = {"dpi": r.choice([150, 200, 200]), "degradation": r.choice(["light", "light", "heavy"]),
             "bilevel": r.random() < 0.8}
    if k != "pdf_text":
        if r.random() < 0.1:
            o["quarter"] = r.choice([90, 180, 270])
        if t not in ID_TYPES and t != "other" and not it.get("multipage") and r.random() < 0.28:
            o["overlays"] = r.choice([["stamp"], ["handwriting"], ["stamp", "handwriting"]])
    return o


def scanner_name(r: random.Random) -> str:
    return r.choice(["Copieur multifonction MF-7740", "ScanStation 2.4", "Numérisation guichet v1.9"])


def compose_id(it: dict, pages, kind: str, dpi, r: random.Random):
    from PIL import Image

    import raster
    passport = it["type"] == "passport"
    if kind == "jpeg":
        if passport:  # open booklet: upper page above the data page
            w = max(p.size[0] for p in pages)
            h = sum(p.size[1] for p in pages)
            canvas = Image.new("RGBA", (w, h), (0, 0, 0, 0))
            canvas.paste(pages[0].convert("RGB"), (0, 0))
            canvas.paste(pages[1].convert("RGB"), (0, pages[0].size[1]))
            canvas.putalpha(raster.rounded_mask(canvas.size, 30))
            return canvas
        gap = 50
        w = sum(p.size[0] for p in pages) + gap * (len(pages) - 1)
        h = max(p.size[1] for p in pages)
        canvas = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        xx = 0
        for p in pages:
            canvas.paste(p.convert("RGB"), (xx, 0), raster.rounded_mask(p.size, int(p.size[0] * 0.04)))
            xx += p.size[0] + gap
        return canvas
    page = raster.fit_on_a4(None, dpi)
    px = dpi / 25.4
    if passport:
        x0, y0 = r.uniform(30, 55), r.uniform(15, 40)
        yy = y0
        for p in pages:
            page.paste(p.convert("RGB"), (int(x0 * px), int(yy * px)))
            yy += p.size[1] / px
        return page
    x0, y0 = r.uniform(8, 14), r.uniform(15, 60)
    xx = x0
    for p in pages:
        m = raster.rounded_mask(p.size, int(p.size[0] * 0.04))
        border = Image.new("RGB", (p.size[0] + 4, p.size[1] + 4), (140, 140, 140))
        page.paste(border, (int(xx * px) - 2, int(y0 * px) - 2), raster.rounded_mask(border.size, int(p.size[0] * 0.04)))
        page.paste(p.convert("RGB"), (int(xx * px), int(y0 * px)), m)
        xx += p.size[0] / px + 9
    return page
