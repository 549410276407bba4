"""Differential development sets built from the data at hand, and their evaluation.

- ``table_test``: the disease/symptom table's *Testing.csv* rows (the KG holds only *Training.csv*), each written
  as a sentence of its symptoms → the disease. Held out from the graph.
- ``medquad_symptoms``: MedQuAD "What are the symptoms of X?" answers with X's name (and the question) removed,
  first 600 characters → X. Held out from the graph (MedQuAD is literature, not KG facts).
- ``zh_records``: each Chinese disease record's symptom list as a Chinese sentence → the disease. These records
  ARE the Chinese KG's source, so this set is not held out: it checks the Chinese path end to end.

Each line: ``{"question", "diagnosis", "set"}``. A diagnosis is a KG id or a name matched to a Disease node.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kg import GraphStore, normalize_name
from medkg.errors import DataFileError, RowError
from reasoning.consult.models import ConsultationAnswer

__all__ = ["build_dev_sets", "evaluate_differential", "read_cases"]

_SENT_EN = "I have {}. What could it be?"
_SENT_ZH = "我最近{}，这是什么病？"
_MEDQUAD_CHARS = 600


def _table_cases(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = [h.strip() for h in rows[0]]
    for row in rows[1:]:
        if len(row) != len(header):
            continue
        syms = [" ".join(h.replace("_", " ").split()) for h, v in zip(header[:-1], row[:-1], strict=True)
                if v.strip() == "1"]
        if syms:
            text = ", ".join(syms[:-1]) + (" and " if len(syms) > 1 else "") + syms[-1]
            yield {"question": _SENT_EN.format(text), "diagnosis": " ".join(row[-1].split()), "set": "table_test"}


def _medquad_cases(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            o = json.loads(line)
            if o.get("qtype") != "symptoms" or not o.get("focus") or not o.get("answer"):
                continue
            focus = str(o["focus"])
            text = str(o["answer"])
            for name in sorted({focus, *re.findall(r"\(([A-Z][A-Za-z0-9-]{1,9})\)", text)}, key=len, reverse=True):
                text = re.sub(re.escape(name), "this condition", text, flags=re.IGNORECASE)
            text = re.sub(r"^.{0,200}?\?\s*", "", text)  # a restated question at the start
            yield {"question": " ".join(text.split())[:_MEDQUAD_CHARS], "diagnosis": focus, "set": "medquad_symptoms"}


def _zh_cases(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            syms = [s.strip() for s in (rec.get("症状") or "").split(",") if s.strip()]
            if syms and rec.get("疾病名称"):
                yield {"question": _SENT_ZH.format("、".join(syms)), "diagnosis": rec["疾病名称"].strip(),
                       "set": "zh_records"}


def build_dev_sets(data_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write ``<set>.jsonl`` files under ``out_dir``; returns the number of cases per set."""
    makers: dict[str, tuple[Path, Callable[[Path], Iterator[dict[str, str]]]]] = {
        "table_test": (data_dir / "kg/disease_symptom/Testing.csv", _table_cases),
        "medquad_symptoms": (data_dir / "literature/medquad.jsonl", _medquad_cases),
        "zh_records": (data_dir / "kg/zh/medical_data.csv", _zh_cases),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name, (src, make) in makers.items():
        if not src.is_file():
            continue
        try:
            cases = list(make(src))
        except (OSError, ValueError, KeyError) as e:
            raise DataFileError(src, f"cannot build the {name} set: {e}") from e
        with (out_dir / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for c in cases:
                fh.write(json.dumps(c, ensure_ascii=False) + "\n")
        counts[name] = len(cases)
    return counts


def read_cases(path: Path, *, limit: int | None = None) -> list[dict[str, str]]:
    """``{"question", "diagnosis"[, "set"]}`` lines; a malformed line raises :class:`RowError`."""
    out: list[dict[str, str]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot read cases: {e}") from e
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            o = json.loads(line)
        except ValueError as e:
            raise RowError(path, n, f"not JSON ({e})") from e
        if not isinstance(o, dict) or not isinstance(o.get("question"), str) or not isinstance(o.get("diagnosis"), str):
            raise RowError(path, n, "expected {\"question\": str, \"diagnosis\": str}")
        out.append({"question": o["question"], "diagnosis": o["diagnosis"], "set": str(o.get("set") or path.stem)})
        if limit is not None and len(out) >= limit:
            break
    return out


def _targets(store: GraphStore, diagnosis: str) -> set[str]:
    """KG Disease ids a diagnosis stands for (an id, or nodes whose name/synonym equals it)."""
    if re.match(r"^[A-Za-z][\w.-]*:\S+$", diagnosis) and store.get_node(diagnosis) is not None:
        return {diagnosis}
    key = normalize_name(diagnosis)
    return {n.id for n in store.find_nodes(diagnosis, labels=["Disease"], limit=20, exact=True)
            if normalize_name(n.name) == key or key in {normalize_name(s) for s in n.synonyms}}


def evaluate_differential(store: GraphStore, consult: Callable[[str], ConsultationAnswer],
                          cases: Sequence[dict[str, str]]) -> dict[str, Any]:
    """top-1/top-5 per set, over the cases whose diagnosis is a KG disease (``reachable``); ms per case."""
    per: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        s = per[case["set"]]
        s["n"] += 1
        targets = _targets(store, case["diagnosis"])
        if not targets:
            continue
        s["reachable"] += 1
        ans = consult(case["question"])
        s["ms"] += ans.timings_ms.get("structured", 0.0)
        ids = [d.id for d in ans.differential]
        rank = next((i for i, d in enumerate(ids, start=1) if d in targets), None)
        s["top1"] += rank == 1
        s["top5"] += rank is not None and rank <= 5
        if (rank is None or rank > 5) and len(misses[case["set"]]) < 5:
            misses[case["set"]].append({"diagnosis": case["diagnosis"], "top3": [d.name for d in ans.differential[:3]]})
    report: dict[str, Any] = {}
    for name, s in sorted(per.items()):
        r = s["reachable"] or 1
        report[name] = {"n": int(s["n"]), "reachable": int(s["reachable"]), "top1": round(s["top1"] / r, 4),
                        "top5": round(s["top5"] / r, 4), "ms_per_case": round(s["ms"] / r, 2),
                        "misses": misses.get(name, [])}
    return report
