"""Unit tests of reasoning.allocation (OR-PAS I/O, validator, solver; the general allocation service)."""
