"""`zoomhost` with no command opens the application; `--rehearsal` reaches it from either place."""

from __future__ import annotations

import pytest

from zoomhost import cli


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ([], False)),
        (["--rehearsal"], (["--rehearsal"], False)),
        (["gui", "--rehearsal"], (["--rehearsal"], False)),
        (["gui"], ([], False)),
        (["-v", "--rehearsal"], (["--rehearsal"], True)),
    ],
)
def test_the_application_is_opened_with_the_requested_mode(monkeypatch, argv, expected) -> None:
    calls: list[tuple[list[str], bool]] = []
    import zoomhost.ui.main as main

    monkeypatch.setattr(main, "run_app", lambda args=None, *, verbose=False: calls.append((list(args or []), verbose)) or 0)
    assert cli.main(argv) == 0
    assert calls == [expected]
