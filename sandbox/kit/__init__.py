"""Plumbing every simulated system shares; imports nothing else of ``sandbox``.

* :mod:`.serving` — uvicorn on its own socket and thread, over HTTP (:class:`~.serving.Listener`) or
  HTTPS (:class:`~.serving.HTTPSServerThread`, certificates from :mod:`.tls`);
* :mod:`.clock` — the fixed epoch, timestamps, a settable clock; :mod:`.perf` — ``paused_gc``;
* :mod:`.faults` — queued fault injection; :mod:`.chaos` — webhook delivery chaos (drop,
  duplicate, reorder, delay); :mod:`.stats` — request counters;
* :mod:`.background` — restartable background loops (webhook and outbound delivery);
  :mod:`.retry_after` — reading ``Retry-After``;
* :mod:`.admin_routes` — the ``/_sandbox/`` endpoints every system shares (faults, stats, mutate,
  world); :mod:`.asgi` — small ASGI helpers;
* :mod:`.fakedata` — names, countries, legal forms, domains, phones and their messy variants.
"""
