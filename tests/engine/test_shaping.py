"""Output projection: only the fields a tool keeps reach the model."""

from __future__ import annotations

from crmbridge.engine.shaping import _tree, dig, project


def test_keep_paths_reach_into_nested_objects_and_lists() -> None:
    pipeline = {
        "id": "default",
        "label": "Sales",
        "displayOrder": 0,
        "stages": [
            {"id": "won", "label": "Won", "metadata": {"isClosed": "true"}, "createdAt": "2025-01-01"},
            {"id": "lost", "label": "Lost", "archived": False},
        ],
    }
    kept = project([pipeline], _tree(("id", "stages.id", "stages.metadata.isClosed")))
    assert kept == [
        {"id": "default", "stages": [{"id": "won", "metadata": {"isClosed": "true"}}, {"id": "lost"}]}
    ]


def test_a_whole_field_wins_over_its_parts() -> None:
    assert _tree(("stages", "stages.id")) == {"stages": None}
    assert project({"stages": [{"id": 1, "x": 2}]}, _tree(("stages", "stages.id"))) == {
        "stages": [{"id": 1, "x": 2}]
    }


def test_dig_follows_keys_and_list_indexes() -> None:
    body = {"results": [{"id": "1"}, {"id": "2"}]}
    assert dig(body, "results.1.id") == "2"
    assert dig(body, "results.5") is None
    assert dig(body, "") is body
    assert dig(body, "results.x") is None
