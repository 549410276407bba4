"""``medkg train ...``: train the models the defaults ship (generator adapter, triage classifier, NER head).

Each command lives in the module of the capability it trains and is registered here, so this group is a list.
"""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Train the models medkg ships: the answer generator's LoRA adapter, the triage classifier, the NER head.",
    no_args_is_help=True,
)
from cli.train_generator import train_generator; app.command("generator")(train_generator)  # noqa: E402, E702, I001
from cli.train_consult import train_ner, train_triage_cmd; app.command("triage")(train_triage_cmd); app.command("ner")(train_ner)  # noqa: E402, E702, I001, E501
