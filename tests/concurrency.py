"""Run calls in threads of their own, each with its own database connection."""

from __future__ import annotations

import random
import threading
import time

from django.db import connections


class Worker(threading.Thread):
    """Run one call in its own thread and database connection; keep what it raised."""

    def __init__(self, name: str, call) -> None:
        super().__init__(name=name)
        self.call, self.error = call, None

    def run(self) -> None:
        try:
            self.call()
        except Exception as error:
            self.error = error
        finally:
            connections.close_all()


def race(*calls) -> list[Exception | None]:
    """Start the calls together, each in its own thread after a random pause of up to
    5 ms, and return what each raised."""
    barrier = threading.Barrier(len(calls))

    def after_the_start(call, pause):
        def run():
            barrier.wait()
            time.sleep(pause)
            call()

        return run

    workers = [
        Worker(f"w{i}", after_the_start(call, random.random() / 200))
        for i, call in enumerate(calls)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [worker.error for worker in workers]
