"""Metrics for the eval harness. Pure functions over answers and evidence; every score is
computed by code, with the guard's support checker standing in for an NLI model.

- retrieval: recall@k (an item counts as a hit when any document that answers it is in the top
  k) and MRR;
- citations (ALCE, Gao et al. 2023): a statement is supported when its citations *together*
  support it (citation recall); a citation is irrelevant when it supports nothing alone and
  removing it loses nothing (citation precision);
- citation validity: the share of citations that resolve to an indexed document and section;
- groundedness: the share of claim sentences supported by their citations (uncited = unsupported);
- required-fact recall, abstention precision / recall, hype.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence

from assistant import vocab

Support = Callable[[str, str], float]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return 1.0 if relevant & set(ranked[:k]) else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    return next((1.0 / i for i, d in enumerate(ranked, 1) if d in relevant), 0.0)


def fact_recall(answer: str, facts: list[list[str]]) -> float | None:
    """Share of required facts present (each fact: a list of acceptable alternatives)."""
    if not facts:
        return None
    text = norm(answer)
    return sum(1 for alts in facts if any(norm(a) in text for a in alts)) / len(facts)


def alce(statements: list[tuple[str, list[str]]], support: Support, threshold: float) -> tuple[float | None, float | None]:
    """(citation recall, citation precision) over statements given as (text, [cited evidence texts])."""
    if not statements:
        return None, None
    supported = 0
    relevant = total = 0
    for text, cited in statements:
        together = support(text, "\n".join(cited)) >= threshold if cited else False
        supported += together
        for i, c in enumerate(cited):
            total += 1
            alone = support(text, c) >= threshold
            rest = [x for j, x in enumerate(cited) if j != i]
            without = support(text, "\n".join(rest)) >= threshold if rest else False
            relevant += 1 if alone or (together and not without) else 0
    return supported / len(statements), (relevant / total if total else None)


def groundedness(statements: list[tuple[str, list[str]]], support: Support, threshold: float) -> float | None:
    if not statements:
        return None
    return sum(1 for text, cited in statements if cited and max(support(text, c) for c in cited) >= threshold) / len(statements)


_CONDITION = re.compile(r"\b(?:if|unless|only (?:if|when)|provided|depends|when|as long as|until|conditions?)\b", re.I)


def hype_problems(answer: str, question: str, cited: bool) -> list[str]:
    """Why an answer reads as hype: hype words the question did not bring, endorsement with no
    trade-off or condition, or a recommendation with no evidence cited."""
    lex = vocab.hype()
    out = []
    for group in ("superlatives", "buzzwords"):
        for p in getattr(lex, group):
            m = p.search(answer)
            if m and not p.search(question):
                out.append(f"says {m.group(0)!r}")
    endorses = any(p.search(answer) for p in lex.recommendation)
    tradeoff = any(p.search(answer) for p in lex.tradeoff)
    if endorses and not tradeoff and not _CONDITION.search(answer):
        out.append("endorses without naming a trade-off or condition")
    if endorses and not cited:
        out.append("recommends with no evidence cited")
    return out


def names_tradeoff(answer: str) -> bool:
    return any(p.search(answer) for p in vocab.hype().tradeoff)


def mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(statistics.fmean(vals), 4) if vals else None


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))], 4)


def precision_recall(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[float | None, float | None]:
    tp = sum(1 for p, g in zip(pred, gold, strict=True) if p and g)
    fp = sum(1 for p, g in zip(pred, gold, strict=True) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold, strict=True) if g and not p)
    return (tp / (tp + fp) if tp + fp else None), (tp / (tp + fn) if tp + fn else None)
