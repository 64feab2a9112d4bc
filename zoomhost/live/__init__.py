"""The live-session engine for one meeting, on the I/O thread's loop; no Qt.

``engine`` (:class:`~zoomhost.live.engine.LiveController`) owns one small part per concern and
wires them: ``commands`` (the teacher's commands, journaled before they are sent), ``intake``
(the event queue, batches journaled in one transaction, the listener), ``channels`` (the host
assistant, the manual fallback, reconnecting), ``clocks`` (the auto-lock and the planned
length), ``autopilot``, ``pickup`` (carrying on after a restart, reconciling with Zoom's
roster), ``notes`` and ``lifetime`` (background tasks). ``opening`` opens a session's journal,
new or picked up; ``state`` is what the panel shows of it.
"""
