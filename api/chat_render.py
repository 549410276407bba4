"""Chat replies from the engines' results: numbered markers ``[n]`` in the text, sources listed at the end, and
the same sources as a structured ``citations`` list (``{"n", "id", "kind", "title", "text"}``).

A marker's number is the order its citation id first appears. ``text`` of a citation is the passage or the graph
fact it points at, taken from the evidence bundle, so a client can show it on click.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Citations", "render_allocation", "render_answer", "render_consultation"]


class Citations:
    """Numbers citation ids in order of first use and resolves them against an evidence bundle."""

    def __init__(self, evidence: dict[str, Any] | None = None) -> None:
        self._order: dict[str, int] = {}
        self._lookup: dict[str, tuple[str, str, str]] = {}
        self.add_evidence(evidence)

    def add_evidence(self, evidence: dict[str, Any] | None) -> None:
        if not evidence:
            return
        for p in evidence.get("passages") or []:
            cid = str(p.get("citation_id") or p.get("id") or "")
            if cid:
                self._lookup[cid] = ("passage", str(p.get("title") or p.get("source") or ""), str(p.get("text", "")))
        sub = evidence.get("subgraph") or {}
        for n in sub.get("nodes") or []:
            cid = str(n.get("citation_id") or "")
            if cid:
                self._lookup[cid] = ("kg", str(n.get("name", "")), f"{n.get('name', '')} ({n.get('label', '')})")
        for r in sub.get("relationships") or []:
            cid = str(r.get("citation_id") or "")
            if cid:
                text = str(r.get("text") or f"{r.get('start', '')} {r.get('type', '')} {r.get('end', '')}")
                self._lookup[cid] = ("kg", str(r.get("type", "")), text)

    def add_fact(self, cid: str, kind: str, text: str) -> None:
        self._lookup.setdefault(cid, (kind, "", text))

    def marker(self, ids: list[str]) -> str:
        """`` [1][3]`` for ``ids`` (numbering new ones), or '' for none."""
        nums = []
        for cid in ids:
            if cid not in self._order:
                self._order[cid] = len(self._order) + 1
            nums.append(self._order[cid])
        return "".join(f"[{n}]" for n in dict.fromkeys(nums))

    def items(self) -> list[dict[str, Any]]:
        out = []
        for cid, n in self._order.items():
            kind, title, text = self._lookup.get(cid, (_kind_of(cid), "", ""))
            out.append({"n": n, "id": cid, "kind": kind, "title": title, "text": text[:1200]})
        return out

    def sources_block(self) -> str:
        items = self.items()
        if not items:
            return ""
        lines = [f"[{c['n']}] {c['id']}" + (f" — {c['title']}" if c["title"] else "") for c in items]
        return "\n\nSources:\n" + "\n".join(lines)


def _kind_of(cid: str) -> str:
    scheme = cid.split(":", 1)[0]
    return {"kg": "kg", "solver": "solver", "record": "record"}.get(scheme, "passage")


def _sentences(result: dict[str, Any], cites: Citations) -> list[str]:
    out = []
    for s in result.get("sentences") or []:
        text = str(s.get("text", "")).strip()
        ids = [str(c) for c in s.get("citations") or []]
        if text and ids:  # an uncited sentence is never shown
            out.append(f"{text} {cites.marker(ids)}")
    return out


def render_answer(answer: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Text and citations of an ``Answer``."""
    cites = Citations(answer.get("evidence"))
    if answer.get("refused"):
        body = str(answer.get("refusal_reason") or answer.get("text") or "The evidence is insufficient to answer.")
    else:
        # The engine's text carries its markers, numbered by first use over the sentences, as Citations numbers.
        for s in answer.get("sentences") or []:
            cites.marker([str(c) for c in s.get("citations") or []])
        body = str(answer.get("text") or "") or " ".join(_sentences(answer, Citations()))
        if answer.get("decision"):
            body = f"Answer: {answer['decision']}. {body}"
    return body + cites.sources_block(), cites.items()


def red_flag_lines(consultation: dict[str, Any]) -> list[str]:
    """The urgent-care advice of every fired red-flag rule, first in any reply."""
    lines = []
    for f in consultation.get("red_flags") or []:
        advice = str(f.get("advice", "")).strip()
        rule, source = f.get("rule", ""), f.get("source", "")
        lines.append(f"⚠ URGENT: {advice} (red flag: {rule}; source: {source})")
    return lines


def render_consultation(c: dict[str, Any], *, skip_red_flags: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Text and citations of a ``ConsultationAnswer``: red flags first, then the narrative, differential,
    department, doctors, tests and drugs."""
    cites = Citations(c.get("evidence"))
    parts: list[str] = [] if skip_red_flags else red_flag_lines(c)
    narrative = _sentences(c, cites)
    if narrative:
        parts.append(" ".join(narrative))
    diff = c.get("differential") or []
    if diff:
        items = [f"{d.get('name', d.get('id', ''))} {cites.marker([str(x) for x in d.get('citations') or []])}".strip()
                 for d in diff[:5]]
        parts.append("Possible causes: " + "; ".join(items) + ".")
    dept = c.get("department")
    if dept:
        name = dept.get("name", dept.get("id", "")) if isinstance(dept, dict) else str(dept)
        ids = [str(x) for x in dept.get("citations") or []] if isinstance(dept, dict) else []
        parts.append(f"Department to see: {name} {cites.marker(ids)}".strip())
    doctors = c.get("doctors") or []
    if doctors:
        parts.append("Doctors: " + ", ".join(str(d.get("name", d)) if isinstance(d, dict) else str(d)
                                            for d in doctors[:3]) + ".")
    tests = c.get("tests") or []
    if tests:
        parts.append("Tests: " + ", ".join(str(t.get("name", t)) if isinstance(t, dict) else str(t)
                                          for t in tests[:5]) + ".")
    drugs = [d for d in c.get("drugs") or [] if isinstance(d, dict) and not d.get("excluded_reason")]
    if drugs:
        items = [f"{d.get('name', d.get('id', ''))} {cites.marker([str(x) for x in d.get('citations') or []])}".strip()
                 for d in drugs[:5]]
        parts.append("Treatment options: " + "; ".join(items) + ".")
    if not parts:
        parts.append("I could not find enough in the evidence to advise on this; please see a clinician.")
    return "\n\n".join(parts) + cites.sources_block(), cites.items()


def render_allocation(parsed: Any, response: Any) -> tuple[str, list[dict[str, Any]]]:
    """Text and citations of a solved plain-words allocation (``parsed``: :class:`ParsedAllocation`)."""
    cites = Citations()
    for e in response.explanations:
        for f in e.facts:
            cites.add_fact(f.id, f.kind, f.statement)
    for u in response.unassigned:
        for cid in u.citations:
            cites.add_fact(cid, _kind_of(cid), u.detail)
    n_in, n_out = len(response.assignments), len(response.unassigned)
    lines = [f"Plan for {parsed.patients} patients in {parsed.department} over {parsed.days} days with "
             f"{parsed.beds} beds ({parsed.emergencies} emergencies): {n_in} admitted, {n_out} not "
             f"(solver status {response.status}, {response.solve_seconds:.1f} s)."]
    by_day: dict[int, int] = {}
    for a in response.assignments:
        by_day[a.admission_day] = by_day.get(a.admission_day, 0) + 1
    if by_day:
        lines.append("Admissions per day: " + ", ".join(f"day {d}: {k}" for d, k in sorted(by_day.items())) + ".")
    for u in response.unassigned[:5]:
        lines.append(f"{u.patient_id} not admitted: {u.detail} {cites.marker(u.citations)}".strip())
    for e in response.explanations[:3]:
        lines.append(f"{e.patient_id}: {e.text} {cites.marker([f.id for f in e.facts][:3])}".strip())
    if response.shortfalls:
        s = response.shortfalls[0]
        lines.append(f"Shortest resource: {s.resource} on day {s.day} ({s.demand} wanted, {s.capacity} available).")
    lines.append("Assumed: " + "; ".join(parsed.assumptions) + ".")
    return "\n".join(lines) + cites.sources_block(), cites.items()
