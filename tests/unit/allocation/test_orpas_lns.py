"""LNS over single-room plans: never worse than its start, the result is feasible and its cost is the validator's."""

from __future__ import annotations

from pathlib import Path

import pytest

from reasoning.allocation.orpas.greedy import greedy_schedule
from reasoning.allocation.orpas.lns import improve_plan
from reasoning.allocation.orpas.solve import to_solution
from reasoning.allocation.orpas.validator import validate_solution
from reasoning.allocation.orpas.xml_io import load_instance
from tests.unit.allocation.orpas_fixtures import instance_xml, write
from tests.unit.allocation.test_orpas_solver import _extra


def test_lns_improves_or_keeps_the_greedy_plan(tmp_path: Path) -> None:
    inst = load_instance(write(tmp_path, "crowd.xml", instance_xml(extra_patients=_extra(4, 5), n_patients=6)),
                         validate=False)
    plan, failed = greedy_schedule(inst, inst.patients)
    assert failed == []
    start = validate_solution(inst, to_solution(inst, plan)).costs.total
    better, obj, kept = improve_plan(inst, plan, start, time_limit=4)
    rep = validate_solution(inst, to_solution(inst, better))
    assert rep.feasible, rep.messages
    assert obj == pytest.approx(rep.costs.total, abs=1e-6) and rep.costs.total <= start
    assert set(better) == set(plan)
    assert (kept > 0) == (obj < start)  # a kept move is an improving one
