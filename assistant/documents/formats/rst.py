"""reStructuredText -> Markdown: docutils parses, its HTML5 writer renders, pandoc writes Markdown.

docutils is reST's reference implementation; it reads files pandoc's reST reader rejects
(docutils' own quickstart.rst is one). File access is off (``include``, ``raw``,
``csv-table :file:`` read nothing) and so are configuration files. Sphinx's roles and
directives, which plain docutils does not know, degrade to their text instead of to error
messages: ``:ref:`Rollout <rollout>``` reads "Rollout", ``.. versionadded:: 2.1`` keeps its
body, ``.. toctree::`` and autodoc directives are dropped. Field lists at the top
(``:Status: Accepted``) become one "**Status:** Accepted" paragraph each, which is how the
section parser reads metadata from prose. Section titles keep their source lines.
"""

from __future__ import annotations

import io
import re
from typing import Any, ClassVar

from assistant.documents.formats.errors import ConversionFailed
from assistant.documents.formats.pandoc import run_pandoc

_DROPPED_DIRECTIVES = {
    "toctree", "autosummary", "automodule", "autoclass", "autofunction", "automethod", "autoattribute",
    "autoexception", "autodata", "index", "highlight", "tabularcolumns", "literalinclude", "graphviz",
    "plot", "only-html", "sectionauthor", "moduleauthor", "codeauthor", "currentmodule", "module",
}
_PREFIXED_DIRECTIVES = {"versionadded": "Added in version", "versionchanged": "Changed in version",
                        "deprecated": "Deprecated since version", "seealso": "See also"}
_CODE_ROLES = {"code", "command", "file", "samp", "kbd", "option", "envvar", "program", "mod", "func", "class",
               "meth", "attr", "data", "exc", "obj", "const", "token", "confval"}
_SETTINGS: dict[str, Any] = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    "report_level": 5,
    "halt_level": 5,
    "input_encoding": "unicode",
    "output_encoding": "utf-8",
    "syntax_highlight": "none",
    "embed_stylesheet": False,
    "stylesheet_path": "",
    "math_output": "latex",
    "footnote_references": "superscript",
}
_patched = False


def _generic_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                  options: dict[str, Any] | None = None, content: list[str] | None = None) -> tuple[list[Any], list[Any]]:
    from docutils import nodes

    m = re.match(r"^(.*?)\s*<([^>]*)>$", text, re.S)
    shown = (m.group(1) if m and m.group(1) else text).lstrip("~!")
    base = name.split(":")[-1]
    node = nodes.literal(rawtext, shown) if base in _CODE_ROLES else nodes.Text(shown)
    return [node], []


class _AnyOptions(dict[str, Any]):
    """An option spec that accepts every option (Sphinx directives have many)."""

    def __missing__(self, key: str) -> Any:
        from docutils.parsers.rst import directives

        return directives.unchanged


def _generic_directive() -> type:
    from docutils import nodes
    from docutils.parsers.rst import Directive

    class GenericDirective(Directive):
        """A directive docutils does not know: keep its arguments and body as text."""

        has_content = True
        optional_arguments = 10
        final_argument_whitespace = True
        option_spec: ClassVar[dict[str, Any]] = _AnyOptions()

        def run(self) -> list[Any]:
            if self.name in _DROPPED_DIRECTIVES:
                return []
            out: list[Any] = []
            argument = " ".join(self.arguments).strip()
            prefix = _PREFIXED_DIRECTIVES.get(self.name)
            if prefix or argument:
                label = f"{prefix} {argument}".strip() if prefix else argument
                out.append(nodes.paragraph("", "", nodes.strong("", label)))
            if self.content:
                box = nodes.container()
                self.state.nested_parse(self.content, self.content_offset, box)
                out.extend(box.children)
            return out

    return GenericDirective


def _patch_docutils() -> None:
    """Unknown roles and directives degrade to text (this runs in the converter process)."""
    global _patched
    if _patched:
        return
    from docutils.parsers.rst import directives, roles

    generic = _generic_directive()
    lookup_directive, lookup_role = directives.directive, roles.role

    def directive(name: str, language_module: Any, document: Any) -> tuple[Any, list[Any]]:
        found, messages = lookup_directive(name, language_module, document)
        return (found, messages) if found is not None else (generic, [])

    def role(name: str, language_module: Any, lineno: int, reporter: Any) -> tuple[Any, list[Any]]:
        found, messages = lookup_role(name, language_module, lineno, reporter)
        return (found, messages) if found is not None else (_generic_role, [])

    directives.directive = directive
    roles.role = role
    _patched = True


def _fields_to_paragraphs(doctree: Any) -> None:
    from docutils import nodes

    targets = list(doctree.findall(nodes.docinfo))
    targets += [f for f in doctree.findall(nodes.field_list) if isinstance(f.parent, nodes.document | nodes.section)]
    for node in targets:
        paras = []
        for field in node.children:
            if isinstance(field, nodes.field):
                name, body = field[0].astext(), field[1].astext()
            else:  # docinfo's own elements: author, date, status, version...
                name, body = field.tagname.capitalize(), field.astext()
            text = " ".join(body.split())
            paras.append(nodes.paragraph("", "", nodes.strong("", f"{name}:"), nodes.Text(f" {text}")))
        node.replace_self(paras)


def _title_lines(doctree: Any, lines: list[str]) -> list[tuple[str, int]]:
    """(title, line) for the document and section titles. docutils reports the underline's
    line, so the title's own line is looked for just above it."""
    from docutils import nodes

    out = []
    for title in doctree.findall(nodes.title):
        if not isinstance(title.parent, nodes.section | nodes.document):
            continue
        text = title.astext().strip()
        line = title.line or title.parent.line
        if not line:
            continue
        for candidate in (line - 1, line, line - 2):
            if 1 <= candidate <= len(lines) and text and text[:20] in lines[candidate - 1]:
                line = candidate
                break
        out.append((text, line))
    return out


def rst_to_markdown(text: str, name: str, timeout_s: float, heap_mb: int) -> tuple[str, list[tuple[str, int]], list[str]]:
    """Markdown, (title, source line) pairs and warnings for a reST document."""
    from docutils import nodes
    from docutils.core import publish_doctree, publish_from_doctree
    from docutils.utils import SystemMessage

    _patch_docutils()
    settings = dict(_SETTINGS, warning_stream=io.StringIO())
    try:
        doctree = publish_doctree(text, source_path=name, settings_overrides=settings)
    except (SystemMessage, ValueError, AttributeError, IndexError) as exc:
        raise ConversionFailed("corrupt", f"reStructuredText could not be parsed ({exc})") from exc
    warnings = []
    for msg in list(doctree.findall(nodes.system_message)):
        if msg.get("level", 0) >= 2:
            warnings.append(f"line {msg.get('line', '?')}: {msg.children[0].astext() if msg.children else ''}")
        msg.parent.remove(msg)
    for node in list(doctree.findall(nodes.topic)):
        if "contents" in node.get("classes", []):
            node.parent.remove(node)  # a generated table of contents
    for node in list(doctree.findall(nodes.decoration)):
        node.parent.remove(node)  # .. header:: / .. footer:: page decorations
    _fields_to_paragraphs(doctree)
    headings = _title_lines(doctree, text.splitlines())
    html = publish_from_doctree(doctree, writer_name="html5", settings_overrides=settings)
    return run_pandoc(html, "html", timeout_s, heap_mb), headings, warnings[:20]
