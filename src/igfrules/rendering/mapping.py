"""Where each field of a FHIR-read case came from, for people: `igfrules evaluate --show-mapping`.

The section goes just before the closing disclaimer, so the research-only disclaimer still ends
the page.
"""

from __future__ import annotations

import json
import textwrap

from ..model.mapping import SourceMapping
from ..model.report import Report
from .labels import field_label

HEADING = "WHERE EACH FIELD CAME FROM (FHIR)"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # prior therapies (mappings) or metastatic sites (words)
        return "; ".join(", ".join(f"{k} {_value(v)}" if k != "agent" else str(v) for k, v in item.items())
                         if isinstance(item, dict) else str(item).replace("_", " ") for item in value) or "none"
    return value if isinstance(value, str) else json.dumps(value)


def mapping_lines(mapping: SourceMapping, width: int = 100) -> list[str]:
    lines = [f"{HEADING}: Bundle {mapping.bundle_id or '(no id)'}, {mapping.resources} resources read"]
    for source in mapping.fields:
        line = f"- {field_label(source.field)}: {_value(source.value)}"
        lines.extend(textwrap.wrap(line, width, subsequent_indent="    "))
        if source.resources:
            lines.extend(textwrap.wrap("from " + ", ".join(source.resources), width, initial_indent="    ",
                                       subsequent_indent="    ", break_on_hyphens=False))
        if source.note:
            lines.extend(textwrap.wrap(source.note, width, initial_indent="    ", subsequent_indent="    ",
                                       break_on_hyphens=False))
    for medicine in mapping.unrecognised_medicines:
        lines.append(f"- not recognised: {medicine.text} ({medicine.resource})")
    return lines


def with_mapping(rendered: str, report: Report, *, markdown: bool = False) -> str:
    """The text (or Markdown) rendering with the mapping section just before the closing disclaimer."""
    if report.mapping is None:
        return rendered
    lines = mapping_lines(report.mapping)
    if markdown:
        section = "## Where each field came from (FHIR)\n\n```text\n" + "\n".join(lines[1:]) + "\n```\n\n"
        marker = "---\n\n*" + report.disclaimer[:30]
    else:
        section = "\n".join(lines) + "\n\n"
        marker = report.disclaimer[:30]
    head, found, tail = rendered.rpartition(marker)
    return head + section + found + tail if found else rendered + section
