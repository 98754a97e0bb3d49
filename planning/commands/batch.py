"""``batch``: plan every place of a manifest in parallel, each one a Dask task.

::

    python -m planning batch --manifest places.toml --workers 2 --out results/
    python -m planning batch --manifest places.toml --scheduler tcp://10.0.0.5:8786 --out results/

The manifest (TOML) lists the places — each with its profile, areas, sites and network —
and the scenario they ask for (see :mod:`planning.batch` for its keys); it is checked as a
whole before anything runs. Each place is read and planned by a worker, so on a real cluster
the files must lie on a path every worker sees. ``--out DIR`` receives, per place,
``<name>/result.json`` (as ``plan``'s map form writes it) and ``<name>/sites.gpkg``, and for
all places ``summary.csv`` (UTF-8 with BOM, for Excel) and ``summary.json``: one line per
place with its status, proof, gap, cost, new sites, share of residents fully served, and per
service the requirement, unmet amount, covered share, new capacity and provision per 1000
residents (each column names its unit). A place that fails is listed in the summary with its
error and the others finish; the files are written together when every place has finished.
Exit status 0 when every place was planned, 1 when some failed, 2 for bad input.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from core.fileio import json_text, spreadsheet_safe, write_outputs
from core.messages import Message, as_text
from errors import ProblemCollector


def add_parser(subparsers: Any) -> None:
    """Register the ``batch`` sub-command."""
    from planning.commands.sweep import add_dask_arguments

    p = subparsers.add_parser(
        "batch", help="plan every place of a manifest in parallel (Dask)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--manifest", type=Path, required=True, help="places.toml")
    add_dask_arguments(p)
    p.add_argument("--out", type=Path, required=True, help="folder for the outputs")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of messages")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``batch``."""
    from planning.batch import read_manifest, run_batch, summary_row, summary_table
    from planning.commands.plan import _site_writer, map_result_json, site_output_layer
    from planning.commands.sweep import check_dask_arguments, default_workers

    c = ProblemCollector(source="command line")
    check_dask_arguments(args, c)
    if args.out.exists() and not args.out.is_dir():
        c.add(Message("sweep.out_suffix", {"flag": "--out", "path": str(args.out),
                                           "suffix": "folder"}))
    c.raise_if_any()
    places = read_manifest(args.manifest)

    def show(done: int, total: int, outcome: Any) -> None:
        state = "failed" if outcome.run is None else outcome.run.indicators["total"]["status"]
        print(f"[{done}/{total}] {outcome.name}: {state} ({outcome.seconds:.1f} s)", flush=True)

    outcomes = run_batch(places, workers=default_workers(args), scheduler=args.scheduler,
                         progress=show)
    writers: dict[str | os.PathLike[str], Any] = {}
    rows = []
    for place, outcome in zip(places, outcomes, strict=True):
        rows.append(summary_row(outcome, place))
        if outcome.run is None:
            continue
        folder = args.out / place.name
        outputs = {"sites": str(folder / "sites.gpkg")}
        data = map_result_json(outcome.run, profile_id=place.profile, outputs=outputs)
        writers[folder / "result.json"] = _text(json_text(data))
        writers[folder / "sites.gpkg"] = _site_writer(site_output_layer(outcome.run),
                                                      folder / "sites.gpkg")
    table = summary_table(rows)
    writers[args.out / "summary.csv"] = _text(spreadsheet_safe(table).to_csv(index=False),
                                                 encoding="utf-8-sig")
    writers[args.out / "summary.json"] = _text(json_text({"places": rows}))
    write_outputs(writers)
    failed = [(p, o) for p, o in zip(places, outcomes, strict=True) if o.run is None]
    for place, outcome in failed:
        print(Message("sweep.place_failed", {
            "name": place.name, "error": as_text(outcome.error or {}, args.lang)}).render(
                args.lang))
    print(Message("planning.cli.batch_done", {
        "planned": len(places) - len(failed), "n": len(places),
        "path": str(args.out / "summary.csv")}).render(args.lang))
    return 1 if failed else 0


def _text(text: str, encoding: str = "utf-8") -> Any:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding=encoding)

    return write
