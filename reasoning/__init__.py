"""medkg reasoning layer."""

__all__: list[str] = []
