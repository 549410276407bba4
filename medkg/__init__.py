"""medkg: the kernel every layer stands on — settings, domain types, errors, logging. The CLI is in ``cli``."""

from medkg.errors import MedkgError
from medkg.settings import Settings, get_settings
from medkg.types import GraphCounts, Node, Path, Relationship, Subgraph, node_citation, rel_citation

__all__ = [
    "GraphCounts",
    "MedkgError",
    "Node",
    "Path",
    "Relationship",
    "Settings",
    "Subgraph",
    "__version__",
    "get_settings",
    "node_citation",
    "rel_citation",
]

__version__ = "0.1.0"
