"""What zoomhost needs from the computer it runs on, for every other package except ``core``.

``config`` (the settings file and environment), ``paths`` (where files live), ``redact`` (the
secrets no log line may hold), ``logs`` (the private log file), ``runtime`` (the I/O thread the
network and disk work runs on) and ``resources`` (icons, stylesheet, templates).
"""
