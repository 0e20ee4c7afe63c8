#!/usr/bin/env python3
"""OCR quality metric without an extractor: the share of truth field values (loosely normalised)
that can be found in the OCR text of each file, per render kind. Also time per page.

usage: recall.py CORPUS_DIR DUMP_DIR [DUMP_LOG]
"""
import json, sys, unicodedata, collections, re

def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if c.isalnum() and not unicodedata.combining(c))

def norm(v):
    digits = sum(c.isdigit() for c in v)
    alnum = sum(c.isalnum() for c in v)
    if alnum and digits * 2 >= alnum:
        return "".join(c for c in v if c.isdigit())
    return fold(v)

def candidates(v):
    out = [v]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        out.append(v[8:10] + v[5:7] + v[0:4])
    if v.endswith(".00"):
        out.append(v[:-3])
    if re.fullmatch(r"\d{4}-\d{2}", v):
        out.append(v[5:7] + v[0:4])
    return out

def found(v, letters, digits):
    for c in candidates(v):
        n = norm(c)
        if not n:
            continue
        if n.isdigit():
            if n in digits:
                return True
        elif n in letters:
            return True
    return False

corpus, dumps = sys.argv[1], sys.argv[2]
times = {}
if len(sys.argv) > 3:
    for line in open(sys.argv[3]):
        m = re.match(r"(\S+): pages=(\d+) code=(\S+) quality=\S+ ms=(\d+)", line)
        if m:
            times[m.group(1)] = (int(m.group(2)), int(m.group(4)))
by_kind = collections.defaultdict(lambda: [0, 0, 0, 0, 0])  # found, total, files, pages, ms
by_field = collections.defaultdict(lambda: [0, 0])
per_file = []
for line in open(f"{corpus}/truth.jsonl"):
    t = json.loads(line)
    r = t["render"]
    kind = r["kind"] + ("/" + r["capture"] if r.get("capture") == "photo" else "")
    try:
        w = json.load(open(f"{dumps}/{t['file']}.json"))
    except FileNotFoundError:
        continue
    text = "\n".join(l["text"] for p in w.get("pages", []) for l in p["lines"])
    letters, digits = fold(text), "".join(c for c in text if c.isdigit())
    f = n = 0
    for k, v in t["fields"].items():
        if not isinstance(v, str):
            continue
        ok = found(v, letters, digits)
        f += ok; n += 1
        by_field[k][0] += ok; by_field[k][1] += 1
    b = by_kind[kind]
    b[0] += f; b[1] += n; b[2] += 1
    if t["file"] in times:
        b[3] += times[t["file"]][0]; b[4] += times[t["file"]][1]
    per_file.append((f / n if n else 1.0, t["file"], kind, r.get("degradation"), f, n))
print(f"{'kind':16} files  recall   s/page")
tf = tt = 0
for k in sorted(by_kind):
    f, n, files, pages, ms = by_kind[k]
    tf += f; tt += n
    spp = f"{ms / pages / 1000:.2f}" if pages else "-"
    print(f"{k:16} {files:5}  {f/max(n,1):6.3f}   {spp}")
print(f"{'all':16} {'':5}  {tf/max(tt,1):6.3f}")
if "-v" in sys.argv:
    for k in sorted(by_field):
        print(f"  {k:22} {by_field[k][0]/by_field[k][1]:.2f} ({by_field[k][1]})")
    for r in sorted(per_file)[:25]:
        print("  worst:", r)
