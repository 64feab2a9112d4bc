"""The Live panel, one small widget per part: ``page`` composes them and shows the session the app started.

``model`` (the waiting-room rows), ``table`` (the table and its filters), ``banner`` (alarms),
``manual_steps`` (steps to do in Zoom), ``start_checks`` (the start-of-session checks and the
session clock), ``status`` (control channel, counts, autopilot), ``controls`` (the host's
buttons and the panic key), ``session_picker`` (meeting, scenario, Start session) and
``bridge`` (the engine's news onto the GUI thread).
"""
