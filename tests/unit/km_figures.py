"""Synthetic Kaplan–Meier figures with a known truth, for the digitiser's tests and benchmark.

Patients are simulated (seeded numpy generator): exponential event times with a given median,
uniform accrual over ``accrual_months`` and administrative censoring at the data cut-off, plus a
small random drop-out. Each arm's true Kaplan–Meier curve is computed here from the simulated
data, and the figure is drawn with matplotlib (Agg, no display) in a chosen journal style:
colour or black, solid or dashed lines, censor ticks/crosses/pluses, optional landmark line,
median guide lines and text inside the plot, PNG or JPEG at a chosen quality.

The figure is returned as encoded bytes, so the digitiser sees exactly what it would read from a
file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from analysis.digitise.compare import max_abs_difference


@dataclass(frozen=True)
class SimArm:
    """One simulated arm: observed times (months), event flags (1 = event) and its true KM."""

    time: np.ndarray
    event: np.ndarray

    def km(self) -> tuple[np.ndarray, np.ndarray]:
        """Step corners of the KM estimate: S(t) = surv[k] for times[k] <= t < times[k+1]."""
        order = np.argsort(self.time, kind="stable")
        t, e = self.time[order], self.event[order]
        uniq = np.unique(t[e == 1])
        times = [0.0]
        surv = [1.0]
        s = 1.0
        for u in uniq:
            at_risk = int((t >= u).sum())
            deaths = int(((t == u) & (e == 1)).sum())
            s *= 1.0 - deaths / at_risk
            times.append(float(u))
            surv.append(s)
        return np.asarray(times), np.asarray(surv)

    def survival_at(self, t: np.ndarray) -> np.ndarray:
        times, surv = self.km()
        return surv[np.searchsorted(times, t, side="right") - 1]

    def n_at_risk(self, t: np.ndarray | float) -> np.ndarray:
        return (self.time[None, :] >= np.atleast_1d(t)[:, None]).sum(axis=1)

    @property
    def events(self) -> int:
        return int(self.event.sum())


def simulate_arm(
    rng: np.random.Generator,
    n: int,
    median_months: float,
    *,
    accrual_months: float = 18.0,
    min_followup_months: float = 12.0,
    dropout_per_month: float = 0.005,
    cure_fraction: float = 0.0,
) -> SimArm:
    """Exponential event times (optionally with a cured fraction), censored at the cut-off."""
    hazard = np.log(2.0) / median_months
    event_t = rng.exponential(1.0 / hazard, n)
    if cure_fraction > 0:
        event_t[rng.random(n) < cure_fraction] = np.inf
    entry = rng.uniform(0.0, accrual_months, n)
    admin = accrual_months + min_followup_months - entry
    drop = rng.exponential(1.0 / dropout_per_month, n)
    cens = np.minimum(admin, drop)
    time = np.minimum(event_t, cens)
    event = (event_t <= cens).astype(int)
    return SimArm(time=np.round(time, 3), event=event)


def simulate_scan_arm(
    rng: np.random.Generator,
    n: int,
    median_months: float,
    *,
    scan_months: float = 1.4,
    jitter_months: float = 0.12,
    leave_scale: float = 0.7 / 0.25,
    accrual_months: float = 12.0,
    cutoff_months: float = 23.5,
) -> SimArm:
    """A PFS-like arm: progression is seen at the first tumour scan after it happens (scans every
    ``scan_months``, each within +/- ``jitter_months`` of schedule), and patients who leave the
    study are censored at their last scan. Events and censorings both pile up at the scan times,
    so the curve falls in near-vertical staircases with censor marks drawn on them."""
    hazard = np.log(2.0) / median_months
    progression = rng.exponential(1.0 / hazard, n)
    seen = np.ceil(progression / scan_months) * scan_months + rng.uniform(
        -jitter_months, jitter_months, n
    )
    leave = rng.exponential(median_months * leave_scale, n)
    last_scan = np.floor(leave / scan_months) * scan_months + rng.uniform(
        -jitter_months, jitter_months, n
    )
    entry = rng.uniform(0.0, accrual_months, n)
    admin = cutoff_months - entry
    cens = np.minimum(np.where(leave < seen, np.maximum(last_scan, 0.05), np.inf), admin)
    time = np.minimum(seen, cens)
    event = (seen <= cens).astype(int)
    return SimArm(time=np.round(time, 3), event=event)


@dataclass(frozen=True)
class Style:
    """How to draw the figure (journal style)."""

    width_px: int = 800
    height_px: int = 500
    dpi: int = 100
    x_max: float = 30.0
    x_step: float = 3.0
    percent: bool = True
    colours: tuple[str, ...] = ("#d62728", "#1f77b4", "#2ca02c")
    linestyles: tuple[str, ...] = ("-", "-", "-")
    linewidth: float = 1.5
    censor_marker: str | None = "|"
    censor_size: float = 6.0
    landmark: float | None = None
    median_guides: bool = False
    text_inside: bool = False
    box: bool = False
    jpeg_quality: int | None = None


def draw_figure(arms: list[SimArm], style: Style) -> bytes:
    """Draw the arms' KM curves and return PNG (or JPEG) bytes."""
    fig = plt.figure(
        figsize=(style.width_px / style.dpi, style.height_px / style.dpi), dpi=style.dpi
    )
    ax = fig.add_axes((0.12, 0.15, 0.83, 0.78))
    scale = 100.0 if style.percent else 1.0
    for k, arm in enumerate(arms):
        times, surv = arm.km()
        end = float(arm.time.max())
        xs = np.append(times, end)
        ys = np.append(surv, surv[-1]) * scale
        colour = style.colours[k]
        ax.step(
            xs,
            ys,
            where="post",
            color=colour,
            linestyle=style.linestyles[k],
            linewidth=style.linewidth,
            clip_on=False,
            zorder=3 + k,
        )
        if style.censor_marker:
            cens = np.sort(arm.time[arm.event == 0])
            ax.plot(
                cens,
                arm.survival_at(cens) * scale,
                linestyle="none",
                marker=style.censor_marker,
                color=colour,
                markersize=style.censor_size,
                markeredgewidth=1.0,
                clip_on=False,
                zorder=3 + k,
            )
    ax.set_xlim(0, style.x_max)
    ax.set_ylim(0, scale)
    ax.set_xticks(np.arange(0, style.x_max + 1e-9, style.x_step))
    ax.set_yticks(np.linspace(0, scale, 11 if style.percent else 6))
    ax.set_xlabel("Months since randomisation")
    ax.set_ylabel("Overall survival (%)" if style.percent else "Probability of survival")
    if not style.box:
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
    if style.landmark is not None:
        ax.axvline(style.landmark, color="black", linestyle="--", linewidth=1.0, zorder=2)
        ax.text(
            style.landmark + 0.3,
            0.97 * scale,
            f"{style.landmark:g}-month landmark",
            fontsize=8,
            va="top",
        )
    if style.median_guides:
        ax.axhline(0.5 * scale, color="0.3", linestyle=":", linewidth=1.0, zorder=2)
    if style.text_inside:
        ax.text(
            0.55 * style.x_max,
            0.88 * scale,
            "HR 0.70 (95% CI 0.56-0.88)\nLog-rank P = 0.001",
            fontsize=9,
            va="top",
        )
        ax.text(0.62 * style.x_max, 0.62 * scale, "Experimental arm", fontsize=9)
    buf = io.BytesIO()
    if style.jpeg_quality is not None:
        fig.savefig(buf, format="jpeg", dpi=style.dpi, pil_kwargs={"quality": style.jpeg_quality})
    else:
        fig.savefig(buf, format="png", dpi=style.dpi)
    plt.close(fig)
    return buf.getvalue()


def max_abs_error(
    arm: SimArm,
    curve_time: np.ndarray,
    curve_surv: np.ndarray,
    *,
    pixel_months: float,
    min_at_risk: int = 10,
) -> float:
    """max |S_digitised(t) - S_true(t)| over times with at least ``min_at_risk`` at risk, with one
    pixel (``pixel_months``) of horizontal tolerance (``analysis.digitise.compare``)."""
    times, surv = arm.km()
    grid = np.unique(np.concatenate([times, curve_time]))
    at_risk = arm.n_at_risk(grid)
    until = float(grid[at_risk >= min_at_risk].max())
    err, _ = max_abs_difference(
        curve_time, curve_surv, times, surv, tolerance=pixel_months, until=until
    )
    return err
