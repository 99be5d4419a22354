"""The CSF domain in plain Python: no web framework, no file formats, no I/O."""
