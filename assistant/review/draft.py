"""The reviewed document as the checks see it: parsed sections, lines, which section each line is
in, and which lines only discuss alternatives (a pattern named there is not being proposed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from assistant.documents import parse_text
from assistant.documents.common import key_values
from assistant.models import Document, Section
from assistant.review.model import Finding, Reference, Severity

# sections that describe the situation today rather than the design
CONTEXT = re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:the\s+)?(?:context|background|problems?(?: statement)?|motivation|why\b.*|"
                     r"current state|where we are|today|status quo|history)(?:\s+(?:and|&)\s+[\w\s]+)?\W*$", re.I)

# sections that weigh options rather than propose them
DISCUSSION = re.compile(r"\b(?:alternatives?|options?|considered|prior art|rejected|rationale|other approaches|"
                        r"non[- ]goals?|history|appendix|references|glossary)\b", re.I)


@dataclass
class Draft:
    text: str
    path: str
    doc: Document = field(init=False)
    lines: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.doc = parse_text(self.text, self.path)
        self.lines = self.text.splitlines()

    @cached_property
    def section_of(self) -> list[Section | None]:
        """Index i -> the innermost section holding line i+1."""
        out: list[Section | None] = [None] * len(self.lines)
        for s in sorted(self.doc.sections, key=lambda s: len(s.path)):
            for i in range(max(s.line_start, 1) - 1, min(s.line_end, len(self.lines))):
                out[i] = s
        return out

    @cached_property
    def code_lines(self) -> set[int]:
        """1-based lines inside fenced code blocks and front matter."""
        inside, out = False, set()
        fm = self.text.startswith("---")
        for i, line in enumerate(self.lines, 1):
            if fm:
                out.add(i)
                if i > 1 and line.strip() == "---":
                    fm = False
                continue
            if line.lstrip().startswith(("```", "~~~")):
                inside = not inside
                out.add(i)
            elif inside:
                out.add(i)
        return out

    def in_discussion(self, line: int) -> bool:
        s = self.section_of[line - 1] if 0 < line <= len(self.lines) else None
        return bool(s and any(DISCUSSION.search(h) for h in s.path))

    @cached_property
    def metadata_lines(self) -> set[int]:
        """1-based lines of the preamble that are ``Key: value`` metadata (owner, status, services):
        what a doc is labelled with, not what it says."""
        out: set[int] = set()
        for s in self.doc.sections:
            if s.level == 0:
                for i in range(max(s.line_start, 1), min(s.line_end, len(self.lines)) + 1):
                    if key_values(self.lines[i - 1]):
                        out.add(i)
        return out

    def prose(self, include_discussion: bool = False) -> list[tuple[int, str]]:
        """(line number, text) for lines a check should read: not code, headings or metadata."""
        return [(i, line) for i, line in enumerate(self.lines, 1)
                if line.strip() and i not in self.code_lines and not line.lstrip().startswith("#")
                and i not in self.metadata_lines and (include_discussion or not self.in_discussion(i))]

    @cached_property
    def _proposing(self) -> set[int]:
        """ids of the sections that propose (design, proposal, decision, plan...), matched once."""
        from assistant.review.completeness import matches
        from assistant.review.vocab import rubric

        names = rubric().sections["proposal"].names
        return {id(s) for s in self.doc.sections if any(matches(h, names) for h in s.path)}

    @cached_property
    def _describing(self) -> set[int]:
        """ids of the sections about today's situation (context, problem, background)."""
        return {id(s) for s in self.doc.sections if s.heading and CONTEXT.match(s.path[0] if s.path else s.heading)}

    def _section(self, line: int) -> Section | None:
        return self.section_of[line - 1] if 0 < line <= len(self.lines) else None

    def in_proposal(self, line: int) -> bool:
        """Whether the line is in a section that proposes."""
        return id(self._section(line)) in self._proposing

    def in_context(self, line: int) -> bool:
        """Whether the line is in a section describing today's situation."""
        return id(self._section(line)) in self._describing

    def heading_of(self, line: int) -> str:
        s = self._section(line)
        return s.heading if s else ""

    @cached_property
    def low(self) -> str:
        return self.text.lower()


class Findings:
    """Collects findings, numbering them in order."""

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, severity: Severity, category: str, rule: str, start: int, end: int, problem: str, suggestion: str,
            evidence: str | None = None, references: list[Reference] | None = None, source: str = "rule",
            support: float | None = None) -> Finding:
        f = Finding(id=f"R{len(self.items) + 1:03d}", severity=severity, category=category, rule=rule,
                    line_start=start, line_end=max(start, end), problem=problem, suggestion=suggestion,
                    evidence=evidence, references=references or [], source=source, support=support)
        self.items.append(f)
        return f
