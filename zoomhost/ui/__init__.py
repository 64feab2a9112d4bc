"""The Qt windows. Importing any of them first protects the interpreter from a PySide6 6.12 fault."""

from zoomhost.ui.pyside_refcounts import keep_singletons_alive

keep_singletons_alive()
