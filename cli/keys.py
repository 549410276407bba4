"""``medkg keys create|list|revoke``: the API keys of this medkg home (stored hashed; a token is shown once)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.common import JsonOpt, console, print_json
from medkg.settings import get_settings

if TYPE_CHECKING:
    from api import KeyStore

__all__ = ["app"]

app = typer.Typer(help="API keys (Authorization: Bearer <key>): create, list, revoke. Once one key exists, the API "
                       "needs a key on every route but /healthz, /readyz, /metrics and the chat page.",
                  no_args_is_help=True)


def _store() -> KeyStore:
    from api import KeyStore

    return KeyStore(get_settings().home / "keys" / "api_keys.json")


@app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="reader (ask, consult, search, graph), clinician (also patient "
                                                     "records and patient-context consults) or admin (also ingest).")],
    name: Annotated[str, typer.Option("--name", help="Who or what the key is for (shown by `keys list`).")] = "",
    json_out: JsonOpt = False,
) -> None:
    """Create a key and print its token once (only its SHA-256 is stored)."""
    rec, token = _store().create(role, name)
    if json_out:
        print_json({"id": rec.id, "role": rec.role, "name": rec.name, "created": rec.created, "token": token})
        return
    console.print(f"key [bold]{rec.id}[/] ({rec.role}) created; its token is shown only now:", highlight=False)
    console.print(token, highlight=False, soft_wrap=True)


@app.command("list")
def list_keys(json_out: JsonOpt = False) -> None:
    """Every key: id, role, name, created, revoked (never a token)."""
    keys = _store().list()
    if json_out:
        print_json([k.model_dump(exclude={"sha256"}) for k in keys])
        return
    table = Table(title=f"{len(keys)} API keys")
    for col in ("id", "role", "name", "created", "revoked"):
        table.add_column(col)
    for k in keys:
        table.add_row(k.id, k.role, escape(k.name), k.created, k.revoked or "")
    console.print(table)


@app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (from `medkg keys list`).")]) -> None:
    """Revoke a key at once (a running server re-reads the keys file)."""
    rec = _store().revoke(key_id)
    console.print(f"key {escape(rec.id)} revoked", highlight=False)
