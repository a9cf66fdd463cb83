"""Run one conversion in a bounded child process and map how it ended to a result or a failure.

The child (``worker``) lowers its own memory and CPU limits; here the wall clock is bounded:
past ``timeout_s`` the child's whole process group (pandoc included) is killed. A child that
dies, is killed or prints no result becomes a ``ConversionFailed``: never a hang, never a
traceback for the user.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from assistant.documents.formats.errors import ConversionFailed
from assistant.documents.formats.models import Converted, ConvertLimits, SourceFormat

STARTUP_ALLOWANCE_S = 5.0  # the child's Python start-up is not the file's fault


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def run_worker(fmt: SourceFormat, data: bytes, name: str, limits: ConvertLimits) -> Converted:
    """Convert ``data`` in a child process under ``limits``; raises ``ConversionFailed``."""
    cmd = [sys.executable, "-m", "assistant.documents.formats.worker", fmt, name, limits.model_dump_json()]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(data, timeout=limits.timeout_s + STARTUP_ALLOWANCE_S)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise ConversionFailed("timeout", f"conversion took over {limits.timeout_s:g} s") from None
    finally:
        if proc.poll() is None:
            _kill_group(proc)
            proc.wait()
    try:
        result = json.loads(out.decode("utf-8")) if out.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        result = None
    if isinstance(result, dict) and result.get("ok"):
        return Converted.model_validate(result["converted"])
    if isinstance(result, dict) and result.get("kind"):
        raise ConversionFailed(result["kind"], str(result.get("reason") or "conversion failed"))
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise ConversionFailed("timeout", f"conversion used over {limits.timeout_s:g} s of CPU")
    if proc.returncode < 0:
        raise ConversionFailed("memory", f"the converter ran out of memory or crashed (signal {-proc.returncode})")
    last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
    raise ConversionFailed("failed", f"the converter failed ({last[0][:160]})")
