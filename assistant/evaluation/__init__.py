"""The eval harness: datasets in ``evals/``, metrics and runners here."""
