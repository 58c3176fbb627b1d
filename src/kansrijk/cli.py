"""The ``kansrijk`` command: validate, synthesise and build editions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kansrijk.params import load_edition
from kansrijk.problems import InputError, render_report
from kansrijk.validation import load_edition_data

app = typer.Typer(
    help="Kansrijk: een rapportreeks over jonge kinderen en gezinnen in kwetsbare situaties.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

EXIT_INPUT = 2

EditionArg = Annotated[
    str, typer.Argument(help="Editie: een naam (utrecht -> params/utrecht.yml) of een pad naar een parameterbestand.")
]


@app.command()
def validate(edition: EditionArg) -> None:
    """Controleer parameters en invoerbestanden van een editie tegen het datacontract."""
    try:
        ed = load_edition(edition)
        data = load_edition_data(ed)
    except InputError as error:
        render_report(error.problems, err_console)
        raise typer.Exit(EXIT_INPUT) from None
    console.print(f"[green]Geldig[/]: editie [bold]{ed.slug}[/] ({ed.title}), map {ed.data_dir}")
    for f in data.files:
        console.print(f"  {f.name:<22} {f.rows:>7} rijen  {f.columns:>2} kolommen")


@app.command()
def synth(
    slug: Annotated[str, typer.Argument(help="Synthetische editie uit data/reference/synthetisch.yml.")],
    out: Annotated[Path | None, typer.Option(help="Schrijf naar deze map in plaats van de geconfigureerde.")] = None,
    kinderen: Annotated[int | None, typer.Option(help="Aantal kinderen (standaard: zoals geconfigureerd).")] = None,
) -> None:
    """Genereer de synthetische invoerbestanden van een editie (deterministisch uit een seed)."""
    from kansrijk.synth.generate import synth_edition

    for path in synth_edition(slug, out, kinderen):
        console.print(f"geschreven: {path}")


if __name__ == "__main__":
    app()
