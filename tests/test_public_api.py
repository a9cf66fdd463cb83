import assistant


def test_all_names_exist_and_nothing_private_leaks() -> None:
    for name in assistant.__all__:
        assert hasattr(assistant, name), name
    public = {n for n in vars(assistant) if not n.startswith("_") and n not in {"annotations"}}
    modules = {n for n in public if type(getattr(assistant, n)).__name__ == "module"}
    assert public - modules == set(assistant.__all__) - {"__version__"}


def test_the_jobs_are_exported_and_take_the_opened_index_first() -> None:
    import inspect

    for name in ("ask_question", "review_file", "review_text", "trends", "list_incidents", "find_similar", "headroom",
                 "capacity_question"):
        job = getattr(assistant, name)
        first = next(iter(inspect.signature(job).parameters))
        assert first in ("lib", "path", "text"), (name, first)
    assert set(assistant._JOBS) <= set(assistant.__all__)


def test_importing_archie_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    code = ("import sys, assistant, assistant.cli; heavy = ('chromadb', 'onnxruntime', 'langchain_core', 'sklearn', "
            "'matplotlib', 'fastapi', 'uvicorn', 'torch'); print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
