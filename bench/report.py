"""Markdown: the machine, then one table per section with a ratio, target and met/short column."""
from __future__ import annotations


def _ratio(value) -> str:
    return "—" if value is None else f"{value:.2f}×"


def table(section) -> str:
    header = list(section.columns) + [section.ratio_name, "target", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in section.rows:
        cells = [str(c) for c in row.cells] + [_ratio(row.ratio), row.target_text or "—",
                                                section.status(row) or "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(sections) -> str:
    judged = [s.status(r) for s in sections for r in s.rows if s.status(r)]
    return f"Targets met: {judged.count('met')} of {len(judged)}."


def section_markdown(section) -> str:
    parts = [f"## {section.title}", "", table(section) if section.rows else "_No rows._"]
    notes = [n for n in section.notes if n]
    if notes:
        parts += [""] + [f"- {n}" for n in notes]
    return "\n".join(parts)


def document(title: str, machine_lines, sections, chart_name=None) -> str:
    parts = [f"# {title}", "", "## Machine", "", *machine_lines, "",
             "Ratios are gradfall ÷ other: above 1 means gradfall is faster (latency: the "
             "other's time ÷ gradfall's, also above 1 when gradfall is faster; memory: smaller "
             "is better). " + summary(sections), ""]
    if chart_name:
        parts += [f"![ratios]({chart_name})", ""]
    parts += [section_markdown(s) + "\n" for s in sections]
    return "\n".join(parts)
