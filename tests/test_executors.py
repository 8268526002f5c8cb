"""Local worker pools share the cores: each worker's BLAS, OpenMP and onnxruntime threads are held to
its share, so that two workers on a 2-core machine do not run four busy threads."""

from __future__ import annotations

import os

from cuecraft.executors import cores, run_all, thread_share


def test_pool_workers_compute_with_their_share_of_the_cores() -> None:
    names = ["CUECRAFT_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"]
    heard = sorted(run_all(os.getenv, names, workers=3), key=str)
    share = str(max(1, cores() // 3))
    assert heard == [share] * 3


def test_a_process_alone_computes_with_every_core(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("CUECRAFT_THREADS", raising=False)
    assert thread_share() == cores()
    monkeypatch.setenv("CUECRAFT_THREADS", "1")
    assert thread_share() == 1
