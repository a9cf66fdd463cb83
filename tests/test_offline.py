"""Offline means offline: non-loopback sockets fail in tests, and Chroma telemetry is off."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError

from assistant.index.store import make_client
from assistant.settings import Settings


def test_non_loopback_connections_are_blocked() -> None:
    with pytest.warns(UserWarning, match="192.0.2.1"), pytest.raises(SocketConnectBlockedError), \
            socket.create_connection(("192.0.2.1", 80), timeout=1):
        pass


def test_chroma_telemetry_is_off() -> None:
    client = make_client(Settings())
    try:
        assert client.get_settings().anonymized_telemetry is False
    finally:
        client.close()


def test_embedding_model_loads_from_installed_packages_only() -> None:
    from assistant.index.embeddings import minilm_files

    model, tokenizer = minilm_files()
    assert "site-packages" in str(model) and model.stat().st_size > 10_000_000
    assert tokenizer.name == "tokenizer.json"
