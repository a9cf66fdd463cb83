"""Recurring causes: cluster incidents' root-cause and trigger text (the index's embeddings +
scikit-learn's agglomerative clustering) and name each cluster by its c-TF-IDF top terms."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pydantic import BaseModel
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import CountVectorizer

from assistant.incidents.records import IncidentRecord

DISTANCE_THRESHOLD = 0.55  # cosine distance; average linkage


class Cluster(BaseModel):
    name: str
    terms: list[str]
    incidents: list[str]
    services: list[str]


def cause_text(r: IncidentRecord) -> str:
    from assistant.incidents.actions import CAUSE_CHARS

    return f"{r.title}. {(r.root_cause or '')[:CAUSE_CHARS]}"


def name_clusters(texts_by_cluster: list[str], top: int = 3) -> list[list[str]]:
    """c-TF-IDF (as in BERTopic): tf of a term in the cluster x log(1 + mean words per cluster /
    the term's frequency over all clusters)."""
    if not texts_by_cluster:
        return []
    vec = CountVectorizer(stop_words="english", ngram_range=(1, 2), token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z-]{2,}\b")
    counts = vec.fit_transform(texts_by_cluster).toarray().astype(float)
    tf = counts / np.clip(counts.sum(axis=1, keepdims=True), 1, None)
    avg = counts.sum() / len(texts_by_cluster)
    idf = np.log(1 + avg / np.clip(counts.sum(axis=0), 1, None))
    scores = tf * idf
    vocab = np.array(vec.get_feature_names_out())
    out = []
    for row in scores:
        terms: list[str] = []
        for i in np.argsort(-row):
            t = str(vocab[i])
            if row[i] <= 0:
                break
            if any(t in x or x in t for x in terms):
                continue  # "replica" and "replica lag" say the same thing
            terms.append(t)
            if len(terms) == top:
                break
        out.append(terms)
    return out


def cluster(recs: list[IncidentRecord], embed: Callable[[list[str]], np.ndarray],
            threshold: float = DISTANCE_THRESHOLD, min_size: int = 2) -> tuple[list[Cluster], list[int]]:
    """Clusters of at least ``min_size`` incidents, largest first, and each record's label."""
    if len(recs) < 2:
        return [], [0] * len(recs)
    vecs = embed([cause_text(r) for r in recs])
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=threshold).fit_predict(vecs)
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    big = sorted((g for g in groups.values() if len(g) >= min_size), key=len, reverse=True)
    names = name_clusters([" ".join(cause_text(recs[i]) for i in g) for g in big])
    clusters = [
        Cluster(name=", ".join(terms), terms=terms, incidents=[recs[i].id for i in g],
                services=sorted({s for i in g for s in recs[i].services}))
        for g, terms in zip(big, names, strict=True)
    ]
    return clusters, [int(x) for x in labels]
