"""``python -m analysis.views.indirect --endpoint OS --population ITT``: the registry's league
table, P-scores, heterogeneity, evidence list, exclusions and skipped HRs as Markdown (the
tables in notes/issue-17.md come from here)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from analysis.network import ANALYSIS_CHOICES, ENDPOINTS
from analysis.network_nodes import NODES_MODES
from analysis.views.indirect.builder import indirect_view
from analysis.views.indirect.model import MODELS
from analysis.views.indirect.text import summary_markdown
from data import load_registry


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.views.indirect", description=__doc__)
    parser.add_argument("--endpoint", choices=ENDPOINTS, default="OS")
    parser.add_argument("--population", default="ITT", help="ITT or a PD-L1 key, e.g. CPS>=10")
    parser.add_argument("--nodes", choices=NODES_MODES, default="lumped")
    parser.add_argument("--analysis", choices=ANALYSIS_CHOICES, default="latest")
    parser.add_argument("--model", choices=MODELS, default="random")
    parser.add_argument("--reference", default=None, help="node id (default: common comparator)")
    parser.add_argument(
        "--across-systems", action="store_true", help="pool PD-L1 scoring systems (exploratory)"
    )
    args = parser.parse_args(argv)
    try:
        view = indirect_view(
            load_registry(),
            args.endpoint,
            args.population,
            args.nodes,
            args.reference,
            analysis=args.analysis,
            across_systems=args.across_systems,
            model=args.model,
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(summary_markdown(view))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
