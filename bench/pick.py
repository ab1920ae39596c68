"""Reads a demo JSON Lines file; prints shell assignments for the first agent habilitated to QF through a
convention in force, and writes the NIRs of the dossiers within his partner's competence, one per line."""
import json, sys

src, nirs_out = sys.argv[1], sys.argv[2]
partners, in_force, user = {}, set(), None
records = [json.loads(line) for line in open(src, encoding="utf-8")]
for r in records:
    if r["type"] == "partenaire":
        partners[(r["caisse"], r["numero_tiers"])] = set(r["departements"])
    elif r["type"] == "convention" and r.get("formalite_cnil_le") and not r.get("fin_le"):
        in_force.add((r["caisse"], r["numero"]))
for r in records:
    if r["type"] == "utilisateur" and user is None:
        habs = r["habilitations"]
        if habs and all((r["caisse"], h["convention"]) in in_force and h["bouquet"] == "QF" for h in habs):
            user = r
if user is None:
    sys.exit("no utilisateur in the demo file")
deps = partners[(user["caisse"], user["partenaire"])]
with open(nirs_out, "w") as out:
    for r in records:
        # Dossiers under opposition answer 403 (OP-1): left out so every request measured is a full answer.
        if (r["type"] == "dossier" and r["caisse"] == user["caisse"] and r["departement"] in deps
                and not r.get("opposition")):
            for p in r["allocataires"]:
                if p.get("nir"):
                    out.write(p["nir"] + "\n")
print(f"CAISSE='{user['caisse']}'")
print(f"IDENTIFIANT='{user['identifiant']}'")
print(f"MOT_DE_PASSE='{user['mot_de_passe_provisoire']}'")
