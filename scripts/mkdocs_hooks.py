"""MkDocs hooks: the pages and tables the site generates from the code at build time.

Each generated piece has one source, so the site cannot drift from it:

- ``<!-- gen:extras -->``: the extras table, from ``[project.optional-dependencies]``
  in pyproject.toml (the comment above each extra says what it unlocks);
- ``<!-- gen:compat-matrix -->``: the RL-library compatibility matrix, from
  ``python/ferrogym/compat_matrix.json`` (what ``ferrogym compat`` prints);
- ``<!-- gen:envs -->`` and one page per registered env under ``envs/``: the env
  class docstring, its spaces, and its config fields with the Rust default, the
  Rust doc comment and the declared ``[low, high]`` bounds, read from the Rust
  declaration (``default_config()``, ``effective_config()`` and the config
  struct's source); scenarios from the env's ``SCENARIOS`` tuple.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import tomllib
from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
RUST_ENVS = ROOT / "rust" / "core" / "src" / "envs"
ENVS_SECTION = "Environments"


# --- the extras table -------------------------------------------------------------------------


def _extra_comments(text: str) -> dict[str, str]:
    """The ``#:`` comment lines above each ``name = [...]`` of the optional-dependencies table.

    Plain ``#`` comments (why a range is pinned, say) stay out of the site.
    """
    block = text.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    out: dict[str, str] = {}
    pending: list[str] = []
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped.removeprefix("#:").strip())
        elif m := re.match(r"([A-Za-z0-9_-]+)\s*=", stripped):
            out[m.group(1)] = " ".join(pending)
            pending = []
    return out


def _requirement_name(req: str) -> str:
    return re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0] + (
        "[" + req.split("[", 1)[1].split("]", 1)[0] + "]" if req.startswith("ferrogym[") else ""
    )


def extras_table(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """A Markdown table of every extra: its packages (ranges in pyproject.toml) and what it is for."""
    text = pyproject.read_text(encoding="utf-8")
    extras: dict[str, list[str]] = tomllib.loads(text)["project"]["optional-dependencies"]
    why = _extra_comments(text)
    rows = ["| extra | installs | what for |", "| --- | --- | --- |"]
    for name, reqs in extras.items():
        pkgs = ", ".join(dict.fromkeys(_requirement_name(r) for r in reqs))
        rows.append(f"| `{name}` | {pkgs} | {why.get(name, '')} |")
    return "\n".join(rows)


# --- the compatibility matrix -----------------------------------------------------------------


def compat_matrix() -> str:
    """The matrix shipped with ferrogym (what ``ferrogym compat --markdown`` prints without a
    local run), with the date tests/compat measured it."""
    from ferrogym import compat

    data = compat.load_results(compat.SHIPPED)
    measured = data.get("measured", "(date not recorded)")
    return f"Measured {measured} by `pytest tests/compat`.\n\n" + compat.markdown(data)


# --- env pages --------------------------------------------------------------------------------

_FIELD = re.compile(
    r"((?:[ \t]*///[^\n]*\n)+)[ \t]*(?:pub\s+)?(\w+)\s*:\s*([^,\n=]+?)(?:\s*=\s*\[([^\]\n]+)\])?\s*,",
)


def _config_blocks(text: str) -> list[str]:
    """The bodies of ``pub struct *Config {...}`` and of ``config_fields! {...}`` invocations."""
    blocks = []
    for m in re.finditer(r"pub struct \w*Config\s*\{|^config_fields!\s*\{", text, re.MULTILINE):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        blocks.append(text[m.end() : i - 1])
    return blocks


def rust_field_docs(core_name: str) -> dict[str, tuple[str, str]]:
    """``field -> (doc comment, "[low, high]" or "")`` from the Rust source of ``core_name``'s config.

    The Rust config struct (or TicketRouting's ``config_fields!`` list) is the one
    declaration of the fields; this reads its doc comments and declared bounds.
    """
    stem = core_name.removesuffix("Core")
    out: dict[str, tuple[str, str]] = {}
    for path in sorted(RUST_ENVS.rglob("*.rs")):
        text = path.read_text(encoding="utf-8")
        if f"struct {stem}Config" not in text and "config_fields!" not in text:
            continue
        if f"struct {stem}Config" not in text and stem != "TicketRouting":
            continue
        for block in _config_blocks(text):
            for m in _FIELD.finditer(block):
                doc = " ".join(line.strip().removeprefix("///").strip() for line in m.group(1).splitlines())
                bounds = f"[{m.group(4).strip()}]" if m.group(4) else ""
                out.setdefault(m.group(2), (doc, bounds))
    return out


def _rust_constants() -> dict[str, str]:
    """``NAME -> value`` of every ``pub const NAME: T = value;`` of the core crate (bounds cite them)."""
    out: dict[str, str] = {}
    for path in (ROOT / "rust" / "core" / "src").rglob("*.rs"):
        for m in re.finditer(r"const (\w+): \w+ = ([^;]+);", path.read_text(encoding="utf-8")):
            out.setdefault(m.group(1), m.group(2).strip())
    return out


def _resolve_bounds(bounds: str, constants: dict[str, str]) -> str:
    return re.sub(r"\b[A-Z][A-Z0-9_]+\b", lambda m: constants.get(m.group(0), m.group(0)), bounds)


def _type_name(tp: Any) -> str:
    if tp is None:
        return ""
    text = tp.__name__ if isinstance(tp, type) else str(tp).replace("typing.", "")
    return text.replace(" | None", "").replace("|", "\\|")


def _cell(value: Any, width: int = 48) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    text = text if len(text) <= width else text[: width - 1] + "…"
    return "`" + text.replace("|", "\\|") + "`"


def _config_table(env_cls: type, config_cls: type | None) -> str:
    core = env_cls._core_cls  # type: ignore[attr-defined]
    declared = dict(core.default_config())
    if not declared:
        return "This env takes no config fields (besides `render_mode`)."
    effective = core().effective_config() or {}
    docs = rust_field_docs(core.__name__)
    constants = _rust_constants()
    hints = inspect.get_annotations(config_cls, eval_str=True) if config_cls is not None else {}
    rows = ["| field | type | default | meaning | bounds |", "| --- | --- | --- | --- | --- |"]
    for name, default in declared.items():
        value = effective.get(name, default)
        tp_text = _type_name(hints.get(name))
        doc, bounds = docs.get(name, ("", ""))
        bounds = _resolve_bounds(bounds, constants)
        shown = "—" if value is None else _cell(value)
        doc = doc.replace("|", "\\|")
        rows.append(f"| `{name}` | {tp_text} | {shown} | {doc} | {bounds} |")
    return "\n".join(rows)


def _scenarios(env_id: str) -> str:
    from ferrogym.web.adapters.scenarios import scenarios

    rows = [(s.name.split(":", 1)[1], s.description) for s in scenarios() if s.env_id == env_id]
    if not rows:
        return ""
    lines = ["## Scenarios", "", "`scenario=` takes one of these names:", "", "| scenario | what |", "| --- | --- |"]
    lines += [f"| `{name}` | {what} |" for name, what in rows]
    return "\n".join(lines)


def _demote(doc: str) -> str:
    """The docstring as page Markdown: ``## Section`` headings one level down (under the
    page's ``## Manual``), doctest examples fenced as ``pycon``."""
    doc = re.sub(r"^(#+) ", lambda m: "#" + m.group(1) + " ", doc, flags=re.MULTILINE)
    return re.sub(r"(?m)^(>>> (?:.*\n(?!\s*\n))*.*)$", lambda m: "```pycon\n" + m.group(1) + "\n```", doc)


def env_slug(env_id: str) -> str:
    """``ferrogym/TicketRouting-v0`` -> ``ticketrouting-v0`` (the page's file name)."""
    return env_id.split("/", 1)[1].lower()


def env_page(entry: Any) -> str:
    """The Markdown page of one registered env."""
    import gymnasium as gym

    from ferrogym.envs.catalogue import short_space

    module = importlib.import_module(entry.module)
    env_cls = getattr(module, f"{entry.cls}Env")
    config_cls = getattr(module, f"{entry.cls}Config", None)
    env = gym.make(entry.id, disable_env_checker=True)
    try:
        spaces = (short_space(env.action_space), short_space(env.observation_space))
    finally:
        env.close()
    limit = entry.max_episode_steps if entry.max_episode_steps is not None else "none (the env truncates itself)"
    guide = re.sub(r"(?<!^)(?=[A-Z])", "_", entry.cls).lower() + ".md"  # TicketRouting -> ticket_routing.md
    guide_line = (
        f"The [{entry.cls} guide](../{guide}) has the design notes and measurements."
        if (ROOT / "docs" / guide).exists()
        else ""
    )
    parts = [
        f"# {entry.id.split('/', 1)[1]}",
        "",
        f'`gym.make("{entry.id}")` — class `{entry.module}.{entry.cls}Env`, batched by '
        f"`{entry.cls}VectorEnv` (`gym.make_vec`).",
        "",
        "| | |",
        "| --- | --- |",
        f"| action space | `{spaces[0]}` |",
        f"| observation space | `{spaces[1]}` |",
        f"| `max_episode_steps` | {limit} |",
        f"| action masks | {'yes: `action_masks()`' if entry.masked else 'no'} |",
        "",
        guide_line,
        "",
        "## Config fields",
        "",
        "Keyword arguments of `gym.make` (and fields of the config dataclass"
        + (f" `{config_cls.__module__}.{config_cls.__name__}`" if config_cls is not None else "")
        + "). Defaults, meanings and bounds are read from the Rust declaration of the config; "
        "out-of-range values raise `ferrogym.errors.ConfigError`.",
        "",
        _config_table(env_cls, config_cls),
        "",
        _scenarios(entry.id),
        "",
        "## Manual",
        "",
        _demote(inspect.cleandoc(env_cls.__doc__ or "")),
        "",
    ]
    return "\n".join(parts)


def envs_table() -> str:
    """One row per registered env, linking its page."""
    import gymnasium as gym

    from ferrogym.envs import ENVS

    rows = ["| env | class | batched in Rust |", "| --- | --- | --- |"]
    for e in ENVS:
        batched = "yes" if gym.spec(e.id).vector_entry_point is not None else "no"
        rows.append(f"| [{e.id}]({env_slug(e.id)}.md) | `{e.module}.{e.cls}Env` | {batched} |")
    return "\n".join(rows)


# --- doctest examples in docstrings ----------------------------------------------------------


class _DoctestFences(Preprocessor):
    """Fences each run of ``>>>`` lines (to the next blank line) as ``pycon`` code, so a
    docstring's examples render as code and ``x["key"][0]`` is not read as a Markdown link."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fenced = doctest = False
        for line in lines:
            stripped = line.lstrip()
            if doctest and not stripped:
                out.append(line[: len(line) - len(line.lstrip())] + "```")
                doctest = False
            elif not fenced and not doctest and stripped.startswith(">>>") and (not out or not out[-1].strip()):
                out.append(line[: len(line) - len(stripped)] + "```pycon")
                doctest = True
            elif not doctest and stripped.startswith(("```", "~~~")):
                fenced = not fenced
            out.append(line)
        if doctest:
            out.append("```")
        return out


class DoctestFences(Extension):
    """The Markdown extension that applies :class:`_DoctestFences` (before the fences are parsed)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_DoctestFences(md), "doctest_fences", 28)


# --- hooks ------------------------------------------------------------------------------------

PLACEHOLDERS = {
    "<!-- gen:extras -->": extras_table,
    "<!-- gen:compat-matrix -->": compat_matrix,
    "<!-- gen:envs -->": envs_table,
}


@event_priority(100)  # before mkdocstrings copies the Markdown extensions for docstrings
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Lists the generated env pages in the Environments section of the navigation and
    adds the doctest-fencing Markdown extension."""
    from ferrogym.envs import ENVS

    config.markdown_extensions.append(DoctestFences())  # type: ignore[arg-type]

    for item in config.nav or []:
        if isinstance(item, dict) and ENVS_SECTION in item:
            item[ENVS_SECTION] += [f"envs/{env_slug(e.id)}.md" for e in ENVS]
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Adds one generated page per registered env."""
    from ferrogym.envs import ENVS

    for e in ENVS:
        files.append(File.generated(config, f"envs/{env_slug(e.id)}.md", content=env_page(e)))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Replaces each ``<!-- gen:... -->`` placeholder with the table it names."""
    for marker, build in PLACEHOLDERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, build())
    return markdown
