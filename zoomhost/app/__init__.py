"""The application layer: the teacher's tasks, written once, called by the window and the command line.

``services`` is the one composition root: it builds the register, the session journals, the
keyring, the Zoom client (real, or the rehearsal Zoom when no credentials are set) and the I/O
thread, for the window, every command and the headless rehearsal alike. The tasks:

- ``meetings``: list upcoming meetings, check a meeting, fix a meeting, a new passcode, end for all;
- ``invitations``: prepare invitations for consented families;
- ``session``: start a session (the engine, Zoom's event stream, the host assistant), read and
  tick the start-of-session checks, finish it;
- ``rehearse``: play a rehearsal headless and print its summary;
- ``summaries``: the sessions kept, a session's summary, exporting it;
- ``retention``: forget what is past its retention, by itself at start-up and when a session closes, or on ``purge``;
- ``register``: import the consent register and staff list, remove leavers;
- ``signin``: credentials in the keyring, signing in, the typed settings, testing the connection;
- ``rehearsal_zoom``: serve the rehearsal Zoom for other computers or scripts;
- ``host_assistant``: run the host assistant process.

Pages and commands call these and show what comes back; neither builds a Zoom client, a
journal, an engine or an assistant itself.
"""
