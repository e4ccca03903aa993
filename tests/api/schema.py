"""A small JSON Schema checker for the subset the API document uses (no extra dependency)."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _type_ok(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return name == "boolean"
    return isinstance(value, _TYPES[name])


def problems(value: Any, schema: JSON, root: JSON, where: str = "$") -> list[str]:
    """Every way `value` breaks `schema` (an empty list when it conforms)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return problems(value, root["components"]["schemas"][name], root, where)
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not problems(value, s, root, where)]
        return [] if len(matching) == 1 else [f"{where}: matches {len(matching)} of oneOf"]
    found: list[str] = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, t) for t in types):
            return [f"{where}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in enum")
    if isinstance(value, dict):
        found += _object_problems(value, schema, root, where)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(item, schema["items"], root, f"{where}[{index}]")
    return found


def _object_problems(value: JSON, schema: JSON, root: JSON, where: str) -> list[str]:
    found = [f"{where}: missing {name}" for name in schema.get("required", []) if name not in value]
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            found += problems(item, properties[key], root, f"{where}.{key}")
        elif extra is False:
            found.append(f"{where}: unexpected {key}")
        elif isinstance(extra, dict):
            found += problems(item, extra, root, f"{where}.{key}")
    return found
