"""The Neo4j Browser assets in kg/browser/: saved queries are parameterised and documented, the guide
references and contains them verbatim, the HTML rendering has one slide per section, the style covers the schema."""

from __future__ import annotations

import re

import pytest

from kg import LABELS, REL_TYPES
from kg.browser import (
    GUIDE_FILE,
    STYLE_FILE,
    browser_dir,
    guide_blocks,
    load_saved_queries,
    parse_cypher_literal,
    parse_param_command,
    query_parameters,
    render_guide_html,
)
from medkg.errors import InputValidationError

EXPECTED_QUERIES = {"disease_overview", "patient_history", "disease_paths", "trauma_hospitals_near"}
# An id-like string literal in a query body, e.g. 'DOID:9352', "HIFLD:123", 'medkg:patient:1'.
_LITERAL_ID = re.compile(r"""['"][A-Za-z][\w.-]*:[^\s'"]+['"]""")


def _guide() -> str:
    return (browser_dir() / GUIDE_FILE).read_text(encoding="utf-8")


def test_the_four_saved_queries_exist() -> None:
    assert {q.name for q in load_saved_queries()} == EXPECTED_QUERIES


@pytest.mark.parametrize("query", load_saved_queries(), ids=lambda q: q.name)
def test_saved_query_is_parameterised_and_documented(query: object) -> None:
    from kg.browser import SavedQuery

    assert isinstance(query, SavedQuery)
    assert query.title.startswith("medkg: "), "the first comment line names the favourite"
    assert query.body and not query.body.startswith("//")
    assert not _LITERAL_ID.search(query.body), f"{query.name}: literal id in the body; use a $parameter"
    used = query_parameters(query.body)
    assert used, f"{query.name} takes no parameters"
    assert used == set(query.params), f"{query.name}: header :params {sorted(query.params)} vs used {sorted(used)}"
    assert ";" not in query.body, "one query per file"


@pytest.mark.parametrize("query", load_saved_queries(), ids=lambda q: q.name)
def test_saved_query_uses_schema_vocabulary(query: object) -> None:
    from kg.browser import SavedQuery

    assert isinstance(query, SavedQuery)
    labels = set(re.findall(r"\(\w*:(\w+)", query.body))
    types = {t for group in re.findall(r"\[\w*:([\w|]+)", query.body) for t in group.split("|")}
    assert labels and labels <= set(LABELS), labels - set(LABELS)
    assert types <= set(REL_TYPES), types - set(REL_TYPES)


def test_guide_references_and_contains_every_saved_query() -> None:
    guide = _guide()
    blocks = [b.text for b in guide_blocks(guide)]
    for q in load_saved_queries():
        assert f"{q.name}.cypher" in guide
        assert q.body in blocks, f"{q.name}.cypher body is not verbatim in the guide"
        header_params = next(h for h in q.header if h.startswith(":params"))
        assert header_params in blocks, f"the guide does not set {q.name}'s example :params"


def test_guide_blocks_are_cypher_or_browser_commands() -> None:
    blocks = guide_blocks(_guide())
    assert len(blocks) >= 10
    for b in blocks:
        assert b.language == "cypher"
        assert b.slide, "every block is on a slide"
        if b.text.startswith(":params"):
            assert parse_param_command(b.text)


def test_guide_html_has_one_slide_per_section_and_runnable_blocks() -> None:
    guide = _guide()
    html = render_guide_html(guide)
    sections = [line for line in guide.splitlines() if line.startswith("== ")]
    assert html.count("<slide ") == len(sections) >= 6
    assert html.count('class="code runnable') == len(guide_blocks(guide))
    assert "<title>medkg: a medical knowledge graph in Neo4j</title>" in html
    assert "$disease_id" in html
    assert "&lt;" not in guide and "(d)-[hs:HAS_SYMPTOM]-&gt;(s:Symptom)" in html  # code is escaped


def test_render_inline_markup() -> None:
    html = render_guide_html(
        "= T\n\n== S\n\nUse `a<b` and *bold* and http://x.org/p[the link].\n\n* one\n* two\n  continued\n\n"
        "NOTE: careful\n\n[source,shell]\n----\necho <hi>\n----\n"
    )
    assert "<code>a&lt;b</code>" in html
    assert "<b>bold</b>" in html
    assert '<a href="http://x.org/p" target="_blank">the link</a>' in html
    assert "<ul><li>one</li><li>two continued</li></ul>" in html
    assert "<b>Note:</b> careful" in html
    assert '<pre class="code" data-lang="shell">echo &lt;hi&gt;</pre>' in html


def test_style_gives_every_label_a_colour_and_name_caption() -> None:
    grass = (browser_dir() / STYLE_FILE).read_text(encoding="utf-8")
    styled = set(re.findall(r"^node\.(\w+) \{", grass, flags=re.M))
    assert styled == set(LABELS)
    assert grass.count('caption: "{name}";') == len(LABELS)
    assert grass.count("{") == grass.count("}")
    for t in re.findall(r"^relationship\.(\w+) \{", grass, flags=re.M):
        assert t in REL_TYPES


def test_param_literal_parser() -> None:
    assert parse_cypher_literal("{a: 'x:y', b: -2, c: 1.5e3, d: [true, null, \"q\"], e: {f: 'it\\'s'}}") == {
        "a": "x:y", "b": -2, "c": 1500.0, "d": [True, None, "q"], "e": {"f": "it's"}
    }
    assert parse_param_command(":param limit => 25") == {"limit": 25}
    for bad in (":params [1]", ":param x 1", ":params {a: toUpper('x')}", "MATCH (n) RETURN n", ":params {a: 1"):
        with pytest.raises(InputValidationError):
            parse_param_command(bad)
