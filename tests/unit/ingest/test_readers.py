"""Each reader on a tiny file: ids, labels, relationships and evidence it must produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers.hetionet import HetionetReader, hetionet_id
from ingest.readers.hifld import HifldReader
from ingest.readers.hsdn import HsdnReader
from ingest.readers.medline import MedlineReader
from ingest.readers.orpas import OrPasReader
from ingest.readers.pharmacotherapydb import PharmacotherapyDbReader
from ingest.readers.zh import ZhReader
from medkg.errors import RowError
from medkg.types import Node, Relationship
from tests.unit.ingest.helpers import HETIONET_HEADER, collect, write


def _nodes(items: list[object]) -> dict[str, Node]:
    return {i.id: i for i in items if isinstance(i, Node)}


def _rels(items: list[object]) -> list[Relationship]:
    return [i for i in items if isinstance(i, Relationship)]


@pytest.mark.parametrize(
    ("kind", "local", "expected"),
    [
        ("Disease", "DOID:9352", "DOID:9352"),
        ("Compound", "DB00331", "DrugBank:DB00331"),
        ("Symptom", "D000006", "MESH:D000006"),
        ("Anatomy", "UBERON:0000002", "UBERON:0000002"),
        ("Gene", "1234", "Entrez:1234"),
        ("Side Effect", "C0000727", "UMLS:C0000727"),
        ("Pharmacologic Class", "N0000000069", "NDF-RT:N0000000069"),
        ("Biological Process", "GO:0000002", "GO:0000002"),
        ("Pathway", "WP2338_r78504", "WP:WP2338_r78504"),
        ("Pathway", "PC7_10399", "PC:PC7_10399"),
    ],
)
def test_hetionet_ids_get_our_prefixes(kind: str, local: str, expected: str) -> None:
    """Hetionet '<kind>::<id>' maps to the project's prefixed ids; GO/DOID/UBERON keep theirs."""
    assert hetionet_id(kind, local) == expected


def test_hetionet_reader_labels_and_crlf(tmp_path: Path) -> None:
    """CRLF lines are read; kinds become CamelCase labels; every node carries source 'hetionet'."""
    text = HETIONET_HEADER + "Disease::DOID:9352\ttype 2 diabetes mellitus\tDisease\n" \
        "Pharmacologic Class::N0000000069\tCalcium Channel Antagonists\tPharmacologic Class\n"
    write(tmp_path, "kg/hetionet/hetionet-v1.0-nodes.tsv", text.replace("\n", "\r\n"))
    items, _ = collect(HetionetReader(), tmp_path)
    nodes = _nodes(items)
    assert nodes["DOID:9352"].label == "Disease"
    assert nodes["DOID:9352"].name == "type 2 diabetes mellitus"
    assert nodes["NDF-RT:N0000000069"].label == "PharmacologicClass"
    assert all(n.sources == ("hetionet",) for n in nodes.values())


HSDN = ("symptom_name\tdisease_name\tcooccurs\ttfidf_score\tdisease_id\tsymptom_id\tdoid_code\tdoid_name\n"
        "Chest Pain\tCoronary Disease\t10\t50.0\tD003327\tD002637\tDOID:3393\tcoronary artery disease\n"
        "Chest Pain\tCoronary Artery Disease\t20\t80.0\tD003324\tD002637\tDOID:3393\tcoronary artery disease\n"
        "Cough\tAsthma\t5\t2.0\tD001249\tD003371\tDOID:2841\tasthma\n")


def test_hsdn_merges_duplicate_pairs_and_normalises_weight(tmp_path: Path) -> None:
    """One DOID from two MeSH diseases gives ONE HAS_SYMPTOM with the higher TF-IDF; weights lie in [0, 1]."""
    write(tmp_path, "kg/hsdn/symptoms-DO.tsv", HSDN)
    items, ctx = collect(HsdnReader(), tmp_path)
    rels = _rels(items)
    assert len(rels) == 2
    cad = next(r for r in rels if r.start == "DOID:3393")
    assert (cad.type, cad.end, cad.props["tfidf"], cad.props["cooccurs"]) == ("HAS_SYMPTOM", "MESH:D002637", 80.0, 20)
    assert cad.props["mesh_diseases"] == ["D003324", "D003327"]
    assert cad.weight == 1.0
    assert all(r.weight is not None and 0.0 <= r.weight <= 1.0 for r in rels)
    assert ctx.notes["duplicate_pairs_merged"] == 1
    disease = _nodes(items)["DOID:3393"]
    assert set(disease.props["xrefs"]) == {"MESH:D003324", "MESH:D003327"}  # type: ignore[arg-type]
    assert "Coronary Artery Disease" in disease.synonyms


def test_pharmacotherapydb_categories(tmp_path: Path) -> None:
    """DM → TREATS, SYM → PALLIATES, NOT → NOT_INDICATED_FOR, with curator/resource counts."""
    write(tmp_path, "kg/pharmacotherapydb/indications.tsv",
          "doid_id\tdrugbank_id\tdisease\tdrug\tcategory\tn_curators\tn_resources\n"
          "DOID:10652\tDB00843\tAlzheimer's disease\tDonepezil\tDM\t2\t1\n"
          "DOID:10652\tDB00001\tAlzheimer's disease\tX\tSYM\t1\t1\n"
          "DOID:10652\tDB00002\tAlzheimer's disease\tY\tNOT\t1\t0\n")
    items, _ = collect(PharmacotherapyDbReader(), tmp_path)
    types = {(r.start, r.type) for r in _rels(items)}
    assert types == {("DrugBank:DB00843", "TREATS"), ("DrugBank:DB00001", "PALLIATES"),
                     ("DrugBank:DB00002", "NOT_INDICATED_FOR")}
    treats = next(r for r in _rels(items) if r.type == "TREATS")
    assert treats.props == {"category": "DM", "n_curators": 2, "n_resources": 1}


def test_medline_mirrored_pairs_become_one(tmp_path: Path) -> None:
    """A–B and B–A rows give one COOCCURS_WITH (smaller id first); DO-slim MeSH ids become xrefs/synonyms."""
    head = ("doid_code_0\tdoid_name_0\tdoid_code_1\tdoid_name_1\tcooccurrence\texpected\tenrichment\todds_ratio"
            "\tp_fisher\n")
    write(tmp_path, "kg/medline/disease-disease-cooccurrence.tsv", head
          + "DOID:2\ta\tDOID:1\tb\t10\t5.0\t2.0\t2.1\t0.01\n" + "DOID:1\tb\tDOID:2\ta\t10\t5.0\t2.0\t2.1\t0.01\n")
    write(tmp_path, "kg/medline/DO-slim-to-mesh.tsv",
          "doid_code\tdoid_name\tmesh_id\tmesh_name\nDOID:1\tb\tD000001\tB Neoplasms\n")
    items, ctx = collect(MedlineReader(), tmp_path)
    rels = _rels(items)
    assert [(r.start, r.end) for r in rels] == [("DOID:1", "DOID:2")]
    assert rels[0].props["enrichment"] == 2.0
    assert rels[0].weight == pytest.approx(2 / 3, abs=1e-6)
    assert ctx.notes["mirrored_pairs_merged"] == 1
    slim = next(i for i in items if isinstance(i, Node) and i.id == "DOID:1" and i.props)
    assert slim.props["xrefs"] == ["MESH:D000001"]
    assert "B Neoplasms" in slim.synonyms


def test_hifld_unknown_beds_omitted_and_bom(tmp_path: Path) -> None:
    """The BOM is not part of the first column; BEDS -999 is left out, not stored as a number."""
    head = "X,Y,OBJECTID,ID,NAME,ADDRESS,CITY,STATE,ZIP,TELEPHONE,TYPE,STATUS,LATITUDE,LONGITUDE,BEDS,TRAUMA,HELIPAD\n"
    rows = ("1,2,1,111,A HOSPITAL,1 ST,TOWN,CA,1,(1) 1,GENERAL ACUTE CARE,OPEN,34.0,-118.0,-999,NOT AVAILABLE,N\n"
            "1,2,2,222,B HOSPITAL,2 ST,TOWN,CA,1,(1) 1,CHILDREN,OPEN,34.1,-118.1,120,LEVEL I,Y\n")
    write(tmp_path, "resources/hifld_hospitals.csv", "\ufeff" + head + rows)
    items, ctx = collect(HifldReader(), tmp_path)
    nodes = _nodes(items)
    assert "beds" not in nodes["HIFLD:111"].props
    assert nodes["HIFLD:222"].props["beds"] == 120
    assert nodes["HIFLD:222"].props["trauma"] == "LEVEL I"
    assert nodes["HIFLD:222"].props["helipad"] is True
    assert nodes["HIFLD:111"].props["latitude"] == 34.0
    assert ctx.notes["beds_unknown_omitted"] == 1


ORPAS = """<?xml version="1.0" encoding="UTF-8"?>
<OrPasu_instance name="X">
  <specialisms><specialism>Cardiology</specialism><specialism>Critical_Care</specialism></specialisms>
  <features><feature>oxygen</feature></features>
  <departments>
    <department name="Cardio" min_age="18">
      <main_specialisms><main_specialism>Cardiology</main_specialism></main_specialisms>
      <aux_specialisms><aux_specialism>Critical_Care</aux_specialism></aux_specialisms>
    </department>
  </departments>
  <rooms>
    <room name="R_0" capacity="2" department="Cardio" gender_policy="SameGender">
      <features><feature>oxygen</feature></features>
    </room>
    <room name="R_1" capacity="x" department="Cardio"><features/></room>
  </rooms>
</OrPasu_instance>
"""


def test_orpas_structure(tmp_path: Path) -> None:
    """Departments, rooms, specialisms (main/aux) and features; a bad room is a reject with its line."""
    write(tmp_path, "resources/or_pas/inst1.xml", ORPAS)
    items, _ = collect(OrPasReader(), tmp_path)
    base = "medkg:orpas:inst1"
    nodes = _nodes(items)
    assert nodes[f"{base}:dept:Cardio"].props["min_age"] == 18
    assert nodes[f"{base}:room:R_0"].props["capacity"] == 2
    assert nodes[f"{base}:room:R_0"].props["gender_policy"] == "SameGender"
    kinds = {(r.end, r.props.get("kind")) for r in _rels(items) if r.type == "TREATS_SPECIALISM"}
    assert kinds == {(f"{base}:specialism:Cardiology", "main"), (f"{base}:specialism:Critical_Care", "aux")}
    part_of = {(r.start, r.end) for r in _rels(items) if r.type == "PART_OF"}
    assert (f"{base}:room:R_0", f"{base}:dept:Cardio") in part_of
    bad = [i for i in items if isinstance(i, RowError)]
    assert len(bad) == 1 and bad[0].line == 15 and "capacity" in bad[0].reason


def test_zh_records_relations(tmp_path: Path) -> None:
    """Chinese term lists become lang='zh' nodes; a record gives department, symptom, check, drug and food links."""
    for name, term in (("disease", "百日咳"), ("symptom", "咳嗽"), ("drug", "红霉素片"), ("check", "血常规"),
                       ("food", "鸡蛋"), ("department", "儿科")):
        write(tmp_path, f"kg/zh/dict/{name}.txt", term + "\n")
    cols = ["疾病名称", "疾病描述", "疾病种类", "科室", "症状", "检查", "并发症", "推荐药物", "常用药物", "可以吃",
            "不可以吃", "推荐吃"]
    row = ["百日咳", "儿童呼吸道传染病", "儿科", "儿科,小儿内科", "咳嗽,低热", "血常规", "肺不张", "红霉素片",
           "红霉素片", "鸡蛋", "海虾", "鸡蛋羹"]
    write(tmp_path, "kg/zh/medical_data.csv", ",".join(cols) + "\n" + ",".join(f'"{v}"' for v in row) + "\n")
    items, _ = collect(ZhReader(), tmp_path)
    nodes = _nodes(items)
    did = "medkg:zh:disease:百日咳"
    assert nodes[did].lang == "zh"
    assert nodes[did].props["description"] == "儿童呼吸道传染病"
    rels = {(r.type, r.end) for r in _rels(items) if r.start == did}
    assert ("TREATED_IN", "medkg:zh:department:小儿内科") in rels
    assert ("HAS_SYMPTOM", "medkg:zh:symptom:低热") in rels
    assert ("NEEDS_CHECK", "medkg:zh:check:血常规") in rels
    assert ("COMPLICATED_BY", "medkg:zh:disease:肺不张") in rels
    assert ("AVOID", "medkg:zh:food:海虾") in rels
    drug = next(r for r in _rels(items) if r.type == "RECOMMENDED_FOR")
    assert (drug.start, drug.end, drug.props["kind"]) == ("medkg:zh:drug:红霉素片", did, ["recommended", "common"])
    assert nodes["medkg:zh:department:小儿内科"].label == "Department"
