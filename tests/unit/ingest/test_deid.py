"""De-identification: by default no stored property of any node carries a patient's identifying values."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest

from ingest import run_ingest
from ingest.deid import Pseudonymizer, load_or_create_key
from kg.store import GraphStore
from medkg.data import SAMPLE_DIR
from medkg.errors import ConfigurationError
from medkg.settings import Settings
from medkg.types import Node
from tests.unit.ingest.memstore import MemStore

SYN = SAMPLE_DIR / "records/synthea"
# ZIP is checked on Patient nodes only: a patient may share a ZIP code with a (public) hospital.
PATIENT_IDENT = ("Id", "SSN", "DRIVERS", "PASSPORT", "FIRST", "LAST", "MAIDEN", "ADDRESS", "BIRTHPLACE", "BIRTHDATE")


def _rows(name: str) -> list[dict[str, str]]:
    with (SYN / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _values(node: Node) -> list[str]:
    out = [node.id, node.name, *node.synonyms]
    for v in node.props.values():
        out.extend(str(x) for x in (v if isinstance(v, list) else [v]))
    return out


def _secrets() -> tuple[set[str], set[float]]:
    texts: set[str] = set()
    coords: set[float] = set()
    for r in _rows("patients"):
        texts |= {r[c].strip() for c in PATIENT_IDENT if len(r[c].strip()) >= 4}
        coords |= {float(r["LAT"]), float(r["LON"])}
    for r in _rows("providers"):
        texts |= {r["Id"], r["NAME"]}  # their ADDRESS is the (public) organisation address
    for r in _rows("organizations"):
        if r["PHONE"]:
            texts.add(r["PHONE"])
    for r in _rows("encounters"):
        texts.add(r["Id"])
    return texts, coords


def test_default_stores_no_identifiers(embedded_store: GraphStore, tmp_path: Path) -> None:
    """Scan every stored property of every node: no raw name, SSN, licence, passport, address, birth date, phone,
    patient coordinate or Synthea id survives; birth dates are years."""
    run_ingest(embedded_store, SAMPLE_DIR, ["records"], settings=Settings(home=tmp_path))
    texts, coords = _secrets()
    assert len(texts) > 50
    nodes = embedded_store.get_nodes(embedded_store.node_ids())
    assert len(nodes) > 1000
    for node in nodes:
        blob = " | ".join(_values(node))
        leaked = [t for t in texts if t in blob]
        assert not leaked, f"{node.id} leaks {leaked[:3]}"
        floats = {v for v in node.props.values() if isinstance(v, float)}
        assert not (floats & coords), f"{node.id} leaks patient coordinates"
    patients = embedded_store.get_nodes(embedded_store.node_ids(label="Patient"))
    assert len(patients) == 7
    for p in patients:
        assert p.id.startswith("medkg:patient:") and len(p.id) == len("medkg:patient:") + 64
        assert isinstance(p.props["birth_year"], int)
        assert not {"ssn", "first", "last", "address", "birthdate", "latitude", "longitude"} & p.props.keys()


def test_keep_identifiers_is_an_explicit_opt_in(tmp_path: Path) -> None:
    """keep_identifiers=True keeps names, SSN and the Synthea id."""
    st = MemStore()
    run_ingest(st, SAMPLE_DIR, ["records"], settings=Settings(home=tmp_path), keep_identifiers=True)
    first = _rows("patients")[0]
    node = st.nodes[f"medkg:patient:{first['Id']}"]
    assert node.props["ssn"] == first["SSN"]
    assert first["FIRST"] in node.name


def test_key_created_once_and_ids_stable(tmp_path: Path) -> None:
    """The key is created once (mode 0600) and reused, so patient ids are stable across re-ingests."""
    settings = Settings(home=tmp_path)
    a, b = MemStore(), MemStore()
    run_ingest(a, SAMPLE_DIR, ["records"], settings=settings)
    key_file = tmp_path / "keys" / "deid.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes()
    run_ingest(b, SAMPLE_DIR, ["records"], settings=settings)
    assert key_file.read_bytes() == key
    assert a.node_ids(label="Patient") == b.node_ids(label="Patient")
    other = Settings(home=tmp_path / "elsewhere")
    c = MemStore()
    run_ingest(c, SAMPLE_DIR, ["records"], settings=other)
    assert set(c.node_ids(label="Patient")).isdisjoint(a.node_ids(label="Patient"))


def test_pseudonymizer_rules(tmp_path: Path) -> None:
    """Tokens are keyed HMACs; a short key is refused; a corrupt key file is a configuration error."""
    p1, p2 = Pseudonymizer(b"k" * 32), Pseudonymizer(b"j" * 32)
    assert p1.token("x") == p1.token("x") != p2.token("x")
    assert len(p1.token("x")) == 64
    import hashlib
    import hmac

    want = hmac.new(b"k" * 32, b"a\x1fb", hashlib.sha256).hexdigest()  # the reused keyed MAC is plain HMAC
    assert p1.token("a", "b") == want and p1.token("x") != want and p1.token("a", "b") == want
    assert Pseudonymizer(b"k" * 32, keep_identifiers=True).token("raw-id") == "raw-id"
    with pytest.raises(ConfigurationError):
        Pseudonymizer(b"short")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "deid.key").write_bytes(b"too short")
    with pytest.raises(ConfigurationError, match="32 bytes"):
        load_or_create_key(tmp_path)
