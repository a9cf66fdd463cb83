"""The review's vocabulary schemas: ``data/review_checks.yaml`` (patterns, mechanisms, trade-offs,
STRIDE) and ``data/review_sections.yaml`` (the sections a design doc needs and the names real
documents give them). Loaded and validated through ``assistant.vocab``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from assistant.vocab import Data, Pattern, RegexText, load


class PatternSpec(Data):
    label: str
    uses: list[Pattern]
    min_mentions: int = Field(default=2, ge=1)
    modes: list[str] = Field(description="mechanisms that handle this pattern's failure modes")


class MechanismSpec(Data):
    label: str
    why: str = ""
    category: Literal["pattern", "security"] = "pattern"
    addressed: list[Pattern] = Field(default_factory=list)
    denied: list[Pattern] = Field(default_factory=list)
    excused: list[Pattern] = Field(default_factory=list)
    required_by: list[Pattern] = Field(default_factory=list)
    caused: list[Pattern] = Field(default_factory=list)
    only_with: str | None = None
    standalone: bool = False
    missing_only_if: RegexText | None = None


class TradeoffSpec(Data):
    choice: list[Pattern]
    one_sided: list[Pattern]
    big_choice: list[Pattern]
    given_up: list[Pattern]
    cost_sections: list[RegexText]


class Threat(Data):
    label: str
    addressed: list[Pattern]


class StrideSpec(Data):
    new_surface: list[Pattern]
    unauthenticated: list[Pattern]
    idor: list[Pattern]
    public_surface: list[Pattern]
    threats: dict[str, Threat]
    secrets_exposed: list[Pattern]
    secrets_handled: list[Pattern]
    pii_fields: list[Pattern]


class Checklist(Data):
    patterns: dict[str, PatternSpec]
    mechanisms: dict[str, MechanismSpec]
    rule_words: list[Pattern]
    tradeoffs: TradeoffSpec
    stride: StrideSpec
    hype_ignore: list[Pattern]

    @model_validator(mode="after")
    def _names_resolve(self) -> Checklist:
        for name, p in self.patterns.items():
            unknown = [m for m in p.modes if m not in self.mechanisms]
            if unknown:
                raise ValueError(f"patterns.{name}.modes names unknown mechanisms: {', '.join(unknown)}")
        for name, m in self.mechanisms.items():
            if m.only_with and m.only_with not in self.patterns:
                raise ValueError(f"mechanisms.{name}.only_with names an unknown pattern {m.only_with!r}")
        return self


class SectionSpec(Data):
    names: list[RegexText]
    severity: Literal["high", "medium", "low"]
    when: Literal["always", "changes-system", "people-data", "migrates-data"]
    needs_number: bool = False
    number_hint: str | None = None
    needs: RegexText | None = None
    needs_rule: str | None = None
    needs_problem: str | None = None
    needs_hint: str | None = None
    none_ok: bool = False
    none_problem: str | None = None
    none_hint: str | None = None


class Rubric(Data):
    sections: dict[str, SectionSpec]
    placeholders: list[RegexText]
    changes_system: list[RegexText]
    changes_system_min: int = Field(ge=1)
    people_data: list[RegexText]
    migrates_data: list[RegexText]


def checklist() -> Checklist:
    return load("review_checks.yaml", Checklist)


def rubric() -> Rubric:
    return load("review_sections.yaml", Rubric)
