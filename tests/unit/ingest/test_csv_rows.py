"""Issue 18, item 14: a stray quote is reported at the line its record STARTED on and costs that row only; rows of
only empty fields and rows of the wrong width are rejects (strict: the run stops at them), in the KG/record tables
and in literature CSV files alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import IngestOptions, RejectSink, ingest_source
from ingest.literature import read_medquad
from ingest.readers.base import TableSpec, csv_records, read_table
from ingest.readers.pharmacotherapydb import PharmacotherapyDbReader
from medkg.errors import DataFileError, RowError
from tests.unit.ingest.helpers import write
from tests.unit.ingest.memstore import MemStore

IND = "kg/pharmacotherapydb/indications.tsv"
HEADER = "doid_id\tdrugbank_id\tdisease\tdrug\tcategory\tn_curators\tn_resources\n"


def _row(i: int, drug: str = "drug") -> str:
    return f"DOID:{i}\tDB0000{i}\tdisease {i}\t{drug} {i}\tDM\t1\t1\n"


def test_stray_quote_is_reported_where_the_record_started_and_costs_one_row(tmp_path: Path) -> None:
    """Old code: the quote swallowed lines 3-6 and the reject named line 6, the end of the file."""
    write(tmp_path, IND, HEADER + _row(1) + _row(2, drug='"unclosed') + _row(3) + _row(4) + _row(5))
    report = ingest_source(MemStore(), PharmacotherapyDbReader(), tmp_path, IngestOptions())
    assert [r.line for r in report.rejected] == [3]
    assert report.rows_read == 5 and report.relationships_written == 4  # rows 2, 4, 5, 6 all kept


def test_csv_records_resyncs_after_a_stray_quote() -> None:
    text = 'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n"x\ny",2,3\n'
    got = [(line, fields) for line, fields, _ in csv_records(text, width=3)]
    assert got == [(1, ["a", "b", "c"]), (2, ["1", "2", "3"]), (3, None), (4, ["7", "8", "9"]),
                   (5, ["x\ny", "2", "3"])]  # a quoted field over two lines is a fine record


def test_empty_and_wrong_width_rows_are_rejects_and_strict_stops_at_them(tmp_path: Path) -> None:
    """Old code: a row of only empty fields was skipped silently, even with --strict."""
    write(tmp_path, IND, HEADER + _row(1) + "\t\t\t\t\t\t\n" + _row(2) + "DOID:3\tDB3\n")
    report = ingest_source(MemStore(), PharmacotherapyDbReader(), tmp_path, IngestOptions())
    assert [r.line for r in report.rejected if "wrong number" in r.reason] == [3, 5]
    with pytest.raises(RowError) as e:
        ingest_source(MemStore(), PharmacotherapyDbReader(), tmp_path, IngestOptions(strict=True))
    assert e.value.line == 3


def test_header_only_table_is_empty(tmp_path: Path) -> None:
    p = write(tmp_path, "t.tsv", HEADER)
    with pytest.raises(DataFileError, match="file is empty"):
        list(read_table(p, TableSpec(required=("doid_id",), delimiter="\t")))
    assert list(read_table(p, TableSpec(required=("doid_id",), delimiter="\t", allow_no_rows=True))) == []


def test_literature_csv_stray_quote_empty_and_wrong_width_rows(tmp_path: Path) -> None:
    p = tmp_path / "m.csv"
    p.write_text(
        "id,question,answer\n"
        "A,What is A ?,A is a thing.\n"
        'B,"What is B ?,B is\n'
        "C,What is C ?,C is another.\n"
        ",,\n"
        "D,What is D ?\n",
        encoding="utf-8",
    )
    sink = RejectSink()
    docs = list(read_medquad(p, sink))
    assert [d.cite_stem for d in docs] == ["medquad:A", "medquad:C"]
    assert [(r.line, r.reason.split(" ")[0]) for r in sink.rejects] == [(3, "the"), (5, "a"), (6, "2")]
    with pytest.raises(RowError) as e:
        list(read_medquad(p, RejectSink(strict=True)))
    assert e.value.line == 3
