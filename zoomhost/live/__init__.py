"""The live-session engine: commands, event intake, fallback, clocks, autopilot and pick-up; no Qt."""
