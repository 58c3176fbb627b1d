"""Read a small YAML file from outside the project: no aliases, no duplicate keys, a size cap.

PyYAML's safe loader builds no objects, but it expands aliases (a few hundred bytes can grow
into gigabytes) and lets a later duplicate key silently win. Both are refused here, with the
line and column of the offending place.
"""

from __future__ import annotations

from pathlib import Path

import yaml

MAX_BYTES = 64 * 1024


class YamlError(ValueError):
    """A YAML file that may not be read; the message names line and column where known."""


def _where(mark: yaml.Mark | None) -> str:
    return f"regel {mark.line + 1}, kolom {mark.column + 1}: " if mark is not None else ""


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlError(f"{_where(event.start_mark)}verwijzingen (*{event.anchor}) zijn niet toegestaan")
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise YamlError(f"{_where(event.start_mark)}ankers (&{event.anchor}) zijn niet toegestaan")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(f"{_where(key_node.start_mark)}samenvoegen (<<) is niet toegestaan")
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise YamlError(f"{_where(key_node.start_mark)}een sleutel moet tekst zijn")
            if key in seen:
                raise YamlError(f"{_where(key_node.start_mark)}sleutel '{key}' komt twee keer voor")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load(path: Path, max_bytes: int = MAX_BYTES) -> object:
    """The content of ``path``; raise :class:`YamlError` for anything that may not be read."""
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise YamlError(f"bestand is groter dan {max_bytes // 1024} KiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(f"regel {line}: geen UTF-8") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(f"{_where(exc.problem_mark)}geen geldige YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"geen geldige YAML ({exc})") from None
    except RecursionError:
        raise YamlError("te diep genest") from None
