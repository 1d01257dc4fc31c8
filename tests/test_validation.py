"""The validation page: generated, it lists every pattern test and every episode on record."""

import ast
from pathlib import Path

from benchmarks.validation import COERCION_RECORD, PATTERN_FILES, coercion_in_the_model, page

DOCS = Path(__file__).resolve().parent.parent / "docs" / "validation.md"


def test_the_page_lists_every_pattern_test():
    text = DOCS.read_text(encoding="utf-8")
    for path in PATTERN_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                assert f"{path.name}::{node.name}" in text, node.name


def test_the_history_checks_set_the_model_beside_every_episode():
    coercion = coercion_in_the_model(1)
    text = page(None, coercion, 1)
    for target, when, *_ in COERCION_RECORD:
        assert f"| {target} | {when} |" in text
    for scenario, rule in coercion:
        assert f"| `{scenario}` | {rule} |" in text
    assert "Patterns from the report" not in text  # none were run
