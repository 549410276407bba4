"""Tiny literature fixtures written into tmp_path, and a small KG for the linker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medkg.types import Node

__all__ = ["KG_NODES", "PUBMED_XML", "write_data_dir", "write_jsonl"]


def _n(id_: str, label: str, name: str, *syn: str, lang: str | None = None,
       props: dict[str, Any] | None = None) -> Node:
    return Node.model_validate({"id": id_, "label": label, "name": name, "synonyms": syn, "lang": lang,
                                "sources": ("testkg",), "props": props or {}})


KG_NODES = [
    _n("DOID:9352", "Disease", "type 2 diabetes mellitus", "T2DM",
       props={"mesh": "MESH:D003924", "mesh_name": "Diabetes Mellitus, Type 2"}),
    _n("DOID:9351", "Disease", "diabetes mellitus"),
    _n("DOID:8778", "Disease", "Crohn's disease"),
    _n("DOID:14188", "Disease", "Ménière's disease"),
    _n("DOID:10763", "Disease", "hypertension", "high blood pressure"),
    _n("MESH:D002637", "Symptom", "Chest Pain"),
    _n("MESH:D005334", "Symptom", "Fever"),
    _n("MESH:D006261", "Symptom", "Headache"),
    _n("MESH:D000006", "Symptom", "Abdomen, Acute"),
    _n("MESH:D009369", "Symptom", "Neoplasms"),
    _n("DrugBank:DB00331", "Compound", "Metformin"),
    _n("Entrez:7157", "Gene", "TP53"),
    _n("Entrez:1636", "Gene", "ACE"),
    _n("UMLS:C0038435", "SideEffect", "Stress"),
    _n("UMLS:C0085693", "SideEffect", "Acute appendicitis"),
    _n("DOID:8337", "Disease", "appendicitis"),
    _n("UBERON:0001264", "Anatomy", "pancreas"),
    _n("medkg:zh:disease:糖尿病", "Disease", "糖尿病", lang="zh"),
    _n("medkg:zh:disease:2型糖尿病", "Disease", "2型糖尿病", lang="zh"),
    _n("medkg:zh:disease:高血压", "Disease", "高血压", lang="zh"),
    _n("medkg:zh:symptom:头痛", "Symptom", "头痛", lang="zh"),
    _n("medkg:zh:symptom:无力", "Symptom", "无力", lang="zh"),
    _n("medkg:zh:symptom:发热", "Symptom", "发热", lang="zh"),
    _n("medkg:zh:check:CT", "Check", "CT", lang="zh"),
    _n("medkg:zh:symptom:医生", "Symptom", "医生", lang="zh"),
]

PUBMED_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">
<PubmedArticleSet>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">111</PMID>
    <Article PubModel="Print">
      <Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2019</Year></PubDate></JournalIssue></Journal>
      <ArticleTitle>Metformin in <i>type 2 diabetes mellitus</i>.</ArticleTitle>
      <Abstract>
        <AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Metformin is first-line therapy.</AbstractText>
        <AbstractText Label="RESULTS" NlmCategory="RESULTS">Patients had no fever &amp; no headache.</AbstractText>
      </Abstract>
    </Article>
    <MeshHeadingList>
      <MeshHeading><DescriptorName UI="D003924">Diabetes Mellitus, Type 2</DescriptorName></MeshHeading>
      <MeshHeading><DescriptorName UI="D008687">Metformin</DescriptorName></MeshHeading>
    </MeshHeadingList>
  </MedlineCitation>
</PubmedArticle>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">222</PMID>
    <Article PubModel="Print">
      <Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></JournalIssue></Journal>
      <ArticleTitle>A title without abstract.</ArticleTitle>
    </Article>
  </MedlineCitation>
</PubmedArticle>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">333</PMID>
    <Article PubModel="Print">
      <Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></JournalIssue></Journal>
      <ArticleTitle>Unlabelled abstract.</ArticleTitle>
      <Abstract><AbstractText>Hypertension was common.</AbstractText></Abstract>
    </Article>
  </MedlineCitation>
</PubmedArticle>
</PubmedArticleSet>
"""


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
    return path


def write_data_dir(root: Path, *, pubmed_pmids: tuple[str, ...] = ("101", "102")) -> Path:
    """A data dir with all four default sources, a few rows each."""
    write_jsonl(root / "literature" / "pubmed_abstracts.jsonl", [
        {"pmid": p, "year": "2011", "mesh": ["Diabetes Mellitus, Type 2", "Metformin"], "sections": [
            {"label": "BACKGROUND", "text": f"Study {p}. Type 2 diabetes mellitus is common."},
            {"label": "RESULTS", "text": "Metformin lowered glucose. Patients denied chest pain."},
        ]} for p in pubmed_pmids
    ])
    write_jsonl(root / "literature" / "bioasq_snippets.jsonl", [
        {"document": "900", "text": "TP53 mutations in the pancreas.", "section": "title"},
        {"document": "900", "text": "Hypertension is a risk factor.", "section": "abstract"},
        {"document": "901", "text": "Headache and fever were reported.", "section": "abstract"},
    ])
    write_jsonl(root / "literature" / "medquad.jsonl", [
        {"id": "0001_1-1", "source": "GHR", "url": "https://example.org/a", "focus": "Crohn's disease",
         "cuis": ["C0010346"], "semantic_group": "Disorders", "qtype": "information",
         "question": "What is Crohn's disease ?", "answer": "Crohn's disease is an inflammatory bowel disease."},
        {"id": "0002_1-1", "source": "GHR", "url": "https://example.org/b", "focus": "Hypertension", "cuis": [],
         "semantic_group": None, "qtype": "symptoms", "question": "What are the symptoms of Hypertension ?",
         "answer": "High blood pressure often has no symptoms but may cause headache."},
    ])
    write_jsonl(root / "dialogue" / "zh_consultations.jsonl", [
        {"department": "内分泌科", "title": "糖尿病怎么办", "ask": "我有2型糖尿病，没有头痛。", "answer": "控制血糖。"},
        {"department": "心血管科", "title": "高血压", "ask": "高血压头痛怎么办", "answer": "按时服药。"},
    ])
    return root
