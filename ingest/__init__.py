"""medkg ingest layer."""

__all__: list[str] = []
