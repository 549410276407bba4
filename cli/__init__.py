"""The typer CLI (``medkg``). Only this sub-package of ``medkg`` imports the layers."""
