"""Family F: modern "designed" documents (start-up payroll SaaS, neobank, green-energy supplier,
rental-management app, teleconsultation platform, private schools).

House style: coloured side bars, rounded tiles, big headline figures, labels without colons, values either
right of their label on the same line or above a small caption label, simple drawn icons, small-print footers
carrying other addresses, dates and amounts as distractors.
Fonts: Roboto / Roboto Condensed / Open Sans / Gentium / Noto Mono (MRZ: OCR-B, handwriting: Comic Neue).
Each template sets ``x["fields"]`` to exactly what it prints (normalised as FORMAT.md says).
"""
from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

import ids
import mrz
import tplkit as K
from data import COUNTRY_FR, FEMALE_FOREIGN, FOREIGN_NAMES, BIRTH_CITIES_ABROAD, TODAY, Address
from draw import Doc, hexc
from ids import D, fmt_amount as A, fmt_date as DT

PREFIX = "f-"
PRODUCER = "Canvaspress 3.4 (html-to-pdf)"

FONTS = {
    "R": "Roboto-Regular.ttf", "B": "Roboto-Bold.ttf", "I": "Roboto-Italic.ttf",
    "S": "Gentium-R.ttf", "SB": "GentiumAlt-R.ttf", "SI": "Gentium-I.ttf",
    "N": "RobotoCondensed-Regular.ttf", "NB": "RobotoCondensed-Bold.ttf",
    "M": "NotoMono-Regular.ttf", "MB": "RobotoCondensed-Medium.ttf",
    "D": "OpenSans-Regular.ttf", "DB": "OpenSans-Bold.ttf", "DC": "OpenSans-CondLight.ttf",
    "DCB": "OpenSans-CondBold.ttf", "DS": "Roboto-Light.ttf", "DSB": "OpenSans-ExtraBold.ttf",
    "MRZ": "OCRB.otf", "HW": "ComicNeue-Regular.otf",
}

POOL = {
    "banks": [
        ("Nuvia Banque", "NUVIFRP2", "12879", "NUVIA"),
        ("Kapsul Bank", "KPSLFRPP", "18396", "KAPSUL"),
        ("Alizé Direct", "ALZDFR21", "15947", "ALIZÉ"),
        ("Banque Finéo", "FINOFRPP", "13571", "FINÉO"),
        ("Mobiliz Banque", "MBLZFRP3", "17204", "MOBILIZ"),
    ],
    "energy": [
        ("Verdeo Énergie", "électricité", "VE"), ("Brise Verte", "électricité", "BV"),
        ("Biogaz du Sillon", "gaz", "BS"), ("Solaé", "électricité", "SO"),
    ],
    "schools": [
        ("Institution Sainte-Clotilde", "collège"), ("Lycée privé Saint-Aubin-des-Prés", "lycée"),
        ("École Montessori Les Colibris", "école"), ("Collège privé Saint-Joseph de Valmont", "collège"),
        ("Lycée privé Sainte-Marthe-Vauclair", "lycée"), ("École bilingue Les Hirondelles", "école"),
        ("Institut Varenne Sup", "université"),
    ],
    "payroll_sw": ["Payflo", "Kollab Paie"],
    "res_nats": ["TUN", "CIV", "MLI", "CMR", "VNM", "HTI", "IND", "COL"],
    "employer_kinds": ["Studio", "Labs", "Logistique", "Coworking", "Robotique", "Biotech", "Agence Digitale",
                       "Foodtech", "Mobilité", "Cosmétiques"],
    "forms": ["SAS", "SASU", "SCOP"],
    # family F's own extras
    "rent_apps": ["Loyo", "Quittio", "Habitéo Gestion"],
    "teleconsult": ["MédiLink", "Consulto Santé", "DocAvenue"],
    "prefectures": ["Préfecture de la Haute-Garonne", "Préfecture des Bouches-du-Rhône", "Préfecture du Bas-Rhin",
                    "Préfecture de la Seine-Saint-Denis", "Préfecture d'Ille-et-Vilaine", "Préfecture du Finistère"],
    "insurers": ["Assurial Habitat", "Mutuelle Cigalis", "Kovéa Assurances"],
    "shops": ["Mobilix Store", "Phonéo Boutique", "Télécâble Shop"],
    "carriers": ["Colisud Express", "Rapido Fret", "Livrelo"],
}

# ------------------------------------------------------------------------------------------ style
INK = hexc("111827")
MUTED = hexc("6b7280")
TILE = hexc("f1f5f9")
LINE = hexc("d1d5db")
WHITE = (1.0, 1.0, 1.0)
ACCENTS = [hexc("0f766e"), hexc("6d28d9"), hexc("e85d04"), hexc("1d4ed8"), hexc("be185d")]
MABR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
ID_TYPES = {"id_card", "passport", "residence_permit"}


def light(col, k=0.85):
    return tuple(c + (1 - c) * k for c in col)


def amt(v, st: str = "fr") -> str:
    """Family F amount styles: '2 345,67 €', '87,45€', '1234.56 €'."""
    if st == "fr":
        return A(v, "fr_sp")
    if st == "nosp":
        return A(v, "bare") + "€"
    if st == "dotc":
        return f"{D(v):.2f} €"
    if st == "int":
        return A(v, "int").replace("\u00a0", " ")
    return A(v, st)


def dab(d: date) -> str:  # "28 nov. 2024"
    return f"{d.day} {MABR[d.month - 1]} {d.year}"


def dlong(d: date) -> str:  # "1er novembre 2024", "3 novembre 2024"
    return DT(d, "long")


def dnum(d: date) -> str:
    return DT(d)


def fit(d: Doc, s: str, f: str, sz: float, maxw: float) -> float:
    w = d.width(s, f, sz)
    return sz if w <= maxw else max(4.0, sz * maxw / w)


def hot(x: dict, bx, by, bw, bh):
    """Remember where a value sits (for stamps / handwriting drawn over it later)."""
    x.setdefault("_hot", []).append((bx, by, bw, bh))


def tile(d: Doc, x0, y0, w, h, value, label, fill=TILE, vsz=11.0, lsz=6.2, vf="B", col=INK, lcol=MUTED,
         caption=True, rr=2.5, al="l"):
    """A rounded tile: value with a small caption label under it (caption=True) or above it."""
    d.rect(x0, y0, w, h, fill=fill, stroke=None, r=rr)
    vsz = fit(d, value, vf, vsz, w - 6)
    tx = x0 + 3 if al == "l" else x0 + w / 2
    if caption:
        vy = y0 + h / 2 + vsz * 0.12
        d.t(tx, vy, value, vf, vsz, al, col=col)
        d.t(tx, vy + lsz * 0.42 + 1.6, label, "R", lsz, al, col=lcol)
    else:
        d.t(tx, y0 + 2.2 + lsz * 0.35, label, "R", lsz, al, col=lcol)
        d.t(tx, y0 + h - 2.6, value, vf, vsz, al, col=col)


def kv(d: Doc, x1, x2, y, label, value, lf="R", vf="B", sz=8.5, lcol=MUTED, col=INK, rule=False):
    """Label at the left, value right-aligned on the same line (no colon)."""
    d.t(x1, y, label, lf, sz, col=lcol)
    d.t(x2, y, value, vf, sz, "r", col=col)
    if rule:
        d.hline(x1, x2, y + 1.8, lw=0.2, col=LINE)


def cap(d: Doc, x0, y, value, label, vf="B", vsz=9.5, lsz=5.8, col=INK, lcol=MUTED, al="l"):
    """Caption style: value, then its label printed small underneath."""
    d.t(x0, y, value, vf, vsz, al, col=col)
    d.t(x0, y + lsz * 0.42 + 1.4, label, "R", lsz, al, col=lcol)


def icon(d: Doc, kind: str, cx, cy, col, s=3.4):
    d.circle(cx, cy, s, fill=light(col, 0.8), stroke=None)
    k = s * 0.55
    if kind == "person":
        d.circle(cx, cy - k * 0.45, k * 0.38, fill=col, stroke=None)
        d.poly([(cx - k * 0.75, cy + k * 0.8), (cx - k * 0.6, cy + k * 0.15), (cx + k * 0.6, cy + k * 0.15),
                (cx + k * 0.75, cy + k * 0.8)], fill=col)
    elif kind == "house":
        d.poly([(cx - k, cy), (cx, cy - k), (cx + k, cy)], fill=col)
        d.rect(cx - k * 0.7, cy, k * 1.4, k * 0.85, fill=col, stroke=None)
    elif kind == "bolt":
        d.poly([(cx + k * 0.2, cy - k), (cx - k * 0.6, cy + k * 0.15), (cx, cy + k * 0.15), (cx - k * 0.2, cy + k),
                (cx + k * 0.6, cy - k * 0.15), (cx, cy - k * 0.15)], fill=col)
    elif kind == "cal":
        d.rect(cx - k * 0.8, cy - k * 0.6, k * 1.6, k * 1.4, stroke=col, lw=0.5)
        d.rect(cx - k * 0.8, cy - k * 0.6, k * 1.6, k * 0.4, fill=col, stroke=None)
    elif kind == "euro":
        d.t(cx, cy + s * 0.35, "€", "B", s * 2.4, "c", col=col)
    elif kind == "building":
        d.rect(cx - k * 0.6, cy - k * 0.9, k * 1.2, k * 1.8, fill=col, stroke=None)
        for i in range(3):
            d.rect(cx - k * 0.35, cy - k * 0.6 + i * k * 0.5, k * 0.7, k * 0.22, fill=WHITE, stroke=None)
    elif kind == "leaf":
        d.poly([(cx - k, cy + k), (cx - k * 0.9, cy - k * 0.3), (cx + k * 0.2, cy - k * 1.1), (cx + k, cy - k),
                (cx + k * 1.1, cy - k * 0.1), (cx + k * 0.4, cy + k * 0.9), (cx - k, cy + k)],
               fill=col, curve=True)
    elif kind == "doc":
        d.rect(cx - k * 0.65, cy - k * 0.9, k * 1.3, k * 1.8, stroke=col, lw=0.5)
        for i in range(3):
            d.hline(cx - k * 0.4, cx + k * 0.4, cy - k * 0.4 + i * k * 0.45, lw=0.4, col=col)
    elif kind == "cross":
        d.rect(cx - k * 0.25, cy - k * 0.8, k * 0.5, k * 1.6, fill=col, stroke=None)
        d.rect(cx - k * 0.8, cy - k * 0.25, k * 1.6, k * 0.5, fill=col, stroke=None)
    elif kind == "card":
        d.rect(cx - k, cy - k * 0.65, k * 2, k * 1.3, fill=col, stroke=None, r=0.5)
        d.rect(cx - k, cy - k * 0.3, k * 2, k * 0.3, fill=WHITE, stroke=None)
    elif kind == "cap":  # graduation cap
        d.poly([(cx - k, cy - k * 0.2), (cx, cy - k * 0.7), (cx + k, cy - k * 0.2), (cx, cy + k * 0.3)], fill=col)
        d.rect(cx - k * 0.5, cy, k, k * 0.5, fill=col, stroke=None)


def mark(d: Doc, x0, y0, name: str, col, shape: str = "round", sz: float = 12.0, sub: str = "", f="DB"):
    """A start-up style logo: initials in a coloured shape, name beside it (no label)."""
    words = [w for w in name.replace("-", " ").split() if w[0].isalpha()]
    ini = "".join(w[0] for w in words[:2]).upper()
    if shape == "round":
        d.rect(x0, y0, 11, 11, fill=col, stroke=None, r=3.2)
    elif shape == "dot":
        d.circle(x0 + 5.5, y0 + 5.5, 5.5, fill=col, stroke=None)
    elif shape == "hex":
        d.poly([(x0 + 5.5 + 5.8 * math.cos(a), y0 + 5.5 + 5.8 * math.sin(a))
                for a in [math.pi / 6 + i * math.pi / 3 for i in range(6)]], fill=col)
    else:  # shield
        d.poly([(x0, y0), (x0 + 11, y0), (x0 + 11, y0 + 6), (x0 + 5.5, y0 + 12), (x0, y0 + 6)], fill=col)
    d.t(x0 + 5.5, y0 + 7.4, ini, "B", 8, "c", col=WHITE)
    d.t(x0 + 14, y0 + (6.5 if sub else 7.8), name, f, sz, col=INK)
    if sub:
        d.t(x0 + 14, y0 + 11, sub, "R", 6.3, col=MUTED)


def side_bar(d: Doc, col, w=5.0, right=False):
    d.rect(d.W - w if right else 0, 0, w, d.H, fill=col, stroke=None)


def footer(d: Doc, lines: list[str], y: float | None = None, col=MUTED, sz=5.8, x0=14.0):
    maxw = d.W - x0 - 12
    out = []
    for ln in lines:
        cur = ""
        for w in ln.split(" "):
            if cur and d.width(cur + " " + w, "R", sz) > maxw:
                out.append(cur)
                cur = w
            else:
                cur = (cur + " " + w).strip()
        out.append(cur)
    lines = out
    y = y or d.H - 6 - 2.8 * (len(lines) - 1)
    for ln in lines:
        d.t(x0, y, ln, "R", sz, col=col)
        y += 2.8


def fake_addr(r: random.Random) -> Address:
    return Address(f"{r.randint(2, 140)} {r.choice(['rue de Charonne', 'quai de Jemmapes', 'cours Lafayette', 'rue Sainte-Catherine', 'boulevard Haussmann', 'rue de la Barre'])}",
                   r.choice(["75011", "69006", "33000", "75009", "59800", "44000"]),
                   r.choice(["Paris", "Lyon", "Bordeaux", "Paris", "Lille", "Nantes"]))


def tel(r: random.Random) -> str:
    return f"0{r.choice([1, 4, 9])} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}"


# ------------------------------------------------------------------------------------------ payslip
LINE_NAMES = {"Sécurité sociale maladie": "Santé · maladie, maternité",
              "Vieillesse plafonnée": "Retraite · base plafonnée",
              "Vieillesse déplafonnée": "Retraite · base déplafonnée",
              "Complémentaire Tranche 1": "Retraite complémentaire T1",
              "Assurance chômage": "Chômage",
              "Prévoyance": "Prévoyance décès, invalidité",
              "Complémentaire santé": "Mutuelle santé",
              "CSG déductible": "CSG déductible de l'impôt",
              "CSG/CRDS non déductible": "CSG/CRDS imposables"}


def payslip(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e = x["co"], x["emp"]
    W = d.W
    land = W > 250
    acc = r.choice(ACCENTS)
    sw = r.choice(POOL["payroll_sw"])
    side_bar(d, acc, 4)
    start, end = date(x["y"], x["m"], 1), ids.last_day(x["y"], x["m"])
    x["fields"]["employee_name"] = e.name_fs()
    # header: employer in the logo area, no label
    mark(d, 14, 10, co["name"], acc, r.choice(["round", "dot", "hex"]), sz=13)
    d.t(W - 12, 15, "Bulletin de paie", "DB", 15, "r")
    per = ids.month_label(x["y"], x["m"]) if r.random() < 0.5 else f"du {dnum(start)} au {dnum(end)}"
    d.t(W - 12, 21, per, "R", 9.5, "r", col=MUTED)
    net_st = r.choice(["fr", "nosp"])
    if land:
        lx, lw = 14, 118
        rx, rw = 140, W - 152
    else:
        lx, lw = 14, 88
        rx, rw = 108, W - 120
    # headline box
    hy = 30
    d.rect(rx, hy, rw, 30, fill=acc, stroke=None, r=4)
    d.t(rx + 6, hy + 8, "Net versé", "R", 9.5, col=WHITE)
    d.t(rx + 6, hy + 20, amt(x["net_pay"], net_st), "DB", 22, col=WHITE)
    d.t(rx + 6, hy + 26.5, f"Virement effectué le {dab(x['pay_date'])}", "R", 7.8, col=WHITE)
    hot(x, rx + 4, hy + 10, 60, 12)
    # Votre employeur
    y = 30
    d.rect(lx, y, lw, 36 if not land else 30, fill=TILE, stroke=None, r=3)
    icon(d, "building", lx + 6, y + 6.5, acc)
    d.t(lx + 12, y + 7.6, "Votre employeur", "B", 8.5, col=acc)
    yy = y + 13
    d.t(lx + 4, yy, co["name"], "B", 8.5)
    yy += 4
    d.t(lx + 4, yy, co["address"].one_line(), "R", fit(d, co["address"].one_line(), "R", 7.2, lw - 8), col=INK)
    yy += 6.5
    if land:
        cap(d, lx + 4, yy, ids.fmt_siret(co["siret"]), "SIRET", vsz=8.5)
        cap(d, lx + 48, yy, co["naf"], "Code APE", vsz=8.5)
        cap(d, lx + 75, yy, co["urssaf"], "N° URSSAF", vsz=8.5)
    else:
        kv(d, lx + 4, lx + lw - 4, yy, "SIRET", ids.fmt_siret(co["siret"]), sz=7.8)
        kv(d, lx + 4, lx + lw - 4, yy + 4.3, "Code APE", co["naf"], sz=7.8)
        kv(d, lx + 4, lx + lw - 4, yy + 8.6, "Convention", x["cc_short"], sz=7.2)
    hot(x, lx + 30, yy - 4, 50, 6)
    # Vous
    y = 70 if not land else 64
    vh = 40
    d.rect(lx, y, lw, vh, fill=TILE, stroke=None, r=3)
    icon(d, "person", lx + 6, y + 6.5, acc)
    d.t(lx + 12, y + 7.6, "Vous", "B", 8.5, col=acc)
    d.t(lx + 4, y + 14, e.name_fs(), "B", 10)
    d.t(lx + 4, y + 18.5, e.address.one_line(), "R", fit(d, e.address.one_line(), "R", 7.2, lw - 8))
    cap(d, lx + 4, y + 26, ids.fmt_nir(e.nir), "N° de sécurité sociale", vf="MB", vsz=9.5)
    cap(d, lx + 52, y + 26, x["job"], "Emploi", vsz=fit(d, x["job"], "B", 8, lw - 55))
    cap(d, lx + 4, y + 35, dnum(x["hire"]), "Entrée le", vsz=8)
    cap(d, lx + 30, y + 35, f"{r.randint(1, 480):04d}", "Matricule", vsz=8)
    cap(d, lx + 52, y + 35, f"Coef. {x['coef']}", "Classification", vsz=8)
    hot(x, lx + 4, y + 21, 45, 6)
    # key figures tiles
    ty = hy + 34
    tw = (rw - 6) / 3
    g_st = r.choice(["fr", "nosp"])
    tile(d, rx, ty, tw, 16, amt(x["gross"], g_st), "Brut", vsz=11)
    tile(d, rx + tw + 3, ty, tw, 16, amt(x["net_before_tax"], g_st), "Net avant impôt", vsz=11)
    tile(d, rx + 2 * (tw + 3), ty, tw, 16, amt(x["net_taxable"], g_st), "Net imposable", vsz=11)
    d.t(rx, ty + 22, f"Impôt prélevé à la source · taux {str(x['pas_rate']).replace('.', ',')} %", "R", 7.5,
        col=MUTED)
    d.t(rx + rw, ty + 22, amt(-x["pas"], "fr"), "B", 7.8, "r")
    d.t(rx, ty + 27, "Coût total employeur", "R", 7.5, col=MUTED)
    d.t(rx + rw, ty + 27, amt(x["gross"] + x["total_pat"], "dotc"), "B", 7.8, "r")
    # contributions table (zebra rows, no grid)
    if land:
        tx, tw_ = rx, rw
        y = ty + 34
    else:
        tx, tw_ = 14, W - 26
        y = 116
    cols = [0.46, 0.14, 0.1, 0.15, 0.15]
    xs = [tx]
    for c in cols:
        xs.append(xs[-1] + c * tw_)
    hdr = ["Élément", "Base", "Taux", "Part salarié", "Part employeur"]
    d.rect(tx, y, tw_, 6, fill=light(acc, 0.85), stroke=None)
    for i, h in enumerate(hdr):
        if i == 0:
            d.t(xs[0] + 2, y + 4.2, h, "B", 7.2, col=acc)
        else:
            d.t(xs[i + 1] - 2, y + 4.2, h, "B", 7.2, "r", col=acc)
    y += 6
    rows = [("Salaire de base", f"{x['hours']}".replace(".", ",") + " h", f"{x['rate']}".replace(".", ","),
             A(x["gross"], "bare"), "")]
    rows.append(("Total brut", "", "", A(x["gross"], "bare"), ""))
    for lab, base, ts, ms, tp, mp in x["lines"]:
        rows.append((LINE_NAMES.get(lab, lab), A(base, "bare") if base else "", ts.replace(".", ",") if ts else "",
                     "-" + A(ms, "bare") if ms else "", A(mp, "bare") if mp else ""))
    rows.append(("Total retenues", "", "", "-" + A(x["total_sal"], "bare"), A(x["total_pat"], "bare")))
    rh = 5.0 if not land else 4.6
    for i, row in enumerate(rows):
        if i % 2 == 1:
            d.rect(tx, y, tw_, rh, fill=hexc("f8fafc"), stroke=None)
        bold = row[0] in ("Total brut", "Total retenues")
        for c, cell in enumerate(row):
            if not cell:
                continue
            if c == 0:
                d.t(xs[0] + 2, y + rh - 1.4, cell, "B" if bold else "R", 7.2)
            else:
                d.t(xs[c + 1] - 2, y + rh - 1.4, cell, "B" if bold else "N", 7.4, "r")
        y += rh
    d.hline(tx, tx + tw_, y, lw=0.4, col=acc)
    y += 6
    kv(d, tx, tx + tw_, y, "Net à payer avant impôt sur le revenu", amt(x["net_before_tax"], "fr"), sz=8, rule=True)
    y += 5
    kv(d, tx, tx + tw_, y, "Montant net social", amt(x["net_social"], "fr"), sz=8, rule=True)
    y += 5
    kv(d, tx, tx + tw_, y, "Net versé au salarié", amt(x["net_pay"], "fr"), sz=9, vf="DB", lf="B", col=acc,
       lcol=INK)
    y += 6
    pd_txt = dnum(x["pay_date"]) if r.random() < 0.6 else dlong(x["pay_date"])
    kv(d, tx, tx + tw_, y, "Date de paiement", pd_txt, sz=8)
    y += 4.5
    kv(d, tx, tx + tw_, y, "Mode de paiement", "Virement SEPA", sz=8)
    # cumuls
    y += 8
    if land:
        cy, cx0, cw = 118, lx, lw
    else:
        cy, cx0, cw = y, 14, W - 26
    d.t(cx0, cy, f"Cumuls {x['y']}", "B", 8.5, col=acc)
    t3 = (cw - 6) / 3
    tile(d, cx0, cy + 3, t3, 13, amt(x["cum_gross"], "fr"), "Brut cumulé", vsz=9)
    tile(d, cx0 + t3 + 3, cy + 3, t3, 13, amt(x["cum_taxable"], "fr"), "Net imposable cumulé", vsz=9)
    tile(d, cx0 + 2 * (t3 + 3), cy + 3, t3, 13,
         f"{x['leave'][1]}".replace(".", ",") + " j", "Congés acquis", vsz=9)
    swa = fake_addr(r)
    footer(d, [K.LEGAL_PAYSLIP[:118] + "…",
               f"Bulletin généré avec {sw} · {sw} SAS, {swa.one_line()} · support@{sw.lower().replace(' ', '')}.fr · "
               f"édité le {dab(x['pay_date'] - timedelta(days=r.randint(1, 3)))}",
               "Page 1/2" if multipage else "Page 1/1"])
    if multipage:
        d.new_page()
        side_bar(d, acc, 4)
        d.t(14, 20, "Pour bien lire votre bulletin", "DB", 13)
        y = 30
        for title, txt in [("Le net versé", "C'est la somme virée sur votre compte, après le prélèvement de l'impôt "
                            "sur le revenu à la source."),
                           ("Le net imposable", "C'est le montant retenu pour le calcul de votre impôt sur le revenu."),
                           ("Vos données", K.LOREM_FR)]:
            icon(d, "doc", 17, y - 1.2, acc, s=3)
            d.t(23, y, title, "B", 9.5)
            y = d.wrap(23, y + 5, W - 40, txt, "R", 8.3) + 5
        footer(d, [f"{sw} · {swa.one_line()}", "Page 2/2"])


# ------------------------------------------------------------------------------------------ tax notice
def tax_notice(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p1, p2 = x["p1"], x["p2"]
    yr = x["year"]
    acc = hexc("1e3a8a")
    # header: a stylised state bloc (rounded square "RF") + title
    d.rect(14, 10, 10, 10, fill=acc, stroke=None, r=2)
    d.t(19, 16.8, "RF", "B", 7, "c", col=WHITE)
    d.t(27, 14, "Finances publiques", "DB", 9.5, col=acc)
    d.t(27, 18.2, "impots.gouv.fr", "R", 7, col=MUTED)
    title = r.choice([f"Justificatif d'impôt sur le revenu {yr + 1}", f"Avis d'impôt {yr + 1}"])
    d.t(196, 15, title, "DB", 14, "r")
    d.t(196, 21, f"Impôt sur les revenus de {yr}", "R", 9.5, "r", col=MUTED)
    # side box with identifiers
    sx, sw_ = 14, 62
    d.rect(sx, 30, sw_, 128, fill=light(acc, 0.9), stroke=None, r=3)
    d.rect(sx, 30, 2.2, 128, fill=acc, stroke=None)
    d.t(sx + 5, 37, "Vos identifiants", "B", 9, col=acc)
    y = 46
    cap(d, sx + 5, y, ids.fmt_tax_number(x["tn1"]), "Numéro fiscal · déclarant 1", vf="MB", vsz=10.5)
    hot(x, sx + 4, y - 5, 50, 7)
    y += 11
    if p2:
        cap(d, sx + 5, y, ids.fmt_tax_number(x["tn2"]), "Numéro fiscal · déclarant 2", vf="MB", vsz=10.5)
        y += 11
    cap(d, sx + 5, y, ids.fmt_notice_reference(x["ref"]), "Référence de l'avis", vf="MB", vsz=10.5)
    y += 11
    cap(d, sx + 5, y, f"{r.randint(10 ** 9, 10 ** 10 - 1)}", "Identifiant FIP", vf="M", vsz=8.5)
    y += 10
    cap(d, sx + 5, y, dab(x["recouvrement"] - timedelta(days=r.randint(10, 40))), "Date d'établissement", vsz=8.5)
    y += 10
    cap(d, sx + 5, y, dnum(x["recouvrement"]), "Mise en recouvrement", vsz=8.5)
    y += 10
    cap(d, sx + 5, y, dnum(x["payment_limit"]), "Date limite de paiement", vsz=8.5)
    y += 12
    d.t(sx + 5, y, "Votre centre", "B", 7.5, col=acc)
    d.t(sx + 5, y + 4, f"SIP de {x['sip_city']}", "R", 7.2)
    sa = fake_addr(r)
    d.t(sx + 5, y + 7.5, sa.line1, "R", 7.2)
    d.t(sx + 5, y + 11, f"{sa.postcode} {sa.city}", "R", 7.2)
    # declarants and address
    mx = 84
    name1 = f"{p1.given[0]} {p1.surname}"
    x["fields"]["taxpayer_name"] = name1
    icon(d, "person", mx + 3.5, 34, acc)
    cap(d, mx + 9, 35, f"{'M.' if p1.sex == 'M' else 'Mme'} {name1}", "Déclarant 1", vsz=10.5)
    if p2:
        cap(d, mx + 70, 35, f"{'M.' if p2.sex == 'M' else 'Mme'} {p2.given[0]} {p2.surname}", "Déclarant 2", vsz=9.5)
    y = 47
    for ln in p1.address.lines():
        d.t(mx + 9, y, ln, "R", 8.5)
        y += 4.2
    # figure tiles
    ty = 66
    tw = (196 - mx - 4) / 2
    tile(d, mx, ty, tw, 22, amt(x["rfr"], "int"), "Revenu fiscal de référence", fill=acc, col=WHITE,
         lcol=WHITE, vsz=17, lsz=7)
    hot(x, mx + 2, ty + 3, tw - 4, 12)
    tile(d, mx + tw + 4, ty, tw, 22, ids.fmt_shares(x["shares"], r.choice(["fr2", "short"])), "Nombre de parts",
         vsz=17, lsz=7)
    ty += 26
    tile(d, mx, ty, tw, 17, amt(x["gross_income"], "int"), "Revenu brut global", vsz=12)
    tile(d, mx + tw + 4, ty, tw, 17, amt(x["tax"], "int"), "Impôt sur le revenu net", vsz=12)
    ty += 21
    rest = x["tax"] - x["prelevement"]
    tile(d, mx, ty, tw, 17, amt(x["prelevement"], "int"), "Prélevé à la source et acomptes", vsz=12)
    tile(d, mx + tw + 4, ty, tw, 17, amt(abs(rest), "int"),
         "Reste à payer" if rest >= 0 else "Somme remboursée", vsz=12)
    ty += 25
    sit = "Marié(e) / pacsé(e)" if p2 else r.choice(["Célibataire", "Divorcé(e)", "Veuf(ve)"])
    kv(d, mx, 196, ty, "Situation de famille", sit, sz=8.5, rule=True)
    kv(d, mx, 196, ty + 5.5, "Personnes à charge", str(x["kids"]), sz=8.5, rule=True)
    kv(d, mx, 196, ty + 11, "Revenus déclarés", f"{yr}", sz=8.5, rule=True)
    # explanatory text
    y = 170
    d.t(14, y, "À quoi sert ce document", "B", 10, col=acc)
    y = d.wrap(14, y + 6, 182, "Ce justificatif reprend les éléments de votre déclaration de revenus et le calcul de "
               "votre impôt. Le revenu fiscal de référence et le nombre de parts vous seront demandés pour accéder à "
               "certaines aides (logement, bourses, tarifs sociaux). Conservez-le au moins trois ans.", "R", 8.5) + 4
    rows = [["Détail du calcul", f"Revenus {yr}"], ["Salaires et assimilés", amt(x["salaries"], "int")],
            ["Abattement 10 %", amt(-(x["salaries"] / 10), "int")],
            ["Revenu imposable", amt(x["rfr"], "int")], ["Impôt brut", amt(x["tax"], "int")]]
    for i, (a, b) in enumerate(rows):
        d.t(14, y, a, "B" if i == 0 else "R", 8.5, col=acc if i == 0 else INK)
        d.t(196, y, b, "B" if i == 0 else "N", 8.5, "r", col=acc if i == 0 else INK)
        d.hline(14, 196, y + 1.8, lw=0.2, col=LINE)
        y += 6
    footer(d, [f"Direction générale des Finances publiques · SIP de {x['sip_city']} · {sa.one_line()} · "
               f"Service en ligne 0 809 401 401", "1/2" if multipage else "1/1"])
    if multipage:
        d.new_page()
        d.t(14, 20, f"Vos revenus {yr} en détail", "DB", 13)
        y = 30
        for who, share in [("Déclarant 1", Decimal("0.6") if p2 else Decimal(1))] + (
                [("Déclarant 2", Decimal("0.4"))] if p2 else []):
            tile(d, 14, y, 85, 16, amt(x["salaries"] * share, "int"), f"Salaires · {who}", vsz=12)
            y += 20
        d.wrap(14, y + 4, 182, K.LOREM_FR, "R", 8.3)
        footer(d, ["2/2"])


# ------------------------------------------------------------------------------------------ RIB
def bank_details(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    rib = x["rib"]
    acc = r.choice([hexc("111827"), hexc("312e81"), hexc("064e3b"), hexc("7c2d12")])
    hi = r.choice([hexc("a3e635"), hexc("f472b6"), hexc("38bdf8"), hexc("fbbf24")])
    cx0, cy0, cw = 18, 22, 174
    # card
    d.rect(cx0, cy0, cw, 118, fill=WHITE, stroke=LINE, lw=0.5, r=6)
    d.rect(cx0, cy0, cw, 24, fill=acc, stroke=None, r=6)
    d.rect(cx0, cy0 + 14, cw, 10, fill=acc, stroke=None)
    d.circle(cx0 + 12, cy0 + 12, 6, fill=hi, stroke=None)
    d.circle(cx0 + 12, cy0 + 12, 2.5, fill=acc, stroke=None)
    d.t(cx0 + 22, cy0 + 14.5, x["bank"], "DB", 15, col=WHITE)
    d.t(cx0 + cw - 8, cy0 + 11, "Relevé d'identité bancaire", "B", 10, "r", col=WHITE)
    d.t(cx0 + cw - 8, cy0 + 16.5, "Compte courant", "R", 7.5, "r", col=hi)
    y = cy0 + 30
    inner = cw - 16
    tile(d, cx0 + 8, y, inner * 0.62, 17, x["holder_str"], "Titulaire", vsz=12, caption=False, lsz=6.5)
    tile(d, cx0 + 8 + inner * 0.62 + 4, y, inner * 0.38 - 4, 17, x["bank"], "Banque", vsz=11, caption=False,
         lsz=6.5)
    hot(x, cx0 + 10, y + 8, 70, 8)
    y += 21
    tile(d, cx0 + 8, y, inner, 18, ids.fmt_iban(rib["iban"]), "IBAN", vf="M", vsz=14, caption=False, lsz=6.5)
    hot(x, cx0 + 10, y + 8, 120, 9)
    y += 22
    tile(d, cx0 + 8, y, inner * 0.38, 17, x["bic"], "BIC", vf="M", vsz=13, caption=False, lsz=6.5)
    bx = cx0 + 8 + inner * 0.38 + 4
    bw = inner - inner * 0.38 - 4
    parts = [("Code banque", rib["bank"]), ("Code guichet", rib["branch"]), ("N° de compte", rib["account"]),
             ("Clé", rib["key"])]
    ws = [0.22, 0.22, 0.4, 0.16]
    xx = bx
    for (lab, val), wf in zip(parts, ws):
        tile(d, xx, y, bw * wf - 2, 17, val, lab, vf="M", vsz=9, caption=False, lsz=5.6, fill=hexc("f8fafc"))
        xx += bw * wf
    y += 22
    d.t(cx0 + 8, y, "Domiciliation", "R", 6.5, col=MUTED)
    dom = x["agency"]
    d.t(cx0 + 8, y + 4.5, f"{x['bank']} · Service clients · {dom.line1}, {dom.postcode} {dom.city}", "R", 8)
    d.t(cx0 + 8, y + 9, f"Agence en ligne · {x['agency_phone']}", "R", 7.5, col=MUTED)
    # below the card: holder address, generation date
    y = cy0 + 126
    icon(d, "person", 21, y - 1.3, acc)
    d.t(27, y, "Adresse du titulaire", "B", 8.5)
    yy = y + 5
    for ln in x["holder"].address.lines():
        d.t(27, yy, ln, "R", 8.5)
        yy += 4.2
    icon(d, "cal", 121, y - 1.3, acc)
    d.t(127, y, "Document généré le", "B", 8.5)
    d.t(127, y + 5, dab(x["edit_date"]), "R", 8.5)
    d.t(127, y + 9.2, f"Ouverture du compte {dnum(x['edit_date'] - timedelta(days=r.randint(100, 2000)))}", "R", 7.5,
        col=MUTED)
    y = yy + 10
    d.wrap(18, y, 174, "Communiquez ce RIB à votre employeur, à la CAF ou à tout organisme qui doit vous verser de "
           "l'argent ou prélever un paiement sur votre compte. Ne partagez jamais vos codes d'accès.", "I", 7.5)
    hq = fake_addr(r)
    footer(d, [f"{x['bank']} SA · établissement de crédit agréé par l'ACPR · siège social {hq.one_line()} · "
               f"RCS {hq.city} {ids.siren(r)}", f"Garantie des dépôts jusqu'à 100 000 € par déposant"], x0=18)


# ------------------------------------------------------------------------------------------ ID documents
def _cardbg(d: Doc, r: random.Random, c1, c2, band):
    d.rect(0, 0, d.W, d.H, fill=c1, stroke=None)
    d.poly([(0, d.H * 0.65), (d.W, d.H * 0.35), (d.W, d.H), (0, d.H)], fill=c2, alpha=0.7)
    for i in range(9):
        d.circle(d.W * 0.18, d.H * 0.5, 6 + i * 4.2, stroke=band, lw=0.12, alpha=0.35)
    d.guilloche(0, 0, d.W, d.H, band, r, n=12, lw=0.1, alpha=0.25)


def _c(d, x0, y, value, label, vsz=6.8, f="B", lsz=3.9):
    """ID caption style: value first, its label in small capitals underneath."""
    d.t(x0, y, value, f, vsz)
    d.t(x0, y + 2.4, label, "R", lsz, col=(0.28, 0.3, 0.35))


def id_card(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    pref = r.choice(POOL["prefectures"])
    c1, c2, band = hexc("e6f4ec"), hexc("f6e7f3"), hexc("2f7a5a")
    ttl = hexc("14532d")
    _cardbg(d, r, c1, c2, band)
    d.rect(0, 0, d.W, 9.5, fill=ttl, stroke=None, alpha=0.9)
    d.t(3.5, 4.2, "RÉPUBLIQUE FRANÇAISE", "B", 6.2, col=WHITE)
    d.t(3.5, 7.9, "Carte nationale d'identité", "R", 5.2, col=WHITE)
    d.t(82, 6.6, "FRA", "DB", 8, "r", col=WHITE)
    K.portrait(d, 58, 12.5, 24, 31, r, p.sex, bg=hexc("dbe4ea"))
    d.signature(60, 50, 18, r, col=(0.1, 0.1, 0.1), lw=0.4)
    _c(d, 3.5, 15, p.surname, "Nom", vsz=7.6)
    _c(d, 3.5, 22, " ".join(p.given), "Prénoms", vsz=fit(d, " ".join(p.given), "B", 6.6, 52))
    _c(d, 3.5, 29, p.sex, "Sexe")
    _c(d, 13, 29, "FRA", "Nationalité")
    _c(d, 30, 29, DT(p.birth, "dot"), "Date de naissance")
    _c(d, 3.5, 36, f"{p.birth_city} ({p.birth_dept})", "Lieu de naissance", vsz=6)
    _c(d, 3.5, 43, x["number"], "N° du document", f="M", vsz=7.2)
    _c(d, 30, 43, DT(x["expiry"], "dot"), "Date d'expiration")
    d.t(3.5, 51, f"N° d'accès {x['can']}", "R", 4.2, col=(0.28, 0.3, 0.35))
    d.new_page()
    _cardbg(d, r, c2, c1, band)
    _c(d, 4, 6, p.address.line1, "Adresse", vsz=5.8)
    d.t(4, 11.6, f"{p.address.postcode} {p.address.city}", "B", 5.8)
    _c(d, 4, 17, DT(x["issue"], "dot"), "Date de délivrance", vsz=5.8)
    _c(d, 30, 17, pref, "Autorité", vsz=4.8)
    K.portrait(d, 68, 3.5, 13, 17, r, p.sex, gray=True, bg=(0.95, 0.95, 0.95))
    d.rect(0, 33, d.W, 21, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td1("ID", "FRA", x["number"], p.birth, p.sex, x["expiry"], "FRA", p.surname, p.given)
    K.mrz_block(d, 4, 39.5, lines, sz=8.6, lead=4.6, width=78)
    x["mrz"] = lines


FOREIGN_STATES = {"SEN": "RÉPUBLIQUE DU SÉNÉGAL", "CIV": "RÉPUBLIQUE DE CÔTE D'IVOIRE",
                  "TUN": "RÉPUBLIQUE TUNISIENNE", "BRA": "RÉPUBLIQUE FÉDÉRATIVE DU BRÉSIL",
                  "VNM": "RÉPUBLIQUE SOCIALISTE DU VIET NAM", "COL": "RÉPUBLIQUE DE COLOMBIE"}


def passport(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    nat = "FRA"
    if r.random() < 0.35:
        nat = r.choice(sorted(FOREIGN_STATES))
        sn, gn = FOREIGN_NAMES[nat]
        cands = [g for g in gn if (g in FEMALE_FOREIGN) == (p.sex == "F")] or gn
        p.surname, p.given = r.choice(sn), [r.choice(cands)]
        p.birth_city, p.nationality = BIRTH_CITIES_ABROAD[nat], nat
        x["number"] = f"{r.choice('ABCP')}{r.randint(10000000, 99999999)}"
        x["fields"].update(surname=p.surname, given_names=" ".join(p.given), nationality=nat,
                           document_number=x["number"])
    state = "RÉPUBLIQUE FRANÇAISE" if nat == "FRA" else FOREIGN_STATES[nat]
    bg, band = (hexc("eef2f7"), hexc("5b6fa3")) if nat == "FRA" else (hexc("f3efe4"), hexc("8a6d3b"))
    d.rect(0, 0, d.W, d.H, fill=bg, stroke=None)
    d.guilloche(0, 0, d.W, 70, band, r, n=26, lw=0.1, alpha=0.3)
    for i in range(10):
        d.circle(d.W * 0.5, 40, 5 + i * 4, stroke=band, lw=0.1, alpha=0.3)
    d.t(5, 7, state, "B", 8, col=band)
    d.t(d.W - 5, 7, "PASSEPORT", "DB", 9, "r", col=band)
    K.portrait(d, 86, 12, 33, 43, r, p.sex, bg=hexc("e5e7eb"))
    d.signature(90, 64, 22, r, col=(0.1, 0.1, 0.1), lw=0.4)

    def c(x0, y, val, lab, f="B", vsz=7.4):
        d.t(x0, y, val, f, fit(d, val, f, vsz, 78 - x0))
        d.t(x0, y + 2.8, lab, "R", 4.4, col=(0.3, 0.3, 0.35))

    c(5, 15, "P", "Type")
    c(15, 15, nat, "Code de l'État émetteur")
    c(45, 15, x["number"], "N° du passeport", f="M")
    c(5, 23, p.surname, "Nom")
    c(5, 31, " ".join(p.given), "Prénoms")
    c(5, 39, COUNTRY_FR[nat], "Nationalité")
    c(45, 39, DT(p.birth, "dot"), "Date de naissance")
    c(5, 47, p.sex, "Sexe")
    c(15, 47, p.birth_city, "Lieu de naissance")
    c(5, 55, DT(x["issue"], "dot"), "Date de délivrance")
    c(45, 55, DT(x["expiry"], "dot"), "Date d'expiration")
    auth = r.choice(POOL["prefectures"]) if nat == "FRA" else "Ministère des Affaires étrangères"
    c(5, 63, auth, "Autorité", vsz=6.2)
    d.rect(0, 70, d.W, 18, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td3("P", nat, x["number"], p.birth, p.sex, x["expiry"], nat, p.surname, p.given)
    K.mrz_block(d, 5, 77, lines, sz=9.6, lead=5.6, width=115)
    x["mrz"] = lines


def residence_permit(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p = x["p"]
    pref = r.choice(POOL["prefectures"])
    c1, c2, band = hexc("fdf0e1"), hexc("e3f0f7"), hexc("b4531a")
    _cardbg(d, r, c1, c2, band)
    d.rect(0, 0, d.W, 9.5, fill=hexc("7c2d12"), stroke=None, alpha=0.9)
    d.t(3.5, 4.2, "RÉPUBLIQUE FRANÇAISE", "B", 6, col=WHITE)
    d.t(3.5, 7.9, "Titre de séjour", "R", 5.2, col=WHITE)
    d.t(82, 6.6, "FRA", "DB", 8, "r", col=WHITE)
    K.portrait(d, 59, 12, 23, 30, r, p.sex, bg=hexc("e2e8f0"))
    d.signature(60, 49, 17, r, col=(0.1, 0.1, 0.1), lw=0.4)
    _c(d, 3.5, 14.5, p.surname, "Nom", vsz=7.4)
    _c(d, 3.5, 21, " ".join(p.given), "Prénoms", vsz=fit(d, " ".join(p.given), "B", 6.6, 52))
    _c(d, 3.5, 27.5, p.sex, "Sexe")
    _c(d, 13, 27.5, p.nationality, "Nationalité")
    _c(d, 30, 27.5, DT(p.birth, "dot"), "Date de naissance")
    _c(d, 3.5, 34, x["permit_kind"].capitalize(), "Catégorie", vsz=5)
    _c(d, 3.5, 40.5, x["number"], "N° du titre", f="M", vsz=7.2)
    _c(d, 30, 40.5, DT(x["expiry"], "dot"), "Fin de validité")
    _c(d, 3.5, 47, x["permit_mention"].capitalize(), "Mentions", vsz=5)
    d.new_page()
    _cardbg(d, r, c2, c1, band)
    _c(d, 4, 6, p.address.line1, "Adresse", vsz=5.8)
    d.t(4, 11.6, f"{p.address.postcode} {p.address.city}", "B", 5.8)
    _c(d, 4, 17, f"{p.birth_city} ({p.nationality})", "Lieu de naissance", vsz=5.8)
    _c(d, 4, 24, DT(x["issue"], "dot"), "Délivré le", vsz=5.8)
    _c(d, 30, 24, pref, "Autorité", vsz=4.8)
    d.rect(0, 33, d.W, 21, fill=(1, 1, 1), stroke=None, alpha=0.9)
    lines = mrz.td1("IR", "FRA", x["number"], p.birth, p.sex, x["expiry"], p.nationality, p.surname, p.given)
    K.mrz_block(d, 4, 39.5, lines, sz=8.6, lead=4.6, width=78)
    x["mrz"] = lines


# ------------------------------------------------------------------------------------------ rent receipt
def rent_receipt(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    L, T = x["landlord"], x["tenant"]
    app = r.choice(POOL["rent_apps"])
    acc = r.choice([hexc("0e7490"), hexc("7c3aed"), hexc("c2410c")])
    month = ids.MONTHS[x["m"] - 1]
    per = f"{month} {x['y']}"
    side_bar(d, acc, 5)
    mark(d, 14, 10, app, acc, "dot", sz=10, sub="Gestion locative en ligne", f="B")
    d.t(196, 15, f"Quittance n° Q{x['y']}{x['m']:02d}-{r.randint(100, 9999):04d}", "R", 7.5, "r", col=MUTED)
    d.t(196, 19, f"Émise le {dab(x['issued'])}", "R", 7.5, "r", col=MUTED)
    d.t(14, 38, f"Quittance de loyer — {per}", "DB", 18)
    start, end = date(x["y"], x["m"], 1), ids.last_day(x["y"], x["m"])
    d.t(14, 44.5, f"Période du {dnum(start)} au {dnum(end)}", "R", 9, col=MUTED)
    # Bailleur / Locataire side by side
    y = 52
    for i, (lab, P, addr) in enumerate([("Bailleur", L, x["landlord_addr"]), ("Locataire", T, T.address)]):
        bx = 14 + i * 93
        d.rect(bx, y, 89, 30, fill=TILE, stroke=None, r=3)
        icon(d, "person", bx + 6, y + 6.3, acc)
        d.t(bx + 12, y + 7.3, lab, "B", 8.5, col=acc)
        d.t(bx + 4, y + 14.5, P.name_fs(), "B", 10.5)
        yy = y + 19.5
        for ln in addr.lines():
            d.t(bx + 4, yy, ln, "R", 8)
            yy += 3.8
    hot(x, 14, y + 9, 60, 7)
    # Logement
    y = 88
    icon(d, "house", 17.5, y + 1.5, acc)
    d.t(24, y + 2.8, "Logement", "B", 8.5, col=acc)
    d.t(24, y + 8, x["prop"].one_line(), "R", 9.5)
    tiles_mode = r.random() < 0.62
    y = 104
    if tiles_mode:
        tw = (182 - 8) / 3
        st = r.choice(["fr", "nosp"])
        tile(d, 14, y, tw, 22, amt(x["rent"], st), "Loyer hors charges", vsz=14, lsz=7)
        tile(d, 14 + tw + 4, y, tw, 22, amt(x["charges"], st), "Charges", vsz=14, lsz=7)
        tile(d, 14 + 2 * (tw + 4), y, tw, 22, amt(x["total"], st), "Total payé", fill=acc, col=WHITE, lcol=WHITE,
             vsz=14, lsz=7)
        hot(x, 14 + 2 * (tw + 4), y + 4, tw, 10)
        y += 30
        kv(d, 14, 196, y, "Payé le", dab(x["paid_on"]), sz=8.5, rule=True)
        kv(d, 14, 196, y + 5.5, "Moyen de paiement", r.choice(["Virement", "Prélèvement", "Virement instantané"]),
           sz=8.5, rule=True)
        kv(d, 14, 196, y + 11, "Solde restant dû", amt(0, "fr"), sz=8.5, rule=True)
        y += 22
        txt = (f"Je soussigné(e) {L.name_fs()}, bailleur du logement ci-dessus, reconnais avoir reçu de "
               f"{T.name_fs()} le paiement intégral du loyer et des charges de {per} et lui en donne quittance.")
    else:
        y += 2
        kv(d, 14, 196, y, "Payé le", dab(x["paid_on"]), sz=8.5, rule=True)
        kv(d, 14, 196, y + 5.5, "Échéance suivante", dab(ids.last_day(x["y"], x["m"]) + timedelta(days=5)), sz=8.5,
           rule=True)
        y += 18
        txt = (f"Reçu de {T.name_fs()} la somme de {amt(x['total'], 'fr')}, soit {amt(x['rent'], 'fr')} au titre du "
               f"loyer hors charges et {amt(x['charges'], 'fr')} au titre des charges, pour le loyer et les charges du "
               f"mois de {per}. Le bailleur, {L.name_fs()}, en donne quittance sous réserve de tous ses droits.")
    d.rect(14, y - 5, 1.5, 24, fill=acc, stroke=None)
    y = d.wrap(20, y, 176, txt, "S", 10.5, lead=5.4) + 8
    d.t(120, y, f"Signé électroniquement le {dab(x['issued'])}", "I", 8, col=MUTED)
    d.signature(126, y + 13, 34, r, col=hexc("1e3a8a"))
    d.t(126, y + 20, L.name_fs(), "R", 8)
    apa = fake_addr(r)
    footer(d, [K.LEGAL_RENT,
               f"{app} SAS · {apa.one_line()} · service client {tel(r)} · Document généré automatiquement, "
               f"il ne vaut pas état des lieux."], sz=5.6)


# ------------------------------------------------------------------------------------------ energy bill
def energy_bill(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    h = x["holder"]
    acc = hexc("15803d") if x["energy"] == "électricité" else hexc("0d9488")
    side_bar(d, acc, 6)
    icon(d, "leaf", 20, 16, acc, s=5.5)
    d.t(28, 17, x["supplier"], "DB", 15, col=acc)
    d.t(28, 21.5, f"{x['energy'].capitalize()} 100 % renouvelable", "R", 7.5, col=MUTED)
    d.t(196, 14, "Votre facture", "DB", 13, "r")
    iss = dnum(x["issue"]) if r.random() < 0.6 else dlong(x["issue"])
    kv(d, 140, 196, 20, "Date de facture", iss, sz=8.5)
    kv(d, 140, 196, 24.5, "N° de facture", x["invoice_no"], sz=8)
    # holder window
    d.t(118, 40, f"{h.civ()} {h.name_fs()}", "B", 10)
    yy = 45
    for ln in h.address.lines():
        d.t(118, yy, ln, "R", 9)
        yy += 4.5
    # big amount tile
    st = r.choice(["fr", "nosp"])
    d.rect(14, 34, 94, 34, fill=acc, stroke=None, r=4)
    d.t(20, 43, "À payer", "R", 10, col=WHITE)
    d.t(20, 56, amt(x["due"], st), "DB", 24, col=WHITE)
    d.t(20, 63.5, f"prélevé le {dab(x['due_date'])}", "R", 8.5, col=WHITE)
    hot(x, 18, 45, 70, 13)
    # tiles row
    y = 76
    tw = (182 - 8) / 3
    tile(d, 14, y, tw, 16, x["cust"], "Votre n° client", vf="M", vsz=11)
    tile(d, 14 + tw + 4, y, tw, 16, x["pdl"], "Point de livraison (PDL)" if x["energy"] == "électricité"
         else "Point de comptage (PCE)", vf="M", vsz=9.5)
    tile(d, 14 + 2 * (tw + 4), y, tw, 16, r.choice(["Offre Vent d'Ouest", "Offre Soleil Fixe", "Offre Locale 24 mois"]),
         "Votre offre", vsz=9.5)
    hot(x, 16, y + 3, 40, 8)
    y += 24
    icon(d, "house", 17.5, y - 1.3, acc)
    d.t(24, y, "Votre adresse de fourniture", "B", 8.5, col=acc)
    d.t(24, y + 5, h.address.one_line(), "R", 9)
    d.t(24, y + 10, f"Période facturée du {dab(x['period_start'])} au {dab(x['period_end'])}", "R", 8, col=MUTED)
    y += 20
    d.t(14, y, "Le détail", "DB", 11)
    y += 6
    rows = [(f"Consommation {x['kwh']} kWh × {str(x['price']).replace('.', ',')} €", amt(x["conso"], "dotc")),
            ("Abonnement", amt(x["abo"], "dotc")),
            ("Taxes et contributions", amt(x["taxes"], "dotc")),
            ("Total hors TVA", amt(x["ht"], "dotc")), ("TVA", amt(x["tva"], "dotc")),
            ("Total TTC", amt(x["ttc"], "fr"))]
    if x["already"]:
        rows.append(("Déjà payé par mensualités", amt(-x["already"], "fr")))
    rows.append(("Reste à payer", amt(x["due"], "fr")))
    for i, (a, b) in enumerate(rows):
        last = i == len(rows) - 1
        kv(d, 14, 196, y, a, b, sz=8.8 if last else 8.2, lf="B" if last else "R", vf="B" if last else "N",
           lcol=INK, rule=True)
        y += 5.6
    y += 8
    d.t(14, y, "Votre consommation mois par mois", "B", 8.5)
    base = y + 26
    for i in range(12):
        hh = r.uniform(4, 20)
        d.rect(16 + i * 14.5, base - hh, 9, hh, fill=acc, stroke=None, r=1.2, alpha=0.35 + 0.05 * (i % 3))
        d.t(20.5 + i * 14.5, base + 4, MABR[(x["issue"].month + i) % 12], "R", 6.2, "c", col=MUTED)
    y = base + 12
    d.rect(14, y, 182, 14, fill=TILE, stroke=None, r=3)
    d.t(18, y + 5.5, f"Prochaine facture vers le {dab(x['issue'] + timedelta(days=61))}", "R", 8)
    d.t(18, y + 10, f"Une question ? {tel(r)} · appel non surtaxé", "R", 8, col=MUTED)
    footer(d, [f"{x['supplier']} SAS · {x['sup_addr'].line1} · {x['sup_addr'].postcode} {x['sup_addr'].city} · "
               f"RCS {x['sup_addr'].city.split()[0]} {ids.siren(r)}",
               "Médiateur national de l'énergie · www.energie-mediateur.fr", "1/2" if multipage else "1/1"])
    if multipage:
        d.new_page()
        side_bar(d, acc, 6)
        d.t(14, 20, "Bon à savoir", "DB", 13)
        y = d.wrap(14, 30, 182, K.LOREM_FR, "R", 8.5) + 6
        d.t(14, y, "Énergie verte", "B", 10)
        d.wrap(14, y + 6, 182, "L'électricité que nous fournissons est couverte par des garanties d'origine issues "
               "d'installations renouvelables situées en France.", "R", 8.5)
        footer(d, ["2/2"])


# ------------------------------------------------------------------------------------------ employer certificate
CT_WORDS = {"CDI": ["Contrat à durée indéterminée", "CDI"], "CDD": ["Contrat à durée déterminée", "CDD"],
            "APPRENTISSAGE": ["Contrat d'apprentissage", "Apprentissage"],
            "INTERIM": ["Mission d'intérim", "Intérim"]}


def employer_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    co, e, s = x["co"], x["emp"], x["signer"]
    acc = r.choice(ACCENTS)
    side_bar(d, acc, 4)
    mark(d, 14, 12, co["name"], acc, r.choice(["round", "hex", "dot"]), sz=13)
    d.t(196, 15, co["address"].line1, "R", 8, "r", col=MUTED)
    d.t(196, 19, f"{co['address'].postcode} {co['address'].city}", "R", 8, "r", col=MUTED)
    d.t(196, 23, f"SIRET {ids.fmt_siret(co['siret'])}", "R", 8, "r", col=MUTED)
    d.t(14, 48, "Attestation de travail", "DB", 20)
    d.t(14, 55, f"Délivrée le {dab(x['issued'])}", "R", 9, col=MUTED)
    ct_txt = CT_WORDS[x["ct"]][0 if r.random() < 0.6 else 1]
    hd = dlong(x["hire"]) if r.random() < 0.5 else dnum(x["hire"])
    y = 64
    tw = (182 - 4) / 2
    tile(d, 14, y, tw, 18, e.name_fs(), "Salarié(e)", vsz=13)
    tile(d, 14 + tw + 4, y, tw, 18, x["job"], "Poste occupé", vsz=12)
    tile(d, 14, y + 22, tw, 18, hd, "Date d'entrée", vsz=13)
    tile(d, 14 + tw + 4, y + 22, tw, 18, ct_txt, "Type de contrat", vsz=12)
    hot(x, 16, y + 25, 60, 9)
    y += 50
    ne = "née" if e.sex == "F" else "né"
    txt = (f"Nous, {co['name']}, attestons que {e.civ()} {e.name_fs()}, {ne} le {dnum(e.birth)}, fait partie de nos "
           f"effectifs depuis le {dlong(x['hire'])} en qualité de {x['job'].lower()}, à raison de {x['hours']} heures "
           f"par semaine.")
    if x["end"]:
        txt += f" Son contrat prend fin le {dlong(x['end'])}."
    else:
        txt += " Le contrat est toujours en cours à ce jour."
    y = d.wrap(14, y, 182, txt, "D", 10, lead=5.6) + 5
    y = d.wrap(14, y, 182, "Cette attestation est remise à l'intéressé(e) à sa demande, pour faire valoir ce que de "
               "droit.", "D", 10, lead=5.6) + 14
    d.t(120, y, s.name_fs(), "B", 10)
    d.t(120, y + 5, x["role"], "R", 8.5, col=MUTED)
    d.signature(124, y + 19, 34, r)
    hq = fake_addr(r)
    footer(d, [f"{co['name']} · {co['address'].one_line()} · Tél. {co['phone']} · APE {co['naf']}",
               f"Service RH mutualisé : {hq.one_line()} · rh@{co['name'].split()[0].lower()}.fr"])


# ------------------------------------------------------------------------------------------ school certificate
def school_certificate(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    s, h = x["stu"], x["head"]
    acc = r.choice([hexc("7f1d1d"), hexc("1e3a8a"), hexc("14532d"), hexc("581c87")])
    d.rect(0, 0, d.W, 34, fill=light(acc, 0.9), stroke=None)
    mark(d, 14, 10, x["school"], acc, "shield", sz=13,
         sub="Établissement privé sous contrat d'association avec l'État" if x["kind"] != "université"
         else "Établissement d'enseignement supérieur privé")
    d.t(196, 14, x["addr"].line1, "R", 8, "r")
    d.t(196, 18, f"{x['addr'].postcode} {x['addr'].city}", "R", 8, "r")
    d.t(196, 22, f"UAI {x['uai']} · {tel(r)}", "R", 7.5, "r", col=MUTED)
    icon(d, "cap", 19, 49, acc, s=4.5)
    d.t(27, 52, "Certificat de scolarité", "DB", 19)
    sy = f"{x['start']}-{x['start'] + 1}" if r.random() < 0.6 else f"{x['start']}/{x['start'] + 1}"
    x["fields"]["school_year"] = f"{x['start']}-{x['start'] + 1}"  # normalised form, whatever the separator
    name = f"{s.given[0]} {s.surname}"
    x["fields"]["student_name"] = name
    bd = dlong(s.birth) if r.random() < 0.5 else dnum(s.birth)
    y = 64
    tw = (182 - 4) / 2
    tile(d, 14, y, tw, 18, name, "Élève", vsz=13)
    tile(d, 14 + tw + 4, y, tw, 18, bd, "Né(e) le", vsz=13)
    tile(d, 14, y + 22, tw, 18, x["level"], "Classe / formation", vsz=12)
    tile(d, 14 + tw + 4, y + 22, tw, 18, sy, "Année scolaire", fill=acc, col=WHITE, lcol=WHITE, vsz=13)
    hot(x, 16, y + 3, 60, 9)
    y += 52
    role = {"école": "Le chef d'établissement", "collège": "La direction", "lycée": "Le chef d'établissement",
            "université": "Le directeur des études"}[x["kind"]]
    y = d.wrap(14, y, 182, f"{role} de {x['school']} certifie que l'élève désigné(e) ci-dessus est inscrit(e) et "
               f"suit régulièrement les enseignements de l'établissement pour l'année scolaire {sy}, "
               f"en régime {r.choice(['externe', 'demi-pensionnaire', 'interne'])}.", "D", 10, lead=5.6) + 4
    y = d.wrap(14, y, 182, f"N° INE {x['ine']} · Lieu de naissance {s.birth_city}", "R", 8.5, col=MUTED) + 10
    d.t(120, y, f"À {x['addr'].city}, le {dab(x['issued'])}", "R", 9.5)
    d.t(120, y + 6, f"{h.civ()} {h.name_fs()}", "B", 9.5)
    d.signature(124, y + 20, 30, r)
    K.stamp(d, 95, y + 16, r, [x["school"][:26].upper(), x["addr"].city.upper()], col=acc, shape="rect",
            angle=r.uniform(-6, 6), alpha=0.55)
    footer(d, [f"{x['school']} · organisme de gestion OGEC {x['addr'].city} · {x['addr'].one_line()}",
               f"Académie de {x['academie']} · document à conserver"])


# ------------------------------------------------------------------------------------------ sick leave
def sick_leave(d: Doc, x: dict, r: random.Random, multipage: bool = False):
    p, doc = x["pat"], x["doc"]
    plat = r.choice(POOL["teleconsult"])
    acc = r.choice([hexc("0284c7"), hexc("0f766e"), hexc("9333ea")])
    d.rect(0, 0, d.W, 28, fill=acc, stroke=None)
    d.circle(20, 14, 5, fill=WHITE, stroke=None)
    d.rect(19.1, 10.8, 1.8, 6.4, fill=acc, stroke=None)
    d.rect(16.8, 13.1, 6.4, 1.8, fill=acc, stroke=None)
    d.t(28, 16, plat, "DB", 15, col=WHITE)
    d.t(28, 21, "Téléconsultation médicale", "R", 8, col=WHITE)
    d.t(196, 14, f"Consultation du {dab(x['presc'])}", "R", 8, "r", col=WHITE)
    d.t(196, 18.5, f"Réf. TC-{r.randint(100000, 999999)}", "R", 8, "r", col=WHITE)
    d.t(14, 42, "Avis d'arrêt de travail", "DB", 19)
    d.t(14, 48.5, "Arrêt initial" if x["initial"] else "Prolongation", "R", 9.5, col=MUTED)
    name = f"{p.given[0]} {p.surname}"
    x["fields"]["patient_name"] = name
    y = 56
    tw = (182 - 4) / 2
    tile(d, 14, y, tw, 18, name, "Patient(e)", vsz=13)
    tile(d, 14 + tw + 4, y, tw, 18, ids.fmt_nir(p.nir, r.choice(["groups", "key"])), "N° de sécurité sociale",
         vf="M", vsz=12)
    tile(d, 14, y + 22, tw, 16, dnum(p.birth), "Date de naissance", vsz=11)
    tile(d, 14 + tw + 4, y + 22, tw, 16, p.address.city, "Ville de résidence", vsz=11)
    hot(x, 16 + tw + 4, y + 3, 70, 9)
    y += 46
    d.rect(14, y, 182, 26, fill=light(acc, 0.88), stroke=None, r=3)
    icon(d, "cal", 21, y + 8, acc)
    d.t(28, y + 9.3, "Durée de l'arrêt", "B", 8.5, col=acc)
    d.t(20, y + 19, f"Du {dlong(x['start'])} au {dlong(x['end'])}", "DB", 14)
    hot(x, 18, y + 12, 150, 9)
    n = (x["end"] - x["start"]).days + 1
    d.t(192, y + 9.3, f"{n} jours", "B", 9, "r", col=acc)
    y += 32
    kv(d, 14, 196, y, "Sorties", x["sorties"], sz=8.5, rule=True)
    kv(d, 14, 196, y + 5.5, "Activité", "Salarié(e)", sz=8.5, rule=True)
    kv(d, 14, 196, y + 11, "Employeur", x["co"]["name"], sz=8.5, rule=True)
    y += 24
    d.t(14, y, "Médecin", "B", 9, col=acc)
    d.t(14, y + 5.5, f"Dr {doc.name_fs()} · médecin généraliste", "R", 9)
    d.t(14, y + 10, f"RPPS {x['rpps']} · AM {x['am']}", "R", 8.5, col=MUTED)
    d.t(14, y + 14.5, doc.address.one_line(), "R", 8.5, col=MUTED)
    d.signature(140, y + 12, 32, r)
    d.t(140, y + 18, "Signé électroniquement", "I", 7, col=MUTED)
    y += 28
    d.wrap(14, y, 182, "Transmettez ce volet à votre employeur dans les 48 heures. Votre caisse d'assurance maladie "
           f"(CPAM de {x['cpam_city']}) a été informée par voie dématérialisée.", "I", 8)
    pa = fake_addr(r)
    footer(d, [f"{plat} SAS · hébergeur de données de santé certifié · {pa.one_line()}",
               f"Document généré le {dab(x['presc'])} · ne remplace pas l'avis d'arrêt de travail transmis à la caisse"])


# ------------------------------------------------------------------------------------------ other
OTHER_KINDS = ["visa", "invoice", "delivery_note", "insurance_certificate", "blank", "photo"]
IMAGE_ONLY_OTHER = {"photo"}
PHONE_ITEMS = [("Smartphone Vexa X12 128 Go", 389.0, 649.0), ("Coque silicone", 9.9, 24.9),
               ("Verre trempé", 7.9, 19.9), ("Chargeur rapide 30 W", 14.9, 34.9),
               ("Écouteurs sans fil", 29.0, 89.0), ("Carte SIM + activation", 10.0, 10.0),
               ("Extension de garantie 24 mois", 39.0, 79.0)]
DELIVERY_ITEMS = ["Chaise pliante (lot de 2)", "Lampe de bureau LED", "Carton de ramettes A4", "Étagère métal 5 niveaux",
                  "Aspirateur balai", "Bouilloire inox 1,7 L", "Tapis de salon 160x230", "Cafetière filtre"]

VISA_STATES = ["SEN", "CIV", "TUN", "VNM", "IND", "COL", "CMR", "MLI"]


def _visa(d: Doc, r: random.Random, cx):
    nat = r.choice(VISA_STATES)
    sn, gn = FOREIGN_NAMES[nat]
    sex = r.choice("MF")
    cands = [g for g in gn if (g in FEMALE_FOREIGN) == (sex == "F")] or gn
    surname, given = r.choice(sn), [r.choice(cands)]
    birth = TODAY - timedelta(days=r.randint(20 * 365, 60 * 365))
    start = TODAY - timedelta(days=r.randint(5, 200))
    end = start + timedelta(days=r.choice([30, 60, 90, 180, 365]))
    number = f"{r.choice('ABCDEFGH')}{r.randint(10000000, 99999999)}"
    d.rect(0, 0, d.W, d.H, fill=hexc("eaf1ea"), stroke=None)
    d.guilloche(0, 0, d.W, 70, hexc("4f7c5a"), r, n=30, lw=0.1, alpha=0.35)
    d.t(5, 7, "VISA", "DB", 12, col=hexc("1f4d2b"))
    d.t(30, 7, "ÉTATS SCHENGEN", "B", 8, col=hexc("1f4d2b"))
    d.t(d.W - 5, 7, "FRA", "DB", 10, "r", col=hexc("1f4d2b"))
    K.portrait(d, 5, 12, 26, 33, r, sex, bg=hexc("e5e7eb"))

    def c(x0, y, val, lab, vsz=7.2, f="B"):
        d.t(x0, y, val, f, vsz)
        d.t(x0, y + 2.8, lab, "R", 4.4, col=(0.3, 0.3, 0.35))

    c(36, 15, "États Schengen", "Valable pour")
    c(80, 15, number, "Numéro", f="M")
    c(36, 23, DT(start, "dot"), "Du")
    c(62, 23, DT(end, "dot"), "Au")
    c(92, 23, "C", "Type de visa")
    c(36, 31, "MULT", "Nombre d'entrées")
    c(62, 31, f"{r.choice([15, 30, 90])} jours", "Durée du séjour")
    c(36, 39, f"Consulat général de France à {BIRTH_CITIES_ABROAD[nat]}", "Délivré à", vsz=6.2)
    c(36, 47, DT(start - timedelta(days=r.randint(3, 30)), "dot"), "Le")
    c(62, 47, f"{r.choice('ABCP')}{r.randint(1000000, 9999999)}", "N° du passeport", f="M")
    c(5, 55, f"{surname}, {' '.join(given)}", "Nom, prénoms")
    c(5, 63, r.choice(["TOURISME", "AFFAIRES", "VISITE FAMILIALE"]), "Remarques", vsz=6.5)
    # MRV-B: 2 x 36
    l1 = ("V<FRA" + mrz.name_field(surname, given, 31))[:36]
    num = mrz.field(number, 9)
    b, e = mrz.yymmdd(birth), mrz.yymmdd(end)
    l2 = num + mrz.check_digit(num) + nat + b + mrz.check_digit(b) + sex + e + mrz.check_digit(e) + "<" * 8
    assert len(l1) == len(l2) == 36
    d.rect(0, 70, d.W, 18, fill=(1, 1, 1), stroke=None, alpha=0.9)
    K.mrz_block(d, 5, 77, [l1, l2], sz=10.5, lead=5.6, width=115)


def party(d: Doc, x0, y0, label, name, addr):
    d.rect(x0, y0, 88, 24, fill=TILE, stroke=None, r=2.5)
    d.t(x0 + 3, y0 + 5, label, "R", 6.2, col=MUTED)
    d.t(x0 + 3, y0 + 12, name, "B", fit(d, name, "B", 10.5, 82))
    d.t(x0 + 3, y0 + 18, addr, "R", fit(d, addr, "R", 7.8, 82))


def other(d: Doc, x: dict, r: random.Random, cx=None, multipage: bool = False):
    kind = x["subtype"]
    f = cx.fake
    acc = r.choice(ACCENTS)
    if kind == "visa":
        _visa(d, r, cx)
    elif kind == "invoice":  # phone-shop invoice, card payment
        shop = r.choice(POOL["shops"])
        pe = cx.person()
        side_bar(d, acc, 4)
        mark(d, 14, 10, shop, acc, "round", sz=13, sub="Téléphonie · accessoires · réparations")
        dt = TODAY - timedelta(days=r.randint(1, 300))
        d.t(196, 15, "Facture", "DB", 15, "r")
        kv(d, 140, 196, 21, "N°", f"FV{dt.year}{r.randint(10000, 99999)}", sz=8.5)
        kv(d, 140, 196, 25.5, "Date", dab(dt), sz=8.5)
        party(d, 14, 34, "Client", pe.name_fs(), pe.address.one_line())
        y = 70
        d.rect(14, y, 182, 6, fill=light(acc, 0.85), stroke=None)
        for lab, xx, al in [("Article", 16, "l"), ("Qté", 130, "r"), ("Prix TTC", 160, "r"), ("Total", 194, "r")]:
            d.t(xx, y + 4.2, lab, "B", 7.5, al, col=acc)
        y += 6
        tot = Decimal(0)
        for it in r.sample(PHONE_ITEMS, r.randint(2, 5)):
            q = 1 if it[1] > 100 else r.randint(1, 2)
            pu = D(r.uniform(it[1], it[2]))
            tot += q * pu
            d.t(16, y + 4.4, it[0], "R", 8.5)
            d.t(130, y + 4.4, str(q), "N", 8.5, "r")
            d.t(160, y + 4.4, amt(pu, "nosp"), "N", 8.5, "r")
            d.t(194, y + 4.4, amt(q * pu, "nosp"), "N", 8.5, "r")
            d.hline(14, 196, y + 6, lw=0.2, col=LINE)
            y += 6
        if r.random() < 0.6:
            d.t(16, y + 4.4, f"IMEI {r.randint(10 ** 14, 10 ** 15 - 1)}", "M", 7.5, col=MUTED)
            y += 6
        ht = D(tot / Decimal("1.2"))
        y += 6
        kv(d, 120, 196, y, "Total HT", amt(ht, "fr"), sz=8.5)
        kv(d, 120, 196, y + 5, "TVA 20 %", amt(tot - ht, "fr"), sz=8.5)
        tile(d, 120, y + 9, 76, 18, amt(tot, "fr"), "Total TTC payé", fill=acc, col=WHITE, lcol=WHITE, vsz=15)
        d.rect(14, y + 9, 96, 18, fill=TILE, stroke=None, r=2.5)
        icon(d, "card", 21, y + 18, acc)
        d.t(28, y + 16.5, f"Carte bancaire **** {r.randint(1000, 9999)}", "B", 8.5)
        d.t(28, y + 21, f"Autorisation {r.randint(100000, 999999)} · {dab(dt)} {r.randint(9, 19)}:{r.randint(10, 59)}",
            "R", 7.5, col=MUTED)
        sa = fake_addr(r)
        footer(d, [f"{shop} SAS · {sa.one_line()} · SIRET {ids.fmt_siret(ids.siret(r))}",
                   "Garantie légale de conformité 24 mois · Retour sous 14 jours"])
    elif kind == "delivery_note":
        car = r.choice(POOL["carriers"])
        pe = cx.person()
        co = cx.company()
        side_bar(d, acc, 4)
        mark(d, 14, 10, car, acc, "hex", sz=13, sub="Transport et livraison")
        dt = TODAY - timedelta(days=r.randint(1, 300))
        d.t(196, 15, "Bon de livraison", "DB", 15, "r")
        kv(d, 140, 196, 21, "Commande", f"CMD-{r.randint(100000, 999999)}", sz=8.5)
        kv(d, 140, 196, 25.5, "Livré le", dab(dt), sz=8.5)
        party(d, 14, 34, "Expéditeur", co["name"], co["address"].one_line())
        party(d, 108, 34, "Destinataire", pe.name_fs(), pe.address.one_line())
        y = 70
        d.rect(14, y, 182, 6, fill=light(acc, 0.85), stroke=None)
        for lab, xx, al in [("Référence", 16, "l"), ("Désignation", 45, "l"), ("Qté commandée", 160, "r"),
                            ("Qté livrée", 194, "r")]:
            d.t(xx, y + 4.2, lab, "B", 7.5, al, col=acc)
        y += 6
        for _ in range(r.randint(2, 6)):
            q = r.randint(1, 6)
            d.t(16, y + 4.4, f"{r.choice('ABCDK')}{r.randint(10000, 99999)}", "M", 8)
            d.t(45, y + 4.4, r.choice(DELIVERY_ITEMS), "R", 8.5)
            d.t(160, y + 4.4, str(q), "N", 8.5, "r")
            d.t(194, y + 4.4, str(q if r.random() < 0.85 else q - 1), "N", 8.5, "r")
            d.hline(14, 196, y + 6, lw=0.2, col=LINE)
            y += 6
        y += 10
        kv(d, 14, 100, y, "Nombre de colis", str(r.randint(1, 5)), sz=8.5)
        kv(d, 14, 100, y + 5, "Poids total", f"{r.randint(2, 60)},{r.randint(0, 9)} kg", sz=8.5)
        d.rect(110, y - 4, 86, 30, stroke=LINE, lw=0.4, r=2.5)
        d.t(113, y + 1, "Signature du destinataire", "R", 7.5, col=MUTED)
        d.signature(125, y + 17, 30, r)
        footer(d, [f"{car} · plateforme {fake_addr(r).one_line()} · suivi sur notre site",
                   "Toute réserve doit être notée sur ce bon et confirmée sous 3 jours (art. L133-3 C. com.)"])
    elif kind == "insurance_certificate":
        ins = r.choice(POOL["insurers"])
        pe = cx.person()
        side_bar(d, acc, 4)
        mark(d, 14, 10, ins, acc, "dot", sz=13, sub="Assurance habitation")
        d.t(14, 46, "Attestation d'assurance habitation", "DB", 18)
        y0 = TODAY.year - r.choice([0, 1])
        d.t(14, 53, f"Année {y0}", "R", 9.5, col=MUTED)
        tw = 89
        tile(d, 14, 62, tw, 18, pe.name_fs(), "Assuré(e)", vsz=12)
        tile(d, 107, 62, tw, 18, f"HAB-{r.randint(1000000, 9999999)}", "N° de contrat", vf="M", vsz=12)
        tile(d, 14, 84, tw, 18, f"du {dnum(date(y0, 1, 1))} au {dnum(date(y0, 12, 31))}", "Période de garantie",
             vsz=11)
        tile(d, 107, 84, tw, 18, r.choice(["Appartement 3 pièces", "Maison 5 pièces", "Studio"]), "Bien assuré",
             vsz=11)
        icon(d, "house", 17.5, 111, acc)
        d.t(24, 112.3, "Adresse du risque", "B", 8.5, col=acc)
        d.t(24, 117.5, pe.address.one_line(), "R", 9.5)
        y = d.wrap(14, 130, 182, f"{ins} atteste que {pe.civ()} {pe.name_fs()} est titulaire d'un contrat "
                   "multirisque habitation garantissant notamment sa responsabilité civile locative, l'incendie, le "
                   "dégât des eaux et les catastrophes naturelles pour le logement désigné ci-dessus. La présente "
                   "attestation ne constitue qu'une présomption de garantie.", "D", 10, lead=5.6) + 8
        d.t(120, y, f"Établie le {dab(TODAY - timedelta(days=r.randint(1, 200)))}", "R", 9)
        d.signature(124, y + 14, 30, r)
        footer(d, [f"{ins} · entreprise régie par le Code des assurances · {fake_addr(r).one_line()}",
                   f"Cotisation annuelle {amt(D(r.uniform(90, 420)), 'fr')} · échéance principale 1er janvier"])
    elif kind == "blank":
        if r.random() < 0.4:
            d.t(d.W - 14, d.H - 8, f"{r.randint(2, 6)}/{r.randint(6, 9)}", "R", 7, "r", col=(0.7, 0.7, 0.7))


# ------------------------------------------------------------------------------------------ module API
TEMPLATES = {"payslip": payslip, "tax_notice": tax_notice, "bank_details": bank_details, "id_card": id_card,
             "passport": passport, "residence_permit": residence_permit, "rent_receipt": rent_receipt,
             "energy_bill": energy_bill, "employer_certificate": employer_certificate,
             "school_certificate": school_certificate, "sick_leave": sick_leave, "other": other}


def page_size(t: str, x: dict) -> tuple[float, float]:
    if t in ("id_card", "residence_permit"):
        return (85.6, 54.0)
    if t == "passport":
        return (125.0, 88.0)
    if t == "other" and x.get("subtype") == "visa":
        return (125.0, 88.0)
    if t == "payslip" and int(x["co"]["siret"][8]) % 3 == 0:
        return (297.0, 210.0)
    return (210.0, 297.0)


def pdf_title(t: str, x: dict) -> str:
    return {"payslip": "Bulletin de paie", "energy_bill": "Votre facture", "tax_notice": "Justificatif IR",
            "bank_details": "RIB", "rent_receipt": "Quittance", "sick_leave": "Avis d'arret de travail",
            "employer_certificate": "Attestation de travail"}.get(t, "")


def pdf_author(t: str, x: dict, r: random.Random) -> str:
    if t == "payslip":
        return "Payflo Paie"
    if t == "energy_bill":
        return "Espace client"
    return ""


def overlay(d: Doc, it: dict, x: dict, r: random.Random) -> None:
    """Stamps and handwriting over the text (listed in render_options' "overlays")."""
    ov = it.get("overlays") or []
    if not ov:
        return
    spots = x.get("_hot") or [(d.W * 0.3, d.H * 0.35, 60, 10)]
    bx, by, bw, bh = r.choice(spots)
    ink = r.choice([(0.1, 0.15, 0.55), (0.05, 0.05, 0.05), (0.6, 0.1, 0.1)])
    if "stamp" in ov:
        rd = TODAY - timedelta(days=r.randint(0, 120))
        lines = r.choice([["REÇU LE", dnum(rd)], [f"Reçu le {dnum(rd)}"], ["COPIE CONFORME"],
                          ["VU", dnum(rd), "SERVICE INSTRUCTION"]])
        sx = bx + bw + r.uniform(4, 18)
        if sx > d.W - 22:
            sx = bx + bw * r.uniform(0.5, 0.9)
        K.stamp(d, sx, by - r.uniform(2, 10), r, lines, alpha=r.uniform(0.55, 0.8))
    if "handwriting" in ov:
        what = r.choice(["signature", "circle", "tick", "note", "circle"])
        if what == "signature":
            d.signature(bx + r.uniform(0, bw * 0.3), by + bh * 0.7, min(bw, 45), r, col=ink, lw=0.7)
        elif what == "circle":
            K.circle_mark(d, bx - 2, by - 2, bw + 4, bh + 4, r, col=ink)
        elif what == "tick":
            K.tick(d, max(2, bx - 9), by + bh / 2, col=ink)
            K.handwriting(d, min(bx + bw + 2, d.W - 30), by + bh / 2 + 2, r.choice(["ok", "vérifié", "vu"]),
                          r, sz=12, col=ink)
        else:
            K.handwriting(d, min(bx + r.uniform(0, 20), d.W - 60), by + bh + r.uniform(3, 8),
                          r.choice(["à classer", "dossier complet", "pièce reçue", f"n° {r.randint(1000, 9999)}",
                                    "copie pour la CAF"]), r, sz=13, col=ink)


def render_options(it: dict, r: random.Random) -> dict:
    k = it["kind"]
    t = it["type"]
    o: dict = {}
    if it.get("sub") == "visa" and k in ("pdf_text", "tiff"):
        k = o["kind"] = r.choice(["jpeg", "jpeg", "pdf_scan"])
    if k == "pdf_scan":
        o.update(dpi=r.choice([150, 150, 200, 300]), degradation=r.choice(["light"] * 3 + ["heavy"] * 2),
                 quality=r.randint(68, 82))
    elif k == "jpeg":
        photo = r.random() < 0.88
        o.update(photo=photo, dpi=None if photo else r.choice([150, 200]), photo_dpi=r.choice([120, 140, 150, 170]),
                 degradation=r.choice(["light", "light", "heavy"]), quality=r.randint(70, 86),
                 color=r.random() < 0.9)
    elif k == "png":
        o.update(dpi=r.choice([150, 300]), degradation=r.choice(["none", "light"]))
    elif k == "tiff":
        o.update(dpi=r.choice([200, 300]), degradation="light", bilevel=r.random() < 0.7)
    if k != "pdf_text":
        if r.random() < 0.08:
            o["quarter"] = r.choice([90, 180, 270])
        if (t not in ID_TYPES and not it.get("multipage") and it.get("sub") not in ("blank", "photo", "visa")
                and r.random() < 0.3):
            o["overlays"] = r.choice([["stamp"], ["handwriting"], ["handwriting"], ["stamp", "handwriting"]])
    return o


def scanner_name(r: random.Random) -> str:
    return r.choice(["MFP Scan-to-PDF 7.2", "ScanSnap-like iX 2.0", "Office Copieur C3350"])


def compose_id(it: dict, pages, kind: str, dpi, r: random.Random):
    """Family F: both sides side by side (scan on A4, photo on a table), sometimes the front only in photos."""
    from PIL import Image

    import raster
    if kind == "jpeg":
        if len(pages) == 1 or r.random() < 0.4:
            im = pages[0].convert("RGBA")
            im.putalpha(raster.rounded_mask(im.size, int(im.size[0] * 0.04) if len(pages) > 1 else 40))
            return im
        gap = 50
        w = sum(p.size[0] for p in pages) + gap
        h = max(p.size[1] for p in pages)
        canvas = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        xx = 0
        for p in pages:
            m = raster.rounded_mask(p.size, int(p.size[0] * 0.04))
            canvas.paste(p.convert("RGB"), (xx, 0), m)
            xx += p.size[0] + gap
        return canvas
    page = raster.fit_on_a4(None, dpi)
    px = dpi / 25.4
    if len(pages) == 1:
        pos = [(42.0, 40.0)]
    else:
        pos = [(12.0, 30.0), (110.0, 30.0)] if r.random() < 0.6 else [(12.0, 30.0), (110.0, 110.0)]
    for p, (xm, ym) in zip(pages, pos):
        m = raster.rounded_mask(p.size, int(p.size[0] * 0.04))
        page.paste(p.convert("RGB"), (int(xm * px), int(ym * px)), m)
    return page


def image_other(sub: str, r: random.Random, nrng, dpi: int):
    """A snapshot (landscape photo: sky, hills, sun, trees): no document in it."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter
    w, h = 1600, 1200
    sky1 = np.array([r.uniform(80, 140), r.uniform(140, 190), r.uniform(200, 250)])
    sky2 = np.array([r.uniform(200, 240), r.uniform(210, 240), r.uniform(220, 255)])
    t = np.linspace(0, 1, h)[:, None, None]
    a = sky1 * (1 - t) + sky2 * t
    a = np.repeat(a, w, axis=1).astype(np.float32)
    img = Image.fromarray(np.clip(a, 0, 255).astype("uint8"), "RGB")
    dr = ImageDraw.Draw(img)
    sx, sy = r.randint(200, 1400), r.randint(100, 400)
    dr.ellipse([sx - 70, sy - 70, sx + 70, sy + 70], fill=(255, 236, 170))
    for layer in range(3):
        base = 600 + layer * 160
        col = [(90, 130, 80), (60, 110, 60), (40, 85, 45)][layer]
        pts = [(0, h)]
        for xx in range(0, w + 100, 100):
            pts.append((xx, base + r.randint(-80, 80)))
        pts.append((w, h))
        dr.polygon(pts, fill=col)
    for _ in range(r.randint(3, 9)):
        tx, ty = r.randint(0, w), r.randint(750, 1100)
        dr.rectangle([tx - 6, ty, tx + 6, ty + 60], fill=(80, 55, 35))
        dr.ellipse([tx - 45, ty - 90, tx + 45, ty + 10], fill=(30, r.randint(70, 110), 40))
    a = np.asarray(img, dtype=np.float32) + nrng.normal(0, 6, (h, w, 1))
    return Image.fromarray(np.clip(a, 0, 255).astype("uint8"), "RGB").filter(ImageFilter.GaussianBlur(1.2))
