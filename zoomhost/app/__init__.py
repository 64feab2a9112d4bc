"""The application layer: the teacher's tasks, written once, called by the window and the command line."""
