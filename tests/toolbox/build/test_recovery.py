"""Opening build/ at start-up (toolbox.recovery): a build made there leaves no garbage behind."""

from __future__ import annotations

import gc

from toolbox.build.recovery import open_built
from toolbox.config import Settings


def test_a_build_at_start_up_leaves_no_garbage_in_the_site(minimal_copy, tmp_path):
    """Content changed while the site was down: it builds in its own process before it serves. What
    that build left (at 100x content 770 MB of 1.2 GB) is collected and handed back, not kept."""
    settings = Settings(content_dir=minimal_copy, build_dir=tmp_path / "build", instance_dir=tmp_path / "instance")
    gc.collect()
    artefacts = open_built(settings, lambda built: built)
    assert artefacts.dataset.exists() and artefacts.index_dir.exists()
    assert gc.collect() < 100  # unreachable objects still waiting when the site starts serving
