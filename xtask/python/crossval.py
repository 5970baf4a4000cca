"""Python side of `cargo xtask crossval`.

Reads a manifest (a JSON array of {"path", "schema"} objects, written by the
xtask) and prints, as one JSON object on stdout, the verdict of Python's
`jsonschema` (Draft202012Validator, with format checking) for every file:
{"tool": "jsonschema <version>", "verdicts": {"<path>": {"valid": bool, "error":
"<best error or null>"}}}. A file that is not
strict UTF-8 JSON is invalid ("unparsable"). It never writes anywhere else.
"""

import json
import sys
from importlib.metadata import version

import jsonschema
from jsonschema import Draft202012Validator


def reject_constant(name):
    # Python's json accepts NaN and Infinity; JSON (and the plugin's JSON.parse) does not.
    raise ValueError(f"not JSON: {name}")


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    return json.loads(data.decode("utf-8"), parse_constant=reject_constant)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        manifest = json.load(f)
    validators = {}
    verdicts = {}
    for entry in manifest:
        schema_path = entry["schema"]
        if schema_path not in validators:
            schema = load(schema_path)
            Draft202012Validator.check_schema(schema)
            validators[schema_path] = Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        validator = validators[schema_path]
        try:
            instance = load(entry["path"])
        except (UnicodeDecodeError, ValueError) as err:
            verdicts[entry["path"]] = {"valid": False, "error": f"unparsable: {err}"}
            continue
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        verdicts[entry["path"]] = {
            "valid": error is None,
            "error": None if error is None else f"{error.json_path}: {error.message}",
        }
    json.dump({"tool": f"jsonschema {version('jsonschema')}", "verdicts": verdicts}, sys.stdout)


if __name__ == "__main__":
    main()
