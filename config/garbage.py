"""The cyclic garbage collector, run between requests instead of inside them.

A request leaves cycles behind (forms and their bound fields, template contexts): about 900
objects for a live preview. Left to the collector's own thresholds, they are collected inside
some later request, with whatever that request holds at the time, and what it holds then is
promoted and walked again by the older generations (a young collection inside a preview cost
0.8 ms, an older one 5 ms). Collected once the answer is sent, they are young and few (0.25 ms),
and no one waits for it. The collector's thresholds stay as they are, for a request that makes
more garbage than one collection's worth.
"""

import gc

from django.core.signals import request_finished


def collect_between_requests() -> None:
    """Collect after every request served from now on (WSGI servers send `request_finished` when
    they close the answer, after its last byte)."""
    request_finished.connect(collect_after_request, dispatch_uid="collect_after_request")


def collect_after_request(**kwargs) -> None:
    gc.collect(generation_due(gc.get_count(), gc.get_threshold()))


def generation_due(counts: tuple[int, ...], thresholds: tuple[int, ...]) -> int:
    """The oldest generation whose count is over its threshold (the young one at least), as the
    collector reads its counts: an older generation counts the collections of the one before it."""
    due = 0
    for generation in range(1, len(counts)):
        if counts[generation] > thresholds[generation]:
            due = generation
    return due
