"""Zoom's REST API, sign-in and event stream: the only package that imports httpx or websockets.

- ``errors``: the typed error tree (``ZoomError`` and its kinds) and ``Retry-After`` parsing
- ``credentials``: ``CredentialStore`` on the OS keyring (service ``zoomhost``), memory when there is none
- ``auth``: Server-to-Server and user OAuth (PKCE, loopback redirect) and ``ZoomAuth``, the token provider
- ``ratelimit``: per-category pacing and the retry policy
- ``client``: ``ZoomClient``, the typed REST calls, and the daily meeting-update budget
- ``events``: ``EventStream``, Zoom's WebSocket events as ``zoomhost.core.events.MeetingEvent``
- ``preflight``: ``run_preflight`` / ``apply_fixes`` against live Zoom
"""
