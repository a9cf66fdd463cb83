import assistant


def test_all_names_exist_and_nothing_private_leaks() -> None:
    for name in assistant.__all__:
        assert hasattr(assistant, name), name
    public = {n for n in vars(assistant) if not n.startswith("_") and n not in {"annotations"}}
    modules = {n for n in public if type(getattr(assistant, n)).__name__ == "module"}
    assert public - modules == set(assistant.__all__) - {"__version__"}
