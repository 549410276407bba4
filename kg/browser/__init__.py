"""Neo4j Browser assets for the medkg graph: the guide (AsciiDoc + HTML rendering), saved queries and style."""

from kg.browser.guide import (
    BROWSER_SUFFIXES,
    GUIDE_FILE,
    GUIDE_HTML,
    STYLE_FILE,
    GuideBlock,
    browser_dir,
    browser_files,
    guide_blocks,
    render_guide_html,
)
from kg.browser.params import ParamValue, parse_cypher_literal, parse_param_command
from kg.browser.queries import SavedQuery, load_saved_queries, parse_saved_query, query_parameters

__all__ = [
    "BROWSER_SUFFIXES",
    "GUIDE_FILE",
    "GUIDE_HTML",
    "STYLE_FILE",
    "GuideBlock",
    "ParamValue",
    "SavedQuery",
    "browser_dir",
    "browser_files",
    "guide_blocks",
    "load_saved_queries",
    "parse_cypher_literal",
    "parse_param_command",
    "parse_saved_query",
    "query_parameters",
    "render_guide_html",
]
