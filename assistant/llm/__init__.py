"""Language-model providers (extractive needs none), prompt loading and the chains."""
