"""zoomhost: a safeguarding control panel for teachers hosting Zoom classes and assemblies."""

__version__ = "0.1.0"
