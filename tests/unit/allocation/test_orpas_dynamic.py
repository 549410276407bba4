"""Dynamic-mode pieces: droppable patients in the day model, reserves for urgent arrivals, postponement costs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reasoning.allocation.orpas import dynamic as orpas_dynamic
from reasoning.allocation.orpas.domain import WEIGHTS, OrPasInstance
from reasoning.allocation.orpas.dynamic import (
    FAR_OR_CREDIT,
    MISSED_ADMISSION_COST,
    _outranking,
    _postpone_cost,
    run_dynamic,
)
from reasoning.allocation.orpas.model import BedReserve, ModelOptions, OrCredit, OrReserve, solve_placements
from reasoning.allocation.orpas.options import placement_cost
from reasoning.allocation.orpas.reserves import (
    OR_RESERVE_COST,
    RESERVE_COST,
    RESERVE_DAYS,
    _held,
    _prices,
    day_reserves,
)
from reasoning.allocation.orpas.xml_io import load_instance
from tests.unit.allocation.orpas_fixtures import NO_ROOM_PATIENT, instance_xml, write

# C competes with A for the only oxygen bed (R1) on days 0-1 and must be admitted on day 0.
_C = ('<patient name="C" age="40" gender="Male" treatment="T1" registration="2024-01-01" '
      'admission="2024-01-01" discharge="2024-01-03" variability="0" max_admission="2024-01-01">'
      '<room_properties><room_property name="oxygen" type="needed"/></room_properties></patient>')


def _load(tmp: Path, extra: str) -> OrPasInstance:
    xml = instance_xml(extra_patients=extra, n_patients=3)
    return load_instance(write(tmp, "i.xml", xml), validate=False)


def _with_a_fixed_to_day0(inst: OrPasInstance) -> OrPasInstance:
    pats = [dataclasses.replace(p, max_admission=0) if p.name == "A" else p for p in inst.patients]
    return dataclasses.replace(inst, patients=pats)


@pytest.mark.parametrize(("cost_a", "cost_c", "out"), [(100_000, 50, "C"), (50, 100_000, "A")])
def test_cheaper_drop_is_the_one_left_out(tmp_path: Path, cost_a: int, cost_c: int, out: str) -> None:
    inst = _with_a_fixed_to_day0(_load(tmp_path, _C))
    res = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, drop_cost={"A": cost_a, "C": cost_c}))
    assert res.status == "OPTIMAL"
    assert res.dropped == [out]
    assert set(res.assignment) == {"A", "B", "C"} - {out}


def test_droppable_patient_without_any_room_is_reported_not_raised(tmp_path: Path) -> None:
    inst = _load(tmp_path, NO_ROOM_PATIENT)
    res = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, drop_cost={"N": MISSED_ADMISSION_COST}))
    assert res.dropped == ["N"]
    assert set(res.assignment) == {"A", "B"}


def test_reserves_price_free_beds_and_or_time_by_negative_binomial_tails(tmp_path: Path) -> None:
    inst = _load(tmp_path, _C)
    by = {p.name: p for p in inst.patients}
    assert RESERVE_COST == 20_000 and OR_RESERVE_COST == 50_000
    # negative binomial, mean 1, size 2: P(>=1) = .556, P(>=2) = .259, P(>=3) = .111, P(>=4) = .045, P(>=5) < 3%
    # (Poisson, which the arrivals' bursts outrun, would give .632, .264, .080 and .019, not kept)
    assert _prices(1.0, 40) == (11111, 5185, 2222, 905)
    assert _prices(1.0, 12) == (11111, 5185, 2222)  # a quarter of the beds
    assert _prices(1.0, 4) == (11111,) and _prices(1.0, 1) == (11111,)  # and at least one
    assert _prices(1.0, 4, 0.75) == (11111, 5185, 2222)  # a ward urgent arrivals mostly fill keeps more
    # C: registered and due on day 0 (urgent), R1 only (1 bed), 2 days: one urgent arrival a day, mean 1 on
    # day 1; no surgery seen, so no OR reserve
    assert day_reserves(inst, [by["C"]], 0) == [BedReserve(frozenset({"R1"}), 1, (11111,))]
    # A with three days' notice is not urgent; no urgent patient of his kind has come, so his kind arrives at
    # the urgent share of all seen (1/2, B is urgent): mean .5 on day 1, P(>=1) = .36.
    # B's 80-minute surgery on her admission day: S2 has slots on day 2 (the schedule repeats every 2 days),
    # none on day 1, so OR time is kept on day 2 only, for S2 and for the day's total
    # The free beds of R1 + R2 also serve A's kind (R1 only, a subset): mean 1 + .5 there, P(>=1) = .674,
    # P(>=2) = .394; B (urgent, 1 day) has a third of the two's bed-days, so twice that share, 2 of the 3 beds,
    # may be kept (not only a quarter, at least one)
    relaxed = dataclasses.replace(by["A"], max_admission=3)
    got = day_reserves(inst, [by["B"], relaxed], 0)
    or_tails1 = (27778,)  # OR time: priced at OR_RESERVE_COST (50,000) * .556
    assert got == [BedReserve(frozenset({"R1"}), 1, (7200,)), BedReserve(frozenset({"R1", "R2"}), 1, (13469, 7872)),
                   OrReserve(None, 2, 80, or_tails1), OrReserve("S2", 2, 80, or_tails1)]
    # B's kind alone: all its bed-days urgent, so up to all 3 beds: P(>=1..3) for mean 1
    assert day_reserves(inst, [by["B"]], 0)[0] == BedReserve(frozenset({"R1", "R2"}), 1, (11111, 5185, 2222))
    assert day_reserves(inst, [by["C"]], 1) == []  # last day of the horizon: nobody arrives after it


def test_bed_reserve_moves_a_postponable_admission_off_the_commit_day(tmp_path: Path) -> None:
    full = _load(tmp_path, "")
    inst = dataclasses.replace(full, patients=[p for p in full.patients if p.name == "A"])
    keep = [BedReserve(frozenset({"R1"}), 1, (1000,))]
    free = solve_placements(inst, inst.patients, ModelOptions(time_limit=10))
    assert free.assignment["A"] == ("R1", 0)
    # admitted on day 0, A (R1 only) would hold R1's bed on day 1; admitted on day 1 he is not committed today
    res = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, reserves=keep))
    assert res.status == "OPTIMAL" and res.assignment["A"] == ("R1", 1)
    # a firm patient counts wherever he is planned: only day 2 leaves the bed of day 1 free
    firm = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, reserves=keep, firm=frozenset({"A"})))
    assert firm.assignment["A"] == ("R1", 2)


@pytest.mark.parametrize(("minutes", "extra"), [(10, 0), (20, 1000)])
def test_or_reserve_is_priced_when_the_commit_leaves_too_few_minutes(tmp_path: Path, minutes: int,
                                                                       extra: int) -> None:
    inst = _load(tmp_path, "")
    base = solve_placements(inst, inst.patients, ModelOptions(time_limit=10))
    # B's 80-minute surgery can only be on day 0 (S2: 60 slot minutes + 30 admitted overtime = 90)
    res = solve_placements(inst, inst.patients,
                           ModelOptions(time_limit=10, reserves=[OrReserve("S2", 0, minutes, (1000,))]))
    assert res.assignment["B"][1] == 0
    assert base.objective is not None and res.objective is not None
    assert res.objective - base.objective == pytest.approx(extra, abs=1e-6)


def test_postponing_beyond_the_window_is_priced_only_when_the_window_allows(tmp_path: Path) -> None:
    inst = _load(tmp_path, _C)
    by = {p.name: p for p in inst.patients}
    assert _postpone_cost(inst, by["C"], 0, 0, WEIGHTS) == MISSED_ADMISSION_COST  # due today
    assert _postpone_cost(inst, by["A"], 0, None, WEIGHTS) == MISSED_ADMISSION_COST  # final plan: no postponing
    # A (2 days, R1 costs 0 per day) admitted on day 1 instead of 0: 5 delay, no bed-day inside H on day 1 lost
    # (1 of 2 days inside a 2-day horizon): cost 1 + 5 - 20 * 1
    assert _postpone_cost(inst, by["A"], 0, 0, WEIGHTS) == 1 + 5 - 20


def test_or_reserve_rate_uses_the_overall_urgent_share_not_a_bed_cap(tmp_path: Path) -> None:
    inst = _load(tmp_path, _C)
    by = {p.name: p for p in inst.patients}
    # C is urgent without surgery; B, with three days' notice, is a surgical elective: no urgent surgery seen, so
    # her specialism sends urgent surgeries at the overall urgent share, 1/2 a day (the bed groups' caps, 1.0
    # here, must not leak into it): mean .5 on day 2, P(>=1) = .36, priced at 50,000
    relaxed = dataclasses.replace(by["B"], max_admission=3)
    got = [r for r in day_reserves(inst, [by["C"], relaxed], 0) if isinstance(r, OrReserve)]
    assert got == [OrReserve(None, 2, 80, (18000,)), OrReserve("S2", 2, 80, (18000,))]


def test_reserves_count_only_urgent_arrivals_admitted_by_the_day_they_protect(tmp_path: Path) -> None:
    inst = _load(tmp_path, _C)
    by = {p.name: p for p in inst.patients}
    # C1 registers on day 0 like C but is admitted a day later: an urgent patient registered on day 1 with his
    # lag reaches the ward on day 2, after the horizon, so the commit of day 0 keeps no bed of day 1 for him
    c1 = dataclasses.replace(by["C"], name="C1", admission=1, discharge=3, max_admission=1)
    assert day_reserves(inst, [c1], 0) == []
    # C and C1 seen: 2 urgent arrivals a day, half of them admitted the day they register: mean 1 on day 1
    # (2 without the lags: P(>=1) = .75 would price it at 15,000)
    assert day_reserves(inst, [by["C"], c1], 0) == [BedReserve(frozenset({"R1"}), 1, (11111,))]
    # B's surgery on her admission day: registered on day 1 with a lag of 1 she is operated on day 2, where S2
    # has slots (OR time kept, as for lag 0); with a lag of 2 she is operated after the horizon (none kept)
    lag1 = dataclasses.replace(by["B"], admission=1, discharge=2, max_admission=1, surgery_day=1)
    lag2 = dataclasses.replace(by["B"], admission=2, discharge=3, max_admission=2, surgery_day=2)
    assert [r for r in day_reserves(inst, [lag1], 0) if isinstance(r, OrReserve)] == [
        OrReserve(None, 2, 80, (27778,)), OrReserve("S2", 2, 80, (27778,))]
    assert [r for r in day_reserves(inst, [lag2], 0) if isinstance(r, OrReserve)] == []


def test_or_reserves_take_surgery_offsets_from_all_the_specialisms_surgical_patients(tmp_path: Path) -> None:
    inst = _load(tmp_path, "")
    by = {p.name: p for p in inst.patients}
    # U, the only urgent S2 patient seen, is operated the day after admission; E1 and E2, electives of S2, on
    # their admission day. Seen on day 1, S2 sends 1/2 an urgent surgery a day (1 urgent of 3), all admitted the
    # day they register (U's lag): on day 2 (S2's slot, the MSS repeating) those with offset 0 land, 2 of 3:
    # mean 1/3, P(>=1) = 1 - (6/7) ** 2 = .265, priced at 50,000. From U's offset alone nothing lands on day 2
    # and the commit of day 1 would keep no OR time there.
    u = dataclasses.replace(by["B"], name="U", max_admission=0, surgery_day=1, discharge=2)
    e1 = dataclasses.replace(by["B"], name="E1", max_admission=9)
    e2 = dataclasses.replace(by["B"], name="E2", max_admission=9)
    got = [r for r in day_reserves(inst, [u, e1, e2], 1) if isinstance(r, OrReserve)]
    assert got == [OrReserve(None, 2, 80, (13265,)), OrReserve("S2", 2, 80, (13265,))]


def test_a_day_model_credits_idle_beds_only_before_credit_until(tmp_path: Path) -> None:
    inst = _load(tmp_path, _C)
    by = {p.name: p for p in inst.patients}
    room = inst.rooms["R1"]
    # A: 2 days in R1 (no room cost) from day 0, both inside the 2-day horizon: -40; credited up to day 1: -20
    assert placement_cost(inst, by["A"], room, 0, WEIGHTS) == -40
    assert placement_cost(inst, by["A"], room, 0, WEIGHTS, credit_until=1) == -20
    assert placement_cost(inst, by["A"], room, 0, WEIGHTS, credit_until=5) == -40  # never past the horizon
    # postponed to day 1 (5 delay): his day 1 is credited only if credit_until lies after it
    assert _postpone_cost(inst, by["A"], 0, 0, WEIGHTS, credit_until=1) == 1 + 5
    assert _postpone_cost(inst, by["A"], 0, 0, WEIGHTS, credit_until=2) == 1 + 5 - 20
    alone = dataclasses.replace(inst, patients=[by["A"]])
    full = solve_placements(alone, alone.patients, ModelOptions(time_limit=10))
    cut = solve_placements(alone, alone.patients, ModelOptions(time_limit=10, credit_until=1))
    assert full.assignment == cut.assignment == {"A": ("R1", 0)}
    assert full.objective is not None and cut.objective is not None
    assert cut.objective - full.objective == pytest.approx(20, abs=1e-6)


def test_a_due_patient_is_never_left_out_for_a_reserve(tmp_path: Path) -> None:
    full = _load(tmp_path, _C)
    inst = dataclasses.replace(full, patients=[p for p in full.patients if p.name == "C"])
    # C is due today and holds R1 (1 bed) on day 1 too; that day's reserve of R1 is priced above a left-out patient
    keep = [BedReserve(frozenset({"R1"}), 1, (MISSED_ADMISSION_COST + 50_000,))]
    plain = {"C": MISSED_ADMISSION_COST}
    left = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, drop_cost=plain, reserves=keep))
    assert left.dropped == ["C"]  # what happened on dept6_short07 (Pat_132)
    costs = _outranking(plain, keep)
    assert costs == {"C": 2 * MISSED_ADMISSION_COST + 50_000}
    placed = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, drop_cost=costs, reserves=keep))
    assert placed.dropped == [] and placed.assignment["C"] == ("R1", 0)
    assert _outranking({"A": 40}, keep) == {"A": 40}  # a postponable patient still weighs his delay against it


def test_a_bed_reserve_counts_only_patients_who_must_stay_in_its_rooms(tmp_path: Path) -> None:
    full = _load(tmp_path, "")
    by = {p.name: p for p in full.patients}
    # present on day 0 in R1 until the end of day 1: A needs oxygen (R1 only), B may also use R2 (Hall: an urgent
    # patient who needs R1 on day 1 gets B's bed by moving B to R2 for a transfer, A's only by a violation)
    a = dataclasses.replace(by["A"], initial_room="R1", discharge=2)
    b = dataclasses.replace(by["B"], initial_room="R1", admission=0, max_admission=0, discharge=2,
                            surgery_day=None)
    keep = [BedReserve(frozenset({"R1"}), 1, (1000,))]
    for who, missed in ((a, 1000), (b, 0)):
        inst = dataclasses.replace(full, patients=[who])
        free = solve_placements(inst, inst.patients, ModelOptions(time_limit=10))
        kept = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, reserves=keep))
        assert free.objective is not None and kept.objective is not None
        assert kept.objective - free.objective == pytest.approx(missed, abs=1e-6), who.name


def test_held_sums_the_share_of_stays_still_in_hospital() -> None:
    # stays of 1 and 3 days: both in hospital 0 days after arrival, one of them 1 and 2 days after, none later
    assert _held([1, 3])[:6] == [0.0, 1.0, 1.5, 2.0, 2.0, 2.0]
    assert len(_held([1, 3])) == RESERVE_DAYS + 1


def test_a_day_model_credits_far_or_time_at_far_or_credit(tmp_path: Path) -> None:
    inst = _load(tmp_path, "")
    # B's 80-minute surgery fills S2's one 60-minute slot of day 0: credited 10 a minute while day 0 is near
    full = solve_placements(inst, inst.patients, ModelOptions(time_limit=10))
    near = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, or_credit=OrCredit(1, FAR_OR_CREDIT)))
    far = solve_placements(inst, inst.patients, ModelOptions(time_limit=10, or_credit=OrCredit(0, FAR_OR_CREDIT)))
    assert full.assignment == near.assignment == far.assignment
    assert full.objective is not None and near.objective == pytest.approx(full.objective, abs=1e-6)
    assert far.objective is not None
    assert far.objective - full.objective == pytest.approx((WEIGHTS.idle_or - FAR_OR_CREDIT) * 60, abs=1e-6)
    assert 0 < FAR_OR_CREDIT < WEIGHTS.idle_or


@pytest.mark.parametrize(("left", "factor", "moved"), [(3, 2, False), (3, 1, True), (5, 2, True)])
def test_a_day_model_moves_a_present_patient_only_for_more_than_day_transfer_factor_transfers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, left: int, factor: int, moved: bool) -> None:
    full = _load(tmp_path, "")
    by = {p.name: p for p in full.patients}
    # Q needs oxygen and holds R1 (the only oxygen room, 1 bed) on day 0; P, a man, is in R2 (female only: 50 a
    # day) on day 0 and for ``left`` days more: moving him into R1 on day 1 saves 50 a day for a transfer (100)
    q = dataclasses.replace(by["A"], name="Q", male=False, initial_room="R1", discharge=1)
    p = dataclasses.replace(by["A"], name="P", initial_room="R2", discharge=1 + left, needed=frozenset(),
                            preferred_capacity=2)
    inst = dataclasses.replace(full, horizon=8, patients=[q, p])
    monkeypatch.setattr(orpas_dynamic, "DAY_TRANSFER_FACTOR", factor)
    out = run_dynamic(inst, time_limit=10, workers=1, max_delay=None, progress=lambda _m: None, weights=WEIGHTS)
    assert out.unplaced == []
    rooms = [out.solution.stays["P"][day] for day in range(1 + left)]
    assert rooms == ["R2"] + (["R1"] if moved else ["R2"]) * left
