"""`seedling view PATH`: browse a curate output, see why each row was kept or removed, decide."""

from __future__ import annotations

from pathlib import Path

import typer

from seedling.cli import console


def register(app: typer.Typer) -> None:
    @app.command("view")
    def view_command(
        path: Path = typer.Argument(..., help="A run directory, a curate output directory, or a dataset file "
                                              "(curated with the defaults once, cached)."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on. Anything but 127.0.0.1 or localhost "
                                                   "lets other machines read the data and change decisions."),
        port: int = typer.Option(0, help="Port (default: a free one)."),
    ) -> None:
        """Serve a local page over every row: filters, search, why each row was kept or removed,
        and keep / remove / note decisions saved to overrides.jsonl for the next `seedling curate`."""
        from view.build import open_store, store_path
        from view.query import Store
        from view.server import LOCAL, Served, bind, build_app
        from view.source import resolve

        source = resolve(path)
        if not store_path(source).exists():
            console.print(f"indexing {source.data} into {store_path(source)} (once for these files; "
                          "about 4 min for 1M rows on 2 cores)", highlight=False)
        store = Store(open_store(source))
        if host not in LOCAL:
            console.print(f"[yellow]warning: listening on {host}: anyone who can reach it can read the rows and "
                          "change the decisions[/yellow]")
        served = Served(build_app(source, store, host), bind(host, port))
        console.print(f"seedling view: {served.url} (decisions go to {source.overrides}); Ctrl-C to stop",
                      highlight=False)
        served.server.run(sockets=[served.sock])
