"""The GraphStore contract suite, run once per implementation."""
