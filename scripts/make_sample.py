"""Build the bundled sample ``medkg/sample_data/`` from the full data (default ``../shared/data``), deterministically.

Openly licensed or synthetic sources (Hetionet, HSDN, PharmacotherapyDB, MEDLINE: CC0; Synthea: synthetic; HIFLD:
US government open data; PubMedQA, Chinese dialogues: MIT; MedQuAD: CC BY 4.0), and small attributed excerpts of
three sources that state no licence (the disease/symptom table, the Chinese KG, one OR-PAS instance), so the demo
shows every kind of source medkg reads (see LICENSES.md). Rows are chosen so the sources connect: the same
diseases in every KG source and in the MedQuAD questions, Synthea patients whose conditions link to them,
California hospitals (the Synthea population lives in California). The whole sample stays under
``SIZE_LIMIT`` bytes (checked here and by tests/unit/retrieval/test_sample_data.py).

Run: ``python scripts/make_sample.py [--src ../shared/data] [--out medkg/sample_data]``
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
from collections import defaultdict
from pathlib import Path

__all__ = ["main"]

REPO = Path(__file__).resolve().parent.parent
DISEASES = (
    "DOID:10763", "DOID:9352", "DOID:9744", "DOID:2841", "DOID:3083", "DOID:3393", "DOID:10652", "DOID:6364",
    "DOID:7148", "DOID:8398", "DOID:9970", "DOID:8893", "DOID:2043", "DOID:12365", "DOID:1459", "DOID:635",
    "DOID:2355", "DOID:1826", "DOID:4481", "DOID:1324", "DOID:1612", "DOID:14330", "DOID:3310", "DOID:11476",
    "DOID:14221", "DOID:1094",
)
PATIENTS = ("c0e63111", "87855681", "16cb8a83", "7bada3c7", "4815fd50", "72d3add5", "05ac6b28")
RECENT_ENCOUNTERS = 12
HSDN_PER_DISEASE = 12
OTHER_KINDS_PER_KIND = 15
HOSPITALS = 250


def _read(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> tuple[list[str], list[list[str]]]:
    text = path.read_text(encoding=encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",", bom: bool = False,
           crlf: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8"))


def _kg(src: Path, out: Path) -> set[str]:
    wanted = set(DISEASES)
    # PharmacotherapyDB: indications of the chosen diseases.
    h, ind = _read(src / "kg/pharmacotherapydb/indications.tsv", "\t")
    ind = [r for r in ind if r[0] in wanted]
    _write(out / "kg/pharmacotherapydb/indications.tsv", h, ind, "\t")
    drugs = {r[1] for r in ind}
    for name, col in (("diseases.tsv", 0), ("drugs.tsv", 0)):
        h2, rows = _read(src / f"kg/pharmacotherapydb/{name}", "\t")
        keep = wanted if name == "diseases.tsv" else drugs
        _write(out / f"kg/pharmacotherapydb/{name}", h2, [r for r in rows if r[col] in keep], "\t")
    # HSDN: the strongest symptoms of each chosen disease.
    h, hs = _read(src / "kg/hsdn/symptoms-DO.tsv", "\t")
    per: dict[str, list[list[str]]] = defaultdict(list)
    for r in hs:
        if r[6] in wanted:
            per[r[6]].append(r)
    hs_keep: list[list[str]] = []
    for d in sorted(per):
        top = sorted(per[d], key=lambda r: (-float(r[3]), r[5], r[4]))[:HSDN_PER_DISEASE]
        hs_keep.extend(top)
    keys = {(r[6], r[5]) for r in hs_keep}
    hs_keep = [r for r in hs if (r[6], r[5]) in keys]  # keep duplicates of a kept pair (several MeSH diseases)
    _write(out / "kg/hsdn/symptoms-DO.tsv", h, hs_keep, "\t")
    symptoms = {r[5] for r in hs_keep}
    # MEDLINE: co-occurrence among the chosen diseases (both directions) and their DO-slim ↔ MeSH rows.
    h, co = _read(src / "kg/medline/disease-disease-cooccurrence.tsv", "\t")
    _write(out / "kg/medline/disease-disease-cooccurrence.tsv", h, [r for r in co if r[0] in wanted and r[2] in wanted],
           "\t")
    h, sl = _read(src / "kg/medline/DO-slim-to-mesh.tsv", "\t")
    _write(out / "kg/medline/DO-slim-to-mesh.tsv", h, [r for r in sl if r[0] in wanted], "\t")
    return {f"Disease::{d}" for d in wanted} | {f"Symptom::{s}" for s in symptoms} | {f"Compound::{c}" for c in drugs}


def _synthea(src: Path, out: Path) -> set[str]:
    d = src / "records/synthea"
    h, pats = _read(d / "patients.csv")
    pats = [r for r in pats if r[0][:8] in PATIENTS]
    pids = {r[0] for r in pats}
    he, encs = _read(d / "encounters.csv")
    encs = [r for r in encs if r[he.index("PATIENT")] in pids]
    hc, conds = _read(d / "conditions.csv")
    conds = [r for r in conds if r[hc.index("PATIENT")] in pids]
    cond_encs = {r[hc.index("ENCOUNTER")] for r in conds}
    by_patient: dict[str, list[list[str]]] = defaultdict(list)
    for r in encs:
        by_patient[r[he.index("PATIENT")]].append(r)
    keep_encs: set[str] = set()
    for rows in by_patient.values():
        rows.sort(key=lambda r: r[1])
        keep_encs |= {r[0] for r in rows[-RECENT_ENCOUNTERS:]} | {r[0] for r in rows if r[0] in cond_encs}
    encs = [r for r in encs if r[0] in keep_encs]
    _write(out / "records/synthea/patients.csv", h, pats)
    _write(out / "records/synthea/encounters.csv", he, encs)
    for name in ("conditions", "medications", "observations", "procedures", "allergies"):
        hx, rows = _read(d / f"{name}.csv")
        pi, ei = hx.index("PATIENT"), hx.index("ENCOUNTER")
        keep = [r for r in rows if r[pi] in pids and (r[ei] in keep_encs or name == "allergies")]
        _write(out / f"records/synthea/{name}.csv", hx, keep)
    provs = {r[he.index("PROVIDER")] for r in encs}
    orgs = {r[he.index("ORGANIZATION")] for r in encs}
    hp, prows = _read(d / "providers.csv")
    prows = [r for r in prows if r[0] in provs]
    orgs |= {r[1] for r in prows}
    _write(out / "records/synthea/providers.csv", hp, prows)
    ho, orows = _read(d / "organizations.csv")
    _write(out / "records/synthea/organizations.csv", ho, [r for r in orows if r[0] in orgs])
    return set()


def _hetionet(src: Path, out: Path, wanted: set[str], compounds: set[str]) -> None:
    h, rows = _read(src / "kg/hetionet/hetionet-v1.0-nodes.tsv", "\t")
    rows = [[c.strip() for c in r] for r in rows]
    per_kind: dict[str, int] = defaultdict(int)
    keep: list[list[str]] = []
    for r in rows:
        kind = r[2]
        if r[0] in wanted or (kind == "Compound" and r[1].lower() in compounds):
            keep.append(r)
        elif kind not in ("Disease", "Symptom", "Compound") and per_kind[kind] < OTHER_KINDS_PER_KIND:
            per_kind[kind] += 1
            keep.append(r)
    _write(out / "kg/hetionet/hetionet-v1.0-nodes.tsv", [c.strip() for c in h], keep, "\t", crlf=True)
    shutil.copyfile(src / "kg/hetionet/hetionet-v1.0-metagraph.json", out / "kg/hetionet/hetionet-v1.0-metagraph.json")


def _hifld(src: Path, out: Path) -> None:
    h, rows = _read(src / "resources/hifld_hospitals.csv", encoding="utf-8-sig")
    st = h.index("STATE")
    ca = sorted((r for r in rows if r[st] == "CA"), key=lambda r: int(r[h.index("ID")]))[:HOSPITALS]
    _write(out / "resources/hifld_hospitals.csv", h, ca, bom=True)


def _synthea_ingredients(out: Path) -> set[str]:
    """Lower-cased first words of the sample's medication descriptions (to keep their DrugBank compounds)."""
    _, rows = _read(out / "records/synthea/medications.csv")
    names: set[str] = set()
    for r in rows:
        for part in r[6].split(" / "):
            words: list[str] = []
            for w in part.split():
                if any(ch.isdigit() for ch in w):
                    if words:
                        break
                    continue
                words.append(w)
            if words:
                names.add(words[0].lower())
    return names | {"acetylsalicylic acid", "salbutamol"}


PUBMED_ABSTRACTS = 120
ZH_CONSULTATIONS = 150
SIZE_LIMIT = 2_000_000  # bytes: the bundled sample stays under 2 MB
MEDQUAD_ROWS = 240
MEDQUAD_MAX_ANSWER = 2500  # characters: long answers would eat the size limit
# MedQuAD focus names of the sample diseases (first: the demo's "What are the symptoms of type 2 diabetes?")
MEDQUAD_FOCUS = (
    "diabetes type 2", "diabetes", "type 2 diabetes", "high blood pressure", "hypertension", "asthma",
    "copd", "chronic obstructive pulmonary disease", "coronary artery disease", "coronary heart disease",
    "alzheimer's disease", "parkinson's disease", "hiv/aids", "allergic rhinitis", "hay fever", "anemia",
    "atopic dermatitis", "eczema", "attention deficit hyperactivity disorder", "breast cancer", "epilepsy",
    "hepatitis b", "hypothyroidism", "lung cancer", "malaria", "metabolic syndrome", "migraine", "obesity",
    "osteoarthritis", "osteoporosis", "psoriasis", "rheumatoid arthritis", "diabetes type 1", "type 1 diabetes",
)
DISEASE_SYMPTOM_ROWS = 4  # training rows per disease (all 41 diseases)
ZH_RECORDS = ("百日咳", "喘息样支气管炎", "大叶性肺炎", "肺气肿", "肺炎球菌肺炎")
ZH_TERMS = 120  # first terms of each Chinese term list
ORPAS_INSTANCE = "or_pas_dept4_short07.xml"  # the smallest of resources/or_pas


def _literature(src: Path, out: Path) -> None:
    """The first PubMed abstracts (MIT) and Chinese consultations spread over every department (MIT).
    BioASQ (NLM terms) is not bundled; MedQuAD comes from :func:`_medquad`."""
    lit = out / "literature"
    lit.mkdir(parents=True, exist_ok=True)
    lines = (src / "literature/pubmed_abstracts.jsonl").read_text(encoding="utf-8").splitlines()
    (lit / "pubmed_abstracts.jsonl").write_text("\n".join(lines[:PUBMED_ABSTRACTS]) + "\n", encoding="utf-8")
    zh = (src / "dialogue/zh_consultations.jsonl").read_text(encoding="utf-8").splitlines()
    step = max(1, len(zh) // ZH_CONSULTATIONS)
    picked = [ln for ln in zh[::step] if len(ln) < 2000][:ZH_CONSULTATIONS]
    (out / "dialogue").mkdir(parents=True, exist_ok=True)
    (out / "dialogue/zh_consultations.jsonl").write_text("\n".join(picked) + "\n", encoding="utf-8")


def _medquad(src: Path, out: Path) -> None:
    """MedQuAD (CC BY 4.0) question/answer pairs about the sample diseases: per focus in MEDQUAD_FOCUS order, the
    symptom questions first, answers of at most MEDQUAD_MAX_ANSWER characters, MEDQUAD_ROWS in all."""
    import json

    rows = [json.loads(ln) for ln in (src / "literature/medquad.jsonl").read_text(encoding="utf-8").splitlines()]
    rank = {f: i for i, f in enumerate(MEDQUAD_FOCUS)}
    picked = [
        r
        for r in rows
        if str(r.get("focus", "")).lower() in rank and len(str(r.get("answer", ""))) <= MEDQUAD_MAX_ANSWER
    ]
    picked.sort(key=lambda r: (rank[str(r["focus"]).lower()], r.get("qtype") != "symptoms", str(r["id"])))
    lines = [json.dumps(r, ensure_ascii=False) for r in picked[:MEDQUAD_ROWS]]
    (out / "literature/medquad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _disease_symptom(src: Path, out: Path) -> None:
    """The disease/symptom table (itachi9604/healthcare-chatbot): the first DISEASE_SYMPTOM_ROWS training rows of
    each of its 41 diseases (every symptom column kept), and its severity, description and precaution tables."""
    d, o = src / "kg/disease_symptom", out / "kg/disease_symptom"
    o.mkdir(parents=True, exist_ok=True)
    h, rows = _read(d / "Training.csv")
    per: dict[str, int] = defaultdict(int)
    keep = []
    for r in rows:
        if r and per[r[-1]] < DISEASE_SYMPTOM_ROWS:
            per[r[-1]] += 1
            keep.append(r)
    _write(o / "Training.csv", h, keep)
    for name in ("Symptom_severity.csv", "symptom_Description.csv", "symptom_precaution.csv"):
        shutil.copyfile(d / name, o / name)


def _zh_kg(src: Path, out: Path) -> None:
    """The Chinese KG (liuhuanyong/QASystemOnMedicalKG): the ZH_RECORDS disease records, every department, and the
    first ZH_TERMS terms of the other term lists plus those of the records' diseases (their symptoms, checks and
    drugs become nodes from the records themselves)."""
    d, o = src / "kg/zh", out / "kg/zh"
    (o / "dict").mkdir(parents=True, exist_ok=True)
    h, rows = _read(d / "medical_data.csv")
    name = h.index("疾病名称")
    recs = [r for r in rows if r and r[name] in ZH_RECORDS]
    _write(o / "medical_data.csv", h, recs)
    for f in ("disease.txt", "symptom.txt", "drug.txt", "check.txt", "food.txt", "department.txt"):
        terms = (d / "dict" / f).read_text(encoding="utf-8").splitlines()
        keep = terms if f == "department.txt" else terms[:ZH_TERMS]
        if f == "disease.txt":
            keep = keep + [t for t in ZH_RECORDS if t in terms]
        (o / "dict" / f).write_text("\n".join(dict.fromkeys(keep)) + "\n", encoding="utf-8")


def _orpas(src: Path, out: Path) -> None:
    """One OR-PAS instance (YihangZhu/Dynamic-patient-admission-scheduling), the smallest, with the XSDs."""
    o = out / "resources/or_pas"
    o.mkdir(parents=True, exist_ok=True)
    for name in (ORPAS_INSTANCE, "OrPasInstance.xsd", "OrPasSolution.xsd"):
        shutil.copyfile(src / "resources/or_pas" / name, o / name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "medkg" / "sample_data")
    args = ap.parse_args()
    src, out = args.src.resolve(), args.out.resolve()
    for sub in ("kg", "records", "resources", "literature", "dialogue"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    wanted = _kg(src, out)
    _synthea(src, out)
    _hetionet(src, out, wanted, _synthea_ingredients(out))
    _hifld(src, out)
    _literature(src, out)
    _medquad(src, out)
    _disease_symptom(src, out)
    _zh_kg(src, out)
    _orpas(src, out)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"sample written to {out}: {total / 1e6:.2f} MB")
    if total >= SIZE_LIMIT:
        raise SystemExit(f"the sample is {total:,} bytes, over the limit of {SIZE_LIMIT:,}: pick fewer rows")


if __name__ == "__main__":
    main()
