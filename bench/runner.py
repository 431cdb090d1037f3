"""One run: the machine and FMA peaks, then the chosen sections, then the markdown and PNG files."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import gradfall as gf

from . import chart, gemm, latency, machine, memory, predict, quality, report, sparse, training
from .table import Section

SECTIONS = {"gemm": gemm.run, "train": training.run, "predict": predict.run,
            "latency": latency.run, "memory": memory.run, "quality": quality.run,
            "sparse": sparse.run}
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


@dataclass
class Result:
    markdown: str
    sections: list
    markdown_path: Path
    chart_path: Path
    failed: list        # keys of the sections that raised


def run(plan, only=tuple(SECTIONS), out_dir=DEFAULT_OUT, echo=print, command="") -> Result:
    started = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    peaks = machine.fma_peaks(gf.available_isas(), plan.threads, plan.peak_seconds)
    machine_lines = machine.describe(peaks) + [
        f"- Threads: GEMM at {', '.join(map(str, plan.threads))}; training, predict, latency and "
        f"memory at {plan.train_threads} for every contender; learning quality at "
        f"{plan.quality_threads}"]
    echo("\n".join(machine_lines) + "\n")
    sections, failed = [], []
    for key in only:
        section_start = time.time()
        try:
            section = SECTIONS[key](plan, peaks) if key == "gemm" else SECTIONS[key](plan)
        except Exception as error:   # the other sections' figures are still worth writing
            failed.append(key)
            section = Section(key, f"{key}: failed", [], notes=[f"{type(error).__name__}: {error}"])
        section.notes.append(f"Section time: {time.time() - section_start:.0f} s.")
        sections.append(section)
        echo(report.section_markdown(section) + "\n")
    machine_lines.append(f"- Run: {stamp}, {time.time() - started:.0f} s"
                         + (f", `{command}`" if command else ""))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chart_path = out_dir / f"{stamp}.png"
    chart_note = chart.write(sections, chart_path)
    markdown = report.document(f"gradfall benchmark {stamp}", machine_lines, sections,
                               chart_name=None if chart_note else chart_path.name)
    if chart_note:
        markdown += f"\n{chart_note}\n"
    markdown_path = out_dir / f"{stamp}.md"
    markdown_path.write_text(markdown)
    (out_dir / "latest.md").write_text(markdown)
    echo(report.summary(sections))
    echo(f"Wrote {markdown_path}" + (f" ({chart_note})" if chart_note else f" and {chart_path}"))
    return Result(markdown, sections, markdown_path, chart_path, failed)
