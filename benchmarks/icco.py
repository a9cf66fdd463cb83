"""Incident analysis on real postmortems nobody here wrote (../shared/corpora/postmortems/icco):
clustering agreement with the collector's categories (adjusted Rand index against the first
label, purity) and how often `incidents similar` puts an incident sharing a category first
(leave-one-out)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from assistant.documents import read_document
from assistant.incidents.clusters import cause_text, cluster
from assistant.incidents.records import record
from assistant.index.embeddings import MiniLMEmbedding

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def run(threshold: float = 0.55) -> dict:
    root = SHARED / "postmortems" / "icco"
    docs = [read_document(p, SHARED) for p in sorted(root.glob("*.md"))]
    recs = [record(d) for d in docs]
    cats = [d.postmortem.categories if d.postmortem else [] for d in docs]
    keep = [i for i, c in enumerate(cats) if c]
    recs, cats = [recs[i] for i in keep], [cats[i] for i in keep]
    emb = MiniLMEmbedding()
    vecs = emb.embed([cause_text(r) for r in recs])
    memo = dict(zip([cause_text(r) for r in recs], vecs, strict=True))

    def embed(texts: list[str]) -> np.ndarray:
        return np.vstack([memo[t] if t in memo else emb.embed([t])[0] for t in texts])

    _, labels = cluster(recs, embed, threshold=threshold)
    first = [c[0] for c in cats]
    ari = adjusted_rand_score(first, labels)
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(lab, []).append(i)
    purity = sum(Counter(first[i] for i in g).most_common(1)[0][1] for g in groups.values()) / len(recs)
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -1)
    nearest = sims.argmax(axis=1)
    loo = float(np.mean([bool(set(cats[i]) & set(cats[int(j)])) for i, j in enumerate(nearest)]))
    majority = Counter(first).most_common(1)[0][1] / len(first)
    return {"postmortems": len(recs), "clusters": len(groups), "ari_first_label": round(ari, 3),
            "purity": round(purity, 3), "majority_label_share": round(majority, 3),
            "similar_first_shares_a_category": round(loo, 3),
            "with_duration": sum(1 for r in recs if r.time_to_resolve_min is not None)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
