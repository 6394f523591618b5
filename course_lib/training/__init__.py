"""Training loops of the course, one module per kind of model (``classifier``, ...)."""
