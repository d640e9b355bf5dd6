"""Generated Kaplan–Meier figures *with a numbers-at-risk table* and known truth, for the "Add a
curve" tests, browser test and benchmark (issue 16).

Patients are simulated with :func:`tests.unit.km_figures.simulate_arm` (seeded); the figure is
drawn with matplotlib in a common journal layout: two coloured arms, censor ticks, a percent
y axis, and the numbers at risk printed under the x axis in one row per arm, each row labelled
with the arm's name. The exact numbers printed and each arm's true events are returned with the
image, so a test knows the truth.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from tests.unit.km_figures import SimArm, simulate_arm


@dataclass(frozen=True)
class TableFigure:
    png: bytes
    arms: tuple[SimArm, ...]
    names: tuple[str, ...]
    colours: tuple[str, ...]
    ticks: tuple[float, ...]
    at_risk: tuple[tuple[int, ...], ...]


def simulated_arms(seed: int = 16, n: int = 260) -> tuple[SimArm, SimArm]:
    """Two arms with a true HR of about 0.7 (medians 14 and 10 months)."""
    rng = np.random.default_rng(seed)
    return (
        simulate_arm(rng, n, 14.0, accrual_months=18.0, min_followup_months=12.0),
        simulate_arm(rng, n, 10.0, accrual_months=18.0, min_followup_months=12.0),
    )


def draw_with_table(
    arms: tuple[SimArm, ...],
    *,
    names: tuple[str, ...] = ("Experimental", "Control"),
    colours: tuple[str, ...] = ("#d62728", "#1f77b4"),
    width_px: int = 1000,
    height_px: int = 700,
    x_max: float = 30.0,
    x_step: float = 3.0,
    dpi: int = 100,
) -> TableFigure:
    """Draw the arms and their numbers-at-risk table; return the PNG and the truth."""
    fig = plt.figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    ax = fig.add_axes((0.16, 0.34, 0.8, 0.6))
    ticks = tuple(float(t) for t in np.arange(0.0, x_max + 1e-9, x_step))
    for arm, colour in zip(arms, colours, strict=True):
        times, surv = arm.km()
        end = float(arm.time.max())
        ax.step(
            np.append(times, end),
            np.append(surv, surv[-1]) * 100.0,
            where="post",
            color=colour,
            linewidth=1.6,
            clip_on=False,
        )
        cens = np.sort(arm.time[arm.event == 0])
        ax.plot(
            cens,
            arm.survival_at(cens) * 100.0,
            linestyle="none",
            marker="|",
            color=colour,
            markersize=6,
            clip_on=False,
        )
    ax.set_xlim(0, x_max)
    ax.set_ylim(0, 100)
    ax.set_xticks(ticks)
    ax.set_yticks(np.linspace(0, 100, 11))
    ax.tick_params(labelsize=11)
    ax.set_xlabel("Months since randomisation", fontsize=11)
    ax.set_ylabel("Overall survival (%)", fontsize=11)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    table = []
    fig.text(0.02, 0.17, "No. at risk", fontsize=11, weight="bold")
    for row, (arm, name, colour) in enumerate(zip(arms, names, colours, strict=True)):
        counts = tuple(int(c) for c in arm.n_at_risk(np.asarray(ticks)))
        table.append(counts)
        y = 0.12 - 0.05 * row
        fig.text(0.02, y, name, fontsize=11, color=colour, va="center")
        for t, count in zip(ticks, counts, strict=True):
            x_fig = 0.16 + 0.8 * t / x_max
            fig.text(x_fig, y, str(count), fontsize=11, ha="center", va="center")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return TableFigure(
        png=buf.getvalue(),
        arms=tuple(arms),
        names=names,
        colours=colours,
        ticks=ticks,
        at_risk=tuple(table),
    )
